"""The inspection plan: every scheduled slot, planned then done or missed (agent jobs), and
on a server each reporting agent's (central mode)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from records.plan import TABLE
from records.schema import Base
from records.types import UtcDateTime


class PlanRow(Base):
    __tablename__ = TABLE
    __table_args__ = (
        UniqueConstraint("agent", "job", "slot_at", name="uq_inspection_plan_agent_job_slot"),
        Index("ix_inspection_plan_slot_at", "slot_at"),
        Index("ix_inspection_plan_job_state", "job", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # the reporting agent's token name on a server (migration 0013); "" for this database's own
    agent: Mapped[str] = mapped_column(String(128), server_default="")
    job: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    slot_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
