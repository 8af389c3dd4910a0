"""Prove a backup restorable: checksum, then a real restore into a scratch database whose
tables and row counts must match what the source held at dump time."""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from backup.artifact import BackupError, manifest_path, read_json, sha256_file
from backup.db import engine_for
from core.backups import BackupRecord, Database, VerificationRecord
from core.clock import Clock, utc_now
from core.errors import UserError

LOAD_ERRORS = (BackupError, UserError, OSError, EOFError, zlib.error)


def checksum_problems(record: BackupRecord) -> list[str]:
    """The file must be the one the records describe, and so must the manifest beside it."""
    path = Path(record.path)
    if not path.is_file():
        return [f"backup file {path} is missing"]
    problems = []
    size = path.stat().st_size
    if size != record.size:
        problems.append(f"size {size} B differs from the recorded {record.size} B")
    digest = sha256_file(path)
    if digest != record.sha256:
        problems.append(f"sha256 {digest[:12]}… differs from the recorded {record.sha256[:12]}…")
    try:
        manifest = read_json(manifest_path(path))
    except BackupError as exc:
        problems.append(str(exc))
    else:
        if manifest.get("sha256") != record.sha256:
            problems.append("manifest sha256 differs from the records")
    return problems


def compare_tables(expected: Mapping[str, int], restored: Mapping[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) - set(restored)):
        problems.append(f"table {table} is missing after restore")
    for table in sorted(set(restored) - set(expected)):
        problems.append(f"table {table} appeared after restore")
    for table in sorted(set(expected) & set(restored)):
        if expected[table] != restored[table]:
            problems.append(
                f"table {table}: {restored[table]} rows restored, {expected[table]} at dump time"
            )
    return problems


def verify_backup(db: Database, record: BackupRecord, clock: Clock = utc_now) -> VerificationRecord:
    """Never raises for a bad backup: every problem is listed in the verification record."""
    started = clock()
    problems = checksum_problems(record)
    restored: dict[str, int] = {}
    if not problems:
        try:
            restored = restore_scratch(db, record)
        except LOAD_ERRORS as exc:
            problems.append(f"restore failed: {_reason(exc)}")
        else:
            problems.extend(compare_tables(record.manifest.get("tables", {}), restored))
    return VerificationRecord(
        backup_id=record.id,
        kind=record.kind,
        name=record.name,
        started_at=started,
        finished_at=clock(),
        ok=not problems,
        problems=tuple(problems),
        restored_tables=restored,
    )


def restore_scratch(db: Database, record: BackupRecord) -> dict[str, int]:
    """Restore into a throw-away database and count its rows; the scratch is always dropped."""
    engine = engine_for(db)
    compression = record.manifest.get("compression", "none")
    with tempfile.TemporaryDirectory(prefix="opsinspect-verify-") as work:
        scratch = engine.scratch_name(db, Path(work) / "restored.sqlite")
        engine.create(db, scratch)
        try:
            engine.load(db, Path(record.path), compression, scratch)
            return engine.counts(db, scratch)
        finally:
            engine.drop(db, scratch)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, BackupError):
        return f"{type(exc).__name__}: {exc}"
    return str(exc) or type(exc).__name__
