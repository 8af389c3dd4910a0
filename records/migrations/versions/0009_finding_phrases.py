"""Findings keep their texts as phrases (template and values) so they are shown in the reader's
language; a threshold in words no longer fits 64 characters.

Revision ID: 0009_finding_phrases
Revises: 0008_assessment_no_data
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_finding_phrases"
down_revision = "0008_assessment_no_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:  # SQLite rebuilds the table
        batch.add_column(sa.Column("phrases", sa.JSON(), nullable=True))
        batch.alter_column("threshold", existing_type=sa.String(64), type_=sa.Text())


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.alter_column("threshold", existing_type=sa.Text(), type_=sa.String(64))
        batch.drop_column("phrases")
