"""Every backed-up source at a glance: its last attempt, last good backup and verdict, for the
console's backups page and its API. Judged by the backups' own rules, never stored: looking
is not a backup run (flows.db_backups.backup_status is the stored, scheduled judgement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from backup import findings as judge
from core.backups import BackupRecord
from core.status import Status, worst
from flows import config_backups, db_backups
from records.backups import BackupStore
from settings.inventory import Inventory


@dataclass(frozen=True)
class BackupLine:
    kind: str  # db or config
    name: str
    status: Status  # the worst freshness finding (db); the last attempt (config)
    last_attempt: BackupRecord | None
    last_good: BackupRecord | None
    summary: str


def overview(engine: Engine, inventory: Inventory, now: datetime) -> list[BackupLine]:
    catalogue = BackupStore(engine)
    lines = []
    for db in inventory.databases.values():
        good = catalogue.last_good(db_backups.KIND, db.name)
        found = judge.freshness_findings(
            db, good, catalogue.last_verification(db_backups.KIND, db.name), now
        )
        status = worst(f.status for f in found)
        summary = "; ".join(str(f.summary) for f in found if f.status != Status.OK)
        lines.append(BackupLine(db_backups.KIND, db.name, status,
                                catalogue.last_attempt(db_backups.KIND, db.name), good, summary))
    for name in catalogue.names(config_backups.KIND):
        last = catalogue.last_attempt(config_backups.KIND, name)
        failed = last is not None and not last.ok
        lines.append(BackupLine(
            config_backups.KIND, name, Status.CRITICAL if failed else Status.OK, last,
            catalogue.last_good(config_backups.KIND, name), last.error if failed and last else "",
        ))
    return sorted(lines, key=lambda x: (-x.status.severity, x.kind, x.name))


def history(engine: Engine, kind: str, name: str, limit: int = 50) -> list[BackupRecord]:
    return BackupStore(engine).backups(kind, [name], limit=limit)
