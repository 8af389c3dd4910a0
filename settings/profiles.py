"""Check profiles: thresholds and what must run, with the defaults a duty engineer expects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core import names
from settings.thresholds import Range


@dataclass(frozen=True)
class Thresholds:
    warning: Range | None = None
    critical: Range | None = None


@dataclass(frozen=True)
class ProcessRule:
    """A process that must run; every given matcher (name, cmdline regex, user) must match."""

    subject: str
    name: str | None = None
    cmdline: str | None = None
    user: str | None = None
    warning: Range | None = None
    critical: Range = field(default_factory=lambda: Range.parse("1:"))


@dataclass(frozen=True)
class PortRule:
    port: int
    address: str | None = None


@dataclass(frozen=True)
class FilesystemRule:
    """Pseudo, overlay and squashfs filesystems say nothing about free space: skipped."""

    exclude_types: frozenset[str] = frozenset(
        {
            "overlay",
            "squashfs",
            "tmpfs",
            "devtmpfs",
            "proc",
            "sysfs",
            "cgroup",
            "cgroup2",
            "autofs",
            "fuse.lxcfs",
            "nsfs",
            "tracefs",
            "debugfs",
            "iso9660",
            "ramfs",
        }
    )
    exclude_mounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class PluginRule:
    """A monitoring plugin to run: `command` is an argv (never a shell string), its first
    item an absolute path; `timeout` in seconds."""

    name: str
    command: tuple[str, ...]
    timeout: float = 10.0


DEFAULT_THRESHOLDS: Mapping[str, Thresholds] = {
    names.CPU_USED_PERCENT: Thresholds(Range.parse(85), Range.parse(95)),
    names.LOAD_PER_CORE: Thresholds(Range.parse(1.5), Range.parse(3)),
    names.MEMORY_USED_PERCENT: Thresholds(Range.parse(90), Range.parse(95)),
    names.SWAP_USED_PERCENT: Thresholds(Range.parse(50), Range.parse(80)),
    names.DISK_USED_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.DISK_INODES_USED_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.SYSTEM_ZOMBIES: Thresholds(Range.parse(5), Range.parse(20)),
    # switches and routers (docs/snmp.md); rates come from counter deltas between two runs
    names.DEVICE_CPU_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.DEVICE_MEMORY_USED_PERCENT: Thresholds(Range.parse(85), Range.parse(95)),
    names.IF_UTILIZATION_PERCENT: Thresholds(Range.parse(70), Range.parse(90)),
    names.IF_ERRORS_PER_SECOND: Thresholds(Range.parse(1), Range.parse(10)),
    names.IF_DISCARDS_PER_SECOND: Thresholds(Range.parse(10), Range.parse(100)),
    # database servers (docs/databases.md); deadlocks and growth count since the previous run
    names.DB_CONNECTIONS_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.DB_CACHE_HIT_PERCENT: Thresholds(Range.parse("90:"), Range.parse("80:")),
    names.DB_REPLICATION_LAG: Thresholds(Range.parse(60), Range.parse(300)),
    names.DB_LONGEST_TRANSACTION: Thresholds(Range.parse(600), Range.parse(3600)),
    names.DB_LONGEST_LOCK_WAIT: Thresholds(Range.parse(30), Range.parse(300)),
    names.DB_NEW_DEADLOCKS: Thresholds(Range.parse(0), Range.parse(10)),
    names.DB_GROWTH_PERCENT_PER_DAY: Thresholds(Range.parse(20), Range.parse(50)),
}


@dataclass(frozen=True)
class Profile:
    name: str = "standard"
    thresholds: Mapping[str, Thresholds] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    disabled: frozenset[str] = frozenset()
    processes: tuple[ProcessRule, ...] = ()
    ports: tuple[PortRule, ...] = ()
    filesystems: FilesystemRule = field(default_factory=FilesystemRule)
    plugins: tuple[PluginRule, ...] = ()

    def thresholds_for(self, metric: str) -> Thresholds | None:
        return None if metric in self.disabled else self.thresholds.get(metric)

    def enabled(self, check: str) -> bool:
        return check not in self.disabled


STANDARD = Profile()
# The whole patrol sheet (巡检表, docs/patrol.md): every item of the standard profile plus the
# opt-in ones, each with its default standard. An inventory profile of the same name replaces it.
PATROL = Profile(name="patrol")
BUILT_IN: Mapping[str, Profile] = {profile.name: profile for profile in (STANDARD, PATROL)}
