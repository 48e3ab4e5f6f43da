"""register: filings, group lifecycle, reminders and escalations, cases (整改)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Tables of the filing-register and cases capability. Plain SQLAlchemy types only (see 0001).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "steward_filing",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("first_seen", nullable=False),
        sa.Column("observed_name", sa.String(200), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        _ts("synced_at"),
        sa.Column("sync_failures", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("dept", sa.String(100), nullable=False),
        sa.Column("matter", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_undecided", sa.Boolean(), nullable=False),
        sa.Column("entry", sa.String(100), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("owner_name_enc", sa.Text(), nullable=False),
        sa.Column("contact_enc", sa.Text(), nullable=False),
        _ts("filed_at"),
        sa.Column("filed_by", sa.String(64), nullable=False),
        _ts("updated_at"),
        sa.Column("filed_platform_name", sa.String(200), nullable=False),
        sa.Column("filed_owner_id", sa.String(64), nullable=False),
        _ts("dereg_at"),
        sa.Column("dereg_kind", sa.String(16), nullable=False),
        sa.Column("dereg_reason", sa.String(200), nullable=False),
        _ts("dormant_noted_at"),
        sa.UniqueConstraint("platform", "group_id", name="uq_steward_filing_group"),
    )
    op.create_index("ix_steward_filing_status", "steward_filing", ["status"])

    op.create_table(
        "steward_filing_duty",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("open_slot", sa.String(8), nullable=True),
        _ts("opened_at", nullable=False),
        _ts("starts_at", nullable=False),
        _ts("due_at", nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        _ts("next_at"),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        _ts("last_sent_at"),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        _ts("closed_at"),
        sa.Column("close_note", sa.String(200), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "kind", "open_slot", name="uq_steward_filing_duty_open"),
    )
    op.create_index("ix_steward_filing_duty_group_id", "steward_filing_duty", ["group_id"])
    op.create_index("ix_steward_filing_duty_state_next", "steward_filing_duty", ["state", "next_at"])

    op.create_table(
        "steward_filing_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("filing_id", sa.Integer(), nullable=False),
        _ts("at", nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("changed", sa.String(200), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
    )
    op.create_index("ix_steward_filing_history_filing_id", "steward_filing_history", ["filing_id"])

    op.create_table(
        "steward_group_activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.UniqueConstraint("platform", "group_id", "day", name="uq_steward_group_activity_day"),
    )

    op.create_table(
        "steward_register_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        _ts("started_at", nullable=False),
        _ts("finished_at"),
        sa.Column("result", sa.String(200), nullable=False),
        sa.UniqueConstraint("key", name="uq_steward_register_run_key"),
    )

    op.create_table(
        "steward_case",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("self_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("summary", sa.String(300), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=True),
        _ts("received_at", nullable=False),
        sa.Column("in_working_time", sa.Boolean(), nullable=False),
        sa.Column("limit_minutes", sa.Integer(), nullable=False),
        _ts("due_at", nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        _ts("notified_at"),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        _ts("next_escalation_at"),
        _ts("closed_at"),
        sa.Column("closed_by", sa.String(64), nullable=False),
        sa.Column("close_note", sa.String(300), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("dedup_key", name="uq_steward_case_dedup"),
    )
    op.create_index("ix_steward_case_group_id", "steward_case", ["group_id"])
    op.create_index("ix_steward_case_state_escalation", "steward_case", ["state", "next_escalation_at"])


def downgrade() -> None:
    op.drop_index("ix_steward_case_state_escalation", "steward_case")
    op.drop_index("ix_steward_case_group_id", "steward_case")
    op.drop_table("steward_case")
    op.drop_table("steward_register_run")
    op.drop_table("steward_group_activity")
    op.drop_index("ix_steward_filing_history_filing_id", "steward_filing_history")
    op.drop_table("steward_filing_history")
    op.drop_index("ix_steward_filing_duty_state_next", "steward_filing_duty")
    op.drop_index("ix_steward_filing_duty_group_id", "steward_filing_duty")
    op.drop_table("steward_filing_duty")
    op.drop_index("ix_steward_filing_status", "steward_filing")
    op.drop_table("steward_filing")
