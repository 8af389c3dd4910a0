"""Manual scores, and indexes that let an assessment read a month in a few bulk queries.

Revision ID: 0006_scoring_idx
Revises: 0005_assessments (depends on 0004_backups)
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0006_scoring_idx"
down_revision = "0005_assessments"
branch_labels = None
depends_on = ("0004_backups",)  # indexes the backups table


def upgrade() -> None:
    op.create_table(
        "manual_scores",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("engineer", sa.String(64), nullable=False),
        sa.Column("rater", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("period", "engineer", "rater"),
    )
    # Reachability results only, without touching the other findings of each run.
    op.create_index("ix_findings_check_run", "findings", ["check", "run_id", "target", "status"])
    op.create_index("ix_backups_started_at", "backups", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_backups_started_at", "backups")
    op.drop_index("ix_findings_check_run", "findings")
    op.drop_table("manual_scores")
