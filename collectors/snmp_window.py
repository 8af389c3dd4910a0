"""The in-run rate window: the interface counters polled a second time, `rate_window` seconds
after the first walk, so the rate checks judge what a link carries now instead of the average
since an inspection hours ago. Only the counter columns are walked again.

The first poll's counters are kept as samples labelled poll=window_start; the second poll's are
the ordinary samples, so everything that reads "the latest counters" is unchanged. The rate
checks (checks.interface_rates, the one owner of rates) pick the window when it is there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from core import names
from core.model import Missing, Sample

COUNTER_COLUMNS = (
    "in_octets32", "in_octets64", "out_octets32", "out_octets64",
    "in_errors", "out_errors", "in_discards", "out_discards",
    "dot3_fcs",  # collectors.snmp_patrol, when the profile reads FCS errors
)
COUNTERS = frozenset({
    names.IF_IN_OCTETS, names.IF_OUT_OCTETS, names.IF_IN_ERRORS, names.IF_OUT_ERRORS,
    names.IF_IN_DISCARDS, names.IF_OUT_DISCARDS, names.IF_FCS_ERRORS,
})


def counter_columns(wanted: Mapping[str, str]) -> dict[str, str]:
    return {key: wanted[key] for key in COUNTER_COLUMNS if key in wanted}


def window_start(first: Iterable[Sample | Missing]) -> list[Sample]:
    """The first poll's counters, labelled as the window's start."""
    return [
        replace(s, labels={**s.labels, names.LABEL_POLL: names.POLL_WINDOW_START})
        for s in first
        if isinstance(s, Sample) and s.metric in COUNTERS
    ]
