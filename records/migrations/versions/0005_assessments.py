"""Published assessments.

Revision ID: 0005_assessments
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0005_assessments"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_name", sa.String(128), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(32), nullable=False),
        sa.Column("coefficient", sa.Float(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.UniqueConstraint("period", "subject_kind", "subject_name"),
    )


def downgrade() -> None:
    op.drop_table("assessments")
