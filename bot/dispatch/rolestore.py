"""The role book kept in step with the database (``bot.store.roles``).

Writes go to both: the store first (so other processes and the next start see it), then the book.
Reads never touch the database on the message path: the book is loaded at start-up, reloaded by a
periodic sync, and the caller's own rows are re-read before each command (commands are rare, and a
role granted by another process then holds at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from loguru import logger

from bot.dispatch.roles import role_book
from bot.gateway.base import Member
from bot.store import roles as store

SYNC_SECONDS = 60.0


async def load_all() -> int:
    rows = await store.all_roles()
    role_book.load(rows)
    return len(rows)


async def refresh_user(platform: str, user_id: str) -> None:
    try:
        role_book.load(await store.roles_of_user(platform, user_id), user=(platform, user_id))
    except Exception as e:  # the command still runs with what the book knew
        logger.warning(f"roles: refresh of user {user_id} failed ({type(e).__name__})")


async def note_platform_role(
    platform: str, group_id: str, user_id: str, role: str, *, by: str, now: datetime
) -> bool:
    """The platform says ``user`` is ``role`` (owner | admin | member) in the group: remember it.
    Returns True when that changed what was known."""
    if role not in ("owner", "admin", "member") or not user_id:
        return False
    if not role_book.note(platform, group_id, user_id, role):
        return False
    try:
        await store.set_role(platform, group_id, user_id, role, source="platform", by=by, now=now)
        role_book.load(await store.roles_of_user(platform, user_id), user=(platform, user_id))
    except Exception as e:
        logger.warning(
            f"roles: could not store the role of {user_id} in group {group_id} ({type(e).__name__})"
        )
    return True


async def sync_member_list(
    platform: str, group_id: str, members: Iterable[Member], *, now: datetime, by: str = "member_list"
) -> tuple[set[str], set[str]]:
    """A whole member list: its owner / admin roles replace the group's stored platform roles.
    A list without any role (WeChat) says nothing about roles and changes nothing."""
    listed = list(members)
    roles: Mapping[str, str] = {m.user_id: m.role for m in listed if m.role in ("owner", "admin")}
    if not roles and not any(m.role == "member" for m in listed):
        return set(), set()
    changed, removed = await store.replace_platform_roles(platform, group_id, roles, by=by, now=now)
    for uid in changed:
        role_book.put(platform, group_id, uid, roles[uid], source="platform")
    for uid in removed:
        role_book.put(platform, group_id, uid, None, source="platform")
    for uid in changed | removed:
        role_book.load(await store.roles_of_user(platform, uid), user=(platform, uid))
    return changed, removed


async def name_role(
    platform: str, group_id: str, user_id: str, role: str | None, *, by: str, now: datetime
) -> list[str]:
    """An operator names ``user`` owner / admin of the group (``role`` None: no longer an admin).
    Naming an owner replaces the previously named owner; returns the users who lost the role."""
    if role == "owner":
        before = await store.set_operator_owner(platform, group_id, user_id, by=by, now=now)
    else:
        await store.set_role(platform, group_id, user_id, role, source="operator", by=by, now=now)
        before = []
    for uid in {user_id, *before}:
        role_book.load(await store.roles_of_user(platform, uid), user=(platform, uid))
    return before


async def forget_group(platform: str, group_id: str) -> None:
    """The bot left the group (or it was disbanded): platform roles there no longer hold."""
    await store.forget_group(platform, group_id)
    role_book.forget_group(platform, group_id)
