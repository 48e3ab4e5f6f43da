"""Dashboard (SPEC §10): web accounts and the dashboard's own settings (its cookie-signing key).

A password is kept only as an argon2 hash. ``epoch`` is part of every session cookie: raising it
(password change, logout, deletion) ends every session the account had.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class WebRole(StrEnum):
    OWNER = "owner"  # 群主: the groups named on the account
    SUPERVISOR = "supervisor"  # 监管单位: every group of the units named on the account
    OPERATOR = "operator"  # 运维: everything

    @property
    def label(self) -> str:
        return {"owner": "群主", "supervisor": "监管单位", "operator": "运维人员"}[self.value]


class WebUser(SQLModel, table=True):
    __tablename__ = "steward_web_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    units: str = Field(default="", max_length=500)  # policy unit keys, comma-separated
    groups: str = Field(default="", max_length=1000)  # group ids, comma-separated
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    epoch: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class WebSetting(SQLModel, table=True):
    __tablename__ = "steward_web_setting"

    key: str = Field(max_length=64, primary_key=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
