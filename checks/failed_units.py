"""systemd units in the failed state: a service that crashed or did not start at boot stays
failed until someone looks, however healthy the rest of the host is."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _units(samples) -> list[str]:
    return sorted(s.label("name", "?") for s in samples if s.metric == names.SYSTEMD_UNIT_FAILED)


def _what(sample, samples, _context):
    if not sample.value:
        return phrase("no failed systemd units")
    return phrase("{count} failed systemd units: {units}", count=f"{sample.value:.0f}",
                  units=", ".join(_units(samples)))


FAILED_UNITS_CHECK = ThresholdCheck(
    name=names.CHECK_FAILED_UNITS,
    metric=names.SYSTEMD_FAILED_UNITS,
    subject=lambda _sample: "systemd",
    what=_what,
    hint=phrase(
        "See why with `systemctl status UNIT` and `journalctl -u UNIT -b`; fix and restart it, "
        "or `systemctl reset-failed UNIT` if it is gone for good."
    ),
)
