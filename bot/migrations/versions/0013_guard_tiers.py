"""content guard (issue 15): lexicon tiers, flagged findings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

A unit's or group's lexicon row gets a tier: ``act`` (the policy's actions) or ``flag`` (a private
note to the admins only). Existing rows act, as they did. ``op`` gains the value ``tier`` (a base
word's tier changed there, nothing added); findings gain the outcome ``flagged`` (no new column).
Plain SQLAlchemy types only (see 0001); SQLite needs op.batch_alter_table for column changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("steward_guard_word") as batch:
        batch.add_column(sa.Column("tier", sa.String(length=8), nullable=False, server_default="act"))


def downgrade() -> None:
    op.execute("DELETE FROM steward_guard_word WHERE op = 'tier'")
    with op.batch_alter_table("steward_guard_word") as batch:
        batch.drop_column("tier")
