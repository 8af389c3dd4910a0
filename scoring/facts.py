"""What scoring reads: plain facts gathered from records, one dataclass per kind of evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, NamedTuple

from tickets.verdicts import DEFAULT_RULES, Rules


@dataclass(frozen=True)
class TicketFact:
    id: str
    fingerprint: str
    target: str
    grade: str
    opened_at: datetime
    response_due: datetime
    resolution_due: datetime
    assignee: str | None = None
    groups: tuple[str, ...] = ()
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: int | None = None
    fault_report_at: datetime | None = None
    suppressed: bool = False


class Verdicts(NamedTuple):
    """Tickets opened in a period, judged at the moment of scoring, column by column in order
    of opening: a subject's KPIs are then a few C-level passes over its columns, not a Python
    loop over 100,000 tickets. Gathered tickets are judged in SQL (scoring.judged),
    hand-made `TicketFact`s in Python (scoring.kpis), both by tickets.verdicts."""

    ids: Sequence[str]
    assignees: Sequence[str | None]
    groups: Sequence[tuple[str, ...]]
    ratings: Sequence[int | None]
    judged: Sequence[int]  # scoring.judged.Judged bits: met? breached? resolved? repeated?
    ack_minutes: Sequence[float | None]  # acknowledged
    resolve_minutes: Sequence[float | None]  # resolved

    def select(self, positions: Sequence[int]) -> Verdicts:
        """The tickets at these positions, in the same order."""
        if len(positions) < 2:  # itemgetter returns a bare item for one position
            return Verdicts(*(tuple(column[i] for i in positions) for column in self))
        pick = itemgetter(*positions)
        return Verdicts(*(pick(column) for column in self))


NO_VERDICTS = Verdicts((), (), (), (), (), (), ())


@dataclass(frozen=True)
class PlannedInspection:
    id: str
    planned_at: datetime
    done: bool
    run_id: str | None = None


@dataclass(frozen=True)
class ReachabilityFact:
    """One target over the period: how many runs inspected it, and which could not reach it."""

    target: str
    runs: int
    unreachable: tuple[str, ...] = ()  # run ids
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackupFact:
    id: str
    target: str
    ok: bool
    verified: bool | None = None  # None: no verification in the period
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManualScore:
    engineer: str
    rater: str
    score: float


@dataclass(frozen=True)
class Facts:
    """`tickets` are judged here (facts made by hand) by `rules` at `at`; gathered facts carry
    `verdicts` instead: the tickets opened in the gathered period, judged already at `at`,
    suppressed ones left out."""

    tickets: tuple[TicketFact, ...] = ()
    at: datetime = field(default_factory=lambda: datetime.now(UTC))  # the moment of scoring
    rules: Rules = DEFAULT_RULES
    verdicts: Verdicts | None = None
    plans: tuple[PlannedInspection, ...] = ()
    reachability: tuple[ReachabilityFact, ...] = ()
    backups: tuple[BackupFact, ...] = ()
    manual: tuple[ManualScore, ...] = ()

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Indexes and subject-independent KPIs derived once: a team's assessment reads the
        same facts for every engineer, and a busy month has 100,000 tickets."""
        return {}
