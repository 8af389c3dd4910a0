"""KPI values with their numerator, denominator and the records that count against them.

Each ticket opened in the period is judged once (on time? resolved? repeated?), then each
subject's KPIs are sums over its tickets' verdicts: a month of 100,000 tickets is scored for
the team, every engineer and every group without walking the tickets once per KPI and subject.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from scoring.facts import Facts, TicketFact
from scoring.period import Period

REPEAT_WINDOW = timedelta(days=30)
FAULT_REPORT_WINDOW = timedelta(hours=24)
REPORTED_GRADES = ("A", "B")


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
    missed: tuple[str, ...] = ()  # the records that count against it

    @property
    def applicable(self) -> bool:
        return self.denominator > 0

    @property
    def value(self) -> float | None:
        if not self.applicable:
            return None
        ratio = self.numerator / self.denominator
        return ratio * 100 if self.unit == "%" else ratio


class Verdict(NamedTuple):
    """One ticket opened in the period, judged against the period's end (a tuple: 100,000
    of them are made per assessment)."""

    id: str
    rating: int | None
    response_counted: bool  # acknowledged, or its response was due before the period ended
    response_ok: bool
    resolved: bool
    resolution_ok: bool
    ack_minutes: float | None
    resolve_minutes: float | None
    report_owed: bool  # grade A/B resolved in the period: a fault report is due
    report_ok: bool
    repeated: bool


def compute(facts: Facts, period: Period, subject: Subject) -> dict[str, Kpi]:
    group = subject.name if subject.kind == "group" else None
    kpis = [
        _shared(facts, "inspection_completion", period, group),
        *_ticket_kpis(tickets_of(facts, period, subject)),
        _shared(facts, "availability", period, group),
        _shared(facts, "backup_success", period, group),
        _shared(facts, "backup_verification", period, group),
    ]
    return {k.name: k for k in kpis}


def tickets_of(facts: Facts, period: Period, subject: Subject) -> list[Verdict]:
    """The subject's unsuppressed tickets opened in the period, judged in one pass over all."""
    key = ("verdicts", period)
    if key not in facts.memo:
        times = _opened_times(facts)
        by_subject: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
        team = by_subject["team", ""]
        # bounds in UTC like the records' times: comparing across tzinfo objects is 7x slower
        start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
        for t in facts.tickets:
            if t.suppressed or not start <= t.opened_at < end:
                continue
            verdict = _judge(t, end, times)
            team.append(verdict)
            if t.assignee is not None:
                by_subject["engineer", t.assignee].append(verdict)
            for group in t.groups:
                by_subject["group", group].append(verdict)
        facts.memo[key] = by_subject
    found = facts.memo[key]
    return found.get(("team", "") if subject.kind == "team" else (subject.kind, subject.name), [])


def _judge(t: TicketFact, end: datetime, times: dict[str, list[datetime]]) -> Verdict:
    """`end`: the period's end in UTC."""
    acked = t.acknowledged_at if t.acknowledged_at is not None and t.acknowledged_at < end else None
    resolved = t.resolved_at is not None and t.resolved_at < end
    earlier = times.get(t.fingerprint, ())
    first = bisect_left(earlier, t.opened_at - REPEAT_WINDOW)
    return Verdict(
        id=t.id,
        rating=t.rating,
        response_counted=t.acknowledged_at is not None
        or (t.response_due is not None and t.response_due < end),
        response_ok=t.acknowledged_at is not None
        and t.response_due is not None
        and t.acknowledged_at <= t.response_due,
        resolved=resolved,
        resolution_ok=resolved
        and t.resolution_due is not None
        and t.resolved_at <= t.resolution_due,
        ack_minutes=None if acked is None else (acked - t.opened_at).total_seconds() / 60,
        resolve_minutes=(t.resolved_at - t.opened_at).total_seconds() / 60 if resolved else None,
        report_owed=resolved and t.grade in REPORTED_GRADES,
        report_ok=resolved
        and t.fault_report_at is not None
        and t.fault_report_at <= t.resolved_at + FAULT_REPORT_WINDOW,
        repeated=first < len(earlier) and earlier[first] < t.opened_at,
    )


def _ticket_kpis(verdicts: list[Verdict]) -> list[Kpi]:
    """All ticket KPIs of one subject in one pass over its verdicts."""
    response = resolved = on_time = owed = reported = rated = 0
    ack_total = resolve_total = rating_points = 0.0
    acked = 0
    late_response, unresolved, late_resolution, unreported, low, repeats = ([] for _ in range(6))
    for v in verdicts:
        if v.response_counted:
            response += 1
            if not v.response_ok:
                late_response.append(v.id)
        if v.resolved:
            resolved += 1
            resolve_total += v.resolve_minutes
            if v.resolution_ok:
                on_time += 1
            else:
                late_resolution.append(v.id)
        else:
            unresolved.append(v.id)
        if v.ack_minutes is not None:
            acked += 1
            ack_total += v.ack_minutes
        if v.report_owed:
            owed += 1
            if v.report_ok:
                reported += 1
            else:
                unreported.append(v.id)
        if v.rating is not None:
            rated += 1
            rating_points += v.rating
            if v.rating < 5:
                low.append(v.id)
        if v.repeated:
            repeats.append(v.id)
    opened = len(verdicts)
    return [
        Kpi("response_on_time", response - len(late_response), response, "%", tuple(late_response)),
        Kpi("resolution_rate", resolved, opened, "%", tuple(unresolved)),
        Kpi("resolution_on_time", on_time, resolved, "%", tuple(late_resolution)),
        Kpi("mtta", round(ack_total, 2), acked, "min"),
        Kpi("mttr", round(resolve_total, 2), resolved, "min"),
        # mean rating / 5 x 100: the numerator is in rating points / 5, so value is a percentage
        Kpi("satisfaction", rating_points / 5, rated, "%", tuple(low)),
        Kpi("fault_report_on_time", reported, owed, "%", tuple(unreported)),
        Kpi("repeat_fault_rate", len(repeats), opened, "%", tuple(repeats)),
    ]


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
        targets = [r for r in facts.reachability if mine(r.groups)]
        down = tuple(f"{run}/{r.target}" for r in targets for run in r.unreachable)
        inspected = sum(r.runs for r in targets)
        return Kpi(name, inspected - len(down), inspected, "%", down)
    backups = [b for b in facts.backups if mine(b.groups)]
    if name == "backup_success":
        return _ratio(name, backups, lambda b: b.ok, lambda b: b.id)
    verified = [b for b in backups if b.verified is not None]
    return _ratio(name, verified, lambda b: bool(b.verified), lambda b: b.id)


def _ratio(name: str, items: Sequence, good: Callable, ident: Callable) -> Kpi:
    missed = tuple(ident(i) for i in items if not good(i))
    return Kpi(name, len(items) - len(missed), len(items), "%", missed)


def _opened_times(facts: Facts) -> dict[str, list[datetime]]:
    """Opening times per fingerprint, sorted, over all gathered tickets (history included)."""
    if "opened_times" not in facts.memo:
        times: dict[str, list[datetime]] = defaultdict(list)
        for t in facts.tickets:
            times[t.fingerprint].append(t.opened_at)
        facts.memo["opened_times"] = {fp: sorted(ts) for fp, ts in times.items()}
    return facts.memo["opened_times"]
