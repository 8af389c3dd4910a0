"""Backups, their verifications and offsite copies.

Revision ID: 0004_backups
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from records.types import UtcDateTime

revision = "0004_backups"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("pruned_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_backups_kind_name_started", "backups", ["kind", "name", "started_at"])
    op.create_table(
        "backup_verifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "backup_id",
            sa.String(200),
            sa.ForeignKey("backups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("restored_tables", sa.JSON(), nullable=False),
    )
    op.create_index("ix_backup_verifications_backup_id", "backup_verifications", ["backup_id"])
    op.create_index(
        "ix_backup_verifications_kind_name",
        "backup_verifications",
        ["kind", "name", "finished_at"],
    )
    op.create_table(
        "backup_copies",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "backup_id",
            sa.String(200),
            sa.ForeignKey("backups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
    )
    op.create_index("ix_backup_copies_backup_id", "backup_copies", ["backup_id"])


def downgrade() -> None:
    op.drop_table("backup_copies")
    op.drop_table("backup_verifications")
    op.drop_table("backups")
