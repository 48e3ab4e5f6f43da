import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlmodel import SQLModel

import bot.models  # noqa: F401
from bot.models.group import ChatGroup
from bot.store import groups
from bot.store.db import Database, DatabaseError, head_revision


async def test_fresh_database_migrates_to_head_and_round_trips(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert await db.current_revision() is None
        assert await db.prepare(auto_migrate=True) == head_revision()
        assert await db.current_revision() == head_revision()
        seen = datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=UTC)
        async with db.session() as s:
            s.add(
                ChatGroup(
                    platform="qq",
                    group_id="123",
                    self_id="9",
                    name="办公室群",
                    first_seen=seen,
                    last_seen=seen,
                )
            )
        async with db.session() as s:
            row = (await s.execute(select(ChatGroup))).scalar_one()
        assert row.name == "办公室群" and row.first_seen == seen and row.first_seen.tzinfo is not None
        # A second start is a no-op, not a second migration.
        assert await db.prepare(auto_migrate=False) == head_revision()
    finally:
        await db.dispose()


async def test_models_match_migrations(db: Database) -> None:
    """A model change without a migration fails here, not in production."""

    def diff(conn):  # type: ignore[no-untyped-def]
        return compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata
        )

    async with db.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_refuses_without_auto_migrate(db_url: str) -> None:
    db = Database(db_url)
    try:
        with pytest.raises(DatabaseError, match="python -m bot db upgrade"):
            await db.prepare(auto_migrate=False)
    finally:
        await db.dispose()


async def test_refuses_a_database_from_a_newer_version(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'zz_future'"))
    with pytest.raises(DatabaseError, match="比本程序新"):
        await db.prepare(auto_migrate=True)


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(DatabaseError, match="不支持"):
        Database("mysql+aiomysql://u@h/d")


async def test_group_touch_writes_once_then_caches(db: Database) -> None:
    groups.forget_cache()
    t0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert await groups.touch("qq", "555", "9", t0, db=db) is True
    assert await groups.touch("qq", "555", "9", t0 + timedelta(minutes=1), db=db) is False
    assert await groups.touch("qq", "555", "9", t0 + timedelta(minutes=11), db=db) is True
    await groups.drain()  # a known group's refresh is written off the message path
    rows = await groups.known_groups(db)
    assert [(r.group_id, r.first_seen, r.last_seen) for r in rows] == [
        ("555", t0, t0 + timedelta(minutes=11))
    ]
    groups.forget_cache()


async def test_group_touch_burst_and_second_process_are_race_free(db: Database) -> None:
    """The first messages of an unseen group arrive together, in this process and in another one
    (simulated by forgetting the cache between two bursts): no IntegrityError, one row, the right
    first and last seen, and the known group then costs no database round-trip."""
    groups.forget_cache()
    t0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    burst = [groups.touch("qq", "777", "9", t0 + timedelta(seconds=i), db=db) for i in range(20)]
    results = await asyncio.gather(*burst)
    assert results.count(True) == 1
    groups.forget_cache()  # "another process": it has not written the group yet
    later = t0 + timedelta(minutes=30)
    await asyncio.gather(*[groups.touch("qq", "777", "", later, db=db) for _ in range(5)])
    await groups.drain()
    rows = [r for r in await groups.known_groups(db) if r.group_id == "777"]
    assert [(r.first_seen, r.last_seen, r.self_id) for r in rows] == [(t0, later, "9")]

    class NoDatabase:
        dialect = "sqlite"

        def session(self) -> None:
            raise AssertionError("a known group must not touch the database")

    no_db: Any = NoDatabase()
    assert await groups.touch("qq", "777", "", later + timedelta(minutes=1), db=no_db) is False
    groups.forget_cache()
