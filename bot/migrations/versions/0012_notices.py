"""notices (issue 14): scheduled, recurring and broadcast notices

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Slot reserved so that capabilities built in parallel migrate in a fixed order. Plain SQLAlchemy
types only (see 0001); SQLite needs op.batch_alter_table for column changes.
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
