"""Weekly review (SPEC §5) and suggestions (SPEC §7): member activity, review runs and their
findings (with the cleanup state of each), and suggestions recorded for leaders.

Exactly once: a run and each removal are claimed with one conditional UPDATE
(``… WHERE id = :id AND state = :expected``) before anything is done, so with several processes on
one database only the process whose update changed the row acts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.sealed import SealedText, mask_card, mask_in_text
from bot.models.types import UTCDateTime


class MemberActivity(SQLModel, table=True):
    """When the bot last saw a member write in a group (from the messages it received itself).

    OneBot's ``last_sent_time`` is not used: NapCat fills it with "now" and LLOneBot with 0.
    """

    __tablename__ = "steward_member_activity"
    __table_args__ = (UniqueConstraint("platform", "group_id", "user_id", name="uq_steward_member_activity"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    user_id: str = Field(max_length=64)
    last_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    messages: int = 0


class GroupDayCount(SQLModel, table=True):
    """Messages the bot saw in a group per local day (for the report's off-topic share)."""

    __tablename__ = "steward_group_day"
    __table_args__ = (UniqueConstraint("platform", "group_id", "day", name="uq_steward_group_day"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    day: str = Field(max_length=10)  # ISO date, Asia/Shanghai
    messages: int = 0


class RunState(StrEnum):
    DUE = "due"  # waiting for a worker (scheduled, requested by /巡查 or the CLI)
    RUNNING = "running"  # claimed by one process
    DONE = "done"
    FAILED = "failed"


class ReviewRun(SQLModel, table=True):
    """One review of one group. Scheduled runs carry ``slot`` (the ISO week, e.g. ``2026-W48``):
    the unique (platform, group_id, slot) makes a week's run exist once, however many processes
    notice that it is due; manual runs have no slot."""

    __tablename__ = "steward_review_run"
    __table_args__ = (
        UniqueConstraint("platform", "group_id", "slot", name="uq_steward_review_run_slot"),
        Index("ix_steward_review_run_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    self_id: str = Field(default="", max_length=64)
    kind: str = Field(default="scheduled", max_length=16)  # scheduled | manual | cli
    slot: str | None = Field(default=None, max_length=16)
    requested_by: str = Field(default="", max_length=64)
    state: str = Field(default=RunState.DUE, max_length=16)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    members: int = 0
    findings: int = 0
    report_to: str = Field(default="", max_length=64)  # who received the report ("" = nobody yet)
    error: str = Field(default="", max_length=200)


class FindingState(StrEnum):
    OPEN = "open"  # listed in the report
    PROPOSED = "proposed"  # /清理 N … asked, waiting for /清理 确认
    CONFIRMED = "confirmed"  # queued for removal
    KICKING = "kicking"  # claimed: the kick is being sent
    REMOVED = "removed"
    SKIPPED = "skipped"  # no longer true at kick time (verified meanwhile, left)
    FAILED = "failed"  # the platform refused


class ReviewFinding(SQLModel, table=True):
    """One member listed by a run, with every reason, and the removal's progress."""

    __tablename__ = "steward_review_finding"
    __table_args__ = (
        UniqueConstraint("run_id", "number", name="uq_steward_review_finding_number"),
        Index("ix_steward_review_finding_state", "state", "group_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    number: int  # 1, 2, … as in the report
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    # the group card shown in the report to the owner (sealed at rest: a real-name card)
    card: str = Field(default="", sa_column=Column(SealedText("review.card", mask=mask_card), nullable=False))
    kinds: str = Field(max_length=200)  # reason keys, comma-separated (bot.core.review.KINDS)
    reasons: str = Field(sa_column=Column(Text, nullable=False))  # the report's text for the member
    removable: bool = False
    state: str = Field(default=FindingState.OPEN, max_length=16)
    proposed_by: str = Field(default="", max_length=64)
    proposed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    confirmed_by: str = Field(default="", max_length=64)
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    result: str = Field(default="", max_length=200)


class SuggestionState(StrEnum):
    NEW = "new"
    REPORTED = "reported"  # 已报送 to the leaders
    REPLIED = "replied"  # an answer went back to the author (反馈)


class Suggestion(SQLModel, table=True):
    """A suggestion (意见建议, huangshan 第十一条), captured from a message or given with /建议.

    ``text`` is the message as written (it may name people; it is never logged)."""

    __tablename__ = "steward_suggestion"
    __table_args__ = (
        UniqueConstraint("platform", "group_id", "message_id", name="uq_steward_suggestion_msg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    self_id: str = Field(default="", max_length=64)
    user_id: str = Field(max_length=64)
    card: str = Field(
        default="",
        sa_column=Column(SealedText("suggestion.card", mask=mask_card, reveal=mask_card), nullable=False),
    )
    message_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    # Sealed at rest; read back with numbers masked (the shown form).
    text: str = Field(sa_column=Column(SealedText("suggestion.text", reveal=mask_in_text), nullable=False))
    source: str = Field(default="auto", max_length=16)  # auto | command
    score: int = 0
    state: str = Field(default=SuggestionState.NEW, max_length=16)
    reported_by: str = Field(default="", max_length=64)
    reported_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reply: str = Field(
        default="", sa_column=Column(SealedText("suggestion.reply", reveal=mask_in_text), nullable=False)
    )
    replied_by: str = Field(default="", max_length=64)
    replied_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    digested_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
