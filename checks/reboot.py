"""Reboot since the last run: the boot time moved."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from core import names
from core.model import HOST, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

# boot time is derived from uptime and drifts by a second or so between reads
TOLERANCE_SECONDS = 5.0
HINT = phrase(
    "Was it planned? Read `last -x reboot`, `journalctl -b -1 -e` for how the previous boot "
    "ended, and the hardware/BMC log; then confirm every service came back."
)


class RebootCheck:
    name: ClassVar[str] = names.CHECK_REBOOT
    family: ClassVar[str] = HOST
    inputs: ClassVar[tuple[str, ...]] = (names.SYSTEM_BOOT_TIME,)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        now = _boot_time(samples)
        if now is None:
            return
        before = _boot_time(context.previous)
        rebooted = before is not None and now - before > TOLERANCE_SECONDS
        booted = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        summary = (
            phrase("rebooted at {booted} since the last inspection", booted=booted)
            if rebooted
            else phrase("up since {booted}", booted=booted)
        )
        yield Finding(
            target=target.name,
            check=self.name,
            subject="boot",
            status=Status.WARNING if rebooted else Status.OK,
            summary=summary,
            value=now,
            unit="s",
            threshold=phrase("boot time unchanged"),
            hint=HINT if rebooted else "",
            evidence={"previous_boot_time": before} if before is not None else {},
        )


def _boot_time(samples: Sequence[Sample]) -> float | None:
    for s in samples:
        if s.metric == names.SYSTEM_BOOT_TIME and not s.labels:
            return s.value
    return None
