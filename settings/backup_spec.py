"""The backup sections: databases to dump and keep, and where device configs are versioned."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import model_validator

from core.phrases import phrase
from settings.spec_types import Credential, Duration, FilePath, Port, Seconds, Strict, integer

BackupWorkers = integer(1, 256)
Count0 = integer(0, 100_000)
Count1 = integer(1, 100_000)


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
                raise ValueError(phrase("engine sqlite needs `path` (the database file)"))
            if self.host or self.database:
                raise ValueError(phrase("engine sqlite takes `path`, not host/database"))
        elif not self.database:
            raise ValueError(
                phrase("engine {engine} needs `database` (the database name)", engine=self.engine)
            )
        return self


class ConfigBackupsSpec(Strict):
    """Where device configs are versioned and how a backup run behaves (docs/backup-config.md)."""

    repository: FilePath | None = None  # default: <XDG data dir>/opsinspect/config-backups
    mask_secrets: bool = True
    workers: BackupWorkers = 8
    timeout: Duration = timedelta(minutes=2)  # per device: connect, fetch and commit
