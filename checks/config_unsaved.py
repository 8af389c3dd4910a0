"""Running configuration changed after the last save (CISCO-CONFIG-MAN-MIB ccmHistory).

ccmHistoryRunningLastChanged is compared with ccmHistoryStartupLastChanged (both sysUpTime):
what a reload would load is the startup configuration. ccmHistoryRunningLastSaved is not
used: the MIB counts ANY write of the running configuration as saving, a `show running-config`
to a terminal included (the recorded Catalyst 3750 shows exactly that). At boot IOS loads the
startup configuration into the running one, which sets RunningLastChanged a minute or two
after boot while StartupLastChanged stays 0: a change inside BOOT_LOAD_SECONDS with no save
since boot is that load, not an edit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from checks.counters import uptime
from checks.patrol_support import one
from core import names
from core.model import DEVICE, Finding, Sample, Target
from core.phrases import phrase
from core.status import Status
from settings.profiles import Profile, asks

BOOT_LOAD_SECONDS = 600
HINT = phrase(
    "Review the change (`show archive config differences` / `display configuration changes`) "
    "and save it (`copy running-config startup-config`, `write memory`, `save`) or roll it "
    "back: a reload would silently lose it."
)


class UnsavedConfigCheck:
    name: ClassVar[str] = names.CHECK_CONFIG_UNSAVED
    family: ClassVar[str] = DEVICE
    inputs: ClassVar[tuple[str, ...]] = (names.CONFIG_RUNNING_CHANGED,)

    def configured(self, profile: Profile) -> bool:
        return asks(profile, self.name)

    def evaluate(self, target: Target, samples: Sequence[Sample], context) -> Iterator[Finding]:
        running = one(samples, names.CONFIG_RUNNING_CHANGED)
        startup = one(samples, names.CONFIG_STARTUP_CHANGED)
        if running is None or startup is None:
            return
        up = uptime(samples)
        boot_load = startup.value == 0 and running.value <= BOOT_LOAD_SECONDS
        unsaved = running.value > startup.value and not boot_load
        age = round(up.value - running.value) if up is not None else None
        evidence = {"running_changed_uptime_s": running.value,
                    "startup_changed_uptime_s": startup.value, "changed_seconds_ago": age}
        if unsaved:
            summary = phrase("unsaved changes: the running configuration changed {age} ago, "
                             "after the last save", age=_ago(age))
        elif boot_load:
            summary = phrase("no change since the device loaded its startup configuration")
        else:
            summary = phrase("the running configuration is saved")
        yield Finding(
            target=target.name, check=self.name, subject="configuration",
            status=Status.WARNING if unsaved else Status.OK, summary=summary,
            value=age if unsaved else 0, unit="s",
            threshold=phrase("no change after the last save"),
            hint=HINT if unsaved else "", evidence=evidence,
        )


def _ago(seconds: int | None) -> str:
    if seconds is None:
        return "?"
    minutes, hours = seconds // 60, seconds // 3600
    if hours >= 48:
        return f"{hours // 24}d"
    if hours:
        return f"{hours}h {minutes % 60}m"
    return f"{minutes}m"
