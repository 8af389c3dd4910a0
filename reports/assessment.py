"""The assessment report: what `inspect score` published for a period, nothing recomputed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from records.assessments import published
from reports.monthly_model import AssessmentReport
from scoring.period import parse


def build_assessment(
    engine: Engine, period: str, timezone: str, now: datetime | None = None
) -> AssessmentReport:
    label = parse(period).label  # refuses a malformed period with one clear line
    return AssessmentReport(
        period=label,
        timezone=timezone,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        assessments=tuple(published(engine, label)),
    )
