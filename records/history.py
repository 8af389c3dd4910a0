"""Read-only queries over stored runs for reports and scoring: a period at a time, in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, tuple_
from sqlalchemy.orm import Session

from core.model import Finding
from core.status import Status
from records.schema import FindingRow, RunRow
from records.store import _finding


@dataclass(frozen=True)
class RunHeader:
    id: str
    trigger: str
    operator: str
    started_at: datetime
    finished_at: datetime
    status: Status
    targets: tuple[str, ...]


@dataclass(frozen=True)
class StatusCount:
    """How many findings of one status a target had in one run."""

    run_id: str
    target: str
    status: Status
    count: int


def runs_between(engine: Engine, start: datetime, end: datetime) -> list[RunHeader]:
    """Runs that started in [start, end), oldest first."""
    query = (
        select(RunRow)
        .where(RunRow.started_at >= start, RunRow.started_at < end)
        .order_by(RunRow.started_at, RunRow.id)
    )
    with Session(engine) as session:
        return [
            RunHeader(
                id=row.id,
                trigger=row.trigger,
                operator=row.operator,
                started_at=row.started_at,
                finished_at=row.finished_at,
                status=Status(row.status),
                targets=tuple(row.targets),
            )
            for row in session.scalars(query)
        ]


def status_counts(engine: Engine, run_ids: Sequence[str]) -> list[StatusCount]:
    """Finding counts per run, target and status: enough to judge every target of every run."""
    if not run_ids:
        return []
    query = (
        select(FindingRow.run_id, FindingRow.target, FindingRow.status, func.count())
        .where(FindingRow.run_id.in_(run_ids))
        .group_by(FindingRow.run_id, FindingRow.target, FindingRow.status)
    )
    with Session(engine) as session:
        return [
            StatusCount(run_id, target, Status(status), count)
            for run_id, target, status, count in session.execute(query)
        ]


def findings_of(
    engine: Engine, run_targets: Iterable[tuple[str, str]]
) -> list[tuple[str, Finding]]:
    """(run id, finding) for the given (run id, target) pairs, in the order they were stored."""
    pairs = sorted(set(run_targets))
    if not pairs:
        return []
    query = (
        select(FindingRow)
        .where(tuple_(FindingRow.run_id, FindingRow.target).in_(pairs))
        .order_by(FindingRow.id)
    )
    with Session(engine) as session:
        return [(row.run_id, _finding(row)) for row in session.scalars(query)]
