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

from sqlalchemy import and_, func, literal, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from core.tickets_spec import TicketsSpec
from records.sqltime import within
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
    if done is not None:
        return MET if done <= due else BREACHED
    return BREACHED if now > due else PENDING


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


@dataclass(frozen=True)
class SqlVerdicts:
    """The same verdicts as SQL conditions over `tickets` rows, at the moment `now`."""

    response_met: ColumnElement[bool]
    response_breached: ColumnElement[bool]
    resolved: ColumnElement[bool]
    resolution_breached: ColumnElement[bool]  # resolved late, or unresolved past its due
    report_owed: ColumnElement[bool]
    report_met: ColumnElement[bool]
    report_breached: ColumnElement[bool]


def sql_verdicts(now: datetime, rules: Rules, dialect: str) -> SqlVerdicts:
    t = TicketRow
    at = literal(now, UtcDateTime)
    responded = func.coalesce(t.acknowledged_at, t.resolved_at)
    response_met, response_breached = _sql_clock(t.response_due, responded, at)
    resolution_met, resolution_breached = _sql_clock(t.resolution_due, t.resolved_at, at)
    owed = and_(t.resolved_at.is_not(None), t.grade.in_(rules.report_grades))
    filed = t.fault_report_at.is_not(None)
    # the time arithmetic is the costly part: only for the tickets that owe a report
    in_time = within(t.fault_report_at, t.resolved_at, rules.report_within, dialect)
    still_time = within(at, t.resolved_at, rules.report_within, dialect)
    return SqlVerdicts(
        response_met=response_met,
        response_breached=response_breached,
        resolved=t.resolved_at.is_not(None),
        resolution_breached=resolution_breached,
        report_owed=owed,
        report_met=and_(owed, filed, in_time),
        report_breached=and_(owed, or_(and_(filed, not_(in_time)), and_(~filed, not_(still_time)))),
    )


def _sql_clock(
    due: ColumnElement, done: ColumnElement, now: ColumnElement
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(met, breached) of one clock, as `clock` decides them."""
    met = and_(done.is_not(None), done <= due)
    breached = or_(and_(done.is_not(None), done > due), and_(done.is_(None), now > due))
    return met, breached
