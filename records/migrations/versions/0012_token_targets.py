"""An API token may be limited to some targets (names or groups): an agent's token reports
only its own host's runs (web/api_runs.py). Null: every target.

Revision ID: 0012_token_targets
Revises: 0011_target_state
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_token_targets"
down_revision = "0011_target_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("targets", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("targets")
