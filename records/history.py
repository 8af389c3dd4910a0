"""Read-only queries over stored runs for reports and scoring: a period at a time, in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.model import Finding
from core.status import Status
from records.schema import FindingRow, RunRow, TargetStateRow
from records.store import RunHeader, finding_of, run_header_fields


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
        return [RunHeader(**run_header_fields(row)) for row in session.scalars(query)]


def status_counts(engine: Engine, run_ids: Sequence[str]) -> list[StatusCount]:
    """Finding counts per run, target and status: enough to judge every target of every run."""
    counts = []
    with Session(engine) as session:
        for chunk in _chunks(sorted(set(run_ids))):
            query = (
                select(FindingRow.run_id, FindingRow.target, FindingRow.status, func.count())
                .where(FindingRow.run_id.in_(chunk))
                .group_by(FindingRow.run_id, FindingRow.target, FindingRow.status)
            )
            counts.extend(
                StatusCount(run_id, target, Status(status), count)
                for run_id, target, status, count in session.execute(query)
            )
    return counts


def findings_of(
    engine: Engine, run_targets: Iterable[tuple[str, str]]
) -> list[tuple[str, Finding]]:
    """(run id, finding) for the given (run id, target) pairs; stored order within a run.

    Selected by run id and filtered here: portable (no row-value IN) and few distinct runs.
    """
    wanted = set(run_targets)
    found = []
    with Session(engine) as session:
        for chunk in _chunks(sorted({run_id for run_id, _target in wanted})):
            # plain rows, not ORM objects: same attribute names, a fraction of the cost
            table = FindingRow.__table__
            query = select(table).where(table.c.run_id.in_(chunk)).order_by(table.c.id)
            found.extend(
                (row.run_id, finding_of(row))
                for row in session.execute(query)
                if (row.run_id, row.target) in wanted
            )
    return found


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Bounded IN lists: SQLite and drivers cap the number of bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class TargetLatest:
    """A target's latest stored inspection: when, by which run, and its worst verdict."""

    target: str
    run_id: str
    at: datetime
    status: Status
    problems: int


def latest_by_target(engine: Engine) -> list[TargetLatest]:
    """Every inspected target's latest run and verdict, worst first (one row per target,
    kept at save time: records.schema.TargetStateRow)."""
    with Session(engine) as session:
        found = [
            TargetLatest(row.target, row.run_id, row.at, Status(row.status), row.problems)
            for row in session.scalars(select(TargetStateRow))
        ]
    return sorted(found, key=lambda t: (-t.status.severity, t.target))
