"""security (issue 17): personal data in suggestions and notices masked or encrypted at rest

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Slot reserved so that capabilities built in parallel migrate in a fixed order. Plain SQLAlchemy
types only (see 0001); SQLite needs op.batch_alter_table for column changes.
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
