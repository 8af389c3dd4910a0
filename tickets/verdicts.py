"""The one definition of whether a ticket met its duties: response, resolution, fault report
and repeat. Ticket views judge one ticket in Python (`verdict`), scoring judges a period's
tickets in SQL (`sql_verdicts`); both are written here, side by side, so they cannot drift.

A clock is `met` when its duty was done by the deadline, `breached` when done late or not done
by a deadline already past, and `pending` otherwise: a deadline still ahead is never a breach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, func, literal, not_
from sqlalchemy.sql.elements import ColumnElement

from core.tickets_spec import TicketsSpec
from records.sqltime import exceeds
from records.tickets_schema import TicketRow
from records.types import UtcDateTime

PENDING, MET, BREACHED = "pending", "met", "breached"
NOT_OWED = ""  # a fault report only grades in `sla.fault_report_grades` owe, once resolved
REPEAT_WINDOW = timedelta(days=30)  # an earlier ticket of the same problem this recent: a repeat


@dataclass(frozen=True)
class Rules:
    """The settings the verdicts depend on, from the inventory's `tickets:` section."""

    report_within: timedelta  # a fault report is on time this long after resolution
    report_grades: tuple[str, ...]  # grades that owe one
    repeat_window: timedelta = REPEAT_WINDOW

    @classmethod
    def of(cls, spec: TicketsSpec) -> Rules:
        return cls(spec.sla.fault_report_within, tuple(spec.sla.fault_report_grades))


DEFAULT_RULES = Rules.of(TicketsSpec())


class Judgeable(Protocol):
    """What a verdict reads: a stored ticket (records.tickets.Ticket) or scoring's fact."""

    grade: str
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    fault_report_at: datetime | None
    response_due: datetime
    resolution_due: datetime


@dataclass(frozen=True)
class Verdict:
    response: str  # pending | met | breached
    resolution: str  # pending | met | breached
    report: str  # "" (not owed) | pending | met | breached
    resolved: bool  # a breached resolution is late or still undone


def clock(due: datetime, done: datetime | None, now: datetime) -> str:
    """Done late, or not done by a deadline already past: breached; else done: met; else
    pending. `_sql_clock` decides in the same order."""
    if (done if done is not None else now) > due:
        return BREACHED
    return MET if done is not None else PENDING


def responded_at(ticket: Judgeable) -> datetime | None:
    """Acknowledging, starting work or resolving answers the response (whichever came first:
    resolving before any acknowledgement is the fastest answer there is)."""
    return ticket.acknowledged_at or ticket.resolved_at


def report_due(ticket: Judgeable, rules: Rules) -> datetime | None:
    """When the ticket's fault report is due; None when it owes none (yet)."""
    if ticket.resolved_at is None or ticket.grade not in rules.report_grades:
        return None
    return ticket.resolved_at + rules.report_within


def verdict(ticket: Judgeable, now: datetime, rules: Rules) -> Verdict:
    due = report_due(ticket, rules)
    return Verdict(
        response=clock(ticket.response_due, responded_at(ticket), now),
        resolution=clock(ticket.resolution_due, ticket.resolved_at, now),
        report=NOT_OWED if due is None else clock(due, ticket.fault_report_at, now),
        resolved=ticket.resolved_at is not None,
    )


#: SQL (condition, verdict) pairs tried in order, the first that holds decides; none: pending
Decision = tuple[tuple[ColumnElement[bool], str], ...]


@dataclass(frozen=True)
class SqlVerdicts:
    """The same verdicts over `tickets` rows at the moment `now`, as `Decision`s: one CASE
    per clock, so each deadline is compared once per row."""

    response: Decision
    resolution: Decision
    resolved: ColumnElement[bool]
    report: Decision  # also NOT_OWED


def sql_verdicts(now: datetime, rules: Rules, dialect: str) -> SqlVerdicts:
    t = TicketRow
    at = literal(now, UtcDateTime)
    owed = and_(t.resolved_at.is_not(None), t.grade.in_(rules.report_grades))
    # the time arithmetic is the costly part: only for the tickets that owe a report
    filed_or_now = func.coalesce(t.fault_report_at, at)
    late = exceeds(filed_or_now, t.resolved_at, rules.report_within, dialect)
    return SqlVerdicts(
        response=sql_response(at),
        resolution=sql_resolution(at),
        resolved=t.resolved_at.is_not(None),
        report=((not_(owed), NOT_OWED), (late, BREACHED), (t.fault_report_at.is_not(None), MET)),
    )


def sql_response(now: ColumnElement) -> Decision:
    return _sql_clock(TicketRow.response_due, _sql_responded(), now)


def sql_resolution(now: ColumnElement) -> Decision:
    return _sql_clock(TicketRow.resolution_due, TicketRow.resolved_at, now)


def _sql_responded() -> ColumnElement:
    return func.coalesce(TicketRow.acknowledged_at, TicketRow.resolved_at)


def _sql_clock(due: ColumnElement, done: ColumnElement, now: ColumnElement) -> Decision:
    """`clock` in SQL."""
    return ((_sql_late(due, done, now), BREACHED), (done.is_not(None), MET))


def _sql_late(due: ColumnElement, done: ColumnElement, now: ColumnElement) -> ColumnElement[bool]:
    return func.coalesce(done, now) > due
