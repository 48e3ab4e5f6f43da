"""Audit log store: append chained rows, read recent ones, verify the chain.

Each row's hash covers the previous row's hash and the row's own fields, so editing or deleting a
row in the middle breaks every later link. Appends are serialised: an asyncio lock within a process
and, on PostgreSQL, a transaction-scoped advisory lock across processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlmodel import col

from bot.models.audit import AuditEntry
from bot.models.types import utcnow
from bot.store.db import Database, get_db

GENESIS = "0" * 64
_ADVISORY_KEY = 0x5E_A0D1  # any constant; names the audit chain's lock in pg_locks
_lock = asyncio.Lock()


def entry_hash(prev_hash: str, e: AuditEntry) -> str:
    payload = [
        prev_hash,
        e.at.isoformat(timespec="microseconds"),
        e.platform,
        e.group_id,
        e.actor,
        e.action,
        e.target,
        e.rule,
        e.reason,
        e.detail,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


async def record(
    action: str,
    *,
    actor: str = "bot",
    platform: str = "",
    group_id: str = "",
    target: str = "",
    rule: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
    db: Database | None = None,
) -> AuditEntry:
    """Append one row. Callers must not put names, phones or ID numbers in any field."""
    db = db or get_db()
    entry = AuditEntry(
        at=at or utcnow(),
        platform=platform,
        group_id=group_id,
        actor=actor,
        action=action[:64],
        target=target[:64],
        rule=rule[:64],
        reason=reason,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        prev_hash="",
        hash="",
    )
    async with _lock, db.session() as s:
        if db.dialect == "postgresql":
            await s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
        last = select(col(AuditEntry.hash)).order_by(col(AuditEntry.id).desc()).limit(1)
        prev = (await s.execute(last)).scalar()
        entry.prev_hash = prev or GENESIS
        entry.hash = entry_hash(entry.prev_hash, entry)
        s.add(entry)
    return entry


async def recent(
    limit: int = 20, *, group_id: str | None = None, db: Database | None = None
) -> list[AuditEntry]:
    db = db or get_db()
    q = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if group_id is not None:
        q = q.where(col(AuditEntry.group_id) == group_id)
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    why: str = ""


def broken_link(prev_hash: str, row: AuditEntry) -> str | None:
    """Why `row` does not follow a row hashed `prev_hash`, or None when the link holds."""
    if row.prev_hash != prev_hash:
        return "与上一条的链接断开（中间有记录被删除或改动）"
    if entry_hash(prev_hash, row) != row.hash:
        return "内容与哈希不符（记录被改动）"
    return None


async def verify(db: Database | None = None, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in id order, in batches, and report the first broken row."""
    db = db or get_db()
    prev, checked, last_id = GENESIS, 0, 0
    async with db.session() as s:
        while True:
            q = (
                select(AuditEntry)
                .where(col(AuditEntry.id) > last_id)
                .order_by(col(AuditEntry.id))
                .limit(batch)
            )
            rows = list((await s.execute(q)).scalars())
            if not rows:
                return ChainReport(True, checked)
            for row in rows:
                if why := broken_link(prev, row):
                    return ChainReport(False, checked, row.id, why)
                prev, checked, last_id = row.hash, checked + 1, row.id or 0


async def search(
    *,
    query: str = "",
    group_ids: Iterable[str] | None = None,
    before_id: int | None = None,
    limit: int = 50,
    db: Database | None = None,
) -> list[AuditEntry]:
    """Rows newest first, ``limit`` at a time before ``before_id`` (keyset paging); ``query`` matches
    the action, actor, target, group id or reason (substring); ``group_ids`` keeps only those groups."""
    db = db or get_db()
    q = select(AuditEntry)
    if before_id is not None:
        q = q.where(col(AuditEntry.id) < before_id)
    if group_ids is not None:
        q = q.where(col(AuditEntry.group_id).in_(list(group_ids)))
    needle = query.strip()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        q = q.where(
            or_(
                *(
                    col(c).like(pattern, escape="\\")
                    for c in (
                        AuditEntry.action,
                        AuditEntry.actor,
                        AuditEntry.target,
                        AuditEntry.group_id,
                        AuditEntry.reason,
                    )
                )
            )
        )
    q = q.order_by(col(AuditEntry.id).desc()).limit(limit)
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def count(*, db: Database | None = None) -> int:
    db = db or get_db()
    async with db.session() as s:
        return int((await s.execute(select(func.count()).select_from(AuditEntry))).scalar_one())
