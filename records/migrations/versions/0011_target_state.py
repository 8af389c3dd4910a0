"""Each target's latest inspection and verdict in one row (kept at save time), filled here from
the stored findings: a dashboard over years of records reads one row per target.

Revision ID: 0011_target_state
Revises: 0010_console
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0011_target_state"
down_revision = "0010_console"
branch_labels = None
depends_on = None

# severity order of core.status: CRITICAL 2 > WARNING 1 > UNKNOWN 3 > OK 0
_SEVERITY = "CASE f.status WHEN 2 THEN 3 WHEN 1 THEN 2 WHEN 3 THEN 1 ELSE 0 END"
_STATUS = f"CASE MAX({_SEVERITY}) WHEN 3 THEN 2 WHEN 2 THEN 1 WHEN 1 THEN 3 ELSE 0 END"


def upgrade() -> None:
    op.create_table(
        "target_state",
        sa.Column("target", sa.String(255), primary_key=True),
        sa.Column(
            "run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
    )
    op.create_index("ix_target_state_run_id", "target_state", ["run_id"])
    op.execute(
        f"""
        INSERT INTO target_state (target, run_id, at, status, problems)
        SELECT f.target, r.id, r.started_at, {_STATUS},
               SUM(CASE WHEN f.status <> 0 THEN 1 ELSE 0 END)
        FROM findings f JOIN runs r ON r.id = f.run_id
        JOIN (SELECT f2.target AS target, MAX(r2.started_at) AS at
              FROM findings f2 JOIN runs r2 ON r2.id = f2.run_id GROUP BY f2.target) latest
          ON latest.target = f.target AND latest.at = r.started_at
        GROUP BY f.target, r.id, r.started_at
        """
    )


def downgrade() -> None:
    op.drop_index("ix_target_state_run_id", "target_state")
    op.drop_table("target_state")
