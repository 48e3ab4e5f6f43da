"""Member activity: when the bot last saw each member write, and messages per group and day.

The message path calls :func:`note` for every group message: it only updates a dict in memory (no
database write per message). :func:`flush` writes what accumulated in one transaction of upserts —
the review's scheduler calls it every few seconds, when many members are pending, and at shutdown;
reads (:func:`last_seen`) merge in what is still pending. A crash loses at most the last few
seconds of activity, which only delays an informational "inactive" line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.core.calendar import to_local
from bot.models.review import GroupDayCount, MemberActivity
from bot.store.db import Database, get_db

__all__ = ["FLUSH_AT", "buffer", "day_counts", "flush", "last_seen", "note", "pending"]

FLUSH_AT = 2000
"""Pending members after which the caller should flush (the scheduler also flushes on a timer)."""


class _Buffer:
    def __init__(self) -> None:
        # (platform, group, user) → (last seen, messages since the last flush)
        self.members: dict[tuple[str, str, str], tuple[datetime, int]] = {}
        # (platform, group, ISO day) → messages since the last flush
        self.days: dict[tuple[str, str, str], int] = {}

    def clear(self) -> None:
        self.members.clear()
        self.days.clear()


buffer = _Buffer()


def note(platform: str, group_id: str, user_id: str, at: datetime) -> bool:
    """Remember one message (in memory). True when the buffer is large enough to flush."""
    key = (platform, group_id, user_id)
    prev = buffer.members.get(key)
    if prev is None:
        buffer.members[key] = (at, 1)
    else:
        buffer.members[key] = (max(prev[0], at), prev[1] + 1)
    dkey = (platform, group_id, to_local(at).date().isoformat())
    buffer.days[dkey] = buffer.days.get(dkey, 0) + 1
    return len(buffer.members) >= FLUSH_AT


def pending() -> int:
    return len(buffer.members)


def _insert(db: Database, table: Any) -> Any:
    return (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(table)


async def flush(*, db: Database | None = None) -> int:
    """Write the pending activity in one transaction; returns how many members were written.

    On a database error the pending rows are put back (merged with what arrived meanwhile).
    """
    if not buffer.members and not buffer.days:
        return 0
    db = db or get_db()
    members, days = dict(buffer.members), dict(buffer.days)
    buffer.clear()
    try:
        async with db.session() as s:
            if members:
                stmt = _insert(db, MemberActivity)
                ex = stmt.excluded
                t = MemberActivity.__table__.c  # type: ignore[attr-defined]
                await s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["platform", "group_id", "user_id"],
                        set_={
                            "last_seen": case((ex.last_seen > t.last_seen, ex.last_seen), else_=t.last_seen),
                            "messages": t.messages + ex.messages,
                        },
                    ),
                    [
                        {"platform": p, "group_id": g, "user_id": u, "last_seen": at, "messages": n}
                        for (p, g, u), (at, n) in members.items()
                    ],
                )
            if days:
                stmt = _insert(db, GroupDayCount)
                t = GroupDayCount.__table__.c  # type: ignore[attr-defined]
                await s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["platform", "group_id", "day"],
                        set_={"messages": t.messages + stmt.excluded.messages},
                    ),
                    [
                        {"platform": p, "group_id": g, "day": d, "messages": n}
                        for (p, g, d), n in days.items()
                    ],
                )
    except Exception:
        for key, (at, n) in members.items():
            cur = buffer.members.get(key)
            buffer.members[key] = (max(at, cur[0]), n + cur[1]) if cur else (at, n)
        for dkey, n in days.items():
            buffer.days[dkey] = buffer.days.get(dkey, 0) + n
        raise
    return len(members)


async def last_seen(platform: str, group_id: str, *, db: Database | None = None) -> dict[str, datetime]:
    """When each member of a group was last seen writing (stored, merged with what is pending)."""
    db = db or get_db()
    q = select(col(MemberActivity.user_id), col(MemberActivity.last_seen)).where(
        col(MemberActivity.platform) == platform, col(MemberActivity.group_id) == group_id
    )
    async with db.session() as s:
        seen = {u: at for u, at in (await s.execute(q)).all()}
    for (p, g, u), (at, _) in buffer.members.items():
        if p == platform and g == group_id and (u not in seen or seen[u] < at):
            seen[u] = at
    return seen


async def day_counts(platform: str, group_id: str, days: Sequence[str], *, db: Database | None = None) -> int:
    """Messages seen in a group on the given ISO days (stored plus pending)."""
    db = db or get_db()
    q = select(col(GroupDayCount.messages)).where(
        col(GroupDayCount.platform) == platform,
        col(GroupDayCount.group_id) == group_id,
        col(GroupDayCount.day).in_(list(days)),
    )
    async with db.session() as s:
        total = sum(int(n) for n in (await s.execute(q)).scalars())
    wanted = set(days)
    return total + sum(
        n for (p, g, d), n in buffer.days.items() if p == platform and g == group_id and d in wanted
    )
