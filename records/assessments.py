"""Store and read published assessments; replacing one is always an explicit recompute."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from records.assessments_schema import AssessmentRow


def published(engine: Engine, period: str) -> list[dict[str, Any]]:
    """The stored results of a period, team first, then engineers and groups by name."""
    with Session(engine) as session:
        rows = session.scalars(
            select(AssessmentRow).where(AssessmentRow.period == period)
        ).all()
        order = {"team": 0, "engineer": 1, "group": 2}
        rows = sorted(rows, key=lambda r: (order.get(r.subject_kind, 3), r.subject_name))
        return [dict(r.detail, computed_at=r.computed_at.isoformat()) for r in rows]


def publish(engine: Engine, period: str, results: list[dict[str, Any]], at: datetime) -> None:
    """Replace the period's results in one transaction (all or nothing)."""
    with Session(engine) as session, session.begin():
        session.execute(delete(AssessmentRow).where(AssessmentRow.period == period))
        session.add_all(
            AssessmentRow(
                period=period,
                subject_kind=r["subject"]["kind"],
                subject_name=r["subject"]["name"],
                total=r["total"],
                grade=r["grade"],
                coefficient=r["coefficient"],
                computed_at=at,
                detail=r,
            )
            for r in results
        )
