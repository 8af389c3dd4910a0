"""SLA deadlines per grade, and a ticket's clocks as shown: on track, at risk, met or breached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.tickets_spec import END_OF_DAY, TicketsSpec
from tickets import verdicts
from tickets.calendars import Calendar

MET, BREACHED = verdicts.MET, verdicts.BREACHED
ON_TRACK, AT_RISK = "on_track", "at_risk"  # a pending clock, early or late in its time
SLA_STATES = (MET, ON_TRACK, AT_RISK, BREACHED)
#: a fault report's verdict as `ticket show` words it (breached: "overdue" or "filed_late")
FAULT_REPORT_SHOWN = {verdicts.NOT_OWED: "", verdicts.PENDING: "owed", verdicts.MET: "filed"}


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


@dataclass(frozen=True)
class SlaView:
    response: str
    resolution: str
    fault_report: str  # "", "owed", "overdue", "filed", "filed_late"

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
    """SLA state of a stored ticket (records.tickets.Ticket) at `now`: the verdicts scoring
    counts (tickets.verdicts), with a pending clock shown as on track or at risk."""
    found = verdicts.verdict(ticket, now, verdicts.Rules.of(spec))
    at_risk = spec.sla.at_risk
    response = _shown(found.response, response_started(ticket), ticket.response_due, now, at_risk)
    resolution = _shown(
        found.resolution, ticket.resolution_started, ticket.resolution_due, now, at_risk
    )
    return SlaView(response, resolution, _report_shown(found.report, ticket))


def _shown(verdict: str, start: datetime, due: datetime, now: datetime, at_risk: float) -> str:
    """A pending clock turns at risk after the `at_risk` share of its (wall) time has gone."""
    if verdict != verdicts.PENDING:
        return verdict  # met or breached, the same words
    return AT_RISK if now >= start + (due - start) * at_risk else ON_TRACK


def _report_shown(verdict: str, ticket) -> str:
    if verdict == verdicts.BREACHED:
        return "filed_late" if ticket.fault_report_at is not None else "overdue"
    return FAULT_REPORT_SHOWN[verdict]


def fault_report_state(ticket, now: datetime, spec: TicketsSpec) -> str:
    found = verdicts.verdict(ticket, now, verdicts.Rules.of(spec))
    return _report_shown(found.report, ticket)
