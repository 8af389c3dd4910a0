"""Is the clock disciplined at all? chronyd, systemd-timesyncd or ntpd say whether they are
synchronised; a clock that runs free drifts seconds a day, and logs, TLS and Kerberos break."""

from __future__ import annotations

from checks.threshold import ThresholdCheck
from core import names
from core.phrases import phrase


def _what(sample, _samples, context):
    daemon = sample.label("daemon", "?")
    if daemon == "none":
        answers = context.texts.get((names.CHECK_TIME_SYNC, "none"), {}).get("answers", "")
        return phrase("no time daemon answers ({answers})", answers=answers)
    if sample.value >= 1:
        return phrase("{daemon} is synchronised", daemon=daemon)
    return phrase("{daemon} is not synchronised", daemon=daemon)


TIME_SYNC_CHECK = ThresholdCheck(
    name=names.CHECK_TIME_SYNC,
    metric=names.TIME_SYNCHRONISED,
    subject=lambda _sample: "time",
    what=_what,
    hint=phrase(
        "Start and enable the time daemon (`systemctl enable --now chrony`), check its sources "
        "(`chronyc sources -v`, `timedatectl timesync-status`) and that UDP 123 is open."
    ),
)
