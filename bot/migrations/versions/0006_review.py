"""review: member activity, review runs and findings, cleanup items, suggestions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Tables of the weekly review and suggestions capability. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_member_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "user_id", name="uq_steward_member_activity"),
    )
    op.create_index("ix_steward_member_activity_group_id", "steward_member_activity", ["group_id"])
    op.create_table(
        "steward_group_day",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "day", name="uq_steward_group_day"),
    )
    op.create_table(
        "steward_review_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(16), nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("report_to", sa.String(64), nullable=False),
        sa.Column("error", sa.String(200), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "slot", name="uq_steward_review_run_slot"),
    )
    op.create_index("ix_steward_review_run_group_id", "steward_review_run", ["group_id"])
    op.create_index("ix_steward_review_run_state_due", "steward_review_run", ["state", "due_at"])
    op.create_table(
        "steward_review_finding",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("card", sa.String(64), nullable=False),
        sa.Column("kinds", sa.String(200), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("removable", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(200), nullable=False),
        sa.UniqueConstraint("run_id", "number", name="uq_steward_review_finding_number"),
    )
    op.create_index("ix_steward_review_finding_run_id", "steward_review_finding", ["run_id"])
    op.create_index("ix_steward_review_finding_state", "steward_review_finding", ["state", "group_id"])
    op.create_table(
        "steward_suggestion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("card", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by", sa.String(64), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("platform", "group_id", "message_id", name="uq_steward_suggestion_msg"),
    )
    op.create_index("ix_steward_suggestion_group_id", "steward_suggestion", ["group_id"])
    op.create_index("ix_steward_suggestion_at", "steward_suggestion", ["at"])


def downgrade() -> None:
    op.drop_index("ix_steward_suggestion_at", "steward_suggestion")
    op.drop_index("ix_steward_suggestion_group_id", "steward_suggestion")
    op.drop_table("steward_suggestion")
    op.drop_index("ix_steward_review_finding_state", "steward_review_finding")
    op.drop_index("ix_steward_review_finding_run_id", "steward_review_finding")
    op.drop_table("steward_review_finding")
    op.drop_index("ix_steward_review_run_state_due", "steward_review_run")
    op.drop_index("ix_steward_review_run_group_id", "steward_review_run")
    op.drop_table("steward_review_run")
    op.drop_table("steward_group_day")
    op.drop_index("ix_steward_member_activity_group_id", "steward_member_activity")
    op.drop_table("steward_member_activity")
