"""Groups the bot has seen. The message path calls `touch` for every group message.

- A group this process has not written yet is written once (a conflict-safe upsert: messages that
  arrive together as the first of an unseen group share one write, and a second process writing
  the same group at the same moment is no error) and that write is awaited.
- A known group costs no database round-trip: `last_seen` (at most every 10 minutes) and a new
  bot account are written in the background, off the message path.

The cache is per process and only says what this process has written; the upsert keeps the row
right whichever process writes first (`first_seen` stays as first written, `last_seen` only grows,
an empty `self_id` never overwrites a known one).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from loguru import logger
from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.models.group import ChatGroup
from bot.store.db import Database, get_db

_REFRESH = timedelta(minutes=10)
_written: dict[tuple[str, str], tuple[str, datetime]] = {}  # key → (self_id, last_seen) written
_first: dict[tuple[str, str], asyncio.Future[None]] = {}  # first writes in flight
_background: set[asyncio.Task[None]] = set()


async def touch(
    platform: str, group_id: str, self_id: str, now: datetime, *, db: Database | None = None
) -> bool:
    """Record that the group was seen at `now`; True when a write was made or started."""
    key = (platform, group_id)
    known = _written.get(key)
    if known is not None:
        old_self, last = known
        if (self_id and self_id != old_self) or now - last >= _REFRESH:
            _written[key] = (self_id or old_self, max(now, last))
            task = asyncio.create_task(_refresh(platform, group_id, self_id, now, db))
            _background.add(task)
            task.add_done_callback(_background.discard)
            return True
        return False
    first = _first.get(key)
    if first is not None:
        await asyncio.shield(first)  # a message of the same burst: the group is written once
        return False
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    _first[key] = done
    try:
        await _upsert(platform, group_id, self_id, now, db)
        _written[key] = (self_id, now)
        done.set_result(None)
    except BaseException as e:  # the waiters see the failure too; the next message tries again
        done.set_exception(e)
        done.exception()  # retrieved: no "never retrieved" warning when nobody waited
        raise
    finally:
        _first.pop(key, None)
    return True


async def _refresh(platform: str, group_id: str, self_id: str, now: datetime, db: Database | None) -> None:
    try:
        await _upsert(platform, group_id, self_id, now, db)
    except Exception as e:
        logger.warning(f"could not record that group {group_id} was seen: {type(e).__name__}")


async def _upsert(platform: str, group_id: str, self_id: str, now: datetime, db: Database | None) -> None:
    db = db or get_db()
    stmt: Any = (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(ChatGroup)
    t = ChatGroup.__table__.c  # type: ignore[attr-defined]
    ex = stmt.excluded
    stmt = stmt.values(platform=platform, group_id=group_id, self_id=self_id, first_seen=now, last_seen=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["platform", "group_id"],
        set_={
            "last_seen": case((ex.last_seen > t.last_seen, ex.last_seen), else_=t.last_seen),
            "self_id": func.coalesce(func.nullif(ex.self_id, ""), t.self_id),
        },
    )
    async with db.session() as s:
        await s.execute(stmt)


async def drain() -> None:
    """Wait for the background writes (tests; shutdown)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)


async def known_groups(db: Database | None = None) -> list[ChatGroup]:
    db = db or get_db()
    async with db.session() as s:
        return list((await s.execute(select(ChatGroup).order_by(col(ChatGroup.id)))).scalars())


def forget_cache() -> None:
    _written.clear()
