"""Off-hours findings (yichun 第十条): one row per work notice sent outside working hours.

The weekly report counts them per group and sender; a recalled message keeps its text so that
the sender can have it re-posted at the next working-hours start (/通知 补发 N).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlmodel import col

from bot.models.worktime import OffHoursFinding
from bot.store.db import Database, get_db

__all__ = [
    "NewFinding",
    "count_by_group",
    "count_findings",
    "get_finding",
    "link_repost",
    "record_finding",
    "reserve_repost",
]


@dataclass(frozen=True, slots=True)
class NewFinding:
    platform: str
    group_id: str
    self_id: str
    user_id: str
    message_id: str
    at: datetime
    score: int
    reasons: Iterable[str]
    reminded: bool
    recalled: bool
    text: str = ""  # only for recalled messages


async def record_finding(new: NewFinding, *, db: Database | None = None) -> OffHoursFinding:
    db = db or get_db()
    row = OffHoursFinding(
        platform=new.platform,
        group_id=new.group_id,
        self_id=new.self_id,
        user_id=new.user_id,
        message_id=new.message_id,
        at=new.at,
        score=new.score,
        reasons=",".join(new.reasons)[:300],
        reminded=new.reminded,
        recalled=new.recalled,
        text=new.text if new.recalled else "",
    )
    async with db.session() as s:
        s.add(row)
    return row


async def get_finding(finding_id: int, *, db: Database | None = None) -> OffHoursFinding | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(OffHoursFinding, finding_id)


async def reserve_repost(finding_id: int, *, db: Database | None = None) -> bool:
    """Reserve a recalled message for re-posting; False if it was re-posted (or reserved) already.

    The reservation (``reposted_notice_id = 0``) is taken before the notice is created, so two
    requests at the same moment cannot both post it; :func:`link_repost` then names the notice.
    """
    db = db or get_db()
    stmt = (
        update(OffHoursFinding)
        .where(col(OffHoursFinding.id) == finding_id, col(OffHoursFinding.reposted_notice_id).is_(None))  # type: ignore[union-attr]
        .values(reposted_notice_id=0)
    )
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1


async def link_repost(finding_id: int, notice_id: int | None, *, db: Database | None = None) -> None:
    """Record which notice re-posts the message (None releases a reservation)."""
    db = db or get_db()
    stmt = (
        update(OffHoursFinding)
        .where(col(OffHoursFinding.id) == finding_id)
        .values(reposted_notice_id=notice_id)
    )
    async with db.session() as s:
        await s.execute(stmt)


async def count_findings(
    *,
    since: datetime,
    until: datetime,
    platform: str | None = None,
    group_id: str | None = None,
    db: Database | None = None,
) -> int:
    """Findings with an event time in ``[since, until)``."""
    db = db or get_db()
    q = (
        select(func.count())
        .select_from(OffHoursFinding)
        .where(
            col(OffHoursFinding.at) >= since,  # type: ignore[operator]
            col(OffHoursFinding.at) < until,  # type: ignore[operator]
        )
    )
    if platform is not None:
        q = q.where(col(OffHoursFinding.platform) == platform)
    if group_id is not None:
        q = q.where(col(OffHoursFinding.group_id) == group_id)
    async with db.session() as s:
        return int((await s.execute(q)).scalar_one())


async def count_by_group(
    *, since: datetime, until: datetime, db: Database | None = None
) -> dict[tuple[str, str], int]:
    """Findings in ``[since, until)`` per (platform, group_id), for the weekly report."""
    db = db or get_db()
    q = (
        select(col(OffHoursFinding.platform), col(OffHoursFinding.group_id), func.count())
        .where(col(OffHoursFinding.at) >= since, col(OffHoursFinding.at) < until)  # type: ignore[operator]
        .group_by(col(OffHoursFinding.platform), col(OffHoursFinding.group_id))
    )
    async with db.session() as s:
        return {(platform, gid): n for platform, gid, n in (await s.execute(q)).all()}
