"""Bulk reads for an assessment (a period's tickets, reachability, backups) and manual scores.

Each read is one query returning plain tuples: an assessment of a busy month touches hundreds
of thousands of rows, and ORM objects would cost more than the scoring itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntFlag
from itertools import chain
from operator import or_ as either
from typing import Any, NamedTuple

from sqlalchemy import (
    Engine,
    Float,
    Integer,
    Interval,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.errors import UserError
from records.backups_schema import BackupRow, VerificationRow
from records.schema import FindingRow, RunRow
from records.scoring_schema import ManualScoreRow
from records.tickets_schema import TicketRow
from records.types import UtcDateTime

REACHABILITY = "reachability"
OK_STATUS = 0


@dataclass(frozen=True)
class TicketRules:
    """The scheme's ticket rules the store judges by (it cannot import scoring)."""

    repeat_window: timedelta  # an earlier ticket of the fingerprint this recent: a repeat
    report_window: timedelta  # a fault report is on time this long after resolution
    reported_grades: tuple[str, ...]  # grades that owe a fault report


class Judged(IntFlag):
    """What the store found about one ticket, as the bits of one integer (a column per
    finding would cost 100,000 tickets seven times the Python objects)."""

    RESPONSE_COUNTED = 1  # acknowledged, or its response was due before the end
    RESPONSE_OK = 2  # acknowledged by its response deadline
    RESOLVED = 4  # before the end
    RESOLUTION_OK = 8  # resolved by its resolution deadline
    REPORT_OWED = 16  # resolved, and of a grade that owes a fault report
    REPORT_OK = 32  # owed a report, and it came within the report window
    REPEATED = 64  # an earlier ticket of its fingerprint opened within the repeat window


_REPEATED = int(Judged.REPEATED)  # a plain int: IntFlag arithmetic is slow per ticket


class JudgedTickets(NamedTuple):
    """Tickets column by column, oldest first (callers work on whole columns)."""

    ids: Sequence[str]  # "#n"
    assignees: Sequence[str | None]
    targets: Sequence[str]
    ratings: Sequence[int | None]
    judged: Sequence[int]  # Judged bits
    ack_minutes: Sequence[float | None]  # acknowledged before the end
    resolve_minutes: Sequence[float | None]  # resolved before the end


def judged_tickets(
    engine: Engine, start: datetime, end: datetime, rules: TicketRules
) -> JudgedTickets:
    """The tickets opened in [start, end), each judged against `end`. The comparisons run
    in SQL, so no timestamp is converted in Python (that took longer than scoring 100,000
    tickets); repeats are found by one pass over the opening times in order, which is
    cheaper than SQL's per-ticket index seek or window sort."""
    t = TicketRow
    dialect = engine.dialect.name
    until = literal(end, UtcDateTime)
    acked, resolved_at = t.acknowledged_at, t.resolved_at
    resolved = and_(resolved_at.is_not(None), resolved_at < until)
    owed = and_(resolved, t.grade.in_(rules.reported_grades))
    verdict = {
        Judged.RESPONSE_COUNTED: or_(acked.is_not(None), t.response_due < until),
        Judged.RESPONSE_OK: and_(acked.is_not(None), acked <= t.response_due),
        Judged.RESOLVED: resolved,
        Judged.RESOLUTION_OK: and_(resolved, resolved_at <= t.resolution_due),
        Judged.REPORT_OWED: owed,
        # the date shift is the costly part: only for the tickets that owe a report
        Judged.REPORT_OK: and_(
            owed, t.fault_report_at <= _shifted(resolved_at, rules.report_window, dialect)
        ),
    }
    bits = sum((case((condition, int(bit)), else_=0) for bit, condition in verdict.items()))
    opened = _as_stored(t.opened_at, dialect)
    query = (
        select(
            literal("#") + cast(t.id, String),
            t.assignee,
            t.target,
            t.satisfaction,
            type_coerce(bits, Integer),
            _minutes(acked, t.opened_at, acked < until, dialect),
            _minutes(resolved_at, t.opened_at, resolved, dialect),
            t.fingerprint,
            opened,
        )
        .where(t.opened_at >= start, t.opened_at < end)
        .order_by(t.opened_at, t.id)
    )
    history = (
        select(t.fingerprint, opened)
        .where(t.opened_at >= start - rules.repeat_window, t.opened_at < start)
        .order_by(t.opened_at)
    )
    with engine.connect() as connection:
        earlier = connection.execute(history).all()
        rows = connection.execute(query).all()
    if not rows:
        return JudgedTickets((), (), (), (), (), (), ())
    *columns, fingerprints, opened = zip(*rows, strict=True)
    judged = JudgedTickets(*columns)
    repeated = _repeats(earlier, fingerprints, opened, rules.repeat_window, dialect)
    return judged._replace(judged=tuple(map(either, judged.judged, repeated)))


def _repeats(
    earlier: Iterable[tuple[str | None, Any]],
    fingerprints: Sequence[str | None],
    opened: Sequence[Any],
    window: timedelta,
    dialect: str,
) -> list[int]:
    """`Judged.REPEATED` or 0 for each ticket (fingerprint, opening time as stored: see
    `_as_stored`), in order of opening, after the `earlier` tickets: whether an earlier
    ticket of its fingerprint opened within `window` before it (a tie in time is not
    earlier). One loop with everything local: it runs once per ticket."""
    since = _text_shift(-window) if dialect == "sqlite" else lambda at: at - window
    latest: dict[str, tuple[Any, Any]] = {}  # fingerprint -> (last opening, the one before)
    found = []
    for fingerprint, at in chain(earlier, zip(fingerprints, opened, strict=True)):
        if not fingerprint:  # a manual ticket: nothing to repeat
            before = None
        else:
            last, before = latest.get(fingerprint, (None, None))
            if last is None or at > last:
                latest[fingerprint] = (at, last)
                before = last
        found.append(_REPEATED if before is not None and before >= since(at) else 0)
    return found[len(found) - len(opened) :]


def _as_stored(column: ColumnElement, dialect: str) -> ColumnElement:
    """A timestamp as the database keeps it: text on SQLite (ordered like the time; no
    parsing), a datetime elsewhere."""
    return type_coerce(column, String) if dialect == "sqlite" else column


def _text_shift(by: timedelta) -> Callable[[str], str]:
    """`YYYY-MM-DD HH:MM:SS.ffffff` plus whole days, the date looked up once per day."""
    if by % timedelta(days=1):
        raise ValueError(f"{by}: the store shifts times by whole days only")
    days: dict[str, str] = {}

    def shift(text: str) -> str:
        day = text[:10]
        if day not in days:
            days[day] = (date.fromisoformat(day) + by).isoformat()
        return days[day] + text[10:]

    return shift


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


def _shifted(moment: ColumnElement, by: timedelta, dialect: str) -> ColumnElement:
    """`moment + by` for a whole number of days, exact to the microsecond. SQLite keeps times
    as text (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC): shift the date, keep the time of day."""
    if dialect != "sqlite":
        return moment + literal(by, Interval)
    if by % timedelta(days=1):
        raise ValueError(f"{by}: the store shifts times by whole days only")
    day = func.date(func.substr(moment, 1, 10), f"{by.days:+d} days")
    return day.concat(func.substr(moment, 11))


def _minutes(
    later: ColumnElement, earlier: ColumnElement, when: ColumnElement, dialect: str
) -> ColumnElement:
    """Minutes from `earlier` to `later` where `when` holds, else NULL. SQLite's julianday
    keeps milliseconds: the difference is rounded to them (exact microseconds from the text
    cost SQLite three times as long)."""
    if dialect == "sqlite":
        millis = func.round((func.julianday(later) - func.julianday(earlier)) * 86_400_000.0)
        seconds = millis / 1000.0
    else:
        seconds = cast(func.extract("epoch", later - earlier), Float)
    return case((when, seconds / 60.0), else_=None)


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
