"""Real-name admission (SPEC §2): roster people, admissions (join requests and arrivals), identity bindings.

Personal data (names, phones, posts, QQ / WeChat ids of roster people, the applicants' comments and
claimed names) is stored only as ``*_enc`` tokens (AES-GCM, ``bot.core.crypto``) and found by
``*_index`` blind indexes (keyed HMAC). Departments are not personal data and stay readable, so that
matching can use them and the review can group by them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.types import UTCDateTime


class RosterPerson(SQLModel, table=True):
    """One person on a unit's roster (花名册). The stable key is (unit, phone_index)."""

    __tablename__ = "steward_roster_person"
    __table_args__ = (UniqueConstraint("unit", "phone_index", name="uq_steward_roster_unit_phone"),)

    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(max_length=64, index=True)  # unit key from config/bot.toml; "default" without one
    name_enc: str = Field(sa_column=Column(Text, nullable=False))
    name_index: str = Field(max_length=64, index=True)
    dept: str = Field(max_length=100)
    post_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    phone_enc: str = Field(sa_column=Column(Text, nullable=False))
    phone_index: str = Field(max_length=64)
    qq_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    qq_index: str | None = Field(default=None, max_length=64, index=True)
    wechat_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    wechat_index: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default="在岗", max_length=16)  # 在岗 借调 挂职 调离 退休 离职
    status_changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Admission(SQLModel, table=True):
    """One way into a group, from the first event to the decision.

    ``kind="request"``: a join request (``request.group``, ``sub_type=add``). States: ``pending``
    (admins decide) → ``approved`` | ``rejected``; decided at once by the bot: ``approved`` /
    ``rejected`` with ``decided_by="bot"``; approved in the QQ client before anyone here decided:
    ``approved`` with the platform operator as ``decided_by``.

    ``kind="arrival"``: a member who joined without a request (invited, added by an admin). States:
    ``unverified`` → (``due_at``) ``reminded`` → (``due_at``) ``removed`` (请出制) | ``listed`` (for the
    weekly review); ``needs_admin`` when /实名 did not match the roster; ``verified``; ``left``.
    ``due_at`` is when the timer loop next acts on the row (NULL when nothing is scheduled).
    """

    __tablename__ = "steward_admission"

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=200, unique=True)  # one row per event, even if delivered twice
    kind: str = Field(max_length=16)  # request | arrival
    platform: str = Field(max_length=16)
    self_id: str = Field(default="", max_length=64)
    group_id: str = Field(max_length=64, index=True)
    user_id: str = Field(max_length=64, index=True)
    flag: str = Field(default="", max_length=200)  # the request's flag, to answer it
    invitor_id: str = Field(default="", max_length=64)  # who invited (request) or added (arrival)
    invited_by_member: bool = Field(default=False)  # invited by someone who is not an admin
    comment_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    claimed_name_enc: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    claimed_dept: str = Field(default="", max_length=100)
    outcome: str = Field(default="", max_length=16)  # matched | ambiguous | not_found | unparsed | mismatch
    candidates: str = Field(default="", max_length=200)  # roster person ids, comma-separated
    person_id: int | None = Field(default=None)
    state: str = Field(max_length=16, index=True)
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=True))
    attempts: int = Field(default=0)  # /实名 attempts that did not match
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # no personal data
    decided_by: str = Field(default="", max_length=64)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def candidate_ids(self) -> list[int]:
        return [int(x) for x in self.candidates.split(",") if x.strip().isdigit()]


class MemberIdentity(SQLModel, table=True):
    """A member's identity in one group: platform account ↔ roster person, who vouched, when.

    ``person_id`` is NULL when an admin admitted someone who is not on the roster. A departure closes
    the binding (``closed_at``); at most one binding per (platform, group, user) is open.
    """

    __tablename__ = "steward_member_identity"

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    group_id: str = Field(max_length=64, index=True)
    user_id: str = Field(max_length=64, index=True)
    person_id: int | None = Field(default=None, index=True)
    method: str = Field(max_length=16)  # request | verify | account | admin
    verified_by: str = Field(max_length=64)  # "bot" or the admin's platform id
    verified_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    close_reason: str = Field(default="", max_length=32)
    card_mismatch_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    card_reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
