"""What scoring reads: plain facts gathered from records, one dataclass per kind of evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class TicketFact:
    id: str
    fingerprint: str
    target: str
    grade: str
    opened_at: datetime
    assignee: str | None = None
    groups: tuple[str, ...] = ()
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    response_due: datetime | None = None
    resolution_due: datetime | None = None
    rating: int | None = None
    fault_report_at: datetime | None = None
    suppressed: bool = False


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
    tickets: tuple[TicketFact, ...] = ()
    plans: tuple[PlannedInspection, ...] = ()
    reachability: tuple[ReachabilityFact, ...] = ()
    backups: tuple[BackupFact, ...] = ()
    manual: tuple[ManualScore, ...] = ()

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Indexes and subject-independent KPIs derived once: a team's assessment reads the
        same facts for every engineer, and a busy month has 100,000 tickets."""
        return {}
