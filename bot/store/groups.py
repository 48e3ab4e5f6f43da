"""Groups the bot has seen. The message path calls `touch` for every group message, so writes are
cached: a group is written when first seen by this process and then at most every 10 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.models.group import ChatGroup
from bot.store.db import Database, get_db

_REFRESH = timedelta(minutes=10)
_last_write: dict[tuple[str, str], datetime] = {}


async def touch(
    platform: str, group_id: str, self_id: str, now: datetime, *, db: Database | None = None
) -> bool:
    """Record that the group was seen at `now`; returns True when a row was written."""
    key = (platform, group_id)
    last = _last_write.get(key)
    if last is not None and now - last < _REFRESH:
        return False
    db = db or get_db()
    async with db.session() as s:
        row = (
            await s.execute(
                select(ChatGroup).where(
                    col(ChatGroup.platform) == platform, col(ChatGroup.group_id) == group_id
                )
            )
        ).scalar_one_or_none()
        if row is None:
            s.add(
                ChatGroup(
                    platform=platform, group_id=group_id, self_id=self_id, first_seen=now, last_seen=now
                )
            )
        else:
            row.last_seen = max(row.last_seen, now)
            row.self_id = self_id or row.self_id
    _last_write[key] = now
    return True


async def known_groups(db: Database | None = None) -> list[ChatGroup]:
    db = db or get_db()
    async with db.session() as s:
        return list((await s.execute(select(ChatGroup).order_by(col(ChatGroup.id)))).scalars())


def forget_cache() -> None:
    _last_write.clear()
