"""Tickets, their work log, per-fingerprint state, the notification outbox and handovers.

Revision ID: 0002_tickets
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0002_tickets"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(600), nullable=True),
        sa.Column("active_fingerprint", sa.String(600), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("check", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source_run_id", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("flapping", sa.Boolean(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("response_due", UtcDateTime(), nullable=False),
        sa.Column("resolution_started", UtcDateTime(), nullable=False),
        sa.Column("resolution_due", UtcDateTime(), nullable=False),
        sa.Column("response_escalated", sa.Boolean(), nullable=False),
        sa.Column("resolution_escalated", sa.Boolean(), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("fault_report_at", UtcDateTime(), nullable=True),
    )
    op.create_index(
        "ux_tickets_active_fingerprint", "tickets", ["active_fingerprint"], unique=True
    )
    op.create_index("ix_tickets_fingerprint", "tickets", ["fingerprint"])
    op.create_index("ix_tickets_state", "tickets", ["state"])
    op.create_index("ix_tickets_target", "tickets", ["target"])
    op.create_index("ix_tickets_opened_at", "tickets", ["opened_at"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.Integer(),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])
    op.create_index("ix_ticket_events_at", "ticket_events", ["at"])
    op.create_table(
        "fingerprint_states",
        sa.Column("fingerprint", sa.String(600), primary_key=True),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("check", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("bad_streak", sa.Integer(), nullable=False),
        sa.Column("ok_streak", sa.Integer(), nullable=False),
        sa.Column("last_run_id", sa.String(32), nullable=True),
        sa.Column("last_run_at", UtcDateTime(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("suppressed", sa.String(32), nullable=False),
        sa.Column("suppressed_by", sa.Integer(), nullable=True),
    )
    op.create_index("ix_fingerprint_states_target", "fingerprint_states", ["target"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.Integer(),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_notifications_ticket_id", "notifications", ["ticket_id"])
    op.create_index(
        "ix_notifications_status_next", "notifications", ["status", "next_attempt_at"]
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
    )
    op.create_index("ix_handovers_at", "handovers", ["at"])


def downgrade() -> None:
    op.drop_table("handovers")
    op.drop_table("notifications")
    op.drop_table("fingerprint_states")
    op.drop_table("ticket_events")
    op.drop_table("tickets")
