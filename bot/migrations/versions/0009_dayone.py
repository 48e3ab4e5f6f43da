"""day one (issue 10): platform roles remembered, onboarding campaigns, observe-first

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Slot reserved so that capabilities built in parallel migrate in a fixed order. Plain SQLAlchemy
types only (see 0001); SQLite needs op.batch_alter_table for column changes.
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
