"""The monthly report and the assessment report as plain data (templates and `--format json`)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from core.phrases import Phrase

CATEGORIES = ("server", "network", "database", "backup", "security", "other")
GRADES = ("A", "B", "C", "D")


@dataclasses.dataclass(frozen=True)
class Count:
    label: str  # a category, a grade, a day (YYYY-MM-DD) or a month (YYYY-MM)
    count: int


@dataclasses.dataclass(frozen=True)
class ProblemTarget:
    target: str
    faults: int  # tickets opened this month
    problems: int  # non-OK findings this month


@dataclasses.dataclass(frozen=True)
class PotentialProblem:
    """A subject that kept warning without (yet) breaking: worth a look before it does."""

    target: str
    check: str
    subject: str
    warnings: int  # runs this month in which it was WARNING
    summary: str | Phrase  # rendered in the report's language
    hint: str | Phrase
    unit: str
    last_value: float | None
    per_week: float | None  # value trend over the month (capacity checks only)
    full_in_days: int | None  # at that rate, days until 100 %


@dataclasses.dataclass(frozen=True)
class WorkSummary:
    inspection_runs: int
    targets_inspected: int
    findings: dict[str, int]
    backups_ok: int
    backups_failed: int
    verifications_ok: int
    verifications_failed: int
    config_backups: int  # successful device-config backups: each one is a recorded change
    tickets_opened: int
    tickets_resolved: int
    tickets_closed: int


@dataclasses.dataclass(frozen=True)
class OpenItem:
    """Carried into next month: an open ticket, or a capacity trend that runs out soon."""

    kind: str  # ticket | potential
    ref: str
    title: str
    grade: str
    sla_state: str
    assignee: str


@dataclasses.dataclass(frozen=True)
class MonthlyReport:
    month: str
    timezone: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    generated_at: datetime
    faults: int
    by_category: tuple[Count, ...]
    by_grade: tuple[Count, ...]
    daily: tuple[Count, ...]
    monthly: tuple[Count, ...]
    top_targets: tuple[ProblemTarget, ...]
    potential: tuple[PotentialProblem, ...]
    work: WorkSummary
    assessments: tuple[dict[str, Any], ...]  # as published (scoring.explain.as_dict)
    open_items: tuple[OpenItem, ...]  # the most urgent OPEN_ITEMS_SHOWN of them
    open_items_total: int
    kind: str = "monthly"


@dataclasses.dataclass(frozen=True)
class AssessmentReport:
    period: str
    timezone: str
    generated_at: datetime
    assessments: tuple[dict[str, Any], ...]
    kind: str = "assessment"
