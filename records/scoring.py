"""Bulk reads for an assessment (reachability, backups, suppressed tickets) and manual scores.
The period's tickets are judged by scoring.judged with tickets' own rules.

Each read is one query returning plain tuples: an assessment of a busy month touches hundreds
of thousands of rows, and ORM objects would cost more than the scoring itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import names
from core.errors import UserError
from core.phrases import phrase
from records.backups_schema import BackupRow, VerificationRow
from records.rows import field_values
from records.schema import FindingRow, RunRow
from records.scoring_schema import ManualScoreRow
from records.tickets_schema import TicketRow

OK_STATUS = 0


def opened_at_of(
    engine: Engine, targets: Collection[str] | None, start: datetime, end: datetime
) -> list[tuple[str, str, datetime]]:
    """("#id", target, opened) of the tickets opened in [start, end), of `targets` only
    unless None."""
    if targets is not None and not targets:
        return []
    query = select(TicketRow.id, TicketRow.target, TicketRow.opened_at).where(
        TicketRow.opened_at >= start, TicketRow.opened_at < end
    )
    if targets is not None:
        query = query.where(TicketRow.target.in_(sorted(set(targets))))
    with engine.connect() as connection:
        return [(f"#{i}", target, opened) for i, target, opened in connection.execute(query)]


def outages(
    engine: Engine, targets: Sequence[str], start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """(target, opened, resolved) of reachability tickets of `targets` overlapping [start, end)."""
    if not targets:
        return []
    query = select(TicketRow.target, TicketRow.opened_at, TicketRow.resolved_at).where(
        TicketRow.check == names.CHECK_REACHABILITY,
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
            FindingRow.check == names.CHECK_REACHABILITY,
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
        raise UserError(phrase("manual score {score}: expected 0 to 100", score=f"{score:g}"))
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
            ManualEntry(**field_values(ManualEntry, r))
            for r in session.scalars(query)
        ]
