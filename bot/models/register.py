"""Filing register (SPEC §6) and cases (SPEC §9): filings, their duties (deadlines with reminders),
history, message activity per day, scheduled-job runs, and rectification cases (整改).

Race-safe by construction, as the deferred notices are: one open duty per group and kind is a unique
constraint (``open_slot`` is "open" while open and NULL after, and NULLs never collide); a reminder
step is taken with a conditional UPDATE on the step counter; a scheduled job run is an INSERT of its
unique key. Whatever the number of bot processes on one database, each happens once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Date, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class FilingStatus(StrEnum):
    UNFILED = "unfiled"  # seen, not (completely) filed yet
    FILED = "filed"
    DEREGISTERED = "deregistered"  # disbanded, the bot removed, or deregistered by command


class DeregKind(StrEnum):
    DISBANDED = "disbanded"  # group_decrease/disband, group_dismiss
    REMOVED = "removed"  # the bot was kicked
    LEFT = "left"  # the bot left the group
    MANUAL = "manual"  # /备案 注销


class Filing(SQLModel, table=True):
    """One work group in the register, from the moment the bot first saw it.

    Personal data (the owner's name and contact) is stored only as cipher tokens.
    """

    __tablename__ = "steward_filing"
    __table_args__ = (UniqueConstraint("platform", "group_id", name="uq_steward_filing_group"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    self_id: str = Field(default="", max_length=64)
    status: str = Field(default=FilingStatus.UNFILED, max_length=16, index=True)
    first_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # What the platform says (group info and member list; refreshed daily).
    observed_name: str = Field(default="", max_length=200)
    member_count: int | None = None
    owner_id: str = Field(default="", max_length=64)
    synced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    sync_failures: int = 0
    # The filing (登记备案表).
    name: str = Field(default="", max_length=100)
    dept: str = Field(default="", max_length=100)
    matter: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=16)  # GroupKind value, "" until answered
    end_date: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    end_undecided: bool = False  # 「未定」: ended later with /备案 结束
    entry: str = Field(default="", max_length=100)
    rules: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner_name_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contact_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    filed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    filed_by: str = Field(default="", max_length=64)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # The platform's name and owner when the group was (re)filed: a difference later is a change.
    filed_platform_name: str = Field(default="", max_length=200)
    filed_owner_id: str = Field(default="", max_length=64)
    dereg_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    dereg_kind: str = Field(default="", max_length=16)
    dereg_reason: str = Field(default="", max_length=200)
    dormant_noted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class DutyKind(StrEnum):
    FILE = "file"  # file an unfiled group
    REFILE = "refile"  # refile after a change of name, owner (or matter)
    DISSOLVE = "dissolve"  # dissolve a temporary group after its end date, then deregister


class DutyState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"  # the group was deregistered, or the change went away


class FilingDuty(SQLModel, table=True):
    """Something the owner must do by a deadline, with its reminder cadence (see core.register)."""

    __tablename__ = "steward_filing_duty"
    __table_args__ = (
        UniqueConstraint("platform", "group_id", "kind", "open_slot", name="uq_steward_filing_duty_open"),
        Index("ix_steward_filing_duty_state_next", "state", "next_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=16)
    state: str = Field(default=DutyState.OPEN, max_length=16)
    open_slot: str | None = Field(default="open", max_length=8)  # "open" while open, NULL after
    opened_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # first reminder
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    stage: int = 0  # reminder steps done (core.register.duty_steps index)
    next_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reminders: int = 0
    escalations: int = 0
    last_sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    detail: str = Field(default="", max_length=200)  # e.g. the changed fields 「群名称、群主」
    case_id: int | None = None  # the case opened when it became overdue
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    close_note: str = Field(default="", max_length=200)
    late: bool = False  # done after due_at


class FilingHistory(SQLModel, table=True):
    """What happened to a filing: seen, filed, updated, change detected, ended, deregistered, reopened.

    ``changed`` names the fields that changed, never their values (they may be personal data).
    """

    __tablename__ = "steward_filing_history"

    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    event: str = Field(max_length=32)
    actor: str = Field(default="", max_length=64)
    changed: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=200)


class GroupActivity(SQLModel, table=True):
    """Messages the bot saw in a group on a day (Shanghai date): the filing's 「活跃程度」."""

    __tablename__ = "steward_group_activity"
    __table_args__ = (UniqueConstraint("platform", "group_id", "day", name="uq_steward_group_activity_day"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    day: date = Field(sa_column=Column(Date(), nullable=False))
    messages: int = 0


class RegisterRun(SQLModel, table=True):
    """A scheduled job run (daily sync, weekly and quarterly summaries): inserting the key claims it."""

    __tablename__ = "steward_register_run"
    __table_args__ = (UniqueConstraint("key", name="uq_steward_register_run_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120)
    worker: str = Field(default="", max_length=64)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    result: str = Field(default="", max_length=200)


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Case(SQLModel, table=True):
    """A rectification case (整改) with its deadline from kunming 第十五条.

    ``summary`` describes the finding without repeating it (no message text, no personal data).
    """

    __tablename__ = "steward_case"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_steward_case_dedup"),
        Index("ix_steward_case_state_escalation", "state", "next_escalation_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    self_id: str = Field(default="", max_length=64)
    kind: str = Field(max_length=32)  # e.g. secret, privacy, prohibited, filing_overdue, dissolve_overdue
    category: str = Field(default="", max_length=32)  # Chinese label shown and counted
    severity: str = Field(max_length=16)  # general | serious
    rule: str = Field(default="", max_length=32)  # citation key of the rule broken
    summary: str = Field(default="", max_length=300)
    user_id: str = Field(default="", max_length=64)
    message_id: str = Field(default="", max_length=64)
    source: str = Field(default="", max_length=16)  # guard | register | …
    ref: str = Field(default="", max_length=64)  # e.g. duty:12
    dedup_key: str | None = Field(default=None, max_length=200)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    in_working_time: bool = False
    limit_minutes: int = 0
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    state: str = Field(default=CaseState.OPEN, max_length=16)
    notify: bool = True  # tell the group's owner when opened (the register's own cases say it already)
    notified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    escalate: bool = True  # escalate to supervisors when overdue (duties escalate their own cases)
    escalations: int = 0
    next_escalation_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    closed_by: str = Field(default="", max_length=64)
    close_note: str = Field(default="", max_length=300)
    late: bool = False
