"""Facts for a period from the records: a handful of bulk reads, then plain dataclasses."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from core.model import Target
from records import scoring as store
from records.agent_schema import DONE, MISSED
from records.plan import Plan
from scoring.facts import (
    BackupFact,
    Facts,
    ManualScore,
    PlannedInspection,
    ReachabilityFact,
    TicketFact,
)
from scoring.kpis import REPEAT_WINDOW
from scoring.period import Period

INSPECT_KIND = "inspect"  # agent jobs of this kind are inspections (the others: backups)
# (target, moment) -> name of a maintenance window covering it, or None
MaintenanceLookup = Callable[[str, datetime], str | None]


def gather(
    engine: Engine,
    period: Period,
    targets: Sequence[Target] = (),
    maintenance: MaintenanceLookup | None = None,
) -> Facts:
    """Everything the period's assessment needs, plus 30 days of earlier tickets so a fault
    that returns early in the month still counts as a repeat. `targets` (the inventory) give
    groups and parents; tickets opened in a maintenance window or while a parent was down
    are flagged suppressed and left out of the KPIs."""
    groups = {t.name: tuple(t.groups) for t in targets}
    parent_down = _parent_outages(engine, targets, period)
    suppressed = _suppression(parent_down, maintenance)
    tickets = tuple(
        TicketFact(
            f"#{tid}",
            fingerprint or f"#{tid}",
            target,
            grade,
            opened,
            assignee,
            groups.get(target, ()),
            acked,
            resolved,
            response_due,
            resolution_due,
            rating,
            report,
            suppressed(target, opened),
        )
        # the order of records.scoring.TICKET_FIELDS
        for (
            tid,
            fingerprint,
            target,
            grade,
            assignee,
            opened,
            acked,
            resolved,
            response_due,
            resolution_due,
            rating,
            report,
        ) in store.tickets_opened(engine, period.start - REPEAT_WINDOW, period.end)
    )
    return Facts(
        tickets=tickets,
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
    """The agent's inspection slots in the period that are settled: done or missed. Cancelled
    slots (the schedule changed) do not count; a slot still planned or running is not
    settled yet (an agent that was down marks its slots missed when it starts again)."""
    return tuple(
        PlannedInspection(
            f"{e.job}@{e.slot_at:%Y-%m-%dT%H:%M}Z", e.slot_at, e.state == DONE, e.run_id
        )
        for e in Plan(engine).between(period.start, period.end)
        if e.kind == INSPECT_KIND and e.state in (DONE, MISSED)
    )


def engineers(facts: Facts, period: Period) -> list[str]:
    """Everyone assigned a ticket opened in the period, or rated by hand for it."""
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)  # like the records
    names = {
        t.assignee
        for t in facts.tickets
        if t.assignee and start <= t.opened_at < end and not t.suppressed
    }
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


def _suppression(
    parent_down: Callable[[str, datetime], bool] | None, maintenance: MaintenanceLookup | None
) -> Callable[[str, datetime], bool]:
    checks = [c for c in (parent_down, maintenance) if c is not None]
    if not checks:
        return lambda target, at: False
    return lambda target, at: any(bool(check(target, at)) for check in checks)


def _parent_outages(
    engine: Engine, targets: Sequence[Target], period: Period
) -> Callable[[str, datetime], bool] | None:
    """Whether a target's parent (or grandparent) had an open reachability ticket at a moment."""
    ancestors = {t.name: _ancestors(t.name, {x.name: x for x in targets}) for t in targets}
    wanted = {a for names in ancestors.values() for a in names}
    spans: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for target, opened, resolved in store.outages(
        engine, sorted(wanted), period.start - REPEAT_WINDOW, period.end
    ):
        spans[target].append((opened, resolved))
    if not spans:
        return None  # no parent was down: nothing to look up per ticket

    def down(target: str, at: datetime) -> bool:
        return any(
            opened <= at and (resolved is None or at < resolved)
            for parent in ancestors.get(target, ())
            for opened, resolved in spans.get(parent, ())
        )

    return down


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
