"""worktime: deferred notices and off-hours records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Tables of the working hours capability. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author_name", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at_all", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.Column("reviewer_id", sa.String(64), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_message_id", sa.String(64), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=False),
        sa.Column("close_reason", sa.String(200), nullable=False),
    )
    op.create_index("ix_steward_notice_group_id", "steward_notice", ["group_id"])
    op.create_index("ix_steward_notice_state_due", "steward_notice", ["state", "due_at"])
    op.create_table(
        "steward_offhours",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(300), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("recalled", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reposted_notice_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_steward_offhours_group_id", "steward_offhours", ["group_id"])
    op.create_index("ix_steward_offhours_at", "steward_offhours", ["at"])


def downgrade() -> None:
    op.drop_index("ix_steward_offhours_at", "steward_offhours")
    op.drop_index("ix_steward_offhours_group_id", "steward_offhours")
    op.drop_table("steward_offhours")
    op.drop_index("ix_steward_notice_state_due", "steward_notice")
    op.drop_index("ix_steward_notice_group_id", "steward_notice")
    op.drop_table("steward_notice")
