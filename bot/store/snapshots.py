"""The member list last seen of each group (``MemberSnapshot``), for the periodic member-list diff.

Replacing a snapshot is a compare-and-swap on the stored list: of several processes diffing the same
group, only the one whose swap succeeds acts on the arrivals and departures it found."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.models.wechat import MemberSnapshot
from bot.store.db import Database, get_db


@dataclass(frozen=True, slots=True)
class Snapshot:
    group_id: str
    self_id: str
    members: frozenset[str]
    raw: str  # the stored JSON, for the compare-and-swap
    missing: int


def encode(members: Iterable[str]) -> str:
    return json.dumps(sorted(set(members)), separators=(",", ":"))


def _decode(raw: str) -> frozenset[str]:
    try:
        ids = json.loads(raw)
    except ValueError:
        return frozenset()
    return frozenset(str(i) for i in ids) if isinstance(ids, list) else frozenset()


def _where(platform: str, group_id: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(MemberSnapshot.platform) == platform, col(MemberSnapshot.group_id) == group_id


async def all_of(platform: str, *, db: Database | None = None) -> dict[str, Snapshot]:
    db = db or get_db()
    async with db.session() as s:
        rows = list(
            (
                await s.execute(select(MemberSnapshot).where(col(MemberSnapshot.platform) == platform))
            ).scalars()
        )
    return {
        r.group_id: Snapshot(r.group_id, r.self_id, _decode(r.members), r.members, r.missing) for r in rows
    }


async def get(platform: str, group_id: str, *, db: Database | None = None) -> Snapshot | None:
    db = db or get_db()
    async with db.session() as s:
        r = (await s.execute(select(MemberSnapshot).where(*_where(platform, group_id)))).scalar_one_or_none()
    return None if r is None else Snapshot(r.group_id, r.self_id, _decode(r.members), r.members, r.missing)


async def swap(
    platform: str,
    group_id: str,
    self_id: str,
    old: Snapshot | None,
    members: Iterable[str],
    now: datetime,
    *,
    db: Database | None = None,
) -> bool:
    """Store ``members`` as the group's list if the stored one is still ``old`` (None: no row yet).
    False when another process changed it first (its diff acts, not ours)."""
    ids = sorted(set(members))
    data = json.dumps(ids, separators=(",", ":"))
    db = db or get_db()
    if old is None:
        try:
            async with db.session() as s:
                s.add(
                    MemberSnapshot(
                        platform=platform, group_id=group_id, self_id=self_id, members=data, size=len(ids),
                        taken_at=now,
                    )
                )  # fmt: skip
        except IntegrityError:
            return False
        return True
    async with db.session() as s:
        res = await s.execute(
            update(MemberSnapshot)
            .where(*_where(platform, group_id), col(MemberSnapshot.members) == old.raw)
            .values(members=data, size=len(ids), taken_at=now, missing=0, self_id=self_id or old.self_id)
        )
    return bool(res.rowcount)  # type: ignore[attr-defined]


async def change(
    platform: str,
    group_id: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    now: datetime,
    db: Database | None = None,
) -> None:
    """A member notice: keep an existing snapshot in step (no snapshot yet: nothing to keep)."""
    add, remove = set(add), set(remove)
    for _ in range(3):
        old = await get(platform, group_id, db=db)
        if old is None or await swap(platform, group_id, "", old, (old.members | add) - remove, now, db=db):
            return


async def missed(platform: str, group_id: str, *, db: Database | None = None) -> int:
    """The group was missing from its account's group list once more; returns the consecutive misses."""
    db = db or get_db()
    async with db.session() as s:
        await s.execute(
            update(MemberSnapshot)
            .where(*_where(platform, group_id))
            .values(missing=col(MemberSnapshot.missing) + 1)
        )
        value = (
            await s.execute(select(col(MemberSnapshot.missing)).where(*_where(platform, group_id)))
        ).scalar()
    return int(value or 0)


async def drop(platform: str, group_id: str, *, db: Database | None = None) -> None:
    db = db or get_db()
    async with db.session() as s:
        await s.execute(delete(MemberSnapshot).where(*_where(platform, group_id)))
