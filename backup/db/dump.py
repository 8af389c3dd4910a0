"""One database backup: dump, compress, write atomically, then the manifest beside it."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

from backup.artifact import (
    AtomicWriter,
    BackupError,
    exclusive,
    manifest_path,
    partial_path,
    remove_partials,
    write_json,
)
from backup.compress import SUFFIXES, compressed
from backup.db import engine_for
from core.backups import BackupRecord, Database
from core.clock import Clock, utc_now
from core.errors import UserError

MANIFEST_VERSION = 1


def run_backup(db: Database, clock: Clock = utc_now) -> BackupRecord:
    """Never raises for a failed dump: the failure is a record (and later a finding)."""
    started = clock()
    began = time.monotonic()
    backup_id = f"{db.name}-{started:%Y%m%dT%H%M%SZ}"
    try:
        with exclusive(db.destination, db.name):
            remove_partials(db.destination, db.name)
            backup_id = _unique_id(db.destination, backup_id)
            return _dump(db, backup_id, started, began, clock)
    except (BackupError, UserError) as exc:
        error = str(exc)
    except OSError as exc:
        error = f"cannot write the backup in {db.destination}: {exc.strerror or exc}"
    return BackupRecord(
        id=f"{backup_id}-failed-{secrets.token_hex(2)}",  # no file claims it; must stay unique
        kind="db",
        name=db.name,
        started_at=started,
        finished_at=clock(),
        status="failed",
        error=error,
    )


def _dump(
    db: Database, backup_id: str, started: datetime, began: float, clock: Clock
) -> BackupRecord:
    engine = engine_for(db)
    compression = "none" if engine.builtin_compression else db.compression
    final = db.destination / f"{backup_id}{engine.suffix}{SUFFIXES[compression]}"
    versions = engine.tools(db)
    work = partial_path(db.destination / f"{backup_id}.work")
    with AtomicWriter(final) as out, engine.dump(db, work) as dump:
        with compressed(dump.stream, compression) as stream:
            out.copy_from(stream)
        tables = dict(dump.tables)
    finished = clock()
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "id": backup_id,
        "kind": "db",
        "name": db.name,
        "file": final.name,
        "format": engine.format,
        "compression": compression,
        "sha256": out.sha256,
        "size": out.size,
        "started_at": _iso(started),
        "finished_at": _iso(finished),
        "duration_s": round(time.monotonic() - began, 3),
        "tools": versions,
        "source": db.source(),
        "tables": tables,
    }
    write_json(manifest_path(final), manifest)
    return BackupRecord(
        id=backup_id,
        kind="db",
        name=db.name,
        started_at=started,
        finished_at=finished,
        status="ok",
        path=str(final),
        size=out.size,
        sha256=out.sha256,
        manifest=manifest,
    )


def _unique_id(destination: Path, backup_id: str) -> str:
    """Two backups in the same second get -2, -3: ids name files and must never collide."""
    candidate, n = backup_id, 1
    while any(destination.glob(f"{candidate}.*")):
        n += 1
        candidate = f"{backup_id}-{n}"
    return candidate


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
