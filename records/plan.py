"""The inspection plan: what the agent was due to run and what became of each slot.

Scoring computes the completion rate as done / (planned slots that are not cancelled), so
every slot is written before it runs and no slot is left open when the agent comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from records.agent_schema import CANCELLED, DONE, MISSED, PLANNED, RUNNING, PlanRow
from records.rows import field_values
from records.schema import RunRow


@dataclass(frozen=True)
class Settled:
    done: int
    missed: int


@dataclass(frozen=True)
class PlanEntry:
    job: str
    kind: str
    slot_at: datetime
    due_at: datetime
    state: str
    run_id: str | None
    reason: str
    updated_at: datetime


class Plan:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest_slot(self, job: str) -> datetime | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(func.max(PlanRow.slot_at)).where(
                    PlanRow.job == job, PlanRow.state != CANCELLED
                )
            )

    def add_planned(self, job: str, kind: str, slots: Iterable[tuple[datetime, datetime]]) -> int:
        """Record (slot, due) pairs as planned; a slot cancelled earlier is planned again, other
        slots already recorded are left as they are."""
        slots = list(slots)
        if not slots:
            return 0
        now = _now()
        with Session(self.engine) as session, session.begin():
            existing = {
                row.slot_at: row
                for row in session.scalars(
                    select(PlanRow).where(
                        PlanRow.job == job, PlanRow.slot_at.in_([s for s, _ in slots])
                    )
                ).all()
            }
            for slot, due in slots:
                row = existing.get(slot)
                if row is not None and row.state == CANCELLED:
                    row.state, row.due_at, row.reason, row.updated_at = PLANNED, due, "", now
            rows = [
                PlanRow(
                    job=job,
                    kind=kind,
                    slot_at=slot,
                    due_at=due,
                    state=PLANNED,
                    reason="",
                    updated_at=now,
                )
                for slot, due in slots
                if slot not in existing
            ]
            session.add_all(rows)
            return len(rows)

    def pending(self, job: str) -> list[datetime]:
        """Planned slots of the job that have neither run nor been given up."""
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(PlanRow.slot_at)
                    .where(PlanRow.job == job, PlanRow.state == PLANNED)
                    .order_by(PlanRow.slot_at)
                ).all()
            )

    def mark(
        self,
        job: str,
        slots: Sequence[datetime],
        state: str,
        reason: str = "",
        run_id: str | None = None,
    ) -> None:
        if not slots:
            return
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(PlanRow)
                .where(PlanRow.job == job, PlanRow.slot_at.in_(list(slots)))
                .values(state=state, reason=reason, run_id=run_id, updated_at=_now())
            )

    def settle(self, reason: str, job: str | None = None, slot: datetime | None = None) -> Settled:
        """Close `running` slots (all, or one) whose job was cut off: done when the run the
        slot expects was stored (its job got that far before the agent died or killed it),
        else missed with `reason`."""
        with Session(self.engine) as session, session.begin():
            query = select(PlanRow).where(PlanRow.state == RUNNING)
            if job is not None:
                query = query.where(PlanRow.job == job, PlanRow.slot_at == slot)
            rows = session.scalars(query).all()
            expected = [r.run_id for r in rows if r.run_id]
            stored = set(session.scalars(select(RunRow.id).where(RunRow.id.in_(expected))))
            done = missed = 0
            for row in rows:
                if row.run_id in stored:
                    row.state, row.reason, done = DONE, "", done + 1
                else:
                    row.state, row.reason, row.run_id, missed = MISSED, reason, None, missed + 1
                row.updated_at = _now()
            return Settled(done, missed)

    def cancel_planned(self, keep: dict[str, set[datetime]], reason: str) -> int:
        """Planned slots no schedule produces any more (job removed or changed on reload)."""
        with Session(self.engine) as session, session.begin():
            rows = session.scalars(select(PlanRow).where(PlanRow.state == PLANNED)).all()
            dropped = [r for r in rows if r.slot_at not in keep.get(r.job, set())]
            for row in dropped:
                row.state, row.reason, row.updated_at = CANCELLED, reason, _now()
            return len(dropped)

    def between(self, start: datetime, end: datetime) -> list[PlanEntry]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(PlanRow)
                .where(PlanRow.slot_at >= start, PlanRow.slot_at < end)
                .order_by(PlanRow.slot_at, PlanRow.job)
            ).all()
            return [_entry(r) for r in rows]

    def last_closed(self, job: str) -> PlanEntry | None:
        """The job's latest slot that ran or was missed."""
        with Session(self.engine) as session:
            row = session.scalars(
                select(PlanRow)
                .where(PlanRow.job == job, PlanRow.state.in_((DONE, MISSED, RUNNING)))
                .order_by(PlanRow.slot_at.desc())
                .limit(1)
            ).first()
            return _entry(row) if row else None


def _entry(row: PlanRow) -> PlanEntry:
    return PlanEntry(**field_values(PlanEntry, row))


def _now() -> datetime:
    return datetime.now(UTC)
