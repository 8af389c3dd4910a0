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
    """A process that must run; every given matcher (name, cmdline regex, user) must match.
    `cpu_percent` (of one core, as top shows it, averaged since the last inspection) and
    `rss_mb` (all matching processes together) turn on the process_cpu / process_memory checks
    for it."""

    subject: str
    name: str | None = None
    cmdline: str | None = None
    user: str | None = None
    warning: Range | None = None
    critical: Range = field(default_factory=lambda: Range.parse("1:"))
    cpu_percent: Thresholds | None = None
    rss_mb: Thresholds | None = None


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


@dataclass(frozen=True)
class LogRule:
    """A log to watch (a file, or a systemd unit's journal when `journal` is set): the lines
    added since the last inspection matching a `critical` or `warning` pattern (and no
    `exclude` pattern) are counted and shown. At most `max_bytes` are read per inspection and
    `max_lines` matched lines kept as evidence; a file seen for the first time is read from
    its end unless `from_start`."""

    subject: str  # the file path, or `journal:UNIT`
    path: str = ""
    journal: str = ""
    critical: tuple[str, ...] = ()
    warning: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_bytes: int = 1024 * 1024
    max_lines: int = 20
    from_start: bool = False


@dataclass(frozen=True)
class HardwareRule:
    """Disk health by smartctl (all disks it finds, or `smart_devices`) and software RAID."""

    smart: bool = False
    smart_devices: tuple[str, ...] = ()
    raid: bool = False
def _sshd_expected() -> Mapping[str, frozenset[str]]:
    return {
        "permitrootlogin": frozenset({"no", "prohibit-password", "without-password"}),
        "passwordauthentication": frozenset({"no"}),
        "permitemptypasswords": frozenset({"no"}),
    }


# `sshd -T` options listing algorithms, judged against SecurityPolicy.weak_algorithms
SSHD_ALGORITHM_OPTIONS = ("ciphers", "macs", "kexalgorithms")
# /etc/shadow's conventional maximum password age meaning "never has to change"
PASSWORD_NEVER_EXPIRES_DAYS = 99999


@dataclass(frozen=True)
class SecurityPolicy:
    """The host security baseline (docs/inventory.md, "Security baseline"). A profile with one
    asks for the security checks; the standard profile has none, so it runs no probe."""

    uid0_allowed: frozenset[str] = frozenset({"root"})
    password_max_days: int = 90  # a usable password must expire within this many days
    sshd_config: str | None = None  # the file `sshd -T -f` reads; None: sshd's own default
    # `sshd -T` option (lower case) -> the values it may have
    sshd_expected: Mapping[str, frozenset[str]] = field(default_factory=_sshd_expected)
    # an algorithm in ciphers, macs or kexalgorithms containing one of these is weak
    weak_algorithms: tuple[str, ...] = (
        "cbc", "arcfour", "3des", "hmac-md5", "-96", "group1-sha1", "group-exchange-sha1",
    )
    refresh_updates: bool = False  # `apt-get update` / dnf metadata refresh before counting
    mac_required: bool = True  # SELinux or AppArmor must be enforcing
    # how far back failed logins are counted when the target has no previous inspection
    first_window: float = 86400.0


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
    # log watch: any critical line is critical, any warning line a warning (counts per inspection)
    names.LOGWATCH_CRITICAL_LINES: Thresholds(critical=Range.parse(0)),
    names.LOGWATCH_WARNING_LINES: Thresholds(warning=Range.parse(0)),
    # disk health: a remapped or pending sector is the first sign of a dying disk
    names.SMART_REALLOCATED_SECTORS: Thresholds(Range.parse(0), Range.parse(100)),
    names.SMART_PENDING_SECTORS: Thresholds(Range.parse(0), Range.parse(10)),
    names.SMART_MEDIA_ERRORS: Thresholds(Range.parse(0), Range.parse(100)),
    names.SMART_WEAR_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    # security baseline (asked for by a profile's `security:`)
    names.SECURITY_FAILED_LOGINS: Thresholds(Range.parse(10), Range.parse(100)),
    names.SECURITY_PENDING_UPDATES: Thresholds(Range.parse(0), None),
    # switch hardware: used only where the device publishes no limit of its own (docs/snmp.md)
    names.ENV_TEMPERATURE: Thresholds(Range.parse(60), Range.parse(70)),
    names.OPTIC_RX_DBM: Thresholds(Range.parse("-14:1"), Range.parse("-18:3")),
    names.OPTIC_TX_DBM: Thresholds(Range.parse("-9:2"), Range.parse("-12:4")),
    names.OPTIC_TEMPERATURE: Thresholds(Range.parse(70), Range.parse(75)),
}

# Opt-in checks (the patrol sheet, docs/patrol.md): a profile runs one only when its metric has
# thresholds in the profile, so the standard profile costs what it did. These are the defaults a
# profile gets by naming the metric under `checks:` (settings/inventory.py), and all of them are
# in the built-in `patrol` profile. "0" alerts above 0: any at all.
PATROL_THRESHOLDS: Mapping[str, Thresholds] = {
    names.FS_READ_ONLY: Thresholds(critical=Range.parse(0)),
    names.TIME_SYNCHRONISED: Thresholds(warning=Range.parse("1:")),
    names.TIME_SYNC_OFFSET: Thresholds(Range.parse(0.1), Range.parse(1)),
    names.TIME_CLOCK_OFFSET: Thresholds(Range.parse(2), Range.parse(30)),
    names.SYSTEMD_FAILED_UNITS: Thresholds(warning=Range.parse(0)),
    names.KERNEL_EVENTS: Thresholds(warning=Range.parse(0)),
    names.FILES_OPEN_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.PIDS_USED_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.TCP_CLOSE_WAIT: Thresholds(Range.parse(100), Range.parse(1000)),
    names.TCP_TIME_WAIT: Thresholds(Range.parse(10000), Range.parse(25000)),
    names.CONNTRACK_USED_PERCENT: Thresholds(Range.parse(80), Range.parse(90)),
    names.REBOOT_REQUIRED: Thresholds(warning=Range.parse(0)),
    names.PROCESSES_BLOCKED: Thresholds(Range.parse(3), Range.parse(10)),
    names.DISKIO_UTIL_PERCENT: Thresholds(Range.parse(80), Range.parse(95)),
    names.DISKIO_AWAIT: Thresholds(Range.parse(0.05), Range.parse(0.2)),
    names.NET_ERRORS_RATE: Thresholds(Range.parse(1), Range.parse(10)),
    names.NET_DROPS_RATE: Thresholds(Range.parse(10), Range.parse(100)),
    # The switch patrol's checks (docs/snmp.md "Patrol"): a profile asks for one by having its key,
    # and only then does the SNMP collector read the tables it needs, so the standard profile polls
    # what it always did. A user profile opts in per check (`checks: {if_duplex: {}}`).
    names.CHECK_IF_DUPLEX: Thresholds(),
    names.IF_FCS_ERRORS_PER_SECOND: Thresholds(Range.parse(0.01), Range.parse(1)),
    names.CHECK_IF_FLAP: Thresholds(),
    names.STP_TOPOLOGY_CHANGES: Thresholds(Range.parse(0)),
    names.CHECK_BGP: Thresholds(),
    names.CHECK_OSPF: Thresholds(),
    names.CHECK_VRRP: Thresholds(),
    names.CHECK_CONFIG_UNSAVED: Thresholds(),
    names.CHECK_NTP: Thresholds(),  # over the CLI, as the three below
    names.CHECK_DEVICE_LOG: Thresholds(),
    names.CHECK_ERR_DISABLED: Thresholds(),
    names.CHECK_STACK: Thresholds(),
    # the switch's hardware (docs/snmp.md "The switch patrol: hardware and optics"): entity,
    # sensor and transceiver tables, walked only for the items asked for
    names.CHECK_DEVICE_PSU: Thresholds(),
    names.CHECK_DEVICE_FAN: Thresholds(),
    names.CHECK_DEVICE_BOARD: Thresholds(),
    names.CHECK_DEVICE_TEMPERATURE: Thresholds(),
    names.CHECK_OPTICS: Thresholds(),
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
    logwatch: tuple[LogRule, ...] = ()
    hardware: HardwareRule = field(default_factory=HardwareRule)
    security: SecurityPolicy | None = None
    # the listening ports declared for the host, as inclusive (low, high) ranges; None: no baseline
    ports_allowed: tuple[tuple[int, int], ...] | None = None
    # seconds between two polls of a device's interface counters inside one run, so rates are
    # recent (0: rates only between this run and the previous one, as the standard profile)
    rate_window: float = 0.0

    def thresholds_for(self, metric: str) -> Thresholds | None:
        return None if metric in self.disabled else self.thresholds.get(metric)

    def enabled(self, check: str) -> bool:
        return check not in self.disabled


def asks(profile: Profile, key: str) -> bool:
    """The profile asks for a patrol item (and has not disabled it)."""
    return profile.thresholds_for(key) is not None


STANDARD = Profile()
# The whole patrol sheet (巡检表, docs/patrol.md): every item of the standard profile plus the
# opt-in ones, each with its default standard. A site adds its own log watch rules and port
# baseline (they name its files and services).
PATROL = Profile(
    name="patrol",
    thresholds={**DEFAULT_THRESHOLDS, **PATROL_THRESHOLDS},
    hardware=HardwareRule(smart=True, raid=True),
    security=SecurityPolicy(),
    rate_window=10.0,
)
BUILT_IN: Mapping[str, Profile] = {STANDARD.name: STANDARD, PATROL.name: PATROL}
