import itertools

from sqlalchemy import text

from bot.store import audit
from bot.store.db import Database


async def _fill(db: Database, n: int) -> None:
    for i in range(n):
        await audit.record(
            "kick" if i % 2 else "recall",
            actor="10001",
            platform="qq",
            group_id="100",
            target=str(30000 + i),
            rule="secret",
            reason=f"第{i}条",
            detail={"i": i},
            db=db,
        )


async def test_rows_chain(db: Database) -> None:
    await _fill(db, 5)
    rows = list(reversed(await audit.recent(10, db=db)))
    assert rows[0].prev_hash == audit.GENESIS
    for a, b in itertools.pairwise(rows):
        assert b.prev_hash == a.hash
    report = await audit.verify(db)
    assert report.ok and report.checked == 5


async def test_edited_row_is_detected(db: Database) -> None:
    await _fill(db, 5)
    rows = list(reversed(await audit.recent(10, db=db)))
    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE steward_audit SET reason = '改过' WHERE id = :id"), {"id": rows[2].id}
        )
    report = await audit.verify(db)
    assert not report.ok and report.broken_id == rows[2].id and "内容" in report.why and report.checked == 2


async def test_deleted_row_is_detected(db: Database) -> None:
    await _fill(db, 5)
    rows = list(reversed(await audit.recent(10, db=db)))
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM steward_audit WHERE id = :id"), {"id": rows[1].id})
    report = await audit.verify(db)
    assert not report.ok and report.broken_id == rows[2].id and "链接" in report.why


async def test_recent_filters_by_group(db: Database) -> None:
    await _fill(db, 3)
    await audit.record("command.状态", actor="1", group_id="200", db=db)
    assert [r.group_id for r in await audit.recent(10, group_id="200", db=db)] == ["200"]
    assert len(await audit.recent(2, db=db)) == 2


async def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    import asyncio

    await asyncio.gather(*(audit.record("x", reason=str(i), db=db) for i in range(20)))
    report = await audit.verify(db)
    assert report.ok and report.checked == 20
