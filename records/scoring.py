"""Bulk reads for an assessment (a period's tickets, reachability, backups) and manual scores.

Each read is one query returning plain tuples: an assessment of a busy month touches hundreds
of thousands of rows, and ORM objects would cost more than the scoring itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, String, func, select, type_coerce
from sqlalchemy.orm import Session

from core.errors import UserError
from records.backups_schema import BackupRow, VerificationRow
from records.schema import FindingRow, RunRow
from records.scoring_schema import ManualScoreRow
from records.tickets_schema import TicketRow
from records.types import UtcDateTime

REACHABILITY = "reachability"
OK_STATUS = 0


TICKET_FIELDS = (
    "id",
    "fingerprint",
    "target",
    "grade",
    "assignee",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
    "response_due",
    "resolution_due",
    "satisfaction",
    "fault_report_at",
)
_TICKET_COLUMNS = tuple(getattr(TicketRow, name) for name in TICKET_FIELDS)


def tickets_opened(engine: Engine, start: datetime, end: datetime) -> list[tuple]:
    """Tickets opened in [start, end), oldest first, as tuples in TICKET_FIELDS order."""
    columns, convert = _fast_times(engine, _TICKET_COLUMNS)
    query = (
        select(*columns)
        .where(TicketRow.opened_at >= start, TicketRow.opened_at < end)
        .order_by(TicketRow.opened_at, TicketRow.id)
    )
    with engine.connect() as connection:
        return [convert(row) for row in connection.execute(query).all()]


def _fast_times(engine: Engine, columns: tuple) -> tuple[list, Callable]:
    """On SQLite, read timestamps as text and parse them with fromisoformat: SQLAlchemy's
    generic parsing is most of the time of reading 100,000 tickets. Other databases hand
    back datetimes already."""
    if engine.dialect.name != "sqlite":
        return list(columns), tuple
    timed = [i for i, c in enumerate(columns) if isinstance(c.type, UtcDateTime)]
    raw = [type_coerce(c, String).label(c.key) if i in timed else c for i, c in enumerate(columns)]

    def convert(row) -> tuple:
        values = list(row)
        for i in timed:
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i] + "+00:00")
        return tuple(values)

    return raw, convert


def outages(
    engine: Engine, targets: Sequence[str], start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """(target, opened, resolved) of reachability tickets of `targets` overlapping [start, end)."""
    if not targets:
        return []
    query = select(TicketRow.target, TicketRow.opened_at, TicketRow.resolved_at).where(
        TicketRow.check == REACHABILITY,
        TicketRow.target.in_(sorted(set(targets))),
        TicketRow.opened_at < end,
        (TicketRow.resolved_at.is_(None)) | (TicketRow.resolved_at >= start),
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def run_targets(engine: Engine, start: datetime, end: datetime) -> list[tuple[str, list[str]]]:
    """(run id, targets inspected) of the runs started in [start, end)."""
    query = (
        select(RunRow.id, RunRow.targets)
        .where(RunRow.started_at >= start, RunRow.started_at < end)
        .order_by(RunRow.started_at, RunRow.id)
    )
    with engine.connect() as connection:
        return [(run_id, list(targets)) for run_id, targets in connection.execute(query)]


def unreachable(engine: Engine, start: datetime, end: datetime) -> set[tuple[str, str]]:
    """(run id, target) pairs whose reachability finding was not OK, for runs in [start, end)."""
    query = (
        select(FindingRow.run_id, FindingRow.target)
        .join(RunRow, RunRow.id == FindingRow.run_id)
        .where(
            FindingRow.check == REACHABILITY,
            FindingRow.status != OK_STATUS,
            RunRow.started_at >= start,
            RunRow.started_at < end,
        )
    )
    with engine.connect() as connection:
        return {(run_id, target) for run_id, target in connection.execute(query)}


def backups_started(
    engine: Engine, start: datetime, end: datetime
) -> list[tuple[str, str, bool, bool | None]]:
    """(id, name, ok, verified) of backups started in [start, end); `verified` is the latest
    verification finished before `end`, None when there was none."""
    latest = (
        select(VerificationRow.backup_id, func.max(VerificationRow.id).label("last"))
        .where(VerificationRow.finished_at < end)
        .group_by(VerificationRow.backup_id)
        .subquery()
    )
    query = (
        select(BackupRow.id, BackupRow.name, BackupRow.status, VerificationRow.ok)
        .outerjoin(latest, latest.c.backup_id == BackupRow.id)
        .outerjoin(VerificationRow, VerificationRow.id == latest.c.last)
        .where(BackupRow.started_at >= start, BackupRow.started_at < end)
        .order_by(BackupRow.started_at, BackupRow.id)
    )
    with engine.connect() as connection:
        return [
            (backup_id, name, status == "ok", None if ok is None else bool(ok))
            for backup_id, name, status, ok in connection.execute(query)
        ]


@dataclass(frozen=True)
class ManualEntry:
    period: str
    engineer: str
    rater: str
    score: float
    entered_at: datetime


def add_manual_score(
    engine: Engine, period: str, engineer: str, rater: str, score: float, at: datetime
) -> bool:
    """Record a rating; a rater's second rating of one engineer for one period replaces the
    first. True when it replaced one."""
    if not 0 <= score <= 100:
        raise UserError(f"manual score {score:g}: expected 0 to 100")
    with Session(engine) as session, session.begin():
        row = session.scalar(
            select(ManualScoreRow).where(
                ManualScoreRow.period == period,
                ManualScoreRow.engineer == engineer,
                ManualScoreRow.rater == rater,
            )
        )
        if row is not None:
            row.score, row.entered_at = score, at
            return True
        session.add(
            ManualScoreRow(
                period=period, engineer=engineer, rater=rater, score=score, entered_at=at
            )
        )
        return False


def manual_scores(engine: Engine, period: str) -> list[ManualEntry]:
    query = (
        select(ManualScoreRow)
        .where(ManualScoreRow.period == period)
        .order_by(ManualScoreRow.engineer, ManualScoreRow.rater)
    )
    with Session(engine) as session:
        return [
            ManualEntry(r.period, r.engineer, r.rater, r.score, r.entered_at)
            for r in session.scalars(query)
        ]
