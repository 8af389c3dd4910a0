"""Restore a backup to an explicitly named database (or SQLite file), never over one by accident."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from backup.db import engine_for
from backup.db.verify import LOAD_ERRORS, checksum_problems, compare_tables
from core.backups import BackupRecord, Database
from core.errors import UserError
from core.phrases import phrase

_SERVER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$")


@dataclass(frozen=True)
class RestoreResult:
    target: str
    tables: dict[str, int]
    problems: tuple[str, ...]


def restore_backup(db: Database, record: BackupRecord, to: str, force: bool) -> RestoreResult:
    """Refuses a damaged file and an existing target (unless `force`); compares row counts."""
    engine = engine_for(db)
    target = resolve_target(db, to)
    if not record.ok:
        raise UserError(
            phrase("backup {id} failed at the time; there is nothing to restore", id=record.id)
        )
    damaged = checksum_problems(record)
    if damaged:
        raise UserError(
            phrase(
                "backup {id} is damaged, not restoring: {problems}",
                id=record.id,
                problems="; ".join(damaged),
            )
        )
    try:
        if engine.exists(db, target):
            if not force:
                exists = (
                    phrase(
                        "{target} (the live database!) already exists; pass --force to replace "
                        "it with backup {id}",
                        target=target,
                        id=record.id,
                    )
                    if is_live(db, target)
                    else phrase(
                        "{target} already exists; pass --force to replace it with backup {id}",
                        target=target,
                        id=record.id,
                    )
                )
                raise UserError(exists)
            engine.drop(db, target)
        engine.create(db, target)
        engine.load(db, Path(record.path), record.manifest.get("compression", "none"), target)
        tables = engine.counts(db, target)
    except UserError:
        raise
    except LOAD_ERRORS as exc:
        raise UserError(
            phrase(
                "restore of {id} into {target} failed: {error}",
                id=record.id,
                target=target,
                error=str(exc),
            )
        ) from None
    problems = compare_tables(record.manifest.get("tables", {}), tables)
    return RestoreResult(target=target, tables=tables, problems=tuple(problems))


def resolve_target(db: Database, to: str) -> str:
    if db.engine == "sqlite":
        return str(Path(to).expanduser().resolve())
    if not _SERVER_NAME.match(to):
        raise UserError(
            phrase(
                "--to {value}: expected a database name (letters, digits, _ $ -)", value=repr(to)
            )
        )
    return to


def is_live(db: Database, target: str) -> bool:
    if db.engine == "sqlite":
        return db.path is not None and Path(db.path).resolve() == Path(target)
    return target == db.database
