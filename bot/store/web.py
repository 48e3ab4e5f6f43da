"""Dashboard accounts and settings (SPEC §10). Hashing happens in bot.web.auth; this stores hashes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.models.web import WebSetting, WebUser
from bot.store.db import Database, get_db

__all__ = [
    "bump_epoch",
    "count_users",
    "create_user",
    "delete_user",
    "get_user",
    "get_user_by_name",
    "list_users",
    "note_login",
    "set_password",
    "setting",
    "setting_or_create",
    "split_list",
]


def split_list(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


def _join(values: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(v.strip() for v in values if v.strip()))


async def create_user(
    name: str,
    role: str,
    password_hash: str,
    now: datetime,
    *,
    units: Iterable[str] = (),
    groups: Iterable[str] = (),
    db: Database | None = None,
) -> WebUser | None:
    """A new account; None when the name is taken."""
    db = db or get_db()
    row = WebUser(
        name=name,
        role=role,
        units=_join(units),
        groups=_join(groups),
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    try:
        async with db.session() as s:
            s.add(row)
            await s.flush()
    except IntegrityError:
        return None
    return row


async def get_user(user_id: int, *, db: Database | None = None) -> WebUser | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(WebUser, user_id)


async def get_user_by_name(name: str, *, db: Database | None = None) -> WebUser | None:
    db = db or get_db()
    async with db.session() as s:
        return (await s.execute(select(WebUser).where(col(WebUser.name) == name))).scalars().first()


async def list_users(*, db: Database | None = None) -> list[WebUser]:
    db = db or get_db()
    async with db.session() as s:
        return list((await s.execute(select(WebUser).order_by(col(WebUser.name)))).scalars())


async def count_users(*, db: Database | None = None) -> int:
    db = db or get_db()
    async with db.session() as s:
        return int((await s.execute(select(func.count()).select_from(WebUser))).scalar_one())


async def set_password(name: str, password_hash: str, now: datetime, *, db: Database | None = None) -> bool:
    """Replace the hash and end the account's sessions."""
    db = db or get_db()
    stmt = (
        update(WebUser)
        .where(col(WebUser.name) == name)
        .values(password_hash=password_hash, updated_at=now, epoch=WebUser.epoch + 1)
    )
    async with db.session() as s:
        return (await s.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]


async def bump_epoch(user_id: int, *, db: Database | None = None) -> None:
    """End every session of the account (logout)."""
    db = db or get_db()
    async with db.session() as s:
        await s.execute(update(WebUser).where(col(WebUser.id) == user_id).values(epoch=WebUser.epoch + 1))


async def note_login(user_id: int, now: datetime, *, db: Database | None = None) -> None:
    db = db or get_db()
    async with db.session() as s:
        await s.execute(update(WebUser).where(col(WebUser.id) == user_id).values(last_login_at=now))


async def delete_user(name: str, *, db: Database | None = None) -> bool:
    db = db or get_db()
    async with db.session() as s:
        return (await s.execute(delete(WebUser).where(col(WebUser.name) == name))).rowcount == 1  # type: ignore[attr-defined]


async def setting(key: str, *, db: Database | None = None) -> str | None:
    db = db or get_db()
    async with db.session() as s:
        row = await s.get(WebSetting, key)
        return row.value if row is not None else None


async def setting_or_create(key: str, value: str, *, db: Database | None = None) -> str:
    """The stored value of ``key``, storing ``value`` first if there is none (several processes
    agree on whichever insert won)."""
    db = db or get_db()
    found = await setting(key, db=db)
    if found is not None:
        return found
    try:
        async with db.session() as s:
            s.add(WebSetting(key=key, value=value))
    except IntegrityError:
        pass
    found = await setting(key, db=db)
    assert found is not None
    return found
