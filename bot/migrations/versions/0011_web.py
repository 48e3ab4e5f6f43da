"""dashboard (issue 12): web accounts and sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Slot reserved so that capabilities built in parallel migrate in a fixed order. Plain SQLAlchemy
types only (see 0001); SQLite needs op.batch_alter_table for column changes.
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
