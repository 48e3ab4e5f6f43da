"""admission: roster, identities, join requests, verifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Tables of the real-name admission capability. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_roster_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("name_enc", sa.Text(), nullable=False),
        sa.Column("name_index", sa.String(64), nullable=False),
        sa.Column("dept", sa.String(100), nullable=False),
        sa.Column("post_enc", sa.Text(), nullable=False),
        sa.Column("phone_enc", sa.Text(), nullable=False),
        sa.Column("phone_index", sa.String(64), nullable=False),
        sa.Column("qq_enc", sa.Text(), nullable=False),
        sa.Column("qq_index", sa.String(64), nullable=True),
        sa.Column("wechat_enc", sa.Text(), nullable=False),
        sa.Column("wechat_index", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("unit", "phone_index", name="uq_steward_roster_unit_phone"),
    )
    op.create_index("ix_steward_roster_person_unit", "steward_roster_person", ["unit"])
    op.create_index("ix_steward_roster_person_name_index", "steward_roster_person", ["name_index"])
    op.create_index("ix_steward_roster_person_qq_index", "steward_roster_person", ["qq_index"])
    op.create_index("ix_steward_roster_person_wechat_index", "steward_roster_person", ["wechat_index"])

    op.create_table(
        "steward_admission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedup_key", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("flag", sa.String(200), nullable=False),
        sa.Column("invitor_id", sa.String(64), nullable=False),
        sa.Column("invited_by_member", sa.Boolean(), nullable=False),
        sa.Column("comment_enc", sa.Text(), nullable=False),
        sa.Column("claimed_name_enc", sa.Text(), nullable=False),
        sa.Column("claimed_dept", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("candidates", sa.String(200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_steward_admission_group_id", "steward_admission", ["group_id"])
    op.create_index("ix_steward_admission_user_id", "steward_admission", ["user_id"])
    op.create_index("ix_steward_admission_state", "steward_admission", ["state"])
    op.create_index("ix_steward_admission_due_at", "steward_admission", ["due_at"])

    op.create_table(
        "steward_member_identity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("verified_by", sa.String(64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(32), nullable=False),
        sa.Column("card_mismatch_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("card_reminded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_steward_member_identity_group_id", "steward_member_identity", ["group_id"])
    op.create_index("ix_steward_member_identity_user_id", "steward_member_identity", ["user_id"])
    op.create_index("ix_steward_member_identity_person_id", "steward_member_identity", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_steward_member_identity_person_id", "steward_member_identity")
    op.drop_index("ix_steward_member_identity_user_id", "steward_member_identity")
    op.drop_index("ix_steward_member_identity_group_id", "steward_member_identity")
    op.drop_table("steward_member_identity")
    op.drop_index("ix_steward_admission_due_at", "steward_admission")
    op.drop_index("ix_steward_admission_state", "steward_admission")
    op.drop_index("ix_steward_admission_user_id", "steward_admission")
    op.drop_index("ix_steward_admission_group_id", "steward_admission")
    op.drop_table("steward_admission")
    op.drop_index("ix_steward_roster_person_wechat_index", "steward_roster_person")
    op.drop_index("ix_steward_roster_person_qq_index", "steward_roster_person")
    op.drop_index("ix_steward_roster_person_name_index", "steward_roster_person")
    op.drop_index("ix_steward_roster_person_unit", "steward_roster_person")
    op.drop_table("steward_roster_person")
