"""The declarative base and the inspection tables (runs, findings, samples). The other areas'
tables live in their *_schema modules; records/tables.py gathers them all. Change a table only
together with a migration in migrations/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from records.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    operator: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[int] = mapped_column(Integer)
    targets: Mapped[list[str]] = mapped_column(JSON)
    # an agent's run stored, its tickets not yet reconciled (web/api_runs.py; migration 0013)
    tickets_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_fingerprint", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(255))
    check: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(600))
    status: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    # summary, threshold, hint as phrases (records/store.py PHRASED), shown in the reader's words
    phrases: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SampleRow(Base):
    __tablename__ = "samples"
    __table_args__ = (Index("ix_samples_target_at", "target", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(255))
    metric: Mapped[str] = mapped_column(String(128))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class TargetStateRow(Base):
    """Each target's latest stored inspection and its verdict, kept by Store.save_run in the
    run's transaction: the dashboard of a large estate reads one row per target instead of
    grouping every finding ever stored."""

    __tablename__ = "target_state"

    target: Mapped[str] = mapped_column(String(255), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[int] = mapped_column(Integer)
    problems: Mapped[int] = mapped_column(Integer)
