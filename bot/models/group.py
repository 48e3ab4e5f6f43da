"""Groups the bot has seen, per platform. Later aggregates (filing, reviews) hang off this."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class ChatGroup(SQLModel, table=True):
    __tablename__ = "steward_group"
    __table_args__ = (UniqueConstraint("platform", "group_id", name="uq_steward_group_platform_gid"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)  # "qq" (OneBot v11) | "wechat" (OneBot v12)
    group_id: str = Field(max_length=64)
    self_id: str = Field(default="", max_length=64)  # the bot account that sees the group
    name: str = Field(default="", max_length=200)
    first_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
