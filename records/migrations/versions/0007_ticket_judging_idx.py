"""An index for judging a period's tickets in SQL: it covers the columns read, so the range
scan by opening time never visits the table (tickets imported or migrated are not stored
in the order they were opened).

Revision ID: 0007_ticket_judging_idx
Revises: 0006_scoring_idx (depends on 0002_tickets)
"""

from alembic import op

revision = "0007_ticket_judging_idx"
down_revision = "0006_scoring_idx"
branch_labels = None
depends_on = ("0002_tickets",)  # indexes the tickets table


def upgrade() -> None:
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
