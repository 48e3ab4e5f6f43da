"""Day one in a group (issue "day one"): roles remembered, first sight, onboarding, observe-first.

``MemberRole``: a member's role in a group as the platform reported it (``source="platform"``: the
member list, ``group_admin`` notices, the sender of a message) or as an operator named it
(``source="operator"``: ``config/bot.toml`` or ``/规则 群主|管理员`` — WeChat member lists carry no
roles). One row per (platform, group, user, source); a member with no row is a plain member.

``GroupSight``: when the bot first saw a group and what it did about it — the member list fetched
once (``onboard_state``), the onboarding campaign's counts, and the first days in observe-only mode
(``observe_until``; NULL when the group was known before this table existed or observation ended).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class MemberRole(SQLModel, table=True):
    __tablename__ = "steward_member_role"
    __table_args__ = (
        UniqueConstraint("platform", "group_id", "user_id", "source", name="uq_steward_member_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    user_id: str = Field(max_length=64, index=True)
    role: str = Field(max_length=16)  # owner | admin
    source: str = Field(max_length=16)  # platform | operator
    set_by: str = Field(default="", max_length=64)  # "member_list", "notice", "message", or the operator
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class GroupSight(SQLModel, table=True):
    __tablename__ = "steward_group_sight"
    __table_args__ = (UniqueConstraint("platform", "group_id", name="uq_steward_group_sight"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64)
    self_id: str = Field(default="", max_length=64)
    first_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # receive time
    how: str = Field(default="", max_length=16)  # joined | event | sync | migrated
    # new → claimed (one process fetches the member list) → done | failed (retried later)
    onboard_state: str = Field(default="new", max_length=16, index=True)
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    onboarded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    members: int = Field(default=0)  # member list size at onboarding
    bound: int = Field(default=0)  # bound from the roster's QQ / WeChat column
    invited: int = Field(default=0)  # entered the campaign (private /实名 invitations)
    error: str = Field(default="", max_length=200)
    observe_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    observe_ended_by: str = Field(default="", max_length=64)
    owner_told_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
