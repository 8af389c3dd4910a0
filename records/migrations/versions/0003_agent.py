"""The inspection plan of the scheduled agent (planned, running, done, missed, cancelled).

Revision ID: 0003_agent
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0003_agent"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_plan",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slot_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("job", "slot_at", name="uq_inspection_plan_job_slot"),
    )
    op.create_index("ix_inspection_plan_slot_at", "inspection_plan", ["slot_at"])
    op.create_index("ix_inspection_plan_job_state", "inspection_plan", ["job", "state"])


def downgrade() -> None:
    op.drop_table("inspection_plan")
