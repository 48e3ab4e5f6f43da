"""/巡查 and /清理 through the router; the scheduler's weekly run (caught up once); cleanups that are
interrupted and resumed without a second kick; findings no longer true at kick time."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import select, update

from bot.dispatch.router import handle_message
from bot.gateway.base import Member
from bot.models.review import FindingState, ReviewFinding, ReviewRun
from bot.runtime import get_runtime
from bot.store import admission as admission_store
from bot.store import audit
from bot.store import review as store
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.review.conftest import (
    ADMIN,
    FINE,
    GROUP,
    NOW,
    OWNER,
    SILENT,
    TRANSFERRED,
    UNVERIFIED,
    calls,
    seed,
)
from tests.utils import FakeGateway, group_record


def msg(text: str, user: str, role: str = "member", minutes: int = 0):  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        group_record(text, user_id=user, group_id=GROUP, role=role), time=NOW + timedelta(minutes=minutes)
    )


async def say(fake: FakeGateway, *records) -> list[str]:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    before = len(fake.calls)
    for r in records:
        await handle_message(r, rt)
    await settle(rt)
    return [p["text"] for k, p in fake.calls[before:] if k in ("send_group", "send_private")]


async def review_now(fake: FakeGateway) -> str:
    """/巡查 by an admin, then the scheduler does the run; returns the owner's report."""
    from bot.plugins.review.scheduler import run_due

    [ack] = await say(fake, msg("/巡查", ADMIN, "admin"))
    assert "正在检查本群成员" in ack
    assert await run_due(get_runtime(), NOW + timedelta(seconds=5)) == 1
    await settle(get_runtime())
    [report] = [p["text"] for p in calls(fake, "send_private") if p["user_id"] == OWNER]
    return report


async def test_review_lists_each_reason_and_reports_to_the_owner(fake: FakeGateway) -> None:
    await seed()
    report = await review_now(fake)
    assert "【每周成员巡查】办公室工作群（100）" in report
    assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十一条" in report
    assert f"1. {TRANSFERRED}（调走的人）：花名册状态为「调离」" in report
    assert f"2. {UNVERIFIED}（新成员）：入群后未完成实名认证" in report
    assert f"3. {SILENT}（沉默的人）：机器人记录的 60 天内未见发言" in report
    assert FINE not in report and OWNER not in report.split("需关注")[1] and "999（" not in report
    assert "■ 近 7 天违规（按类别）" in report and "■ 意见建议" in report
    assert "■ 与工作无关的消息占比" in report and "■ 备案情况" in report
    summary = [t for t in fake.texts("send_group") if t.startswith("巡查完成")]
    assert summary and "需关注 3 人（建议移出 2 人）" in summary[0] and "私聊发送给群主" in summary[0]
    assert any(e.action == "review.done" for e in await audit.recent(10, group_id=GROUP))


async def test_cleanup_asks_for_confirmation_then_kicks_each_once(fake: FakeGateway) -> None:
    from bot.plugins.review.cleanup import process_group

    await seed()
    await review_now(fake)
    [refused] = await say(fake, msg("/清理 1 2", ADMIN, "admin"))
    assert "需要「群主」及以上权限" in refused
    [usage] = await say(fake, msg("/清理", OWNER, "owner"))
    assert "用法：/清理 编号" in usage
    [bad] = await say(fake, msg("/清理 9", OWNER, "owner"))
    assert "编号 9 不在最近一次巡查" in bad
    [listing] = await say(fake, msg("/清理 1 2", OWNER, "owner"))
    assert "将按" in listing and f"1. {TRANSFERRED}" in listing and f"2. {UNVERIFIED}" in listing
    assert "/清理 确认" in listing
    assert calls(fake, "kick") == []
    # Confirming is the owner's own act: another user's /清理 确认 finds nothing.
    [nothing] = await say(fake, msg("/清理 确认", "10001", minutes=1))
    assert "没有待您确认的清理" in nothing
    [ok] = await say(fake, msg("/清理 确认", OWNER, "owner", minutes=1))
    assert "开始移出 2 人" in ok
    results = await process_group(get_runtime(), "qq", GROUP, pace=0)
    assert results == [f"1. {TRANSFERRED}（调走的人）：已移出", f"2. {UNVERIFIED}（新成员）：已移出"]
    assert sorted(c["user_id"] for c in calls(fake, "kick")) == sorted([TRANSFERRED, UNVERIFIED])
    # Nothing left: a second pass (or another process) kicks no one.
    assert await process_group(get_runtime(), "qq", GROUP, pace=0) == []
    assert len(calls(fake, "kick")) == 2
    removed = [e for e in await audit.recent(30, group_id=GROUP) if e.action == "review.removed"]
    assert sorted(e.target for e in removed) == sorted([TRANSFERRED, UNVERIFIED])
    assert all(e.actor == OWNER and "每周巡查清理" in e.reason for e in removed)


async def test_cleanup_all_and_cancel(fake: FakeGateway) -> None:
    await seed()
    await review_now(fake)
    [listing] = await say(fake, msg("/清理 全部", OWNER, "owner"))
    assert "移出以下 2 人" in listing and SILENT not in listing  # informational findings stay
    [cancelled] = await say(fake, msg("/清理 取消", OWNER, "owner"))
    assert "已取消" in cancelled
    [nothing] = await say(fake, msg("/清理 确认", OWNER, "owner"))
    assert "没有待您确认的清理" in nothing


async def test_a_finding_no_longer_true_is_skipped(fake: FakeGateway) -> None:
    from bot.plugins.review.cleanup import process_group

    await seed()
    await review_now(fake)
    await say(fake, msg("/清理 1 2 3", OWNER, "owner"), msg("/清理 确认", OWNER, "owner"))
    # Meanwhile: the unverified member identifies, the transferred one leaves.
    await admission_store.bind("qq", GROUP, UNVERIFIED, 99, method="verify", by="bot", now=NOW)
    await admission_store.transition(
        next(iter([a.id for a in await admission_store.open_arrivals_of_user("qq", UNVERIFIED)])),
        ("reminded",),
        "verified",
        now=NOW,
    )
    fake.members = [m for m in fake.members if m.user_id != TRANSFERRED]
    results = await process_group(get_runtime(), "qq", GROUP, pace=0)
    assert f"1. {TRANSFERRED}（调走的人）：未移出，已不在群内" in results
    assert any(r.startswith(f"2. {UNVERIFIED}") and "情况已变化" in r for r in results)
    assert f"3. {SILENT}（沉默的人）：已移出" in results  # chosen by number although informational
    assert [c["user_id"] for c in calls(fake, "kick")] == [SILENT]


async def test_interrupted_cleanup_resumes_without_double_kicks(fake: FakeGateway) -> None:
    from bot.plugins.review import cleanup

    await seed()
    await review_now(fake)
    await say(fake, msg("/清理 1 2", OWNER, "owner"), msg("/清理 确认", OWNER, "owner"))
    run = await store.latest_run("qq", GROUP)
    assert run is not None and run.id is not None
    first, second = await store.findings_of(run.id, numbers=[1, 2])
    # A process claimed both kicks and died: the first kick had reached the platform (the member is
    # gone), the second had not.
    for f in (first, second):
        assert f.id is not None and await store.claim_kick(f.id, "dead:1", NOW - timedelta(minutes=10))
    fake.members = [m for m in fake.members if m.user_id != first.user_id]

    # A live claim (not stale yet) is left alone.
    early = await cleanup.process_group(
        get_runtime(), "qq", GROUP, pace=0, now=lambda: NOW - timedelta(minutes=9)
    )
    assert early == [] and calls(fake, "kick") == []

    results = await cleanup.process_group(get_runtime(), "qq", GROUP, pace=0)
    assert results == [
        f"1. {first.user_id}（{first.card}）：已移出（中断后核对确认）",
        f"2. {second.user_id}（{second.card}）：已移出",
    ]
    assert [c["user_id"] for c in calls(fake, "kick")] == [second.user_id]  # the first is not kicked again
    assert await cleanup.process_group(get_runtime(), "qq", GROUP, pace=0) == []
    states = [f.state for f in await store.findings_of(run.id)]
    assert states[:2] == [FindingState.REMOVED, FindingState.REMOVED]


async def test_a_failed_kick_with_the_member_still_there_is_reported(fake: FakeGateway) -> None:
    from bot.plugins.review.cleanup import process_group

    await seed()
    await review_now(fake)
    await say(fake, msg("/清理 1", OWNER, "owner"), msg("/清理 确认", OWNER, "owner"))
    fake.fail["kick"] = 1
    [result] = await process_group(get_runtime(), "qq", GROUP, pace=0)
    assert "移出失败" in result and "/清理 1" in result
    async with get_db().session() as s:
        row = (await s.execute(select(ReviewFinding).where(ReviewFinding.number == 1))).scalar_one()  # type: ignore[arg-type]
    assert row.state == FindingState.FAILED


async def test_missed_weekly_run_is_caught_up_once(fake: FakeGateway) -> None:
    from bot.plugins.review.scheduler import run_due, schedule_due, slot_for

    await seed()
    rt = get_runtime()
    slot = slot_for(rt.calendar(GROUP), 0, "09:00", NOW)
    assert slot is not None and slot[0] == "2026-W48"
    assert slot[1] == NOW - timedelta(hours=1)  # Monday 09:00 Shanghai
    # Before 09:00 nothing is due.
    assert await schedule_due(rt, slot[1] - timedelta(minutes=1)) == 0
    # The bot was down at 09:00 and comes back on Wednesday: the week's run happens once.
    later = NOW + timedelta(days=2)
    assert await schedule_due(rt, later) == 1
    assert await schedule_due(rt, later + timedelta(minutes=5)) == 0
    assert await run_due(rt, later) == 1
    assert await run_due(rt, later + timedelta(seconds=5)) == 0
    await settle(rt)
    reports = [p for p in calls(fake, "send_private") if p["user_id"] == OWNER]
    assert len(reports) == 1
    async with get_db().session() as s:
        runs = list((await s.execute(select(ReviewRun))).scalars())
    assert [(r.slot, r.state, r.report_to) for r in runs] == [("2026-W48", "done", OWNER)]


async def test_a_group_first_seen_after_the_weeks_time_waits(fake: FakeGateway) -> None:
    from bot.plugins.review.scheduler import schedule_due

    await seed()
    async with get_db().session() as s:
        await s.execute(update(ReviewRun).values(state="done"))
        from bot.models.group import ChatGroup

        await s.execute(update(ChatGroup).values(first_seen=NOW))
    assert await schedule_due(get_runtime(), NOW + timedelta(hours=1)) == 0


async def test_owner_unreachable_goes_to_the_supervisor(fake: FakeGateway) -> None:
    await seed()
    fake.fail["send_private"] = 1
    from bot.plugins.review.scheduler import run_due

    await say(fake, msg("/巡查", ADMIN, "admin"))
    assert await run_due(get_runtime(), NOW) == 1
    await settle(get_runtime())
    to_supervisor = [p["text"] for p in calls(fake, "send_private") if p["user_id"] == "20001"]
    assert (
        to_supervisor
        and "群主无法接收私聊消息" in to_supervisor[0]
        and "【每周成员巡查】" in to_supervisor[0]
    )
    assert any(e.action == "review.report_undelivered" for e in await audit.recent(10, group_id=GROUP))


async def test_empty_member_list_fails_the_run_politely(fake: FakeGateway, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.plugins.review import runner
    from bot.plugins.review.scheduler import run_due

    monkeypatch.setattr(runner, "RETRY_PAUSE", 0.0)
    await seed()
    fake.members = []
    await say(fake, msg("/巡查", ADMIN, "admin"))
    assert await run_due(get_runtime(), NOW) == 0  # claimed, failed
    await settle(get_runtime())
    assert any("未能完成" in t and "成员列表为空" in t for t in fake.texts("send_group"))
    assert calls(fake, "send_private") == []


async def test_long_reports_are_split(fake: FakeGateway) -> None:
    await seed()
    fake.members = fake.members + [Member(str(60000 + n), card=f"成员{n}") for n in range(120)]
    report_parts = []
    await review_now_parts(fake, report_parts)
    assert len(report_parts) >= 2 and report_parts[1].startswith("（续 2/")


async def review_now_parts(fake: FakeGateway, out: list[str]) -> None:
    from bot.plugins.review.scheduler import run_due

    await say(fake, msg("/巡查", ADMIN, "admin"))
    await run_due(get_runtime(), NOW)
    await settle(get_runtime())
    out.extend(p["text"] for p in calls(fake, "send_private") if p["user_id"] == OWNER)
