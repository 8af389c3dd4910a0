"""Ticket tables. `active_fingerprint` is the fingerprint while the ticket is being worked and
NULL otherwise; its UNIQUE index makes "one open ticket per fingerprint" a database fact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from records.schema import Base
from records.types import UtcDateTime

ACTIVE_STATES = ("open", "acknowledged", "in_progress", "reopened")


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ux_tickets_active_fingerprint", "active_fingerprint", unique=True),
        Index("ix_tickets_fingerprint", "fingerprint"),
        Index("ix_tickets_state", "state"),
        Index("ix_tickets_target", "target"),
        Index("ix_tickets_opened_at", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str | None] = mapped_column(String(600), nullable=True)
    active_fingerprint: Mapped[str | None] = mapped_column(String(600), nullable=True)
    source: Mapped[str] = mapped_column(String(16))  # probe | manual
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(1))
    state: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(255))
    check: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    source_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    response_due: Mapped[datetime] = mapped_column(UtcDateTime)
    resolution_started: Mapped[datetime] = mapped_column(UtcDateTime)
    resolution_due: Mapped[datetime] = mapped_column(UtcDateTime)
    response_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fault_report_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class TicketEventRow(Base):
    """The append-only work log: who did what, when."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FingerprintStateRow(Base):
    """Where each fingerprint stands across runs: streaks, recent state changes, suppression."""

    __tablename__ = "fingerprint_states"

    fingerprint: Mapped[str] = mapped_column(String(600), primary_key=True)
    target: Mapped[str] = mapped_column(String(255), index=True)
    check: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    status: Mapped[int] = mapped_column(Integer, default=0)
    bad_streak: Mapped[int] = mapped_column(Integer, default=0)
    ok_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    suppressed: Mapped[str] = mapped_column(String(32), default="")
    suppressed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class NotificationRow(Base):
    """One message to one channel; the outbox a failed delivery is retried from."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class HandoverRow(Base):
    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
