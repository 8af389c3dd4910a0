"""A period's assessment as the user sees it: published results as stored, or computed now.

A published period never changes by itself: editing an old ticket leaves it as it was until
someone recomputes it on purpose (`--recompute`), which replaces it in one transaction.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from core.model import Target
from records import assessments
from scoring.assess import assess
from scoring.explain import as_dict
from scoring.facts import NO_VERDICTS
from scoring.gather import MaintenanceLookup, engineers, gather
from scoring.kpis import Subject
from scoring.period import Period
from scoring.scheme import Scheme
from tickets.verdicts import DEFAULT_RULES, Rules

TEAM = Subject("team", "ops")  # the whole duty team: every ticket, every target


@dataclass(frozen=True)
class Outcome:
    results: list[dict[str, Any]]  # team first, then engineers, then groups
    published: bool  # the results are (now) the period's stored ones
    from_store: bool  # read back as stored, not computed by this call


def period_results(
    engine: Engine,
    period: Period,
    scheme: Scheme,
    now: datetime,
    *,
    targets: Sequence[Target] = (),
    maintenance: MaintenanceLookup | None = None,
    maintained: Collection[str] | None = None,
    rules: Rules = DEFAULT_RULES,
    recompute: bool = False,
    publish: bool = False,
) -> Outcome:
    """Stored results unless asked to recompute; publishing stores what was computed.
    Tickets are judged at `now` by the inventory's ticket `rules`."""
    stored = assessments.published(engine, period.label)
    if stored and not recompute:
        return Outcome(stored, published=True, from_store=True)
    results = compute(engine, period, scheme, targets, maintenance, maintained, rules=rules, at=now)
    if publish or stored:
        assessments.publish(engine, period.label, results, now)
        results = [dict(r, computed_at=now.isoformat()) for r in results]
    return Outcome(results, published=bool(publish or stored), from_store=False)


def compute(
    engine: Engine,
    period: Period,
    scheme: Scheme,
    targets: Sequence[Target] = (),
    maintenance: MaintenanceLookup | None = None,
    maintained: Collection[str] | None = None,
    *,
    rules: Rules = DEFAULT_RULES,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The team, everyone assigned tickets (or rated) in the period and every target group.
    `maintained`: the targets maintenance windows cover; tickets are judged by `rules` at
    `at` (see `scoring.gather.gather`)."""
    suppression = (maintenance, maintained)
    judging = {"rules": rules, "at": at or datetime.now(UTC)}
    with _no_cycle_collection():
        facts = gather(engine, period, targets, *suppression, **judging)
        groups = sorted({g for t in targets for g in t.groups})
        subjects = [
            TEAM,
            *(Subject("engineer", name) for name in engineers(facts, period)),
            *(Subject("group", name) for name in groups),
        ]
        previous = _previous_totals(engine, period, scheme, subjects, targets, suppression, judging)
        return [
            as_dict(assess(facts, period, s, scheme, previous.get(s)), scheme) for s in subjects
        ]


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Without the cycle collector meanwhile: the millions of tuples an assessment builds
    trigger full collections that walk every live object (0.3 s of 1.6 s on the bench
    month), and nothing here makes reference cycles that need collecting before the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _previous_totals(
    engine: Engine,
    period: Period,
    scheme: Scheme,
    subjects: list[Subject],
    targets: Sequence[Target],
    suppression: tuple[MaintenanceLookup | None, Collection[str] | None],
    judging: dict[str, Any],
) -> dict[Subject, float | None]:
    """The previous period's published totals; computed now when it was never published.
    A subject with nothing to assess then (not on the team yet) has no change to show."""
    before = period.previous()
    stored = assessments.published(engine, before.label)
    if stored:
        return {Subject(r["subject"]["kind"], r["subject"]["name"]): r["total"] for r in stored}
    facts = gather(engine, before, targets, *suppression, **judging)
    tickets = (facts.verdicts or NO_VERDICTS).ids
    if not (tickets or facts.plans or facts.reachability or facts.backups):
        return {}  # nothing recorded before: no change to compare against
    present = {TEAM, *(Subject("engineer", n) for n in engineers(facts, before))}
    present |= {s for s in subjects if s.kind == "group"}
    return {s: assess(facts, before, s, scheme).total for s in subjects if s in present}
