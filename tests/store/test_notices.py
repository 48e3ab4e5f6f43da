"""Deferred notices and off-hours findings on SQLite and PostgreSQL: exactly-once claims across
processes (two engines on one database), cancel/claim races, retries, stale claims, review."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.models.worktime import NoticeState
from bot.store import notices
from bot.store.db import Database
from bot.store.notices import NewNotice
from bot.store.worktime import (
    NewFinding,
    count_by_group,
    count_findings,
    get_finding,
    link_repost,
    record_finding,
    reserve_repost,
)

T0 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai


def new(group_id: str = "100", *, due: datetime | None = T0, text: str = "请按时参会") -> NewNotice:
    return NewNotice(
        platform="qq",
        group_id=group_id,
        self_id="999",
        author_id="30001",
        author_name="张三",
        text=text,
        created_at=T0 - timedelta(hours=10),
        due_at=due,
    )


async def test_create_list_count_and_due(db: Database) -> None:
    queued = await notices.create(new(), db=db)
    later = await notices.create(new(due=T0 + timedelta(days=1)), db=db)
    review = await notices.create(new(due=None), db=db)
    other = await notices.create(new("200"), db=db)
    assert queued.state == NoticeState.QUEUED and review.state == NoticeState.REVIEW
    got = await notices.get(queued.id or 0, db=db)
    assert got is not None and got.due_at == T0 and got.due_at.tzinfo is not None and got.text == "请按时参会"

    listed = await notices.list_open(group_id="100", db=db)
    assert [n.id for n in listed] == [queued.id, later.id, review.id]  # review (no due time) last
    assert await notices.count_open(group_id="100", db=db) == {"queued": 2, "review": 1}
    assert await notices.count_open(db=db) == {"queued": 3, "review": 1}

    assert await notices.due(T0 - timedelta(seconds=1), db=db) == []
    assert [n.id for n in await notices.due(T0, db=db)] == [queued.id, other.id]


async def test_claim_is_exactly_once_across_processes(db: Database) -> None:
    """Two engines on one database stand for two bot processes; each races several claims."""
    rows = [await notices.create(new(), db=db) for _ in range(5)]
    second = Database(db.engine.url.render_as_string(hide_password=False))
    try:
        for row in rows:
            assert row.id is not None
            attempts = [
                notices.claim(row.id, f"proc-{i % 2}:{i}", T0, db=db if i % 2 == 0 else second)
                for i in range(6)
            ]
            results = await asyncio.gather(*attempts)
            assert sum(results) == 1
        assert await notices.due(T0 + timedelta(hours=1), db=db) == []
        assert await notices.count_open(db=second) == {"posting": 5}
    finally:
        await second.dispose()


async def test_mark_posted_needs_the_claim(db: Database) -> None:
    row = await notices.create(new(), db=db)
    assert row.id is not None
    assert not await notices.mark_posted(row.id, "a:1", T0, late=False, db=db)  # never claimed
    assert await notices.claim(row.id, "a:1", T0, db=db)
    assert not await notices.mark_posted(row.id, "b:2", T0, late=False, db=db)  # someone else's
    assert await notices.mark_posted(
        row.id, "a:1", T0 + timedelta(minutes=5), late=True, message_id="77", db=db
    )
    done = await notices.get(row.id, db=db)
    assert done is not None and done.state == NoticeState.POSTED and done.late and done.attempts == 1
    assert done.posted_at == T0 + timedelta(minutes=5) and done.posted_message_id == "77"


async def test_cancel_and_claim_race_has_one_winner(db: Database) -> None:
    for _ in range(5):
        row = await notices.create(new(), db=db)
        assert row.id is not None
        cancelled, claimed = await asyncio.gather(
            notices.close(row.id, NoticeState.CANCELLED, "30001", db=db),
            notices.claim(row.id, "a:1", T0, db=db),
        )
        assert cancelled != claimed
        final = await notices.get(row.id, db=db)
        assert final is not None
        assert final.state == (NoticeState.CANCELLED if cancelled else NoticeState.POSTING)


async def test_release_retries_then_fails(db: Database) -> None:
    row = await notices.create(new(), db=db)
    assert row.id is not None
    assert await notices.claim(row.id, "a:1", T0, db=db)
    retry = T0 + timedelta(minutes=5)
    assert await notices.release(row.id, "a:1", "refused", retry, db=db) is NoticeState.QUEUED
    assert await notices.due(T0 + timedelta(minutes=4), db=db) == []
    [again] = await notices.due(retry, db=db)
    assert again.attempts == 1 and again.last_error == "refused" and again.claimed_by == ""
    assert await notices.claim(row.id, "a:1", retry, db=db)
    assert await notices.release(row.id, "b:2", "x", None, db=db) is None  # not b's claim
    assert await notices.release(row.id, "a:1", "refused again", None, db=db) is NoticeState.FAILED
    failed = await notices.get(row.id, db=db)
    assert failed is not None and failed.state == NoticeState.FAILED and failed.attempts == 2


async def test_stale_claims_are_interrupted_once(db: Database) -> None:
    old = await notices.create(new(), db=db)
    fresh = await notices.create(new(), db=db)
    assert old.id is not None and fresh.id is not None
    assert await notices.claim(old.id, "dead:1", T0, db=db)
    assert await notices.claim(fresh.id, "alive:2", T0 + timedelta(minutes=25), db=db)
    now = T0 + timedelta(minutes=30)
    first, second = await asyncio.gather(
        notices.interrupt_stale(now, timedelta(minutes=10), db=db),
        notices.interrupt_stale(now, timedelta(minutes=10), db=db),
    )
    assert [n.id for n in first + second] == [old.id]
    assert (await notices.get(old.id, db=db)).state == NoticeState.INTERRUPTED  # type: ignore[union-attr]
    assert (await notices.get(fresh.id, db=db)).state == NoticeState.POSTING  # type: ignore[union-attr]


async def test_review_approve_and_reject(db: Database) -> None:
    a = await notices.create(new(due=None), db=db)
    b = await notices.create(new(due=None), db=db)
    queued = await notices.create(new(), db=db)
    assert a.id and b.id and queued.id
    assert await notices.due(T0 + timedelta(days=9), db=db) != []  # only the queued one
    assert await notices.approve(a.id, "20002", T0, T0 + timedelta(hours=1), db=db)
    assert not await notices.approve(a.id, "20003", T0, T0, db=db)  # approved already
    approved = await notices.get(a.id, db=db)
    assert approved is not None and approved.state == NoticeState.QUEUED and approved.reviewer_id == "20002"
    assert approved.due_at == T0 + timedelta(hours=1)

    assert await notices.close(b.id, NoticeState.REJECTED, "20002", "日期有误", reviewed_at=T0, db=db)
    rejected = await notices.get(b.id, db=db)
    assert rejected is not None and rejected.close_reason == "日期有误" and rejected.reviewer_id == "20002"
    assert not await notices.close(queued.id, NoticeState.REJECTED, "20002", db=db)  # not in review
    assert await notices.close(queued.id, NoticeState.CANCELLED, "30001", db=db)


async def test_findings_are_recorded_counted_and_reposted_once(db: Database) -> None:
    def finding(group_id: str, at: datetime, *, recalled: bool = False) -> NewFinding:
        return NewFinding(
            platform="qq",
            group_id=group_id,
            self_id="999",
            user_id="30001",
            message_id="5",
            at=at,
            score=9,
            reasons=("deadline", "addressee"),
            reminded=True,
            recalled=recalled,
            text="请于周五前报送",
        )

    kept = await record_finding(finding("100", T0, recalled=True), db=db)
    plain = await record_finding(finding("100", T0 + timedelta(days=1)), db=db)
    await record_finding(finding("200", T0 + timedelta(days=8)), db=db)
    assert plain.text == ""  # a message still in the group is not copied
    got = await get_finding(kept.id or 0, db=db)
    assert got is not None and got.text == "请于周五前报送" and got.reasons == "deadline,addressee"
    assert got.at == T0

    week = {"since": T0, "until": T0 + timedelta(days=7)}
    assert await count_findings(**week, db=db) == 2
    assert await count_findings(**week, group_id="200", db=db) == 0
    assert await count_by_group(since=T0, until=T0 + timedelta(days=14), db=db) == {
        ("qq", "100"): 2,
        ("qq", "200"): 1,
    }

    assert kept.id is not None
    results = await asyncio.gather(*(reserve_repost(kept.id, db=db) for _ in range(4)))
    assert sum(results) == 1
    await link_repost(kept.id, 42, db=db)
    assert (await get_finding(kept.id, db=db)).reposted_notice_id == 42  # type: ignore[union-attr]
