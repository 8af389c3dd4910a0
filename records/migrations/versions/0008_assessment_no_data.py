"""A published assessment may have no score: a subject with nothing to judge in the period
has no total, grade or coefficient ("no data"), not a full score.

Revision ID: 0008_assessment_no_data
Revises: 0007_ticket_judging_idx
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_assessment_no_data"
down_revision = "0007_ticket_judging_idx"
branch_labels = None
depends_on = None

_COLUMNS = (("total", sa.Float()), ("grade", sa.String(32)), ("coefficient", sa.Float()))


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:  # SQLite rebuilds the table
        for name, kind in _COLUMNS:
            batch.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM assessments WHERE total IS NULL")
    with op.batch_alter_table("assessments") as batch:
        for name, kind in _COLUMNS:
            batch.alter_column(name, existing_type=kind, nullable=False)
