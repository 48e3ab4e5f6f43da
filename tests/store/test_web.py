"""The store functions the dashboard reads through, and its accounts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.models.web import WebRole
from bot.policy import load_policy
from bot.sim.dashboard import Unit, policy_toml, seed
from bot.store import audit, cases, guard, review
from bot.store import db as db_module
from bot.store import register as register_store
from bot.store import web as web_store
from bot.store.db import Database
from bot.web.data import overview, week_start
from bot.web.scope import Scope

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
UNITS = [Unit("a", "测试市甲局", ["5100", "5101", "5102"]), Unit("b", "测试市乙局", ["5200"])]


@pytest.fixture
def as_global(db: Database) -> Iterator[Database]:
    """The dashboard's page functions read the process's database: point it at this one."""
    previous = db_module._db
    db_module.set_db(db)
    yield db
    db_module.set_db(previous)


async def test_dashboard_queries(db: Database, as_global: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await seed(db, UNITS, NOW)
    counts = await cases.open_counts_by_group(NOW, db=db)
    open_rows = await cases.list_cases(limit=100, db=db)
    for key, (n, overdue) in counts.items():
        mine = [c for c in open_rows if (c.platform, c.group_id) == key]
        assert n == len(mine) and overdue == sum(1 for c in mine if c.due_at < NOW)
    assert set(await cases.open_counts_by_group(NOW, group_ids=["5200"], db=db)) <= {("qq", "5200")}

    runs = await review.latest_runs(db=db)
    assert set(runs) == {("qq", g) for u in UNITS for g in u.groups}
    for (p, g), run in runs.items():
        assert run.id == (await review.recent_runs(p, g, limit=1, db=db))[0].id
    assert len(await review.recent_runs("qq", "5100", limit=5, db=db)) == 2
    assert set(await review.latest_runs(group_ids=["5101"], db=db)) == {("qq", "5101")}

    since = NOW - timedelta(days=60)
    by_group = await guard.counts_by_group(since, NOW + timedelta(seconds=1), db=db)
    for (p, g), n in by_group.items():
        assert n == len(await guard.finding_times(p, g, since, db=db))
        assert n == sum((await guard.count_by_kind(p, g, since, NOW + timedelta(seconds=1), db=db)).values())

    sheets = await register_store.register_sheets(
        load_policy_of(tmp_path), None, NOW, group_ids=["5101", "5200"], db=db
    )
    assert sorted(e.group_id for rows in sheets.values() for e in rows) == ["5101", "5200"]

    await audit.record("test.like", reason="100%_完成 \\ 反斜杠", db=db)
    await audit.record("test.like", reason="100 完成", db=db)
    assert [e.reason for e in await audit.search(query="100%_", db=db)] == ["100%_完成 \\ 反斜杠"]
    assert len(await audit.search(query="\\", db=db)) == 1
    assert {e.group_id for e in await audit.search(group_ids=["5200"], db=db)} == {"5200"}
    page = await audit.search(limit=3, db=db)
    older = await audit.search(limit=3, before_id=page[-1].id, db=db)
    assert len(page) == 3 and all(
        o.id is not None and page[-1].id is not None and o.id < page[-1].id for o in older
    )
    assert await audit.count(db=db) == 2 * 4 + 2

    view = await overview(load_policy_of(tmp_path), Scope(WebRole.SUPERVISOR, frozenset({"a"})), NOW)
    assert list(view.units) == ["测试市甲局"] and view.groups == 3
    assert view.open_cases == sum(n for (_, g), (n, _) in counts.items() if g.startswith("51"))
    assert week_start(NOW).isoformat() == "2026-11-16T00:00:00+08:00"


def load_policy_of(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.toml"
    if not path.exists():
        path.write_text(policy_toml(UNITS), encoding="utf-8")
    return load_policy(path)


async def test_accounts_and_settings(db: Database) -> None:
    made = await web_store.create_user("a", "supervisor", "h1", NOW, units=["x", " y ", "x"], db=db)
    assert made is not None and made.units == "x,y"
    assert await web_store.create_user("a", "operator", "h2", NOW, db=db) is None
    assert await web_store.count_users(db=db) == 1
    assert await web_store.set_password("a", "h3", NOW, db=db)
    got = await web_store.get_user_by_name("a", db=db)
    assert got is not None and got.password_hash == "h3" and got.epoch == 1
    assert got.id is not None
    await web_store.bump_epoch(got.id, db=db)
    await web_store.note_login(got.id, NOW, db=db)
    again = await web_store.get_user(got.id, db=db)
    assert again is not None and again.epoch == 2 and again.last_login_at == NOW
    assert not await web_store.set_password("nobody", "h", NOW, db=db)
    assert await web_store.setting_or_create("k", "first", db=db) == "first"
    assert await web_store.setting_or_create("k", "second", db=db) == "first"
    assert await web_store.delete_user("a", db=db) and not await web_store.delete_user("a", db=db)
    assert await web_store.list_users(db=db) == []
