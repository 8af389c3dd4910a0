"""Central mode: agents report their plan and backups to the server (docs/central.md).

The plan keeps each reporting agent's slots apart (`agent`: its token's name; "" for the
agent writing this database itself), so two agents with a job of the same name do not
collide. A run an agent reported is stored with `tickets_pending` set until its tickets are
reconciled: a resend of a run whose reconciliation failed reconciles it then.

Revision ID: 0013_central_push
Revises: 0012_token_targets
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_central_push"
down_revision = "0012_token_targets"
branch_labels = None
depends_on = ("0003_agent",)  # alters the plan table


def upgrade() -> None:
    with op.batch_alter_table("inspection_plan") as batch:
        batch.add_column(sa.Column("agent", sa.String(128), nullable=False, server_default=""))
        batch.drop_constraint("uq_inspection_plan_job_slot", type_="unique")
        batch.create_unique_constraint(
            "uq_inspection_plan_agent_job_slot", ["agent", "job", "slot_at"]
        )
    # not in batch mode: recreating `runs` on SQLite would cascade-delete their findings
    pending = sa.Column("tickets_pending", sa.Boolean(), nullable=False, server_default=sa.false())
    op.add_column("runs", pending)


def downgrade() -> None:
    op.drop_column("runs", "tickets_pending")
    with op.batch_alter_table("inspection_plan") as batch:
        batch.drop_constraint("uq_inspection_plan_agent_job_slot", type_="unique")
        batch.create_unique_constraint("uq_inspection_plan_job_slot", ["job", "slot_at"])
        batch.drop_column("agent")
