"""WeChat member lists (issue "WeChat"): the last member list seen of each group, for the periodic diff.

ComWeChatBotClient sends no member notices, so arrivals and departures are found by comparing
``get_group_member_list`` with the list seen before. One row per group keeps that list (sorted account
ids, JSON), so a restart diffs against what was seen before it instead of onboarding everyone again.
Account ids only: names and display names are never stored here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class MemberSnapshot(SQLModel, table=True):
    __tablename__ = "steward_member_snapshot"
    __table_args__ = (UniqueConstraint("platform", "group_id", name="uq_steward_member_snapshot"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    self_id: str = Field(default="", max_length=64)  # the account whose group list last had the group
    members: str = Field(default="[]", sa_column=Column(Text(), nullable=False))  # JSON list of ids
    size: int = Field(default=0)
    taken_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # Consecutive polls in which the group was missing from get_group_list (2 → deregistered).
    missing: int = Field(default=0)
