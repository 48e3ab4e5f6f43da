"""WeChat (issue 11): member-list snapshots for the periodic diff

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

``steward_member_snapshot`` keeps, per group, the member list last seen (account ids as a JSON list),
so the periodic ``get_group_member_list`` diff of implementations without member notices
(ComWeChatBotClient) survives a restart. Operator-named roles live in ``steward_member_role`` (0009).
Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steward_member_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.UniqueConstraint("platform", "group_id", name="uq_steward_member_snapshot"),
    )


def downgrade() -> None:
    op.drop_table("steward_member_snapshot")
