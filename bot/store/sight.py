"""When the bot first saw each group, the onboarding of its existing members, its observe-only days.

The message path asks only the in-memory cache (``known`` / ``observing``), loaded at start-up and
updated by this process's writes and by ``load`` (the periodic sync); the first event of a group this
process has not seen inserts its row once (insert-or-nothing, so two processes agree on who was first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.models.dayone import GroupSight
from bot.store.db import Database, get_db


@dataclass
class _Cache:
    known: set[tuple[str, str]]
    observe: dict[tuple[str, str], datetime]  # groups in observe-only mode → until when


cache = _Cache(set(), {})


def known(platform: str, group_id: str) -> bool:
    return (platform, group_id) in cache.known


def observing(platform: str, group_id: str, now: datetime) -> bool:
    """Is the group in its first days of observe-only mode at ``now``? (memory only)"""
    until = cache.observe.get((platform, group_id))
    return until is not None and now < until


def observe_until(platform: str, group_id: str) -> datetime | None:
    return cache.observe.get((platform, group_id))


def _remember(row: GroupSight) -> None:
    key = (row.platform, row.group_id)
    cache.known.add(key)
    if row.observe_until is not None and not row.observe_ended_by:
        cache.observe[key] = row.observe_until
    else:
        cache.observe.pop(key, None)


async def load(*, db: Database | None = None) -> int:
    db = db or get_db()
    async with db.session() as s:
        rows = list((await s.execute(select(GroupSight))).scalars())
    cache.known = set()
    cache.observe = {}
    for r in rows:
        _remember(r)
    return len(rows)


def forget_cache() -> None:
    cache.known.clear()
    cache.observe.clear()


async def first_sight(
    platform: str,
    group_id: str,
    self_id: str,
    now: datetime,
    *,
    how: str,
    observe_days: int,
    db: Database | None = None,
) -> GroupSight | None:
    """Record that the group is seen for the first time; the new row, or None when it was known
    (to this process, or another process inserted it first)."""
    key = (platform, group_id)
    if key in cache.known:
        return None
    db = db or get_db()
    values: dict[str, Any] = {
        "platform": platform,
        "group_id": group_id,
        "self_id": self_id,
        "first_seen": now,
        "how": how,
        "onboard_state": "new",
        "claimed_by": "",
        "members": 0,
        "bound": 0,
        "invited": 0,
        "error": "",
        "observe_until": now + timedelta(days=observe_days) if observe_days > 0 else None,
        "observe_ended_by": "",
    }
    insert = (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(GroupSight)
    async with db.session() as s:
        res = await s.execute(
            insert.values(**values).on_conflict_do_nothing(index_elements=["platform", "group_id"])
        )
        created = bool(getattr(res, "rowcount", 0))
        row = (
            await s.execute(
                select(GroupSight).where(
                    col(GroupSight.platform) == platform, col(GroupSight.group_id) == group_id
                )
            )
        ).scalar_one()
    _remember(row)
    return row if created else None


async def get(platform: str, group_id: str, *, db: Database | None = None) -> GroupSight | None:
    db = db or get_db()
    async with db.session() as s:
        return (
            await s.execute(
                select(GroupSight).where(
                    col(GroupSight.platform) == platform, col(GroupSight.group_id) == group_id
                )
            )
        ).scalar_one_or_none()


async def to_onboard(*, stale_before: datetime, db: Database | None = None) -> list[GroupSight]:
    """Groups whose member list still has to be fetched: new or failed, or claimed by a process that
    has not finished by ``stale_before`` (it died)."""
    db = db or get_db()
    async with db.session() as s:
        rows = (
            await s.execute(
                select(GroupSight)
                .where(
                    col(GroupSight.onboard_state).in_(("new", "failed"))
                    | (
                        (col(GroupSight.onboard_state) == "claimed")
                        & (col(GroupSight.claimed_at) < stale_before)
                    )
                )
                .order_by(col(GroupSight.id))
            )
        ).scalars()
        return list(rows)


async def claim(
    sight_id: int, worker: str, now: datetime, *, stale_before: datetime, db: Database | None = None
) -> bool:
    """Claim the onboarding of a group (one process fetches its member list)."""
    db = db or get_db()
    async with db.session() as s:
        res = await s.execute(
            update(GroupSight)
            .where(
                col(GroupSight.id) == sight_id,
                col(GroupSight.onboard_state).in_(("new", "failed"))
                | (
                    (col(GroupSight.onboard_state) == "claimed") & (col(GroupSight.claimed_at) < stale_before)
                ),
            )
            .values(onboard_state="claimed", claimed_by=worker[:64], claimed_at=now)
        )
        return bool(getattr(res, "rowcount", 0))


async def finish(
    sight_id: int,
    now: datetime,
    *,
    state: str,
    members: int = 0,
    bound: int = 0,
    invited: int = 0,
    error: str = "",
    db: Database | None = None,
) -> None:
    db = db or get_db()
    values: dict[str, Any] = {"onboard_state": state, "error": error[:200]}
    if state == "done":
        values |= {"onboarded_at": now, "members": members, "bound": bound, "invited": invited}
    async with db.session() as s:
        await s.execute(update(GroupSight).where(col(GroupSight.id) == sight_id).values(**values))


async def end_observe(platform: str, group_id: str, by: str, *, db: Database | None = None) -> bool:
    """End the observe-only days (``/规则 观察 关``); True when the group was observing."""
    db = db or get_db()
    async with db.session() as s:
        res = await s.execute(
            update(GroupSight)
            .where(
                col(GroupSight.platform) == platform,
                col(GroupSight.group_id) == group_id,
                col(GroupSight.observe_until).is_not(None),
                col(GroupSight.observe_ended_by) == "",
            )
            .values(observe_ended_by=by[:64] or "?")
        )
        ended = bool(getattr(res, "rowcount", 0))
    cache.observe.pop((platform, group_id), None)
    return ended


async def mark_owner_told(sight_id: int, now: datetime, *, db: Database | None = None) -> bool:
    """Claim telling the owner about observe mode (once, across processes)."""
    db = db or get_db()
    async with db.session() as s:
        res = await s.execute(
            update(GroupSight)
            .where(col(GroupSight.id) == sight_id, col(GroupSight.owner_told_at).is_(None))
            .values(owner_told_at=now)
        )
        return bool(getattr(res, "rowcount", 0))
