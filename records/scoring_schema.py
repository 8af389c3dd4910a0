"""Manual scores (peer and leader ratings) that combine with the automatic assessment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from records.backups_schema import BackupRow
from records.schema import Base, FindingRow
from records.types import UtcDateTime


class ManualScoreRow(Base):
    __tablename__ = "manual_scores"
    __table_args__ = (UniqueConstraint("period", "engineer", "rater"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(16))
    engineer: Mapped[str] = mapped_column(String(64))
    rater: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Indexes on other areas' tables that the assessment's bulk reads rely on (migration 0006).
Index(
    "ix_findings_check_run",
    FindingRow.check,
    FindingRow.run_id,
    FindingRow.target,
    FindingRow.status,
)
Index("ix_backups_started_at", BackupRow.started_at)
