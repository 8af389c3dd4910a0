"""Manual scores (peer and leader ratings) that combine with the automatic assessment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from records.backups_schema import BackupRow
from records.schema import Base, FindingRow
from records.tickets_schema import TicketRow
from records.types import UtcDateTime

# What judging a period's tickets reads, opening time first: the range scan never visits the
# table (tickets are not stored in the order they were opened when imported or migrated).
JUDGED_COLUMNS = (
    "opened_at",
    "id",
    "fingerprint",
    "assignee",
    "target",
    "grade",
    "satisfaction",
    "acknowledged_at",
    "resolved_at",
    "response_due",
    "resolution_due",
    "fault_report_at",
)


class ManualScoreRow(Base):
    __tablename__ = "manual_scores"
    __table_args__ = (UniqueConstraint("period", "engineer", "rater"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(16))
    engineer: Mapped[str] = mapped_column(String(64))
    rater: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Indexes on other areas' tables that the assessment's bulk reads rely on (migrations 0006
# and 0007).
Index(
    "ix_findings_check_run",
    FindingRow.check,
    FindingRow.run_id,
    FindingRow.target,
    FindingRow.status,
)
Index("ix_backups_started_at", BackupRow.started_at)
Index("ix_tickets_judged", *(getattr(TicketRow, name) for name in JUDGED_COLUMNS))
