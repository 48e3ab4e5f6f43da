"""security (issue 17): personal data in suggestions and notices masked or encrypted at rest

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Free text that can carry personal data becomes a sealed column (bot/models/sealed.py): suggestions'
text, card and reply, deferred notices' text and author card, off-hours findings' kept text, and
review findings' cards. The cards widen from VARCHAR(64) to TEXT (a token is longer than the card).
Existing rows are converted: encrypted with the personal-data key when one is configured, masked
otherwise. SQLite overwrites the freed plaintext (secure_delete) so the old values do not linger in
free pages of the file.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table, column, seal context, masked without a key as a card (names) or as free text
_SEALED = (
    ("steward_suggestion", "text", "suggestion.text", False),
    ("steward_suggestion", "card", "suggestion.card", True),
    ("steward_suggestion", "reply", "suggestion.reply", False),
    ("steward_notice", "text", "notice.text", False),
    ("steward_notice", "author_name", "notice.author", True),
    ("steward_offhours", "text", "offhours.text", False),
    ("steward_review_finding", "card", "review.card", True),
)
_WIDENED = (
    ("steward_suggestion", "card"),
    ("steward_notice", "author_name"),
    ("steward_review_finding", "card"),
)


def upgrade() -> None:
    for table, column in _WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.String(64), type_=sa.Text(), existing_nullable=False)
    _convert()


def _convert() -> None:
    from bot.models.sealed import is_sealed, mask_card, mask_in_text, seal

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    for table, column, context, card in _SEALED:
        t = sa.table(table, sa.column("id", sa.Integer()), sa.column(column, sa.Text()))
        rows = bind.execute(sa.select(t.c.id, t.c[column])).all()
        for row_id, value in rows:
            if not value or is_sealed(value):
                continue
            sealed = seal(value, context, mask_card if card else mask_in_text)
            if sealed != value:
                bind.execute(sa.update(t).where(t.c.id == row_id).values({column: sealed}))


def downgrade() -> None:
    # Sealed values stay sealed (decrypting them back to plaintext would defeat the purpose).
    for table, column in _WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=sa.Text(), type_=sa.String(64), existing_nullable=False)
