"""Indexes for judging a period's tickets in SQL: one covering the columns read (a range
scan by opening time that never visits the table), and one by fingerprint and opening time
(each ticket finds an earlier one of its fingerprint in the repeat window with one seek).

Revision ID: 0007_ticket_judging_idx
Revises: 0006_scoring_idx (depends on 0002_tickets)
"""

from alembic import op

revision = "0007_ticket_judging_idx"
down_revision = "0006_scoring_idx"
branch_labels = None
depends_on = ("0002_tickets",)  # indexes the tickets table


def upgrade() -> None:
    op.create_index("ix_tickets_fingerprint_opened", "tickets", ["fingerprint", "opened_at"])
    op.create_index(
        "ix_tickets_judged",
        "tickets",
        [
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
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_judged", "tickets")
    op.drop_index("ix_tickets_fingerprint_opened", "tickets")
