"""Onboarding the existing members of a group the bot has just met (SPEC §2 "existing members"), pure.

``decide`` sorts a member list into who is left alone (the bot, operators, owner and admins), who is
already known (an open binding or an open admission), who binds from the roster's QQ / WeChat column,
and who is invited to ``/实名``. ``invitation_slots`` spreads the invitations in small batches at a safe
pace, inside working hours. Nothing here reads the clock or the database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["Decision", "MemberFacts", "decide", "invitation_slots"]


@dataclass(frozen=True, slots=True)
class MemberFacts:
    user_id: str
    role: str = "member"  # what the platform (or an operator) says: owner | admin | member


@dataclass(frozen=True, slots=True)
class Decision:
    skipped: tuple[str, ...] = ()  # the bot, operators, owner and admins: never invited, never listed
    known: tuple[str, ...] = ()  # already bound or already asked (an open admission)
    bind: Mapping[str, int] = field(default_factory=dict)  # user → roster person (QQ / WeChat column)
    invite: tuple[str, ...] = ()  # everyone else, in member-list order


def decide(
    members: Sequence[MemberFacts],
    *,
    self_id: str,
    operators: Collection[str],
    bound: Collection[str],
    open_admissions: Collection[str],
    roster_accounts: Mapping[str, int],
) -> Decision:
    """``roster_accounts``: member → roster person whose QQ / WeChat column holds that account and who is
    still in post (the caller checks the status)."""
    skipped: list[str] = []
    known: list[str] = []
    bind: dict[str, int] = {}
    invite: list[str] = []
    seen: set[str] = set()
    for m in members:
        uid = m.user_id
        if not uid or uid in seen:
            continue
        seen.add(uid)
        if uid == self_id or uid in operators or m.role in ("owner", "admin"):
            skipped.append(uid)
        elif uid in bound or uid in open_admissions:
            known.append(uid)
        elif uid in roster_accounts:
            bind[uid] = roster_accounts[uid]
        else:
            invite.append(uid)
    return Decision(tuple(skipped), tuple(known), bind, tuple(invite))


def invitation_slots(
    count: int,
    start: datetime,
    *,
    batch: int,
    pace: timedelta,
    next_open: Callable[[datetime], datetime],
) -> list[datetime]:
    """When each of ``count`` invitations goes out: ``batch`` at a time, ``pace`` apart, every batch
    moved to working time by ``next_open`` (the work calendar's ``next_working_start``)."""
    slots: list[datetime] = []
    at = next_open(start)
    for i in range(count):
        if i and i % max(batch, 1) == 0:
            at = next_open(at + pace)
        slots.append(at)
    return slots
