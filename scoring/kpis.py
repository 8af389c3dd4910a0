"""KPI values with their numerator, denominator and the records behind them."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scoring.facts import Facts, TicketFact
from scoring.period import Period

REPEAT_WINDOW = timedelta(days=30)
FAULT_REPORT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Subject:
    """Whom a score is for: the whole team, one engineer, or one target group."""

    kind: str  # team | engineer | group
    name: str


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
    opened = tickets_of(facts, period, subject)
    group = subject.name if subject.kind == "group" else None
    kpis = [
        _shared(facts, "inspection_completion", period, group),
        _response_on_time(opened, period),
        _ratio("resolution_rate", opened, lambda t: _resolved_in(t, period), _tid),
        _resolution_on_time(opened, period),
        _mean_minutes("mtta", opened, lambda t: t.acknowledged_at, period),
        _mean_minutes("mttr", opened, lambda t: t.resolved_at, period),
        _shared(facts, "availability", period, group),
        _shared(facts, "backup_success", period, group),
        _shared(facts, "backup_verification", period, group),
        _satisfaction(opened),
        _fault_reports(opened, period),
        _repeat_faults(opened, _opened_times(facts)),
    ]
    return {k.name: k for k in kpis}


def tickets_of(facts: Facts, period: Period, subject: Subject) -> list[TicketFact]:
    """The subject's unsuppressed tickets opened in the period, from one pass over all."""
    key = ("opened", period)
    if key not in facts.memo:
        by_subject: dict[Subject, list[TicketFact]] = defaultdict(list)
        for t in facts.tickets:
            if period.contains(t.opened_at) and not t.suppressed:
                by_subject[Subject("team", "")].append(t)
                if t.assignee is not None:
                    by_subject[Subject("engineer", t.assignee)].append(t)
                for group in t.groups:
                    by_subject[Subject("group", group)].append(t)
        facts.memo[key] = by_subject
    found = facts.memo[key]
    if subject.kind == "team":
        return found.get(Subject("team", ""), [])
    return found.get(subject, [])


def _shared(facts: Facts, name: str, period: Period, group: str | None) -> Kpi:
    """KPIs of the estate rather than of a person: the same for the team and each engineer."""
    key = (name, period, group)
    if key not in facts.memo:
        facts.memo[key] = _estate_kpi(facts, name, period, group)
    return facts.memo[key]


def _estate_kpi(facts: Facts, name: str, period: Period, group: str | None) -> Kpi:
    def mine(groups: tuple[str, ...]) -> bool:
        return group is None or group in groups

    if name == "inspection_completion":
        plans = [p for p in facts.plans if period.contains(p.planned_at)]
        return _ratio(name, plans, lambda p: p.done, lambda p: p.id)
    if name == "availability":
        return _ratio(
            name,
            [r for r in facts.reachability if mine(r.groups)],
            lambda r: r.reachable,
            lambda r: f"{r.run_id}/{r.target}",
        )
    backups = [b for b in facts.backups if mine(b.groups)]
    if name == "backup_success":
        return _ratio(name, backups, lambda b: b.ok, lambda b: b.id)
    verified = [b for b in backups if b.verified is not None]
    return _ratio(name, verified, lambda b: bool(b.verified), lambda b: b.id)


def _opened_times(facts: Facts) -> dict[str, list[datetime]]:
    """Opening times per fingerprint, sorted, over all gathered tickets (history included)."""
    if "opened_times" not in facts.memo:
        times: dict[str, list[datetime]] = defaultdict(list)
        for t in facts.tickets:
            times[t.fingerprint].append(t.opened_at)
        facts.memo["opened_times"] = {fp: sorted(ts) for fp, ts in times.items()}
    return facts.memo["opened_times"]


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


def _repeat_faults(opened: list[TicketFact], times: dict[str, list[datetime]]) -> Kpi:
    """Share of tickets whose fault had a ticket of its own in the 30 days before."""

    def repeated(ticket: TicketFact) -> bool:
        earlier = times.get(ticket.fingerprint, [])
        first = bisect_left(earlier, ticket.opened_at - REPEAT_WINDOW)
        return first < len(earlier) and earlier[first] < ticket.opened_at

    counted = tuple(t.id for t in opened)
    repeats = tuple(t.id for t in opened if repeated(t))
    return Kpi("repeat_fault_rate", len(repeats), len(counted), "%", counted, repeats)
