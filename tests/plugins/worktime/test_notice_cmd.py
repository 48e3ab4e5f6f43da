"""/通知 through the router: post now, queue for the next working morning, list, cancel, review,
re-post a recalled message; and the scheduler posting each queued notice exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import select, update

from bot.dispatch.router import handle_message
from bot.models.worktime import DeferredNotice, NoticeState
from bot.runtime import get_runtime
from bot.store import audit, notices
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.worktime.conftest import FROZEN, RECALLING, REVIEWED, YICHUN, at, calls, msg, pm
from tests.utils import FakeGateway

CONTENT = "请各科室于11月25日前报送年度工作总结。"
WORKDAY_MORNING = at(2026, 11, 20, 10, 0)  # Friday
# Wednesday before National Day: the next working-hours start is Thursday 10-08 08:30, after the
# seven days off (10-01 … 10-07).
BEFORE_HOLIDAY = at(2026, 9, 30, 22, 40)
AFTER_HOLIDAY = at(2026, 10, 8, 8, 30)


async def all_notices() -> list[DeferredNotice]:
    async with get_db().session() as s:
        return list((await s.execute(select(DeferredNotice).order_by(DeferredNotice.id))).scalars())


async def last_audit_id() -> int:
    rows = await audit.recent(1)
    return rows[0].id or 0 if rows else 0


async def run(fake: FakeGateway, *records: Any) -> list[str]:
    """Send the records through the router; return the texts the bot sent meanwhile."""
    rt = get_runtime()
    before = len(fake.calls)
    for rec in records:
        await handle_message(rec, rt)
    await settle(rt)
    return [p["text"] for k, p in fake.calls[before:] if k in ("send_group", "send_private")]


async def test_inside_working_hours_it_posts_at_once(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING))
    [post] = calls(fake, "send_group")
    assert post["group_id"] == YICHUN and post["text"].startswith(CONTENT)
    assert "——张三-办公室 通过工作群管家发布" in post["text"] and post["mention"] == ()
    [row] = await all_notices()
    assert row.state == NoticeState.POSTED and not row.late and row.posted_at == WORKDAY_MORNING
    assert row.posted_message_id != ""
    actions = [e.action for e in await audit.recent(5, group_id=YICHUN)]
    assert "notice.posted" in actions and "notice.queued" in actions


async def test_outside_working_hours_it_queues_past_the_holiday(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    [reply] = await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    assert calls(fake, "send_group")[0]["mention"] == ("30001",)  # the answer, not the notice
    assert "10月8日（周四）08:30" in reply and "#" in reply and "/通知 取消" in reply
    assert "依据《宜春市政务微信工作群管理规范》第十条" in reply
    [row] = await all_notices()
    assert row.state == NoticeState.QUEUED and row.due_at == AFTER_HOLIDAY.astimezone(UTC)

    # Not yet due: nothing happens.
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY - timedelta(seconds=1)) == 0
    # Due: posted once; a second poll (or a second process) finds nothing left.
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY + timedelta(seconds=3)) == 1
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY + timedelta(seconds=6)) == 0
    await settle(rt)
    posts = [c for c in calls(fake, "send_group") if c["text"].startswith(CONTENT)]
    assert len(posts) == 1 and "原定" not in posts[0]["text"]
    [row] = await all_notices()
    assert row.state == NoticeState.POSTED and not row.late


async def test_notice_due_while_the_bot_was_down_is_posted_late(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    mark = await last_audit_id()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    fake.calls.clear()
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY + timedelta(hours=3)) == 1
    await settle(rt)
    [post] = calls(fake, "send_group")
    assert "原定 10月8日（周四）08:30 发布" in post["text"]
    [note] = calls(fake, "send_private")
    assert note["user_id"] == "30001" and "补发" in note["text"]
    [row] = await all_notices()
    assert row.state == NoticeState.POSTED and row.late
    [entry] = [
        e for e in await audit.recent(20, group_id=YICHUN) if e.id > mark and e.action == "notice.posted"
    ]
    assert '"late": true' in entry.detail


async def test_nothing_is_posted_without_a_connection(wt: ModuleType) -> None:
    rt = get_runtime()
    gw = FakeGateway()
    rt.registry.add(gw)
    await run(gw, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    rt.registry.remove(gw.platform, gw.self_id)
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY + timedelta(minutes=1)) == 0
    [row] = await all_notices()
    assert row.state == NoticeState.QUEUED and row.attempts == 0


async def test_urgent_notice_posts_at_night(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 紧急 {CONTENT}", BEFORE_HOLIDAY))
    [post] = calls(fake, "send_group")
    assert post["text"].startswith(f"【紧急】{CONTENT}")
    await run(fake, msg("/通知 【紧急】今晚8点前上报值班表", BEFORE_HOLIDAY))
    second = calls(fake, "send_group")[1]["text"]
    assert second.startswith("【紧急】今晚8点前上报值班表") and "【紧急】【紧急】" not in second
    assert [r.state for r in await all_notices()] == [NoticeState.POSTED, NoticeState.POSTED]


async def test_at_all_in_the_command_mentions_everyone(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING, at_all=True))
    [post] = calls(fake, "send_group")
    assert post["mention"] == ("all",)


async def test_list_and_cancel_by_the_author(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    mark = await last_audit_id()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY), msg("/通知 明天上午9点开会", BEFORE_HOLIDAY))
    first, second = await all_notices()
    [listing] = await run(fake, msg("/通知 列表", BEFORE_HOLIDAY, user_id="30005"))
    assert f"#{first.id} 10月8日（周四）08:30 发布｜张三-办公室：请各科室于11月25日前" in listing
    assert f"#{second.id}" in listing

    [answer] = await run(fake, msg(f"/通知 取消 {first.id}", BEFORE_HOLIDAY))
    assert answer == f"已取消通知 #{first.id}（原定 10月8日（周四）08:30 发布）。"
    [again] = await run(fake, msg(f"/通知 取消 #{first.id}", BEFORE_HOLIDAY))
    assert "当前为「已取消」" in again and "无法取消" in again

    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY) == 1  # only the second one
    await settle(rt)
    assert [c["text"].split("\n")[0] for c in calls(fake, "send_group")][-1] == "明天上午9点开会"
    [entry] = [
        e for e in await audit.recent(20, group_id=YICHUN) if e.id > mark and e.action == "notice.cancelled"
    ]
    assert entry.actor == "30001" and entry.target == "30001"


async def test_only_the_author_or_a_manager_may_cancel(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    [row] = await all_notices()
    [refused] = await run(fake, msg(f"/通知 取消 {row.id}", BEFORE_HOLIDAY, user_id="30009"))
    assert "只有通知" in refused and "未做任何操作" in refused
    texts = await run(fake, msg(f"/通知 取消 {row.id}", BEFORE_HOLIDAY, user_id="20003"))  # deputy
    # The reply waits for the command's audit row; the author's note does not.
    assert any(t.startswith(f"已取消通知 #{row.id}") for t in texts)
    assert any("已被管理员取消" in t for t in texts)
    assert calls(fake, "send_private")[-1]["user_id"] == "30001"


async def test_cancel_from_private_chat_and_other_groups(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    [row] = await all_notices()
    [elsewhere] = await run(fake, msg(f"/通知 取消 {row.id}", BEFORE_HOLIDAY, group_id=RECALLING))
    assert "不是本群的通知" in elsewhere
    [listing] = await run(fake, pm("/通知 列表", BEFORE_HOLIDAY))
    assert "「宜春工作群」" in listing and f"#{row.id}" in listing
    [nothing] = await run(fake, pm("/通知 列表", BEFORE_HOLIDAY, user_id="30009"))
    assert nothing.startswith("您没有待发布或待审核的通知")
    [done] = await run(fake, pm(f"/通知 取消 {row.id}", BEFORE_HOLIDAY))
    assert done.startswith(f"已取消通知 #{row.id}")


async def test_usage_and_wrong_arguments(fake: FakeGateway) -> None:
    texts = await run(
        fake,
        msg("/通知", WORKDAY_MORNING),
        msg("/通知 取消 明天的会", WORKDAY_MORNING),
        msg("/通知 紧急", WORKDAY_MORNING),
        msg("/通知 列表 全部", WORKDAY_MORNING),
        msg("/帮助 通知", WORKDAY_MORNING),
        pm(f"/通知 {CONTENT}", WORKDAY_MORNING),
        msg("/notice 批准 0", WORKDAY_MORNING),
    )
    assert len(texts) == 7
    for text in texts:
        assert "用法：/通知 内容" in text and "/通知 取消 编号" in text
    assert texts[0].startswith("请在 /通知 后写上通知内容")
    assert texts[1].startswith("「取消」后面应为编号，例如 /通知 取消 12")
    assert "最低权限：群成员" in texts[4]
    assert texts[5].startswith("发布通知请在要发布的群里发送")
    assert await all_notices() == []


async def test_unknown_number(fake: FakeGateway) -> None:
    [text] = await run(fake, msg("/通知 取消 99999", WORKDAY_MORNING))
    assert "没有编号为 #99999 的通知" in text


async def test_review_before_post(fake: FakeGateway) -> None:
    rt = get_runtime()
    texts = await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING, group_id=REVIEWED))
    [row] = await all_notices()
    assert row.state == NoticeState.REVIEW and row.due_at is None
    reply = next(t for t in texts if "已提交审核" in t)
    assert "依据《淮北市政务新媒体管理暂行办法》第十七条" in reply and f"/通知 批准 {row.id}" in reply
    # The unit's leader and the group's deputy are asked privately.
    asked = sorted(c["user_id"] for c in calls(fake, "send_private") if "待审核的通知" in c["text"])
    assert asked == ["20002", "20003"]
    assert calls(fake, "send_group") and not any(CONTENT in c["text"] for c in calls(fake, "send_group"))

    # Role before state: the author, a plain member, is refused for the role.
    [own] = await run(fake, msg(f"/通知 批准 {row.id}", WORKDAY_MORNING, group_id=REVIEWED))
    assert "需要「分管领导」及以上权限" in own
    [member] = await run(
        fake, msg(f"/通知 批准 {row.id}", WORKDAY_MORNING, group_id=REVIEWED, user_id="30009")
    )
    assert "需要「分管领导」及以上权限" in member
    assert (await notices.get(row.id)).state == NoticeState.REVIEW  # type: ignore[union-attr]

    # The leader approves in private chat, inside working hours: posted at once.
    texts = await run(fake, pm(f"/通知 批准 {row.id}", WORKDAY_MORNING, user_id="20002"))
    assert f"已批准通知 #{row.id}，已发布到群里。" in texts
    assert any("已通过审核" in t for t in texts)
    [post] = [c for c in calls(fake, "send_group") if c["text"].startswith(CONTENT)]
    assert post["group_id"] == REVIEWED and "（已审核）" in post["text"]
    done = await notices.get(row.id)
    assert done is not None and done.state == NoticeState.POSTED and done.reviewer_id == "20002"
    [again] = await run(fake, pm(f"/通知 批准 {row.id}", WORKDAY_MORNING, user_id="20002"))
    assert "不在待审核状态" in again
    actions = [e.action for e in await audit.recent(10, group_id=REVIEWED)]
    assert {"notice.submitted", "notice.approved", "notice.posted"} <= set(actions)
    assert rt.policy.for_group(REVIEWED).preset.notice_review


async def test_a_reviewer_cannot_approve_their_own_notice(fake: FakeGateway) -> None:
    deputy = "20003"
    await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING, group_id=REVIEWED, user_id=deputy))
    [row] = await all_notices()
    [own] = await run(fake, msg(f"/通知 批准 {row.id}", WORKDAY_MORNING, group_id=REVIEWED, user_id=deputy))
    assert "不能审核自己提交的通知" in own
    assert (await notices.get(row.id)).state == NoticeState.REVIEW  # type: ignore[union-attr]


async def test_approval_after_hours_schedules_for_the_morning(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING, group_id=REVIEWED))
    [row] = await all_notices()
    evening = at(2026, 11, 20, 19, 0)
    texts = await run(
        fake, msg(f"/通知 批准 {row.id}", evening, group_id=REVIEWED, user_id="30002", role="admin")
    )
    assert any("将于 11月23日（周一）08:30（下一个工作时间开始）发布" in t for t in texts)
    queued = await notices.get(row.id)
    assert queued is not None and queued.state == NoticeState.QUEUED
    assert queued.due_at == at(2026, 11, 23, 8, 30).astimezone(UTC)


async def test_urgent_notice_under_review_posts_when_approved(fake: FakeGateway) -> None:
    night = at(2026, 11, 20, 23, 0)
    await run(fake, msg(f"/通知 紧急 {CONTENT}", night, group_id=REVIEWED))
    [row] = await all_notices()
    assert row.state == NoticeState.REVIEW and row.urgent
    await run(fake, msg(f"/通知 批准 {row.id}", night, group_id=REVIEWED, user_id="20003"))
    assert any(c["text"].startswith("【紧急】") for c in calls(fake, "send_group"))


async def test_reject_with_a_reason(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", WORKDAY_MORNING, group_id=REVIEWED))
    [row] = await all_notices()
    texts = await run(
        fake,
        msg(f"/通知 驳回 {row.id} 日期有误，请核实", WORKDAY_MORNING, group_id=REVIEWED, user_id="20003"),
    )
    assert f"已驳回通知 #{row.id}，不会发布。" in texts
    [told] = [c for c in calls(fake, "send_private") if "未通过审核" in c["text"]]
    assert told["user_id"] == "30001" and "理由：日期有误，请核实" in told["text"]
    rejected = await notices.get(row.id)
    assert rejected is not None and rejected.state == NoticeState.REJECTED
    assert rejected.close_reason == "日期有误，请核实"


async def test_repost_a_recalled_off_hours_message(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    night = at(2026, 11, 20, 22, 40)
    await run(fake, msg("各科室：周一上午9点在三楼会议室开会，请准时参加。", night, group_id=RECALLING))
    [reminder] = calls(fake, "send_private")
    number = reminder["text"].split("/通知 补发 ")[1].split("」")[0]

    [refused] = await run(fake, pm(f"/通知 补发 {number}", night, user_id="30009"))
    assert "只有原消息的发送人" in refused and "无需补发" not in refused
    [queued] = await run(fake, pm(f"/通知 补发 {number}", at(2026, 11, 20, 22, 45)))
    assert "11月23日（周一）08:30" in queued and "「撤回测试群」" in queued
    [twice] = await run(fake, pm(f"/通知 补发 {number}", at(2026, 11, 20, 22, 46)))
    assert "已安排补发" in twice

    [row] = await all_notices()
    assert row.source == "repost" and row.group_id == RECALLING and row.author_id == "30001"
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 8, 30)) == 1
    await settle(rt)
    assert calls(fake, "send_group")[-1]["text"].startswith("各科室：周一上午9点")


async def test_repost_of_a_message_that_was_not_recalled(fake: FakeGateway) -> None:
    await run(fake, msg("各科室：周一上午9点在三楼会议室开会，请准时参加。", at(2026, 11, 20, 22, 40)))
    [reminder] = calls(fake, "send_private")
    assert "补发" not in reminder["text"]
    from bot.store.worktime import count_findings

    assert await count_findings(since=at(2026, 11, 16), until=at(2026, 11, 23), group_id=YICHUN) == 1
    [text] = await run(fake, pm("/通知 补发 1", at(2026, 11, 20, 22, 45)))
    assert "无需补发" in text or "没有编号为" in text


async def test_send_failure_retries_then_gives_up(
    fake: FakeGateway, wt: ModuleType, monkeypatch: Any
) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    [row] = await all_notices()

    def refuse(*_: Any, **__: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_exception(RuntimeError("bot is muted"))
        return future

    monkeypatch.setattr(rt.actions, "send_group", refuse)
    t = AFTER_HOLIDAY
    assert await wt.scheduler.post_due(rt, t) == 0
    first = await notices.get(row.id)
    assert first is not None and first.state == NoticeState.QUEUED and first.attempts == 1
    assert first.retry_at == (t + timedelta(minutes=5)).astimezone(UTC)
    assert await wt.scheduler.post_due(rt, t + timedelta(minutes=1)) == 0  # waits for the retry time
    assert (await notices.get(row.id)).attempts == 1  # type: ignore[union-attr]
    assert await wt.scheduler.post_due(rt, t + timedelta(minutes=5)) == 0
    assert await wt.scheduler.post_due(rt, t + timedelta(minutes=20)) == 0
    failed = await notices.get(row.id)
    assert failed is not None and failed.state == NoticeState.FAILED and failed.attempts == 3
    await settle(rt)
    [told] = [c for c in calls(fake, "send_private") if "发送失败" in c["text"]]
    assert told["user_id"] == "30001" and "停止重试" in told["text"]


async def test_a_claim_left_by_a_dead_process_is_not_posted_twice(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    [row] = await all_notices()
    assert row.id is not None
    # Another process claimed it and died before it could record the result.
    assert await notices.claim(row.id, "other-host:4242", FROZEN - timedelta(minutes=30))
    fake.calls.clear()
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY) == 0
    await settle(rt)
    closed = await notices.get(row.id)
    assert closed is not None and closed.state == NoticeState.INTERRUPTED
    assert calls(fake, "send_group") == []
    [told] = calls(fake, "send_private")
    assert "无法确认是否已发到群" in told["text"] and "不会自动重发" in told["text"]


async def test_a_fresh_claim_is_left_alone(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    [row] = await all_notices()
    assert row.id is not None
    assert await notices.claim(row.id, "other-host:4242", FROZEN - timedelta(minutes=1))
    assert await wt.scheduler.post_due(rt, AFTER_HOLIDAY) == 0
    assert (await notices.get(row.id)).state == NoticeState.POSTING  # type: ignore[union-attr]


async def test_status_lines(fake: FakeGateway) -> None:
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    await run(fake, msg("各科室：明天上午9点在三楼会议室开会，请准时参加。", at(2026, 11, 20, 22, 40)))
    [status] = await run(fake, msg("/状态", at(2026, 11, 20, 22, 50), user_id="30002", role="admin"))
    assert "工作时间：工作日 08:30–17:30；非工作时间发工作通知：私聊提醒发送人" in status
    assert "本周非工作时间工作通知：1 条" in status
    assert "定时通知：待发布 1 条，待审核 0 条；下一条 10月8日（周四）08:30" in status
    [review] = await run(
        fake, msg("/状态", WORKDAY_MORNING, group_id=REVIEWED, user_id="30002", role="admin")
    )
    assert "/通知 须先审后发" in review and "非工作时间发工作通知：未启用" in review


async def test_the_scheduler_loop_starts_and_stops(wt: ModuleType) -> None:
    loop_ = wt.scheduler.Scheduler(poll_seconds=0.05)
    loop_.start()
    assert loop_.running
    loop_.wake()
    await asyncio.sleep(0.1)
    await loop_.stop()
    assert not loop_.running


async def test_posting_twice_concurrently_posts_once(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 {CONTENT}", BEFORE_HOLIDAY))
    fake.calls.clear()
    results = await asyncio.gather(*(wt.scheduler.post_due(rt, AFTER_HOLIDAY) for _ in range(4)))
    await settle(rt)
    assert sum(results) == 1 and len(calls(fake, "send_group")) == 1
    async with get_db().session() as s:
        await s.execute(update(DeferredNotice).values(state=NoticeState.POSTED))
