"""The inventory file's shape, validated with pydantic at the edge (only here)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    ValidationInfo,
    model_validator,
)

from core.model import CliSettings, SnmpSettings, SshSettings
from settings import secrets
from settings.profiles import LogRule
from settings.spec_types import (
    CheckKey,
    Duration,
    FilePath,
    Port,
    Regex,
    Seconds,
    integer,
    number,
)
from settings.thresholds import Range
from settings.tickets_spec import Cron, TicketsSpec, TimeZone

Kind = Literal["server", "switch", "router", "firewall", "database"]


def _zone(value: str) -> str:
    """A zone names a broker queue (`opsinspect.zone.<zone>`): plain letters, digits, - _ ."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}", value):
        raise ValueError("a zone is letters, digits, '-', '_' or '.' (up to 63), like dc-b")
    return value


Zone = Annotated[str, AfterValidator(_zone)]


def _credential(value: str, info: ValidationInfo) -> str:
    """A reference; one that must resolve here is checked now. A target of another zone is
    polled by that zone's workers, which resolve its credentials from their own env, files
    and keyring (docs/central.md): the server need not have them."""
    if not secrets.is_reference(value):
        raise ValueError(f"expected {secrets.REFERENCE_HELP}, not an inline secret")
    context = info.context or {}
    elsewhere = context.get("zone") not in (None, context.get("here"))
    reason = None if elsewhere else secrets.problem(value)
    if reason:
        raise ValueError(reason)
    return value


def _range(value: str | int | float) -> str:
    Range.parse(value)
    return str(value)


_JUMP_HOST = re.compile(
    r"^(?:(?P<user>[^@\s]+)@)?"
    r"(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:@\s\[\]]+))"
    r"(?::(?P<port>\d+))?$"
)


def parse_jump_host(value: str) -> tuple[str | None, str, int]:
    """`[user@]host[:port]` (IPv6 as `[::1]:22`) -> (user or None, host, port)."""
    match = _JUMP_HOST.match(value)
    if not match or not 0 < int(match["port"] or 22) < 65536:
        raise ValueError("expected a jump host as [user@]host[:port]")
    return match["user"], match["v6"] or match["host"], int(match["port"] or 22)


def _jump_host(value: str) -> str:
    parse_jump_host(value)
    return value


Credential = Annotated[str, AfterValidator(_credential)]
RATE_WINDOW_MAX = timedelta(seconds=60)


def _rate_window(value: timedelta) -> timedelta:
    if value > RATE_WINDOW_MAX:  # spent inside every device's deadline
        raise ValueError(f"at most {RATE_WINDOW_MAX.seconds}s (it is spent on every device)")
    return value


RateWindow = Annotated[Duration, AfterValidator(_rate_window)]
Retries = integer(0, 10)
Workers = integer(1, 1024)
BackupWorkers = integer(1, 256)
BatchSize = integer(1, 1_000_000)
Count0 = integer(0, 100_000)
Count1 = integer(1, 100_000)
Megabytes = number(0, 1_000_000, "a number of megabytes above 0")
AnswerLimit = number(0, 4096, "a number of MiB above 0, at most 4096")
JumpHost = Annotated[str, AfterValidator(_jump_host)]
RangeText = Annotated[str | int | float, AfterValidator(_range)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


# The sections below are layers (defaults, groups, a host) merged into core.model's typed
# settings at load; those own the defaults, shown here for the reader.
SSH, SNMP, CLI = SshSettings(), SnmpSettings(), CliSettings()
LOG = LogRule("")


class HostKeySettings(Strict):
    """How an SSH server's key is trusted: known_hosts only, or recorded on first use."""

    host_key_policy: Literal["strict", "tofu"] = SSH.host_key_policy
    known_hosts: FilePath | None = None


class SshSpec(HostKeySettings):
    port: Port = SSH.port
    username: str | None = None
    password: Credential | None = None
    key_file: FilePath | None = None
    passphrase: Credential | None = None
    use_agent: bool = SSH.use_agent
    jump_host: JumpHost | None = None
    timeout: Seconds = SSH.timeout


class SnmpSpec(Strict):
    version: Literal["1", "2c", "3"] = SNMP.version
    port: Port = SNMP.port
    community: Credential | None = None
    username: str | None = None
    auth_protocol: Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"] | None = None
    auth_key: Credential | None = None
    priv_protocol: Literal["DES", "AES", "AES192", "AES256"] | None = None
    priv_key: Credential | None = None
    timeout: Seconds = SNMP.timeout
    retries: Retries = SNMP.retries


class CliSpec(HostKeySettings):
    port: Port = CLI.port
    username: str | None = None
    password: Credential | None = None
    secret: Credential | None = None
    key_file: FilePath | None = None
    timeout: Seconds = CLI.timeout
    fast_cli: bool = CLI.fast_cli


class ChangeWindowSpec(Strict):
    """Recurring (`cron` + `duration`) or one-off (`start` + `end`, with a UTC offset)."""

    cron: Cron | None = None
    duration: Duration | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: TimeZone = "UTC"

    @model_validator(mode="after")
    def _one_kind(self) -> ChangeWindowSpec:
        recurring = self.cron is not None or self.duration is not None
        fixed = self.start is not None or self.end is not None
        if recurring == fixed:
            raise ValueError("give either cron and duration, or start and end")
        if recurring and (self.cron is None or self.duration is None):
            raise ValueError("a recurring window needs both cron and duration")
        if fixed and (self.start is None or self.end is None or self.end <= self.start):
            raise ValueError("a fixed window needs start and a later end")
        return self


class InterfacesSpec(Strict):
    """Ports whose every down state is an alert (uplinks), not only a change seen since."""

    important: list[str] = []
    description_pattern: Regex | None = None


class DatabaseTargetSpec(Strict):
    """How to read a database server's health (docs/databases.md): a read-only monitoring
    account (`pg_monitor`; MySQL PROCESS, REPLICATION CLIENT), its password a reference.
    `backups`: names under `databases:` whose last good backup this target reports; by
    default those of the same engine on the same address and port."""

    engine: Literal["postgresql", "mariadb", "mysql"]
    port: Port | None = None
    user: str | None = None
    password: Credential | None = None
    database: str | None = None
    timeout: Seconds = 10.0
    backups: list[str] | None = None


class TargetSpec(Strict):
    """Everything a host, a group or the defaults may set; merged host > groups > defaults."""

    address: str | None = None
    kind: Kind | None = None
    port: Port | None = None
    platform: str | None = None
    labels: dict[str, str] | None = None
    profile: str | None = None
    collectors: list[Literal["local", "ssh", "snmp", "netcli", "postgres", "mysql"]] | None = None
    ssh: SshSpec | None = None
    snmp: SnmpSpec | None = None
    cli: CliSpec | None = None
    database: DatabaseTargetSpec | None = None
    interfaces: InterfacesSpec | None = None
    parents: list[str] | None = None
    change_windows: list[ChangeWindowSpec] | None = None
    # the cap on what the target may send in one SSH, CLI or SNMP session (core.model)
    answer_limit_mb: AnswerLimit | None = None
    # the network zone whose `inspect worker --zone` polls it (default: the server's own)
    zone: Zone | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _in_its_zone(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        """The credentials of a host or group that names a zone are checked in that zone
        (`_credential`): the zone stays in the validation context while they are read."""
        context = info.context
        if context is None or not isinstance(data, dict) or not isinstance(data.get("zone"), str):
            return handler(data)
        outer = context.get("zone")
        context["zone"] = data["zone"]
        try:
            return handler(data)
        finally:
            context["zone"] = outer


class HostSpec(TargetSpec):
    groups: list[str] = []


class ThresholdSpec(Strict):
    warning: RangeText | None = None
    critical: RangeText | None = None
    enabled: bool = True


class LimitSpec(Strict):
    warning: RangeText | None = None
    critical: RangeText | None = None


class ProcessSpec(Strict):
    name: str | None = None
    cmdline: Regex | None = None
    user: str | None = None
    subject: str | None = None
    warning: RangeText | None = None
    critical: RangeText = "1:"
    cpu_percent: LimitSpec | None = None  # of one core, since the last inspection
    rss_mb: LimitSpec | None = None  # MiB, all matching processes together


class PortSpec(Strict):
    port: Port
    address: str | None = None


class FilesystemSpec(Strict):
    exclude_types: list[str] | None = None
    exclude_mounts: list[str] = []


_PLUGIN_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _plugin_name(value: str) -> str:
    if not _PLUGIN_NAME.match(value):
        raise ValueError("a plugin name is 1-64 letters, digits, `_`, `.` or `-`")
    return value


def _argv(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("expected a command as a list: [/absolute/path/to/plugin, arg, ...]")
    if not value[0].startswith("/"):
        raise ValueError(f"the plugin {value[0]!r} must be given by its absolute path")
    return value


def _plugin_timeout(value: timedelta) -> timedelta:
    if not timedelta(0) < value <= timedelta(hours=1):
        raise ValueError("a plugin timeout must be above 0 and at most 1h")
    return value


class PluginSpec(Strict):
    """A monitoring plugin run as a check (docs/plugins.md)."""

    name: Annotated[str, AfterValidator(_plugin_name)]
    command: Annotated[list[str], AfterValidator(_argv)]
    timeout: Annotated[Duration, AfterValidator(_plugin_timeout)] = timedelta(seconds=10)


_UNIT = re.compile(r"^[A-Za-z0-9@._:-]{1,256}$")


def _unit(value: str) -> str:
    if not _UNIT.match(value):
        raise ValueError("a systemd unit name is 1-256 letters, digits and `@._:-`")
    return value


MaxLogBytes = integer(1, 4 * 1024 * 1024, "a number of bytes from 1 to 4194304 (4 MiB)")
MaxLogLines = integer(1, 1000)


class LogWatchSpec(Strict):
    """A log to watch (docs/patrol.md): a `file` or a systemd unit's `journal`."""

    file: FilePath | None = None
    journal: Annotated[str, AfterValidator(_unit)] | None = None
    critical: list[Regex] = []
    warning: list[Regex] = []
    exclude: list[Regex] = []
    max_bytes: MaxLogBytes = LOG.max_bytes
    max_lines: MaxLogLines = LOG.max_lines
    from_start: bool = LOG.from_start

    @model_validator(mode="after")
    def _one_source_some_patterns(self) -> LogWatchSpec:
        if (self.file is None) == (self.journal is None):
            raise ValueError("give exactly one of `file` or `journal`")
        if self.file is not None and not self.file.startswith("/"):
            raise ValueError(f"the log file {self.file!r} must be given by its absolute path")
        if not self.critical and not self.warning:
            raise ValueError("give at least one `critical` or `warning` pattern")
        if self.journal is not None and self.from_start:
            raise ValueError("`from_start` is for files: a journal is read from its first look")
        return self

    @property
    def subject(self) -> str:
        return self.file or f"journal:{self.journal}"


class HardwareSpec(Strict):
    """Disk health by smartctl (`smart`, optionally only `smart_devices`) and software RAID."""

    smart: bool = False
    smart_devices: list[FilePath] = []
    raid: bool = False
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def port_range(value: int | str) -> tuple[int, int]:
    """`22` or `"30000-32767"` -> an inclusive (low, high) of valid ports."""
    match = _PORT_RANGE.match(value) if isinstance(value, str) else None
    low, high = (int(match[1]), int(match[2])) if match else (value, value)
    if type(low) is not int or not 1 <= low <= high <= 65535:
        raise ValueError("expected a port (22) or a port range (\"30000-32767\") within 1-65535")
    return low, high


def _port_range_text(value: int | str) -> int | str:
    port_range(value)
    return value


PortRangeText = Annotated[int | str, AfterValidator(_port_range_text)]
SSHD_OPTION = re.compile(r"^[a-z0-9]+$")


def _sshd_expected(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for option, allowed in value.items():
        if not SSHD_OPTION.match(option):
            raise ValueError(f"an sshd option is written as `sshd -T` prints it: {option!r}")
        if not allowed:
            raise ValueError(f"give at least one allowed value for {option!r}")
    return value


class SecuritySpec(Strict):
    """The host security baseline; its presence asks for the security checks."""

    uid0_allowed: list[str] = ["root"]
    password_max_days: integer(1, 100000, "a number of days from 1 to 100000") = 90
    sshd_config: FilePath | None = None
    sshd_expected: Annotated[dict[str, list[str]], AfterValidator(_sshd_expected)] | None = None
    weak_algorithms: list[str] | None = None
    refresh_updates: bool = False
    mac_required: bool = True
    first_window: Duration = timedelta(days=1)


class ProfileSpec(Strict):
    checks: dict[CheckKey, ThresholdSpec] = {}
    processes: list[str | ProcessSpec] = []
    ports: list[Port | PortSpec] = []
    filesystems: FilesystemSpec = FilesystemSpec()
    plugins: list[PluginSpec] = []
    logwatch: list[LogWatchSpec] = []
    hardware: HardwareSpec = HardwareSpec()
    security: SecuritySpec | None = None
    ports_allowed: list[PortRangeText] | None = None
    # two polls of a device's counters this far apart inside one run: recent rates (0: off)
    rate_window: RateWindow = timedelta(0)

    @model_validator(mode="after")
    def _names_unique(self) -> ProfileSpec:
        for what, seen in (
            ("plugin name", [p.name for p in self.plugins]),
            ("log", [rule.subject for rule in self.logwatch]),
        ):
            twice = sorted({n for n in seen if seen.count(n) > 1})
            if twice:
                raise ValueError(f"{what} {twice[0]!r} is given twice")
        return self


class ScheduleSpec(Strict):
    """One agent job. `kind` names what runs (agent.jobs.KINDS); backups add their own kind."""

    kind: Literal["inspect", "backup"] = "inspect"
    cron: Cron | None = None
    every: Duration | None = None
    timezone: TimeZone | None = None
    splay: Duration | None = None
    grace: Duration = timedelta(hours=1)
    profile: str | None = None
    groups: list[str] = []
    targets: list[str] = []
    workers: Workers = 32
    timeout: Duration = timedelta(seconds=60)

    @model_validator(mode="after")
    def _one_trigger(self) -> ScheduleSpec:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of `cron` or `every`")
        return self


class ExportSpec(Strict):
    """Where samples go: anything that speaks the InfluxDB v2 write API."""

    url: str
    org: str = ""
    bucket: str = "opsinspect"
    token: Credential | None = None
    batch_size: BatchSize = 5000
    timeout: Duration = timedelta(seconds=10)
    spool_dir: FilePath | None = None
    spool_limit_mb: Megabytes = 100
    # the agent's metrics cycle (agent/metrics.py); null turns it off
    metrics_every: Duration | None = timedelta(seconds=60)


class RetentionSpec(Strict):
    keep_last: Count1 = 3
    daily: Count0 = 7
    weekly: Count0 = 4
    monthly: Count0 = 12


class OffsiteSpec(Strict):
    """An SFTP server that gets a second copy of every backup (host key checked strictly)."""

    host: str
    port: Port = 22
    username: str
    directory: str
    key_file: FilePath | None = None
    password: Credential | None = None
    passphrase: Credential | None = None
    known_hosts: FilePath | None = None
    timeout: Seconds = 30.0


class DatabaseSpec(Strict):
    """A database to back up (see docs/backup.md); sqlite takes `path`, the others a server."""

    engine: Literal["postgresql", "mariadb", "mysql", "sqlite"]
    host: str | None = None
    port: Port | None = None
    user: str | None = None
    password: Credential | None = None
    database: str | None = None
    path: FilePath | None = None
    destination: FilePath
    compression: Literal["gzip", "zstd", "none"] = "gzip"
    every: Duration = timedelta(days=1)
    max_age: Duration | None = None
    verify_every: Duration = timedelta(days=30)
    retention: RetentionSpec = RetentionSpec()
    offsite: OffsiteSpec | None = None

    @model_validator(mode="after")
    def _source_fits_engine(self) -> DatabaseSpec:
        if self.engine == "sqlite":
            if not self.path:
                raise ValueError("engine sqlite needs `path` (the database file)")
            if self.host or self.database:
                raise ValueError("engine sqlite takes `path`, not host/database")
        elif not self.database:
            raise ValueError(f"engine {self.engine} needs `database` (the database name)")
        return self


class ConfigBackupsSpec(Strict):
    """Where device configs are versioned and how a backup run behaves (docs/backup-config.md)."""

    repository: FilePath | None = None  # default: <XDG data dir>/opsinspect/config-backups
    mask_secrets: bool = True
    workers: BackupWorkers = 8
    timeout: Duration = timedelta(minutes=2)  # per device: connect, fetch and commit


class CentralSpec(Strict):
    """Zone workers (docs/central.md): the Celery broker every zone's workers and the
    dispatching server share, and this server's own zone (its targets it polls itself)."""

    broker: str  # redis://HOST:PORT/DB (default kind) or amqp://HOST:PORT// (RabbitMQ)
    password: Credential | None = None  # the broker's, by reference; never in the URL
    zone: Zone = "local"
    # the longest a zone task may take on a worker (`inspect run --timeout` above it is cut
    # to it): sizes the broker's visibility timeout, after which a dead worker's task returns
    deadline: Duration = timedelta(seconds=60)


class InventorySpec(Strict):
    defaults: TargetSpec = TargetSpec()
    groups: dict[str, TargetSpec] = {}
    hosts: dict[str, HostSpec] = {}
    profiles: dict[str, ProfileSpec] = {}
    schedules: dict[str, ScheduleSpec] = {}
    databases: dict[str, DatabaseSpec] = {}
    tickets: TicketsSpec = TicketsSpec()
    export: ExportSpec | None = None
    config_backups: ConfigBackupsSpec = ConfigBackupsSpec()
    central: CentralSpec | None = None
