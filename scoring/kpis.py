"""KPI values with their numerator, denominator and the records that count against them.

Each ticket opened in the period is judged once, at the moment of scoring, by tickets' own
rules (tickets.verdicts): in SQL for gathered facts, here for facts made by hand. Then each
subject's KPIs are sums over its tickets' verdicts: a month of 100,000 tickets is scored for
the team, every engineer and every group without walking the tickets once per KPI and
subject. A verdict still pending (its deadline ahead) is left out of the KPI and listed as
pending, never counted as a breach.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress

from scoring.facts import NO_VERDICTS, Facts, TicketFact, Verdicts
from scoring.judged import Judged
from scoring.period import Period
from tickets.verdicts import BREACHED, MET, NOT_OWED, Rules, verdict


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
    pending: tuple[str, ...] = ()  # tickets whose verdict is not decided yet: left out

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
    group = subject.name if subject.kind == "group" else None
    kpis = [
        _shared(facts, "inspection_completion", period, group),
        *_ticket_kpis(tickets_of(facts, period, subject)),
        _shared(facts, "availability", period, group),
        _shared(facts, "backup_success", period, group),
        _shared(facts, "backup_verification", period, group),
    ]
    return {k.name: k for k in kpis}


def tickets_of(facts: Facts, period: Period, subject: Subject) -> Verdicts:
    """The subject's unsuppressed tickets opened in the period, judged once for all."""
    key = ("verdicts", period)
    if key not in facts.memo:
        every = _judged(facts, period) if facts.verdicts is None else facts.verdicts
        assigned: dict[str | None, list[int]] = defaultdict(list)
        for i, assignee in enumerate(every.assignees):
            assigned[assignee].append(i)
        grouped: dict[str, list[int]] = defaultdict(list)
        for i, groups in enumerate(every.groups):
            for group in groups:
                grouped[group].append(i)
        by_subject = {("team", ""): every}
        for kind, positions in (("engineer", assigned), ("group", grouped)):
            for name, where in positions.items():
                if name is not None:  # unassigned: the team's only
                    by_subject[kind, name] = every.select(where)
        facts.memo[key] = by_subject
    found = facts.memo[key]
    return found.get(
        ("team", "") if subject.kind == "team" else (subject.kind, subject.name), NO_VERDICTS
    )


def _judged(facts: Facts, period: Period) -> Verdicts:
    """Hand-made facts' unsuppressed tickets opened in the period, judged at `facts.at`."""
    times = _opened_times(facts)
    # bounds in UTC like the records' times: comparing across tzinfo objects is 7x slower
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    judged = [
        _judge(t, facts.at, facts.rules, times)
        for t in facts.tickets
        if not t.suppressed and start <= t.opened_at < end
    ]
    return Verdicts(*zip(*judged, strict=True)) if judged else NO_VERDICTS


def _judge(t: TicketFact, at: datetime, rules: Rules, times: dict[str, list[datetime]]) -> tuple:
    """One row of Verdicts: the same bits scoring.judged packs from the SQL verdicts."""
    found = verdict(t, at, rules)
    earlier = times.get(t.fingerprint, ())
    first = bisect_left(earlier, t.opened_at - rules.repeat_window)
    bits = {
        Judged.RESPONSE_MET: found.response == MET,
        Judged.RESPONSE_BREACHED: found.response == BREACHED,
        Judged.RESOLVED: found.resolved,
        Judged.RESOLUTION_BREACHED: found.resolution == BREACHED,
        Judged.REPORT_OWED: found.report != NOT_OWED,
        Judged.REPORT_MET: found.report == MET,
        Judged.REPORT_BREACHED: found.report == BREACHED,
        Judged.REPEATED: first < len(earlier) and earlier[first] < t.opened_at,
    }
    return (
        t.id,
        t.assignee,
        t.groups,
        t.rating,
        sum(int(bit) for bit, holds in bits.items() if holds),
        _minutes(t.acknowledged_at, t.opened_at),
        _minutes(t.resolved_at, t.opened_at),
    )


def _minutes(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else (later - earlier).total_seconds() / 60


def _ticket_kpis(verdicts: Verdicts) -> list[Kpi]:
    """All ticket KPIs of one subject, column by column over its verdicts: C-level passes
    over columns are several times faster than one Python loop testing every field. Each
    on-time KPI counts the decided clocks (met or breached); pending ones are listed apart."""
    ids, ratings, ack_minutes = verdicts.ids, verdicts.ratings, verdicts.ack_minutes
    judged, resolve_minutes = verdicts.judged, verdicts.resolve_minutes
    found, j = _Found(ids, judged), Judged
    answered = found.count(j.RESPONSE_MET)
    late_response = found.having(j.RESPONSE_BREACHED)
    waiting = found.having(but_not=j.RESPONSE_MET | j.RESPONSE_BREACHED)
    done, in_time = found.count(j.RESOLVED), found.count(j.RESOLVED, but_not=j.RESOLUTION_BREACHED)
    overdue = found.having(j.RESOLUTION_BREACHED, but_not=j.RESOLVED)
    late_resolution = found.having(j.RESOLUTION_BREACHED)
    working = found.having(but_not=j.RESOLVED | j.RESOLUTION_BREACHED)
    reported = found.count(j.REPORT_MET)
    unreported = found.having(j.REPORT_BREACHED)
    owed = found.having(j.REPORT_OWED, but_not=j.REPORT_MET | j.REPORT_BREACHED)
    repeats = found.having(j.REPEATED)
    low_ratings = {r for r in set(ratings) if r is not None and r < 5}
    low = tuple(compress(ids, map(low_ratings.__contains__, ratings)))
    opened = len(ids)
    acked, rated = opened - ack_minutes.count(None), opened - ratings.count(None)
    return [
        Kpi(
            "response_on_time",
            answered,
            answered + len(late_response),
            "%",
            late_response,
            waiting,
        ),
        Kpi("resolution_rate", done, done + len(overdue), "%", overdue, working),
        Kpi(
            "resolution_on_time",
            in_time,
            in_time + len(late_resolution),
            "%",
            late_resolution,
            working,
        ),
        Kpi("mtta", round(_total(ack_minutes), 2), acked, "min"),
        Kpi("mttr", round(_total(resolve_minutes), 2), done, "min"),
        # mean rating / 5 x 100: the numerator is in rating points / 5, so value is a percentage
        Kpi("satisfaction", _total(ratings) / 5, rated, "%", low),
        Kpi(
            "fault_report_on_time", reported, reported + len(unreported), "%", unreported, owed
        ),
        Kpi("repeat_fault_rate", len(repeats), opened, "%", repeats),
    ]


def _total(values: Sequence[float | None]) -> float:
    """The sum of the values that are not None, added in order (zeros add nothing)."""
    return sum(filter(None, values), 0.0)


class _Found:
    """One subject's verdict bits: counts and ids per combination of bits. A month has a
    few dozen distinct combinations, so each question is decided once per combination; the
    bit sets are kept as bytes (they fit in one), so picking the tickets for a question is a
    `bytes.translate` through a 256-entry table and a `compress`, both C loops."""

    def __init__(self, ids: Sequence[str], judged: Sequence[int]):
        self.ids, self.tally, self.judged = ids, Counter(judged), bytes(judged)

    def _matching(self, bits: int, but_not: int) -> list[int]:
        bits, but_not = int(bits), int(but_not)  # IntFlag arithmetic is slow
        return [m for m in range(256) if m & bits == bits and not m & but_not]

    def count(self, bits: int, but_not: int = 0) -> int:
        return sum(self.tally[m] for m in self._matching(bits, but_not))

    def having(self, bits: int = 0, but_not: int = 0) -> tuple[str, ...]:
        """The ids of the tickets with all of `bits` and none of `but_not`, in order."""
        table = bytearray(256)
        for m in self._matching(bits, but_not):
            table[m] = 1
        return tuple(compress(self.ids, self.judged.translate(table)))


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
