"""Switch and router health: CPU, memory, and a restart since the previous inspection."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.counters import restart_between, uptime
from checks.summaries import says
from checks.threshold import ThresholdCheck
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile

DEVICE_THRESHOLD_CHECKS = (
    ThresholdCheck(
        name=names.CHECK_DEVICE_CPU,
        metric=names.DEVICE_CPU_PERCENT,
        family=DEVICE,
        subject=lambda s: s.label("cpu", "cpu"),
        what=says(phrase("{cpu} {busy} busy"), cpu=lambda s: s.label("cpu", "CPU"),
                  busy=lambda s: f"{s.value:.1f}%"),
        hint=phrase(
            "Find what burns CPU: `show processes cpu sorted` (Cisco), `display cpu-usage` "
            "(Huawei/H3C); look for broadcast storms, routing churn or SNMP/ACL logging floods."
        ),
    ),
    ThresholdCheck(
        name=names.CHECK_DEVICE_MEMORY,
        metric=names.DEVICE_MEMORY_USED_PERCENT,
        family=DEVICE,
        subject=lambda s: s.label("memory", "memory"),
        what=says(phrase("{memory} {used} used"), memory=lambda s: s.label("memory", "memory"),
                  used=lambda s: f"{s.value:.1f}%"),
        hint=phrase(
            "`show processes memory sorted` (Cisco) or `display memory-usage` (Huawei/H3C); "
            "a slow climb across inspections suggests a leak: plan a software upgrade or reload."
        ),
    ),
)

RESTART_HINT = phrase(
    "Was it planned? Read the device log and `show version` ('System returned to ROM by ...', "
    "last reload reason), check power and the upstream UPS, and confirm all links came back."
)


class DeviceRestartCheck:
    """Uptime went backwards between two runs (a 497-day sysUpTime wrap is not a restart)."""

    name: ClassVar[str] = names.CHECK_DEVICE_RESTART
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.SYSTEM_UPTIME,)

    def configured(self, profile: Profile) -> bool:
        return True

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        now = uptime(samples)
        if now is None or any(s.metric == names.SYSTEM_BOOT_TIME for s in samples):
            return  # servers report their boot time: the reboot check judges those
        restart = restart_between(uptime(context.previous), now)
        restarted = restart is not None and restart.restarted
        up = _duration(now.value)
        yield Finding(
            target=target.name,
            check=self.name,
            subject="uptime",
            status=Status.WARNING if restarted else Status.OK,
            summary=phrase("restarted since the last inspection (up {up})", up=up)
            if restarted
            else phrase("up {up}", up=up),
            value=now.value,
            unit="s",
            threshold=phrase("uptime keeps growing"),
            hint=RESTART_HINT if restarted else "",
            evidence={
                **now.labels,
                **({"boot_moved_seconds": round(restart.boot_shift)} if restarted else {}),
            },
        )


def _duration(seconds: float):
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return phrase("{days}d {hours}h {minutes}m", days=days, hours=hours, minutes=minutes)
    return phrase("{hours}h {minutes}m", hours=hours, minutes=minutes)
