"""KPI values with their numerator, denominator and the records behind them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from scoring.facts import Facts, TicketFact
from scoring.period import Period

REPEAT_WINDOW = timedelta(days=30)
FAULT_REPORT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Subject:
    """Whom a score is for: the whole team, one engineer, or one target group."""

    kind: str  # team | engineer | group
    name: str

    def owns_ticket(self, ticket: TicketFact) -> bool:
        if self.kind == "engineer":
            return ticket.assignee == self.name
        if self.kind == "group":
            return self.name in ticket.groups
        return True

    def owns_groups(self, groups: tuple[str, ...]) -> bool:
        return self.kind != "group" or self.name in groups


@dataclass(frozen=True)
class Kpi:
    name: str
    numerator: float
    denominator: float
    unit: str = "%"
    counted: tuple[str, ...] = ()
    missed: tuple[str, ...] = field(default=())

    @property
    def applicable(self) -> bool:
        return self.denominator > 0

    @property
    def value(self) -> float | None:
        if not self.applicable:
            return None
        ratio = self.numerator / self.denominator
        return ratio * 100 if self.unit == "%" else ratio


def compute(facts: Facts, period: Period, subject: Subject) -> dict[str, Kpi]:
    opened = [
        t
        for t in facts.tickets
        if period.contains(t.opened_at) and not t.suppressed and subject.owns_ticket(t)
    ]
    kpis = [
        _ratio(
            "inspection_completion",
            [p for p in facts.plans if period.contains(p.planned_at)],
            lambda p: p.done,
            lambda p: p.id,
        ),
        _response_on_time(opened, period),
        _ratio("resolution_rate", opened, lambda t: _resolved_in(t, period), _tid),
        _resolution_on_time(opened, period),
        _mean_minutes("mtta", opened, lambda t: t.acknowledged_at, period),
        _mean_minutes("mttr", opened, lambda t: t.resolved_at, period),
        _ratio(
            "availability",
            [r for r in facts.reachability if subject.owns_groups(r.groups)],
            lambda r: r.reachable,
            lambda r: f"{r.run_id}/{r.target}",
        ),
        _ratio(
            "backup_success",
            [b for b in facts.backups if subject.owns_groups(b.groups)],
            lambda b: b.ok,
            lambda b: b.id,
        ),
        _ratio(
            "backup_verification",
            [b for b in facts.backups if b.verified is not None and subject.owns_groups(b.groups)],
            lambda b: bool(b.verified),
            lambda b: b.id,
        ),
        _satisfaction(opened),
        _fault_reports(opened, period),
        _repeat_faults(opened, facts.tickets),
    ]
    return {k.name: k for k in kpis}


def _tid(ticket: TicketFact) -> str:
    return ticket.id


def _ratio(name: str, items: Sequence, good: Callable, ident: Callable) -> Kpi:
    counted = tuple(ident(i) for i in items)
    missed = tuple(ident(i) for i in items if not good(i))
    return Kpi(name, len(counted) - len(missed), len(counted), "%", counted, missed)


def _resolved_in(ticket: TicketFact, period: Period) -> bool:
    return ticket.resolved_at is not None and ticket.resolved_at < period.end


def _response_on_time(opened: list[TicketFact], period: Period) -> Kpi:
    """A ticket whose response is not yet due at the period's end is not counted yet."""
    due = [
        t
        for t in opened
        if t.acknowledged_at is not None or (t.response_due and t.response_due < period.end)
    ]
    return _ratio(
        "response_on_time",
        due,
        lambda t: (
            t.acknowledged_at is not None
            and t.response_due is not None
            and t.acknowledged_at <= t.response_due
        ),
        _tid,
    )


def _resolution_on_time(opened: list[TicketFact], period: Period) -> Kpi:
    resolved = [t for t in opened if _resolved_in(t, period)]
    return _ratio(
        "resolution_on_time",
        resolved,
        lambda t: t.resolution_due is not None and t.resolved_at <= t.resolution_due,
        _tid,
    )


def _mean_minutes(name: str, opened: list[TicketFact], moment: Callable, period: Period) -> Kpi:
    done = [t for t in opened if moment(t) is not None and moment(t) < period.end]
    total = sum((moment(t) - t.opened_at).total_seconds() / 60 for t in done)
    return Kpi(name, round(total, 2), len(done), "min", tuple(t.id for t in done))


def _satisfaction(opened: list[TicketFact]) -> Kpi:
    """Mean rating / 5 x 100: numerator in rating points x 20, so value is a percentage."""
    rated = [t for t in opened if t.rating is not None]
    low = tuple(t.id for t in rated if t.rating < 5)
    return Kpi(
        "satisfaction",
        sum(t.rating for t in rated) / 5,
        len(rated),
        "%",
        tuple(t.id for t in rated),
        low,
    )


def _fault_reports(opened: list[TicketFact], period: Period) -> Kpi:
    owed = [t for t in opened if t.grade in ("A", "B") and _resolved_in(t, period)]
    return _ratio(
        "fault_report_on_time",
        owed,
        lambda t: (
            t.fault_report_at is not None
            and t.fault_report_at <= t.resolved_at + FAULT_REPORT_WINDOW
        ),
        _tid,
    )


def _repeat_faults(opened: list[TicketFact], history: Sequence[TicketFact]) -> Kpi:
    """Share of tickets whose fault had a ticket of its own in the 30 days before."""

    def repeated(ticket: TicketFact) -> bool:
        return any(
            other.fingerprint == ticket.fingerprint
            and other.id != ticket.id
            and timedelta(0) < ticket.opened_at - other.opened_at <= REPEAT_WINDOW
            for other in history
        )

    counted = tuple(t.id for t in opened)
    repeats = tuple(t.id for t in opened if repeated(t))
    return Kpi("repeat_fault_rate", len(repeats), len(counted), "%", counted, repeats)
