"""Review, activity and suggestion stores on SQLite and PostgreSQL: claims that only one caller wins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.core.calendar import TZ
from bot.core.review import Finding, Reason
from bot.models.review import FindingState, RunState
from bot.store import activity, suggest
from bot.store import review as store
from bot.store.db import Database

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def finding(uid: str, kind: str = "unverified") -> Finding:
    return Finding(uid, f"卡{uid}", (Reason(kind, "原因"),))


async def done_run(db: Database, group: str = "1") -> int:
    run = await store.request_run("qq", group, "999", kind="manual", requested_by="7", now=NOW, db=db)
    assert run.id is not None
    assert await store.claim_run(run.id, "w1", NOW, db=db)
    ok = await store.finish_run(
        run.id, "w1", NOW, members=5, findings=[finding("a"), finding("b"), finding("c", "inactive")], db=db
    )
    assert ok
    return run.id


async def test_a_week_has_one_scheduled_run(db: Database) -> None:
    first = await store.create_scheduled("qq", "1", "999", "2026-W48", NOW, db=db)
    again = await store.create_scheduled("qq", "1", "999", "2026-W48", NOW, db=db)
    assert first is not None and again is None
    assert await store.slots_taken("2026-W48", db=db) == {("qq", "1")}
    assert await store.create_scheduled("qq", "1", "999", "2026-W49", NOW, db=db) is not None


async def test_a_run_is_claimed_once_and_stale_claims_return(db: Database) -> None:
    run = await store.create_scheduled("qq", "1", "999", "2026-W48", NOW, db=db)
    assert run is not None and run.id is not None
    assert [r.id for r in await store.due_runs(NOW, db=db)] == [run.id]
    assert await store.claim_run(run.id, "w1", NOW, db=db)
    assert not await store.claim_run(run.id, "w2", NOW, db=db)
    assert await store.release_stale_runs(NOW + timedelta(minutes=1), timedelta(minutes=15), db=db) == 0
    assert await store.release_stale_runs(NOW + timedelta(minutes=20), timedelta(minutes=15), db=db) == 1
    assert await store.claim_run(run.id, "w2", NOW, db=db)
    # The first worker's late finish does not count: the claim is w2's now.
    assert not await store.finish_run(run.id, "w1", NOW, members=1, findings=[finding("x")], db=db)
    assert await store.finish_run(run.id, "w2", NOW, members=1, findings=[finding("x")], db=db)
    latest = await store.latest_run("qq", "1", db=db)
    assert latest is not None and latest.state == RunState.DONE and latest.findings == 1
    assert [f.user_id for f in await store.findings_of(run.id, db=db)] == ["x"]


async def test_propose_confirm_and_kick_claims(db: Database) -> None:
    run_id = await done_run(db)
    proposed = await store.propose(run_id, [1, 3], "7", NOW, db=db)
    assert [f.number for f in proposed] == [1, 3]
    # Someone else cannot confirm the owner's proposal; a late confirmation expires.
    assert await store.confirm("qq", "1", "8", NOW, timedelta(minutes=10), db=db) == []
    late = NOW + timedelta(minutes=11)
    assert await store.confirm("qq", "1", "7", late, timedelta(minutes=10), db=db) == []
    confirmed = await store.confirm("qq", "1", "7", NOW + timedelta(minutes=1), timedelta(minutes=10), db=db)
    assert [f.number for f in confirmed] == [1, 3]
    assert await store.cleanup_groups(db=db) == [("qq", "1")]
    first = confirmed[0]
    assert first.id is not None
    assert await store.claim_kick(first.id, "w1", NOW, db=db)
    assert not await store.claim_kick(first.id, "w2", NOW, db=db)
    assert await store.stale_kicks(NOW + timedelta(minutes=1), timedelta(minutes=3), db=db) == []
    [stale] = await store.stale_kicks(NOW + timedelta(minutes=5), timedelta(minutes=3), db=db)
    assert stale.id == first.id
    assert await store.requeue_kick(first.id, db=db)
    assert await store.claim_kick(first.id, "w2", NOW, db=db)
    assert await store.finish_kick(first.id, FindingState.REMOVED, "已移出", NOW, db=db)
    assert not await store.finish_kick(first.id, FindingState.FAILED, "x", NOW, db=db)
    states = {f.number: f.state for f in await store.findings_of(run_id, db=db)}
    assert states == {1: "removed", 2: "open", 3: "confirmed"}


async def test_cancel_and_reproposal(db: Database) -> None:
    run_id = await done_run(db)
    await store.propose(run_id, [1, 2], "7", NOW, db=db)
    again = await store.propose(run_id, [2], "7", NOW, db=db)
    assert [f.number for f in again] == [2]  # the earlier proposal is replaced
    assert await store.cancel_proposal("qq", "1", "7", db=db) == 1
    assert await store.confirm("qq", "1", "7", NOW, timedelta(minutes=10), db=db) == []


async def test_activity_is_buffered_then_upserted(db: Database) -> None:
    activity.buffer.clear()
    t1, t2 = NOW - timedelta(days=3), NOW
    activity.note("qq", "1", "a", t2)
    activity.note("qq", "1", "a", t1)  # out of order: the later time wins
    activity.note("qq", "1", "b", t1)
    assert await activity.last_seen("qq", "1", db=db) == {"a": t2, "b": t1}  # pending merged in
    assert await activity.flush(db=db) == 2 and activity.pending() == 0
    activity.note("qq", "1", "b", t2)
    await activity.flush(db=db)
    assert await activity.last_seen("qq", "1", db=db) == {"a": t2, "b": t2}
    day = NOW.astimezone(TZ).date().isoformat()
    assert await activity.day_counts("qq", "1", [day], db=db) == 2  # a at t2, b at t2
    activity.buffer.clear()


async def test_suggestions_record_once_and_digest_once(db: Database) -> None:
    new = suggest.NewSuggestion("qq", "1", "999", "30001", "张三", "m1", NOW, "建议统一报送模板")
    row = await suggest.record(new, db=db)
    assert row is not None and await suggest.record(new, db=db) is None
    assert row.id is not None
    assert await suggest.mark_reported(row.id, "7", NOW, db=db)
    assert not await suggest.mark_reported(row.id, "7", NOW, db=db)
    assert [s.id for s in await suggest.take_for_digest("qq", "1", NOW, db=db)] == [row.id]
    assert await suggest.take_for_digest("qq", "1", NOW, db=db) == []
    assert await suggest.count_between(
        "qq", "1", NOW - timedelta(days=7), NOW + timedelta(seconds=1), db=db
    ) == {"reported": 1}


async def test_many_scheduled_runs_in_one_statement_exist_once(db: Database) -> None:
    rows = [("qq", str(g), "999") for g in range(1200)]
    first, again = await asyncio.gather(
        store.create_scheduled_many(rows, "2026-W48", NOW, db=db),
        store.create_scheduled_many([*rows[:700], ("wechat", "x@chatroom", "wx")], "2026-W48", NOW, db=db),
    )
    assert first + again == 1201  # whichever statement ran first, each run exists once
    assert await store.create_scheduled_many(rows, "2026-W48", NOW, db=db) == 0
    assert len(await store.slots_taken("2026-W48", db=db)) == 1201


async def test_batch_claims_split_the_due_runs_without_overlap(db: Database) -> None:
    await store.create_scheduled_many([("qq", str(g), "999") for g in range(130)], "2026-W48", NOW, db=db)
    await store.create_scheduled_many([("wechat", "w@chatroom", "wx")], "2026-W48", NOW, db=db)
    later = NOW + timedelta(minutes=1)
    batches = await asyncio.gather(
        *(store.claim_due_runs(later, f"worker{i}", limit=50, platforms=["qq"], db=db) for i in range(4))
    )
    claimed = [run.id for batch in batches for run in batch]
    assert all(len(batch) <= 50 for batch in batches)
    assert len(claimed) == len(set(claimed)) == 130  # every QQ run once, none twice
    assert all(run.state == RunState.RUNNING and run.claimed_by for batch in batches for run in batch)
    [wechat] = await store.claim_due_runs(later, "other", limit=50, db=db)
    assert wechat.platform == "wechat"
    assert await store.claim_due_runs(later, "other", db=db) == []
