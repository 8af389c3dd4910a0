"""Facts for a period from the records: a handful of bulk reads, then plain dataclasses.
Tickets come judged by the store (SQL), so no ticket timestamp is converted in Python."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from core.model import Target
from records import scoring as store
from records.plan import DONE, MISSED, Plan
from scoring.facts import (
    BackupFact,
    Facts,
    ManualScore,
    PlannedInspection,
    ReachabilityFact,
    Verdicts,
)
from scoring.judged import judged_tickets
from scoring.kpis import Subject, tickets_of
from scoring.period import Period
from tickets.verdicts import DEFAULT_RULES, Rules

INSPECT_KIND = "inspect"  # agent jobs of this kind are inspections (the others: backups)
# (target, moment) -> name of a maintenance window covering it, or None
MaintenanceLookup = Callable[[str, datetime], str | None]
_ALL_TICKETS = Subject("team", "")  # the team sees every ticket


def gather(
    engine: Engine,
    period: Period,
    targets: Sequence[Target] = (),
    maintenance: MaintenanceLookup | None = None,
    maintained: Collection[str] | None = None,
    *,
    rules: Rules = DEFAULT_RULES,
    at: datetime | None = None,
) -> Facts:
    """Everything the period's assessment needs. `targets` (the inventory) give groups and
    parents; tickets opened in a maintenance window or while a parent was down are left out
    of the KPIs. `maintained`: the only targets a maintenance window covers (None: any may
    be), so only their tickets need looking up one by one. Tickets are judged by the
    inventory's ticket `rules` at `at`, the moment of scoring (default: now)."""
    at = at or datetime.now(UTC)
    groups = {t.name: tuple(t.groups) for t in targets}
    hidden = _suppressed(engine, period, targets, maintenance, maintained)
    judged = judged_tickets(engine, period.start, period.end, rules, at)
    verdicts = Verdicts(
        judged.ids,
        judged.assignees,
        [groups.get(target, ()) for target in judged.targets],
        judged.ratings,
        judged.judged,
        judged.ack_minutes,
        judged.resolve_minutes,
    )
    if hidden:
        verdicts = verdicts.select([i for i, x in enumerate(verdicts.ids) if x not in hidden])
    return Facts(
        verdicts=verdicts,
        at=at,
        rules=rules,
        plans=_plans(engine, period),
        reachability=_reachability(engine, period, groups),
        backups=tuple(
            BackupFact(backup_id, name, ok, verified, groups.get(name, ()))
            for backup_id, name, ok, verified in store.backups_started(
                engine, period.start, period.end
            )
        ),
        manual=tuple(
            ManualScore(m.engineer, m.rater, m.score)
            for m in store.manual_scores(engine, period.label)
        ),
    )


def _plans(engine: Engine, period: Period) -> tuple[PlannedInspection, ...]:
    """The agents' inspection slots in the period that are settled: done or missed; this
    database's own agent's and each reporting one's (named in the id). Cancelled slots (the
    schedule changed) do not count; a slot still planned or running is not settled yet (an
    agent that was down marks its slots missed when it starts again)."""
    return tuple(
        PlannedInspection(
            f"{e.agent + '/' if e.agent else ''}{e.job}@{e.slot_at:%Y-%m-%dT%H:%M}Z",
            e.slot_at, e.state == DONE, e.run_id,
        )
        for e in Plan(engine).between(period.start, period.end)
        if e.kind == INSPECT_KIND and e.state in (DONE, MISSED)
    )


def engineers(facts: Facts, period: Period) -> list[str]:
    """Everyone assigned a ticket opened in the period, or rated by hand for it."""
    names = {name for name in tickets_of(facts, period, _ALL_TICKETS).assignees if name}
    return sorted(names | {m.engineer for m in facts.manual})


def _reachability(
    engine: Engine, period: Period, groups: dict[str, tuple[str, ...]]
) -> tuple[ReachabilityFact, ...]:
    """Every target of every run in the period; unreachable where its reachability finding
    was not OK. Only the bad findings are read: most of a month's findings are healthy."""
    runs: Counter[str] = Counter()
    for _, names in store.run_targets(engine, period.start, period.end):
        runs.update(names)
    down: dict[str, list[str]] = defaultdict(list)
    for run_id, target in sorted(store.unreachable(engine, period.start, period.end)):
        down[target].append(run_id)
    return tuple(
        ReachabilityFact(target, count, tuple(down.get(target, ())), groups.get(target, ()))
        for target, count in sorted(runs.items())
    )


def _suppressed(
    engine: Engine,
    period: Period,
    targets: Sequence[Target],
    maintenance: MaintenanceLookup | None,
    maintained: Collection[str] | None,
) -> set[str]:
    """Ids of the period's tickets opened in a maintenance window or while a parent (or
    grandparent) had an open reachability ticket. Only tickets of targets behind such an
    outage or named by a window can be, so only theirs are read."""
    parent_down, behind = _parent_outages(engine, targets, period)
    checks = [c for c in (parent_down, maintenance) if c is not None]
    candidates: set[str] | None = behind
    if maintenance is not None:
        candidates = None if maintained is None else behind | set(maintained)
    if not checks or candidates == set():
        return set()
    return {
        ticket_id
        for ticket_id, target, opened in store.opened_at_of(
            engine, candidates, period.start, period.end
        )
        if any(check(target, opened) for check in checks)
    }


def _parent_outages(
    engine: Engine, targets: Sequence[Target], period: Period
) -> tuple[Callable[[str, datetime], bool] | None, set[str]]:
    """Whether a target's parent (or grandparent) had an open reachability ticket at a
    moment, and which targets had such a parent down at some time in the period."""
    by_name = {t.name: t for t in targets}
    ancestors = {t.name: _ancestors(t.name, by_name) for t in targets}
    wanted = {a for names in ancestors.values() for a in names}
    spans: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for target, opened, resolved in store.outages(engine, sorted(wanted), period.start, period.end):
        spans[target].append((opened, resolved))
    if not spans:
        return None, set()  # no parent was down: nothing to look up per ticket

    def down(target: str, at: datetime) -> bool:
        return any(
            opened <= at and (resolved is None or at < resolved)
            for parent in ancestors.get(target, ())
            for opened, resolved in spans.get(parent, ())
        )

    behind = {name for name, above in ancestors.items() if any(a in spans for a in above)}
    return down, behind


def _ancestors(name: str, by_name: dict[str, Target]) -> tuple[str, ...]:
    found: list[str] = []
    pending = list(by_name[name].parents) if name in by_name else []
    while pending:
        parent = pending.pop(0)
        if parent in found or parent == name:
            continue
        found.append(parent)
        if parent in by_name:
            pending.extend(by_name[parent].parents)
    return tuple(found)
