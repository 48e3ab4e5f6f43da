"""Working hours (SPEC §4): deferred notices (/通知) and off-hours findings (yichun 第十条)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from bot.models.sealed import SealedText, mask_card
from bot.models.types import UTCDateTime


class NoticeState(StrEnum):
    """Life of a deferred notice. Only ``queued`` rows are picked up by the scheduler."""

    REVIEW = "review"  # waits for a reviewer's /通知 批准 (三审, preset notice_review)
    QUEUED = "queued"  # scheduled for due_at
    POSTING = "posting"  # claimed by one process, being sent
    POSTED = "posted"
    CANCELLED = "cancelled"  # by the author or a manager
    REJECTED = "rejected"  # by a reviewer
    FAILED = "failed"  # the platform refused it on every attempt
    INTERRUPTED = "interrupted"  # the process died while sending: whether it went out is unknown
    # Series (recurring notices and broadcasts) only: their posts are child rows.
    ACTIVE = "active"  # a recurring notice; due_at is its next occurrence
    PAUSED = "paused"  # a recurring notice its author or a manager paused
    DISPATCHED = "dispatched"  # a broadcast whose per-group posts have been created


OPEN_STATES = (
    NoticeState.REVIEW,
    NoticeState.QUEUED,
    NoticeState.POSTING,
    NoticeState.ACTIVE,
    NoticeState.PAUSED,
)


class NoticeKind(StrEnum):
    ONCE = "once"  # one post in one group (now, at the next working start, or at a chosen time)
    RECURRING = "recurring"  # a series in one group: one child post per occurrence
    BROADCAST = "broadcast"  # one notice to several groups: one child post per target group


class DeferredNotice(SQLModel, table=True):
    """A notice the bot posts on someone's behalf, now or at the next working-hours start.

    Exactly once: a process claims a due row with ``UPDATE … SET state='posting' WHERE id=… AND
    state='queued'`` and only the process whose update changed the row sends it.
    """

    __tablename__ = "steward_notice"
    __table_args__ = (
        Index("ix_steward_notice_state_due", "state", "due_at"),
        # One child per occurrence (recurring) or per target group (broadcast), whichever process
        # creates it: the second insert fails on this index.
        Index("uq_steward_notice_child", "parent_id", "group_id", "occurrence", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    self_id: str = Field(default="", max_length=64)  # the account that received the command
    author_id: str = Field(max_length=64)
    # The group card shown under the notice, and the notice: sealed at rest, read back whole (posted).
    author_name: str = Field(
        default="", sa_column=Column(SealedText("notice.author", mask=mask_card), nullable=False)
    )
    text: str = Field(sa_column=Column(SealedText("notice.text"), nullable=False))
    at_all: bool = False
    urgent: bool = False
    source: str = Field(default="command", max_length=16)  # command | repost (of a recalled message)
    state: str = Field(default=NoticeState.QUEUED, max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When it is to be posted; None while it waits for review.
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    # After a failed attempt: not before this time (due_at stays what the author was told).
    retry_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    attempts: int = 0
    last_error: str = Field(default="", max_length=200)
    reviewer_id: str = Field(default="", max_length=64)
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    claimed_by: str = Field(default="", max_length=64)  # host:pid of the process that claimed it
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    posted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    posted_message_id: str = Field(default="", max_length=64)
    late: bool = False  # posted well after due_at (the bot was down or the platform refused)
    closed_by: str = Field(default="", max_length=64)  # who cancelled or rejected it
    close_reason: str = Field(default="", max_length=200)
    kind: str = Field(default=NoticeKind.ONCE, max_length=16)
    # A series' post: its parent (recurring or broadcast) and, for a recurrence, which occurrence.
    parent_id: int | None = None
    occurrence: str = Field(default="", max_length=32)
    recurrence: str = Field(default="", max_length=64)  # bot.core.schedule.Recurrence.spec
    targets: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # broadcast: ids
    # The moment the author chose (/通知 定时); due_at may be later (moved into working hours).
    requested_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class OffHoursFinding(SQLModel, table=True):
    """A work notice sent outside working hours without an urgency mark (one row per message).

    The message text is kept only when the bot recalled it, so that the sender can have it
    re-posted (/通知 补发 N); otherwise the message is still in the group and is not copied.
    """

    __tablename__ = "steward_offhours"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    self_id: str = Field(default="", max_length=64)
    user_id: str = Field(max_length=64)
    message_id: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # event time
    score: int = 0
    reasons: str = Field(default="", max_length=300)  # classifier feature names, comma-separated
    reminded: bool = False
    recalled: bool = False
    text: str = Field(default="", sa_column=Column(SealedText("offhours.text"), nullable=False))
    reposted_notice_id: int | None = None
