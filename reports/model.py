"""The daily inspection report as plain data: what templates render and what `--format json` is.

Statuses are Status names (`"CRITICAL"`), times are aware UTC datetimes; `as_json` turns the
whole tree into JSON-ready values, so every format shows the same facts.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal

from core.phrases import Phrase
from core.status import Status

#: The order in which a duty engineer reads statuses: the worst first.
STATUS_ORDER: tuple[str, ...] = tuple(
    s.name for s in sorted(Status, key=lambda s: s.severity, reverse=True)
)


@dataclasses.dataclass(frozen=True)
class StatusPoint:
    """One run's verdict on one target: a cell of the per-target status strip."""

    run_id: str
    at: datetime
    status: str


@dataclasses.dataclass(frozen=True)
class TargetStatus:
    target: str
    status: str
    previous: str | None  # latest status on the day before; None if not inspected then
    checked_at: datetime
    run_id: str
    problems: int
    history: tuple[StatusPoint, ...]


@dataclasses.dataclass(frozen=True)
class Anomaly:
    target: str
    check: str
    subject: str
    status: str
    summary: str | Phrase  # rendered in the report's language (the `say` filter)
    hint: str | Phrase
    value: float | None
    unit: str
    threshold: str | Phrase
    is_new: bool  # not a problem at the end of the day before


@dataclasses.dataclass(frozen=True)
class Change:
    """One subject whose state is compared with the latest inspection of the day before."""

    target: str
    check: str
    subject: str
    status: str  # today's status; OK when recovered
    previous: str | None
    summary: str | Phrase


@dataclasses.dataclass(frozen=True)
class Changes:
    new: tuple[Change, ...]
    recovered: tuple[Change, ...]
    still_bad: tuple[Change, ...]
    not_inspected: tuple[str, ...]  # inspected the day before, not on this day


@dataclasses.dataclass(frozen=True)
class RunLine:
    id: str
    started_at: datetime
    finished_at: datetime
    trigger: str
    operator: str
    targets: int
    status: str
    problems: int


@dataclasses.dataclass(frozen=True)
class BackupLine:
    """What the report shows of one backup; the backup feature maps its records onto it."""

    target: str
    kind: str
    finished_at: datetime
    ok: bool
    verified: bool | None
    detail: str


@dataclasses.dataclass(frozen=True)
class BackupsSection:
    done: int
    failed: int
    items: tuple[BackupLine, ...]


SlaState = Literal["on_time", "at_risk", "breached"]


@dataclasses.dataclass(frozen=True)
class TicketLine:
    """What the report shows of one open ticket; the tickets feature maps its records onto it."""

    id: str
    title: str
    grade: str
    state: str
    assignee: str
    opened_at: datetime
    due_at: datetime | None
    sla_state: SlaState


@dataclasses.dataclass(frozen=True)
class TicketsSection:
    items: tuple[TicketLine, ...]


@dataclasses.dataclass(frozen=True)
class SheetRow:
    """One item of a patrol sheet: what was checked, against which standard, what was found."""

    check: str
    item: str | Phrase  # the item's name (core.names.TITLES), the check name if it has none
    standard: str | Phrase  # the threshold in words; empty when the check has none
    results: tuple[str | Phrase, ...]  # the problems, or the one OK result / the all-OK count
    hint: str | Phrase  # what to do first about the worst problem; empty when normal
    status: str  # worst of the item's findings: OK is the sheet's 正常, UNKNOWN its 未能判定
    subjects: int
    problems: int


@dataclasses.dataclass(frozen=True)
class PatrolSheet:
    """A target's patrol sheet (巡检表) from its latest inspection of the day, as duty staff sign
    it: the operator is who ran that inspection."""

    target: str
    run_id: str
    operator: str
    checked_at: datetime
    status: str
    rows: tuple[SheetRow, ...]


@dataclasses.dataclass(frozen=True)
class DailyReport:
    day: date
    timezone: str
    start: datetime
    end: datetime
    generated_at: datetime
    targets: tuple[TargetStatus, ...]
    target_counts: dict[str, int]  # targets by latest status, keys in STATUS_ORDER
    finding_counts: dict[str, int]  # findings of those latest inspections by status
    anomalies: tuple[Anomaly, ...]
    changes: Changes
    runs: tuple[RunLine, ...]
    backups: BackupsSection | None  # None: no backup records exist in this installation
    tickets: TicketsSection | None  # None: no ticket records exist in this installation
    sheets: tuple[PatrolSheet, ...] = ()
    kind: str = "daily"


def as_json(report: Any) -> Any:
    """Dataclasses to dicts, datetimes to ISO 8601 with Z, dates to YYYY-MM-DD, a finding's
    phrases to their English text (JSON is for scripts: docs/json-output.md)."""
    if isinstance(report, Phrase):
        return str(report)
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return {f.name: as_json(getattr(report, f.name)) for f in dataclasses.fields(report)}
    if isinstance(report, datetime):
        return report.isoformat().replace("+00:00", "Z")
    if isinstance(report, date):
        return report.isoformat()
    if isinstance(report, dict):
        return {key: as_json(value) for key, value in report.items()}
    if isinstance(report, list | tuple):
        return [as_json(item) for item in report]
    return report
