"""Members' roles in groups, remembered (SPEC §8): what the platform reported and what operators named.

The router resolves roles from an in-memory book (``bot.dispatch.roles.RoleBook``) loaded from here at
start-up and refreshed periodically and before each command, so ordinary messages never read the
database. Writes happen only when a role changes (member list, ``group_admin`` notice, a message whose
sender role differs from what is known, an operator's command).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.models.dayone import MemberRole
from bot.store.db import Database, get_db

ROLES = ("owner", "admin")
SOURCES = ("platform", "operator")


@dataclass(frozen=True, slots=True)
class RoleRow:
    platform: str
    group_id: str
    user_id: str
    role: str
    source: str
    set_by: str = ""


def _row(r: MemberRole) -> RoleRow:
    return RoleRow(r.platform, r.group_id, r.user_id, r.role, r.source, r.set_by)


def _insert(db: Database) -> Any:
    return (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(MemberRole)


async def _upsert(db: Database, s: Any, rows: list[dict[str, Any]]) -> None:
    stmt = _insert(db)
    await s.execute(
        stmt.on_conflict_do_update(
            index_elements=["platform", "group_id", "user_id", "source"],
            set_={
                "role": stmt.excluded.role,
                "set_by": stmt.excluded.set_by,
                "updated_at": stmt.excluded.updated_at,
            },
        ),
        rows,
    )


async def set_role(
    platform: str,
    group_id: str,
    user_id: str,
    role: str | None,
    *,
    source: str,
    by: str,
    now: datetime,
    db: Database | None = None,
) -> None:
    """Set (``role`` owner|admin) or clear (``role`` None / "member") one member's role from one source."""
    assert source in SOURCES
    db = db or get_db()
    async with db.session() as s:
        if role in ROLES:
            await _upsert(
                db,
                s,
                [
                    {
                        "platform": platform,
                        "group_id": group_id,
                        "user_id": user_id,
                        "role": role,
                        "source": source,
                        "set_by": by[:64],
                        "updated_at": now,
                    }
                ],
            )
        else:
            await s.execute(
                delete(MemberRole).where(
                    col(MemberRole.platform) == platform,
                    col(MemberRole.group_id) == group_id,
                    col(MemberRole.user_id) == user_id,
                    col(MemberRole.source) == source,
                )
            )


async def set_operator_owner(
    platform: str, group_id: str, user_id: str, *, by: str, now: datetime, db: Database | None = None
) -> list[str]:
    """Name the group's owner (one per group): any other operator-named owner is cleared. Returns the
    users who were owner before."""
    db = db or get_db()
    async with db.session() as s:
        before = list(
            (
                await s.execute(
                    select(col(MemberRole.user_id)).where(
                        col(MemberRole.platform) == platform,
                        col(MemberRole.group_id) == group_id,
                        col(MemberRole.source) == "operator",
                        col(MemberRole.role) == "owner",
                    )
                )
            ).scalars()
        )
        await s.execute(
            delete(MemberRole).where(
                col(MemberRole.platform) == platform,
                col(MemberRole.group_id) == group_id,
                col(MemberRole.source) == "operator",
                col(MemberRole.role) == "owner",
            )
        )
        await _upsert(
            db,
            s,
            [
                {
                    "platform": platform,
                    "group_id": group_id,
                    "user_id": user_id,
                    "role": "owner",
                    "source": "operator",
                    "set_by": by[:64],
                    "updated_at": now,
                }
            ],
        )
    return [u for u in before if u != user_id]


async def replace_platform_roles(
    platform: str,
    group_id: str,
    roles: Mapping[str, str],
    *,
    by: str,
    now: datetime,
    db: Database | None = None,
) -> tuple[set[str], set[str]]:
    """A full member list's roles: ``roles`` maps user → owner|admin (members need not be given).
    Platform rows of this group not in ``roles`` are removed. Returns (added or changed, removed)."""
    db = db or get_db()
    wanted = {u: r for u, r in roles.items() if r in ROLES}
    async with db.session() as s:
        current = {
            r.user_id: r.role
            for r in (
                await s.execute(
                    select(MemberRole).where(
                        col(MemberRole.platform) == platform,
                        col(MemberRole.group_id) == group_id,
                        col(MemberRole.source) == "platform",
                    )
                )
            ).scalars()
        }
        removed = set(current) - set(wanted)
        changed = {u for u, r in wanted.items() if current.get(u) != r}
        if removed:
            await s.execute(
                delete(MemberRole).where(
                    col(MemberRole.platform) == platform,
                    col(MemberRole.group_id) == group_id,
                    col(MemberRole.source) == "platform",
                    col(MemberRole.user_id).in_(sorted(removed)),
                )
            )
        if changed:
            await _upsert(
                db,
                s,
                [
                    {
                        "platform": platform,
                        "group_id": group_id,
                        "user_id": u,
                        "role": wanted[u],
                        "source": "platform",
                        "set_by": by[:64],
                        "updated_at": now,
                    }
                    for u in sorted(changed)
                ],
            )
    return changed, removed


async def all_roles(*, db: Database | None = None) -> list[RoleRow]:
    db = db or get_db()
    async with db.session() as s:
        return [_row(r) for r in (await s.execute(select(MemberRole).order_by(col(MemberRole.id)))).scalars()]


async def roles_of_user(platform: str, user_id: str, *, db: Database | None = None) -> list[RoleRow]:
    db = db or get_db()
    async with db.session() as s:
        rows = (
            await s.execute(
                select(MemberRole).where(
                    col(MemberRole.platform) == platform, col(MemberRole.user_id) == user_id
                )
            )
        ).scalars()
        return [_row(r) for r in rows]


async def roles_of_group(platform: str, group_id: str, *, db: Database | None = None) -> list[RoleRow]:
    db = db or get_db()
    async with db.session() as s:
        rows = (
            await s.execute(
                select(MemberRole).where(
                    col(MemberRole.platform) == platform, col(MemberRole.group_id) == group_id
                )
            )
        ).scalars()
        return [_row(r) for r in rows]


async def forget_group(platform: str, group_id: str, *, db: Database | None = None) -> int:
    """The bot left the group or it was disbanded: its platform roles no longer hold."""
    db = db or get_db()
    async with db.session() as s:
        res = await s.execute(
            delete(MemberRole).where(
                col(MemberRole.platform) == platform,
                col(MemberRole.group_id) == group_id,
                col(MemberRole.source) == "platform",
            )
        )
        return int(getattr(res, "rowcount", 0) or 0)
