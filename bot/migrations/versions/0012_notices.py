"""notices (issue 14): scheduled, recurring and broadcast notices

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

A recurring notice or a broadcast is one ``steward_notice`` row (its ``kind``) whose posts are child
rows (``parent_id``); a unique index makes each occurrence / target group's child exist once, whichever
process creates it. Existing rows become ``once`` notices. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("steward_notice") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="once"))
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("occurrence", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("recurrence", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("targets", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_steward_notice_child", "steward_notice", ["parent_id", "group_id", "occurrence"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_steward_notice_child", "steward_notice")
    with op.batch_alter_table("steward_notice") as batch:
        for name in ("requested_at", "targets", "recurrence", "occurrence", "parent_id", "kind"):
            batch.drop_column(name)
