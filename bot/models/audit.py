"""Append-only audit log; each row is chained to the previous one by a SHA-256 hash (SPEC §9)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "steward_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    platform: str = Field(default="", max_length=16)
    group_id: str = Field(default="", max_length=64, index=True)
    actor: str = Field(max_length=64)  # "bot", or the platform user id who ordered it
    action: str = Field(max_length=64)  # e.g. "command.状态", "recall", "kick", "action.failed"
    target: str = Field(default="", max_length=64)
    rule: str = Field(default="", max_length=64)  # rule key whose citation applies
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
