"""Durations in settings: `90s`, `30m`, `4h`, `1d12h`, `2w`; a bare number means seconds."""

from __future__ import annotations

import re
from datetime import timedelta

from core.phrases import phrase

_PART = re.compile(r"(\d+(?:\.\d+)?)(min|[smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_SECONDS = 100 * 365 * 86400  # timedelta itself overflows near 2.7 million years
DURATION_HELP = phrase("a duration such as 90s, 30m, 4h, 1d12h or 2w")


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Raises ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        compact = str(value).strip().lower().replace(" ", "")
        parts = _PART.findall(compact)
        if not compact or "".join(n + u for n, u in parts) != compact:
            raise ValueError(
                phrase("expected {what}, got {value}", what=DURATION_HELP, value=repr(value))
            )
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if not 0 < seconds < MAX_SECONDS:  # NaN fails both comparisons
        raise ValueError(
            phrase(
                "expected {what}, above zero and under 100 years, got {value}",
                what=DURATION_HELP,
                value=repr(value),
            )
        )
    return timedelta(seconds=seconds)
