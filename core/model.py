"""The frozen records that flow one way: Target -> Sample -> Finding -> InspectionRun."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.phrases import Phrase, phrase
from core.status import Status, worst

LOCAL_ADDRESSES = frozenset({"localhost", "127.0.0.1", "::1"})
# Far above any real answer (a large chassis' `show interfaces` or config is a few MiB), low
# enough that workers x this stays in memory: what one target may send in one session.
ANSWER_LIMIT_MB = 16.0


class Window(Protocol):
    """A span when changes are expected; settings.change_windows.ChangeWindow is the one kind.

    A protocol so the kernel names what a Target carries without importing the settings."""

    def overlaps(self, since: datetime, until: datetime) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SshSettings:
    """A target's `ssh:` section with its defaults, built once at load. Secrets are references
    (`env:NAME`), resolved only at use."""

    port: int = 22
    username: str | None = None
    password: str | None = None
    key_file: str | None = None
    passphrase: str | None = None
    use_agent: bool = True
    jump_host: str | None = None  # [user@]host[:port]
    timeout: float = 10.0
    host_key_policy: str = "strict"  # strict (known_hosts only) or tofu (recorded on first use)
    known_hosts: str | None = None


@dataclass(frozen=True)
class SnmpSettings:
    """A target's `snmp:` section with its defaults, built once at load."""

    version: str = "2c"
    port: int = 161
    community: str | None = None
    username: str | None = None
    auth_protocol: str | None = None
    auth_key: str | None = None
    priv_protocol: str | None = None
    priv_key: str | None = None
    timeout: float = 2.0
    retries: int = 1


@dataclass(frozen=True)
class CliSettings:
    """A network device's `cli:` section with its defaults, built once at load."""

    port: int = 22
    username: str | None = None
    password: str | None = None
    secret: str | None = None  # enable password
    key_file: str | None = None
    timeout: float = 20.0
    fast_cli: bool = True  # netmiko's short waits; false for devices slow to echo and prompt
    host_key_policy: str = "strict"
    known_hosts: str | None = None


@dataclass(frozen=True)
class DbEngine:
    """`protocol`: what a client speaks to it (MariaDB speaks MySQL's); `port`: its default."""

    protocol: str
    port: int


# The engines a database target may name (a backup's `sqlite` is no server to inspect).
DB_ENGINES: Mapping[str, DbEngine] = {
    "postgresql": DbEngine("postgresql", 5432),
    "mariadb": DbEngine("mysql", 3306),
    "mysql": DbEngine("mysql", 3306),
}


@dataclass(frozen=True)
class DatabaseSettings:
    """A target's `database:` section: how the monitoring account connects (the password a
    reference) and this instance's backups under `databases:`, each with its max_age."""

    engine: str  # a key of DB_ENGINES
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None  # what to connect to; the checks read the whole instance
    timeout: float = 10.0
    backups: Mapping[str, timedelta] = field(default_factory=dict)  # backup name -> max_age

    @property
    def port_or_default(self) -> int:
        return self.port or DB_ENGINES[self.engine].port


@dataclass(frozen=True)
class Target:
    """One thing to inspect. Credentials are references (`env:NAME`), never secrets."""

    name: str
    kind: str = "server"
    address: str = "localhost"
    port: int | None = None
    platform: str = "linux"
    groups: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    profile: str = "standard"
    collectors: tuple[str, ...] = ()
    ssh: SshSettings | None = None
    snmp: SnmpSettings | None = None
    cli: CliSettings | None = None
    database: DatabaseSettings | None = None
    interfaces: Mapping[str, Any] | None = None  # important ports: {important, description_pattern}
    parents: tuple[str, ...] = ()
    change_windows: tuple[Window, ...] = ()
    answer_limit_mb: float = ANSWER_LIMIT_MB
    zone: str = ""  # polled by that zone's workers; "" is the inspecting server's own zone

    @property
    def is_local(self) -> bool:
        return self.address in LOCAL_ADDRESSES and self.ssh is None


@dataclass(frozen=True)
class Sample:
    """One measured value in base units (B, s, %, count), stamped when it was taken (UTC)."""

    target: str
    metric: str
    value: float
    unit: str
    at: datetime
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, key: str, default: str = "") -> str:
        return self.labels.get(key, default)


@dataclass(frozen=True)
class Missing:
    """A collector's note that an input could not be read, and why ("no socket table: ...").

    Not a Sample (nothing was measured, nothing is stored or exported): the checks that judge
    `metric` report "not measured: <why>" instead of staying silent.
    """

    metric: str
    why: str | Phrase  # the finding's "not measured: <why>", translated where it is shown


# What a collector measures and a check judges: a host's operating system (local, ssh), a
# network device (snmp, netcli) or a database server (postgres, mysql). A check is only owed
# to a target whose collectors measure its family, so a Linux server is never told that its
# interfaces (or its replication) were not measured.
HOST = "host"
DEVICE = "device"
DATABASE = "database"
NOT_MEASURED = "not measured"  # the summary of an owed check that had no input: "not measured: why"


@dataclass(frozen=True)
class Finding:
    """A judgement on one subject of one target, with the value and threshold behind it."""

    target: str
    check: str
    subject: str
    status: Status
    summary: str | Phrase  # a Phrase is translated where it is shown (core/phrases.py)
    value: float | None = None
    unit: str = ""
    threshold: str | Phrase = ""
    hint: str | Phrase = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return f"{self.target}|{self.check}|{self.subject}"

    @property
    def unmeasured(self) -> bool:
        """The check had no input: it says nothing about the problems it would judge."""
        return self.status == Status.UNKNOWN and str(self.summary).startswith(f"{NOT_MEASURED}:")

    @classmethod
    def not_measured(
        cls, target: str, check: str, subject: str, why: str | Phrase, hint: str | Phrase,
        **evidence: Any
    ) -> Finding:
        """The one shape of an owed check without input, which `unmeasured` recognises."""
        return cls(target=target, check=check, subject=subject, status=Status.UNKNOWN,
                   summary=phrase("not measured: {why}", why=why), hint=hint, evidence=evidence)


# A Finding's texts that may be a Phrase: kept as phrases wherever a finding is stored or sent
# (records/store.py, flows/wire.py), translated only where it is shown.
FINDING_TEXTS = ("summary", "threshold", "hint")


def new_run_id() -> str:
    """The one form of a run id; the agent assigns it before a job starts, so a run stored
    by a job whose agent then died is still found for its plan slot."""
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class InspectionRun:
    id: str
    trigger: str
    operator: str
    started_at: datetime
    finished_at: datetime
    targets: tuple[str, ...]
    findings: tuple[Finding, ...]
    samples: tuple[Sample, ...] = ()

    @property
    def status(self) -> Status:
        return worst(f.status for f in self.findings)


# Makes a run durable for its receivers (a central agent's outbox, the export spool) before
# it is stored, so a crash between the two loses it for nobody.
BeforeSave = Callable[[InspectionRun], object]


@dataclass(frozen=True)
class PreviousRun:
    """A target's part of its latest stored run, for checks that judge change."""

    samples: tuple[Sample, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def at(self) -> datetime | None:
        """When it was measured: where "since the last inspection" begins (None: never)."""
        return max((s.at for s in self.samples), default=None)
