"""Content guard (SPEC §3): findings, strikes, lexicon additions per unit/group, group settings.

No message text is stored: a finding keeps only its ``excerpt`` — a matched word, a domain, a file
extension, or a masked number — and nothing at all for secret markings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class GuardFinding(SQLModel, table=True):
    """One rule's finding about one message (or uploaded file); several per message are possible."""

    __tablename__ = "steward_guard_finding"
    __table_args__ = (Index("ix_steward_guard_finding_member", "group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    message_id: str = Field(default="", max_length=64)  # "" for a file upload
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))  # event time
    source: str = Field(default="message", max_length=16)  # message | file
    kind: str = Field(max_length=32)  # bot.core.guard.categories key
    rule: str = Field(max_length=32)  # rule module
    cite_key: str = Field(default="", max_length=32)
    excerpt: str = Field(default="", max_length=200)  # masked or empty for secret / personal data
    detail: str = Field(default="", max_length=200)
    cited: bool = False  # the finding whose rule the warning cited
    outcome: str = Field(default="enforced", max_length=16)  # enforced | observed | exempt | flagged
    intended: str = Field(default="", max_length=100)  # acts the policy asked for, comma-separated
    done: str = Field(default="", max_length=100)  # acts performed, comma-separated


class GuardStrike(SQLModel, table=True):
    """A strike against a member in a group; counts until ``expires_at`` unless cleared."""

    __tablename__ = "steward_guard_strike"
    __table_args__ = (Index("ix_steward_guard_strike_member", "platform", "group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    weight: int = 1
    kind: str = Field(max_length=32)
    finding_id: int | None = None
    cleared_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    cleared_by: str = Field(default="", max_length=64)


class GuardWord(SQLModel, table=True):
    """A lexicon change for a unit or a group: a word added to a category (or the allow list), or a
    base word removed there (applied as an allow entry, which masks the word in that scope)."""

    __tablename__ = "steward_guard_word"
    __table_args__ = (
        UniqueConstraint("scope", "scope_id", "category", "word", name="uq_steward_guard_word"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=8)  # unit | group
    scope_id: str = Field(max_length=64)
    category: str = Field(max_length=32)  # a keyword category, or "allow"
    word: str = Field(max_length=64)
    op: str = Field(default="add", max_length=8)  # add | remove | tier (a base or unit word's tier only)
    tier: str = Field(default="act", max_length=8, sa_column_kwargs={"server_default": "act"})  # act | flag
    added_by: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class GuardSetting(SQLModel, table=True):
    """A group's runtime policy overrides set by /规则 (applied on top of config/bot.toml)."""

    __tablename__ = "steward_guard_setting"

    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(max_length=64, unique=True)
    preset: str = Field(default="", max_length=64)  # "" = the configured preset
    overrides: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # JSON
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
