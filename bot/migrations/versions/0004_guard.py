"""guard: findings, strikes, lexicon additions, group guard settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Tables of the content guard capability. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_guard_finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("cite_key", sa.String(32), nullable=False),
        sa.Column("excerpt", sa.String(200), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("cited", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("intended", sa.String(100), nullable=False),
        sa.Column("done", sa.String(100), nullable=False),
    )
    op.create_index("ix_steward_guard_finding_at", "steward_guard_finding", ["at"])
    op.create_index("ix_steward_guard_finding_member", "steward_guard_finding", ["group_id", "user_id"])
    op.create_table(
        "steward_guard_strike",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_steward_guard_strike_member", "steward_guard_strike", ["platform", "group_id", "user_id"]
    )
    op.create_table(
        "steward_guard_word",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("scope_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("word", sa.String(64), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scope", "scope_id", "category", "word", name="uq_steward_guard_word"),
    )
    op.create_table(
        "steward_guard_setting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.String(64), nullable=False, unique=True),
        sa.Column("preset", sa.String(64), nullable=False),
        sa.Column("overrides", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("steward_guard_setting")
    op.drop_table("steward_guard_word")
    op.drop_index("ix_steward_guard_strike_member", "steward_guard_strike")
    op.drop_table("steward_guard_strike")
    op.drop_index("ix_steward_guard_finding_member", "steward_guard_finding")
    op.drop_index("ix_steward_guard_finding_at", "steward_guard_finding")
    op.drop_table("steward_guard_finding")
