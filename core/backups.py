"""Backup settings and records: made by backup/, kept by records/, so both see one type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.paths import data_dir
from core.phrases import phrase
from core.status import Status


def describe_age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} d"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def age_status(age: timedelta, max_age: timedelta) -> Status:
    """A last good backup older than max_age: WARNING; twice that: CRITICAL. The one rule for
    the backup jobs' freshness and the database target's check alike."""
    if age > 2 * max_age:
        return Status.CRITICAL
    return Status.WARNING if age > max_age else Status.OK


@dataclass(frozen=True)
class Retention:
    """Grandfather-father-son: the newest `keep_last`, then one per day, ISO week and month."""

    keep_last: int = 3
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


@dataclass(frozen=True)
class Offsite:
    """Where the second copy goes over SFTP. Secrets are references, resolved at upload."""

    host: str
    username: str
    directory: str
    port: int = 22
    key_file: str | None = None
    password: str | None = None
    passphrase: str | None = None
    known_hosts: str | None = None
    timeout: float = 30.0

    def describe(self) -> str:
        return f"sftp://{self.username}@{self.host}:{self.port}{self.directory}"


@dataclass(frozen=True)
class ConfigBackupSettings:
    """Device config backups: the git repository, secret masking, and the run's bounds."""

    repository: Path
    mask_secrets: bool = True
    workers: int = 8
    timeout: timedelta = timedelta(minutes=2)


def default_config_backups() -> ConfigBackupSettings:
    return ConfigBackupSettings(repository=data_dir() / "config-backups")


@dataclass(frozen=True)
class Database:
    """One database to back up. `password` is a credential reference, resolved only at use."""

    name: str
    engine: str
    destination: Path
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None
    path: Path | None = None
    compression: str = "gzip"
    every: timedelta = timedelta(days=1)
    max_age: timedelta = timedelta(hours=36)
    verify_every: timedelta = timedelta(days=30)
    retention: Retention = Retention()
    offsite: Offsite | None = None

    def source(self) -> dict[str, Any]:
        """Where the data comes from, fit for manifests and records: never the secret."""
        if self.engine == "sqlite":
            return {"engine": self.engine, "path": str(self.path)}
        return {
            "engine": self.engine,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "database": self.database,
        }


def select_databases(
    databases: Mapping[str, Database], names: Iterable[str] = ()
) -> tuple[Database, ...]:
    """The named databases (all when none are named); an unknown name is the user's error."""
    names = list(names)
    for name in names:
        if name not in databases:
            known = ", ".join(sorted(databases)) or phrase("none declared under `databases:`")
            raise UserError(phrase("unknown database {name} (known: {known})", name=repr(name),
                                   known=known))
    return tuple(db for n, db in databases.items() if not names or n in names)


@dataclass(frozen=True)
class BackupRecord:
    """One backup attempt. `status` is "ok" or "failed"; a failed one has no file."""

    id: str
    kind: str
    name: str
    started_at: datetime
    finished_at: datetime
    status: str
    path: str = ""
    size: int = 0
    sha256: str = ""
    error: str = ""
    manifest: Mapping[str, Any] = field(default_factory=dict)
    pruned_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class CopyRecord:
    """One offsite copy of one backup; `ok` only after the remote checksum matched."""

    backup_id: str
    kind: str
    name: str
    destination: str
    at: datetime
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class VerificationRecord:
    """One verification of one backup: checksum, then a restore into a scratch database."""

    backup_id: str
    kind: str
    name: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    problems: tuple[str, ...] = ()
    restored_tables: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BackupReport:
    """Records of one host's backups, as an agent reports them to its server."""

    backups: tuple[BackupRecord, ...] = ()
    copies: tuple[CopyRecord, ...] = ()
    verifications: tuple[VerificationRecord, ...] = ()

    @property
    def names(self) -> set[str]:
        """The sources (databases, devices) the report is about."""
        return {r.name for r in (*self.backups, *self.copies, *self.verifications)}

    def __len__(self) -> int:
        return len(self.backups) + len(self.copies) + len(self.verifications)
