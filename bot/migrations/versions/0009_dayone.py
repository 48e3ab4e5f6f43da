"""day one (issue 10): platform roles remembered, onboarding campaigns, observe-first

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

``steward_member_role`` keeps the owner / admin roles the platform reported (member lists,
``group_admin`` notices, message senders) and those an operator named (WeChat), so that a role holds in
private chat, after a restart and in every process. ``steward_group_sight`` records when the bot first
saw a group, the onboarding of its existing members and its first days in observe-only mode.

Groups already known (``steward_group``) get a sight row with ``how = "migrated"``: they are onboarded
once (their existing members were never invited to verify) but not put into observe-only mode.
Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_member_role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "user_id", "source", name="uq_steward_member_role"),
    )
    op.create_index("ix_steward_member_role_group_id", "steward_member_role", ["group_id"])
    op.create_index("ix_steward_member_role_user_id", "steward_member_role", ["user_id"])
    op.create_table(
        "steward_group_sight",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("onboard_state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("bound", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.Column("observe_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("observe_ended_by", sa.String(64), nullable=False),
        sa.Column("owner_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("platform", "group_id", name="uq_steward_group_sight"),
    )
    op.create_index("ix_steward_group_sight_onboard_state", "steward_group_sight", ["onboard_state"])
    # Groups seen before this revision: onboarded once, never observe-only.
    op.execute(
        "INSERT INTO steward_group_sight (platform, group_id, self_id, first_seen, how, onboard_state,"
        " claimed_by, members, bound, invited, error, observe_ended_by)"
        " SELECT platform, group_id, self_id, first_seen, 'migrated', 'new', '', 0, 0, 0, '', ''"
        " FROM steward_group"
    )


def downgrade() -> None:
    op.drop_index("ix_steward_group_sight_onboard_state", table_name="steward_group_sight")
    op.drop_table("steward_group_sight")
    op.drop_index("ix_steward_member_role_user_id", table_name="steward_member_role")
    op.drop_index("ix_steward_member_role_group_id", table_name="steward_member_role")
    op.drop_table("steward_member_role")
