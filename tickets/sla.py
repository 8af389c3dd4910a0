"""SLA deadlines per grade and the state a clock is in: on track, at risk, met or breached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.tickets_spec import END_OF_DAY, TicketsSpec
from tickets.calendars import Calendar

MET, ON_TRACK, AT_RISK, BREACHED = "met", "on_track", "at_risk", "breached"
SLA_STATES = (MET, ON_TRACK, AT_RISK, BREACHED)


@dataclass(frozen=True)
class Deadlines:
    response_due: datetime
    resolution_due: datetime


def response_due(grade: str, start: datetime, spec: TicketsSpec) -> datetime:
    return Calendar(spec.calendar).add(start, spec.sla.for_grade(grade).response)


def resolution_due(grade: str, start: datetime, spec: TicketsSpec) -> datetime:
    rule = spec.sla.for_grade(grade).resolution
    calendar = Calendar(spec.calendar)
    if rule == END_OF_DAY:
        return calendar.end_of_day(start)
    return calendar.add(start, rule)


def deadlines(grade: str, opened_at: datetime, spec: TicketsSpec) -> Deadlines:
    return Deadlines(response_due(grade, opened_at, spec), resolution_due(grade, opened_at, spec))


def clock_state(
    start: datetime, due: datetime, done: datetime | None, now: datetime, at_risk: float
) -> str:
    """Done clocks are met or breached for good; running ones turn at risk after the
    `at_risk` share of the allowed (wall) time has gone."""
    if done is not None:
        return MET if done <= due else BREACHED
    if now > due:
        return BREACHED
    if now >= start + (due - start) * at_risk:
        return AT_RISK
    return ON_TRACK


@dataclass(frozen=True)
class SlaView:
    response: str
    resolution: str
    fault_report: str  # "", "owed", "overdue", "filed"

    @property
    def worst(self) -> str:
        order = {BREACHED: 3, AT_RISK: 2, ON_TRACK: 1, MET: 0}
        return max((self.response, self.resolution), key=order.__getitem__)


def response_started(ticket) -> datetime:
    """When the running response clock started: at opening, or at the reopening that
    restarted it (`lifecycle.reopen_row`) when nobody had answered before."""
    responded = ticket.acknowledged_at or ticket.resolved_at
    return ticket.opened_at if responded or not ticket.reopen_count else ticket.resolution_started


def view(ticket, now: datetime, spec: TicketsSpec) -> SlaView:
    """SLA state of a stored ticket (records.tickets.Ticket) at `now`."""
    responded = ticket.acknowledged_at or ticket.resolved_at
    asked = response_started(ticket)
    response = clock_state(asked, ticket.response_due, responded, now, spec.sla.at_risk)
    resolved = ticket.resolved_at if ticket.state in ("resolved", "closed") else None
    resolution = clock_state(
        ticket.resolution_started, ticket.resolution_due, resolved, now, spec.sla.at_risk
    )
    return SlaView(response, resolution, fault_report_state(ticket, now, spec))


def fault_report_state(ticket, now: datetime, spec: TicketsSpec) -> str:
    if ticket.grade not in spec.sla.fault_report_grades or ticket.resolved_at is None:
        return ""
    if ticket.fault_report_at is not None:
        return "filed"
    due = ticket.resolved_at + spec.sla.fault_report_within
    return "overdue" if now > due else "owed"
