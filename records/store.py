"""Save and read inspection runs. One transaction per run, so a killed run leaves no half record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import UserError
from core.model import FINDING_TEXTS, Finding, InspectionRun, PreviousRun, Sample
from core.phrases import Phrase, phrase
from core.status import Status, worst
from records.db import connect
from records.rows import field_values
from records.schema import FindingRow, RunRow, SampleRow, TargetStateRow

# An InspectionRun's parts the runs row does not hold as they are: targets as a JSON list,
# findings and samples in their own tables.
RUN_PARTS = ("targets", "findings", "samples")


@dataclass(frozen=True)
class RunHeader:
    """A stored run without its findings and samples: what every list of runs shows."""

    id: str
    trigger: str
    operator: str
    started_at: datetime
    finished_at: datetime
    status: Status
    targets: tuple[str, ...]


@dataclass(frozen=True)
class RunSummary(RunHeader):
    problems: int


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        """The URL it was opened with, password included (for a child or the plan)."""
        return self.engine.url.render_as_string(hide_password=False)

    def save_run(self, run: InspectionRun, tickets_pending: bool = False) -> None:
        """Findings and samples as Core executemany: a 500-port switch's ~10,000 samples are
        its bulk. `tickets_pending`: marked until `tickets_reconciled` (a reported run's)."""
        with Session(self.engine) as session, session.begin():
            session.add(_run_row(run, tickets_pending))
            session.flush()
            _insert_rows(session, FindingRow, [_finding_values(run.id, f) for f in run.findings])
            _insert_rows(session, SampleRow, [_sample_values(run.id, s) for s in run.samples])
            _keep_latest(session, run)

    def save_new_run(self, run: InspectionRun, tickets_pending: bool = False) -> bool:
        """Save a run that may have been saved before (an agent's outbox sends at least once):
        False, and nothing written, if its id is stored already, even when two copies race."""
        with Session(self.engine) as session:
            if session.get(RunRow, run.id) is not None:
                return False
        try:
            self.save_run(run, tickets_pending)
        except IntegrityError:
            with Session(self.engine) as session:
                if session.get(RunRow, run.id) is not None:
                    return False
            raise
        return True

    def targets_of(self, run_id: str) -> tuple[str, ...] | None:
        """The stored run's targets; None if no run has this id."""
        with Session(self.engine) as session:
            targets = session.scalar(select(RunRow.targets).where(RunRow.id == run_id))
            return None if targets is None else tuple(targets)

    def tickets_pending(self, run_id: str) -> bool:
        """The run was stored with its tickets to reconcile, and they are not yet."""
        with Session(self.engine) as session:
            return bool(session.scalar(select(RunRow.tickets_pending).where(RunRow.id == run_id)))

    def settled(self, run_id: str) -> bool:
        """The run is stored and its tickets reconciled: a resend of it has nothing to do."""
        with Session(self.engine) as session:
            return session.scalar(
                select(RunRow.tickets_pending).where(RunRow.id == run_id)
            ) is False

    def tickets_reconciled(self, run_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(RunRow).where(RunRow.id == run_id).values(tickets_pending=False)
            )

    def list_runs(self, limit: int = 20, target: str | None = None) -> list[RunSummary]:
        problems = (
            select(FindingRow.run_id, func.count().label("n"))
            .where(FindingRow.status != int(Status.OK))
            .group_by(FindingRow.run_id)
            .subquery()
        )
        query = (
            select(RunRow, func.coalesce(problems.c.n, 0))
            .outerjoin(problems, problems.c.run_id == RunRow.id)
            .order_by(RunRow.started_at.desc())
            .limit(limit)
        )
        if target:
            query = query.where(
                RunRow.id.in_(select(FindingRow.run_id).where(FindingRow.target == target))
            )
        with Session(self.engine) as session:
            return [
                RunSummary(**run_header_fields(row), problems=n)
                for row, n in session.execute(query)
            ]

    def get_run(self, run_id: str) -> InspectionRun:
        """A run by id or unique id prefix, as it was saved."""
        with Session(self.engine) as session:
            matches = session.scalars(
                select(RunRow.id).where(RunRow.id.startswith(run_id, autoescape=True)).limit(2)
            ).all()
            if not matches:
                raise UserError(phrase("no inspection record with id {id}", id=repr(run_id)))
            if len(matches) > 1:
                raise UserError(
                    phrase(
                        "id prefix {id} matches several records; give more of it", id=repr(run_id)
                    )
                )
            row = session.get(RunRow, matches[0])
            findings = session.scalars(
                select(FindingRow).where(FindingRow.run_id == row.id).order_by(FindingRow.id)
            ).all()
            samples = session.scalars(
                select(SampleRow).where(SampleRow.run_id == row.id).order_by(SampleRow.id)
            ).all()
            return InspectionRun(
                **field_values(InspectionRun, row, skip=RUN_PARTS),
                targets=tuple(row.targets),
                findings=tuple(finding_of(f) for f in findings),
                samples=tuple(_sample(s) for s in samples),
            )

    def previous_run(self, target: str) -> PreviousRun:
        """The target's latest stored run: what stateful checks compare against (its samples)
        and keep alerting on (its findings: a port that went down stays an alert)."""
        with Session(self.engine) as session:
            latest = session.scalar(
                select(SampleRow.run_id)
                .where(SampleRow.target == target)
                .order_by(SampleRow.at.desc(), SampleRow.id.desc())
                .limit(1)
            )
            if latest is None:
                return PreviousRun()
            samples = session.scalars(
                select(SampleRow).where(SampleRow.run_id == latest, SampleRow.target == target)
            ).all()
            findings = session.scalars(
                select(FindingRow).where(FindingRow.run_id == latest, FindingRow.target == target)
            ).all()
            return PreviousRun(
                tuple(_sample(r) for r in samples), tuple(finding_of(r) for r in findings)
            )


def open_store(url: str) -> Store:
    return Store(connect(url))


def run_header_fields(row: RunRow) -> dict:
    """A stored run's header as keyword arguments, for every view of runs."""
    return {
        **field_values(RunHeader, row, skip=("status", "targets")),
        "status": Status(row.status),
        "targets": tuple(row.targets),
    }


def _run_row(run: InspectionRun, tickets_pending: bool = False) -> RunRow:
    return RunRow(
        **field_values(InspectionRun, run, skip=RUN_PARTS),
        status=int(run.status),
        targets=list(run.targets),
        tickets_pending=tickets_pending,
    )


# A finding's texts kept as phrases (template and values, translated when shown) in the
# `phrases` column; their text columns hold the English rendering for SQL and older readers.
PHRASED = FINDING_TEXTS


def _insert_rows(session: Session, row: type[FindingRow | SampleRow], values: list[dict]) -> None:
    """A Core executemany (pipelined by psycopg): the ORM's bulk INSERT adds per-row work for
    rows nothing reads back, and a multi-row INSERT costs psycopg more still (it parses each
    statement's ~8,000 placeholders in Python)."""
    if values:
        session.execute(insert(row.__table__), values)


def _keep_latest(session: Session, run: InspectionRun) -> None:
    """Each target's latest run and verdict (TargetStateRow); an older run saved late (an
    agent's spool) leaves a newer state as it is."""
    statuses: dict[str, list[Status]] = {target: [] for target in run.targets}
    for finding in run.findings:
        statuses.setdefault(finding.target, []).append(finding.status)
    known = {
        row.target: row
        for chunk in _chunks(sorted(statuses))
        for row in session.scalars(
            select(TargetStateRow).where(TargetStateRow.target.in_(chunk))
        )
    }
    for target, found in statuses.items():
        row = known.get(target)
        if row is not None and row.at > run.started_at:
            continue
        if row is None:
            row = TargetStateRow(target=target)
            session.add(row)
        row.run_id, row.at = run.id, run.started_at
        row.status = int(worst(found))
        row.problems = sum(status != Status.OK for status in found)


def _chunks(items: list[str], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _finding_values(run_id: str, f: Finding) -> dict:
    phrases = {
        name: text.to_json() for name in PHRASED if isinstance(text := getattr(f, name), Phrase)
    }
    return {
        **field_values(Finding, f, skip=("status", "evidence", *PHRASED)),
        **{name: str(getattr(f, name)) for name in PHRASED},
        "run_id": run_id,
        "fingerprint": f.fingerprint,
        "status": int(f.status),
        "evidence": dict(f.evidence),
        "phrases": phrases or None,
    }


def _sample_values(run_id: str, s: Sample) -> dict:
    return {**field_values(Sample, s, skip=("labels",)), "run_id": run_id, "labels": dict(s.labels)}


def finding_of(row: FindingRow) -> Finding:
    """The stored finding, its texts again phrases (translated where they are shown)."""
    phrases = row.phrases or {}
    return Finding(
        **field_values(Finding, row, skip=("status", *phrases)),
        **{name: Phrase.from_json(data) for name, data in phrases.items() if name in PHRASED},
        status=Status(row.status),
    )


def _sample(row: SampleRow) -> Sample:
    return Sample(**field_values(Sample, row))
