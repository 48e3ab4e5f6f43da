"""/通知 定时, recurring notices and broadcasts through the router, and the scheduler creating and
posting each occurrence exactly once (also when two schedulers race, as two processes would)."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from types import ModuleType

from sqlalchemy import select

from bot.models.worktime import DeferredNotice, NoticeKind, NoticeState
from bot.runtime import get_runtime
from bot.store import audit, notices
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.worktime.conftest import RECALLING, REVIEWED, YICHUN, at, calls, msg, pm
from tests.plugins.worktime.test_notice_cmd import run
from tests.utils import FakeGateway

FRIDAY = at(2026, 11, 20, 10, 0)
DEPUTY = "20003"  # deputy of 300 and 400
SUPERVISOR = "20009"  # supervisor of the units of 300, 301 and 400
CONTENT = "请各科室于本周五前报送本周工作小结。"


async def rows() -> list[DeferredNotice]:
    async with get_db().session() as s:
        return list((await s.execute(select(DeferredNotice).order_by(DeferredNotice.id))).scalars())


def posts(fake: FakeGateway, text: str = CONTENT) -> list[dict[str, object]]:
    return [c for c in calls(fake, "send_group") if str(c["text"]).startswith(text)]


# --- /通知 定时 ---------------------------------------------------------------------------------


async def test_a_chosen_time_is_echoed_and_posted_once(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    [reply] = await run(fake, msg(f"/通知 定时 下周一 9:30 {CONTENT}", FRIDAY))
    assert "理解为「下周一 9:30」" in reply and "11月23日（周一）09:30" in reply
    assert "/通知 取消" in reply and "/通知 修改" in reply
    [row] = await rows()
    assert row.state == NoticeState.QUEUED and row.text == CONTENT
    assert row.requested_at == row.due_at == at(2026, 11, 23, 9, 30).astimezone(UTC)
    assert not posts(fake)

    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 29)) == 0
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 30, 2)) == 1
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 31)) == 0
    await settle(rt)
    assert len(posts(fake)) == 1


async def test_a_chosen_time_outside_working_hours_moves_and_says_why(fake: FakeGateway) -> None:
    [reply] = await run(fake, msg(f"/通知 定时 明天 9:00 {CONTENT}", FRIDAY))  # a Saturday
    assert "不在本群工作时间" in reply and "依据《宜春市政务微信工作群管理规范》第十条" in reply
    assert "11月23日（周一）08:30" in reply
    [row] = await rows()
    assert row.due_at == at(2026, 11, 23, 8, 30).astimezone(UTC)
    assert row.requested_at == at(2026, 11, 21, 9, 0).astimezone(UTC)


async def test_urgent_keeps_an_off_hours_time_only_for_managers(fake: FakeGateway) -> None:
    saturday_nine = at(2026, 11, 21, 9, 0).astimezone(UTC)
    [reply] = await run(fake, msg(f"/通知 定时 紧急 明天 9:00 {CONTENT}", FRIDAY, user_id=DEPUTY))
    assert "不在本群工作时间" not in reply
    texts = await run(fake, msg(f"/通知 紧急 定时 明天 9:00 {CONTENT}", FRIDAY))  # a member
    assert any("标注紧急需要「分管管理员」及以上权限" in t for t in texts)
    manager, member = await rows()
    assert manager.urgent and manager.due_at == saturday_nine and manager.text.startswith("【紧急】")
    assert not member.urgent and member.due_at == at(2026, 11, 23, 8, 30).astimezone(UTC)


async def test_unreadable_or_past_times_get_the_reason_and_the_usage(fake: FakeGateway) -> None:
    texts = [
        *await run(fake, msg(f"/通知 定时 找个时间 {CONTENT}", FRIDAY)),
        *await run(fake, msg(f"/通知 定时 今天 9:00 {CONTENT}", FRIDAY)),
        *await run(fake, msg("/通知 定时 明天 9:00", FRIDAY)),
        *await run(fake, pm(f"/通知 定时 明天 9:00 {CONTENT}", FRIDAY)),
    ]
    assert texts[0].startswith("没有看懂发布时间")
    assert texts[1].startswith("「今天 9:00」已经过去了")
    assert texts[2].startswith("请在时间后面写上通知内容")
    assert texts[3].startswith("定时通知请在要发布的群里发送")
    assert all("用法：/通知 内容" in t for t in texts)
    assert await rows() == []


async def test_edit_a_scheduled_notice(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 定时 下周一 9:30 {CONTENT}", FRIDAY))
    [row] = await rows()
    [other] = await run(fake, msg(f"/通知 修改 {row.id} 别人的修改", FRIDAY, user_id="30009"))
    assert "只有通知" in other
    [done] = await run(fake, msg(f"/通知 修改 {row.id} 更正：请于下周二前报送。", FRIDAY))
    assert done.startswith(f"已修改通知 #{row.id}")
    await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 31))
    await settle(rt)
    assert posts(fake, "更正：请于下周二前报送。") and not posts(fake)


# --- recurring ----------------------------------------------------------------------------------


async def test_recurring_weekly_posts_each_working_monday_once(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    text = "每周一 9:00 请各科室报送上周工作情况。"
    # 2026-09-28 and 10-12 are working Mondays; 10-05 is in the National Day holiday.
    [reply] = await run(fake, msg(f"/通知 {text}", at(2026, 9, 25, 10, 0), user_id=DEPUTY))
    assert "周期通知 #" in reply and "每周一 09:00" in reply and "9月28日（周一）09:00" in reply
    [series] = await rows()
    assert series.kind == NoticeKind.RECURRING and series.state == NoticeState.ACTIVE

    mondays = [at(2026, 9, 28, 9, 0, 5), at(2026, 10, 5, 9, 0, 5), at(2026, 10, 12, 9, 0, 5)]
    posted = 0
    for moment in mondays:
        # Two schedulers at the same moment, as two processes would: one post between them.
        results = await asyncio.gather(wt.scheduler.post_due(rt, moment), wt.scheduler.post_due(rt, moment))
        posted += sum(results)
        await wt.scheduler.post_due(rt, moment + timedelta(seconds=10))
    await settle(rt)
    assert posted == 2
    sent = posts(fake, "请各科室报送上周工作情况。")
    assert len(sent) == 2
    children = await notices.children(series.id or 0)
    assert sorted(c.occurrence for c in children) == ["2026-09-28T09:00+08:00", "2026-10-12T09:00+08:00"]
    current = await notices.get(series.id or 0)
    assert current is not None and current.due_at == at(2026, 10, 19, 9, 0).astimezone(UTC)


async def test_an_occurrence_missed_while_down_is_skipped_not_posted_late(
    fake: FakeGateway, wt: ModuleType
) -> None:
    rt = get_runtime()
    await run(fake, msg("/通知 每个工作日 8:30 今日请按时打卡。", at(2026, 11, 19, 10, 0), user_id=DEPUTY))
    # Down from Friday 11-20 morning until Monday 11-23 10:00: Friday's occurrence is skipped,
    # Monday's (1.5 h ago) is posted.
    await wt.scheduler.post_due(rt, at(2026, 11, 23, 10, 0))
    await settle(rt)
    assert len(posts(fake, "今日请按时打卡。")) == 1
    missed = [e for e in await audit.recent(10, group_id=YICHUN) if e.action == "notice.occurrence_missed"]
    assert len(missed) == 1


async def test_members_cannot_create_recurring_notices(fake: FakeGateway) -> None:
    [reply] = await run(fake, msg(f"/通知 每周一 9:00 {CONTENT}", FRIDAY))
    assert "周期通知需要「分管管理员」及以上权限" in reply
    assert await rows() == []


async def test_pause_resume_and_cancel_a_series(fake: FakeGateway, wt: ModuleType) -> None:
    rt = get_runtime()
    await run(fake, msg(f"/通知 每周一 9:00 {CONTENT}", FRIDAY, user_id=DEPUTY))
    [series] = await rows()
    number = series.id
    [paused] = await run(fake, msg(f"/通知 暂停 {number}", FRIDAY, user_id=DEPUTY))
    assert paused.startswith(f"已暂停周期通知 #{number}")
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 0, 5)) == 0
    [resumed] = await run(fake, msg(f"/通知 恢复 {number}", at(2026, 11, 24, 10, 0), user_id=DEPUTY))
    assert "下次发布：11月30日（周一）09:00" in resumed
    [listed] = await run(fake, msg("/通知 列表", at(2026, 11, 24, 10, 0)))
    assert f"#{number} 周期：每周一 09:00，下次 11月30日（周一）09:00" in listed
    [cancelled] = await run(fake, msg(f"/通知 取消 {number}", at(2026, 11, 24, 10, 0), user_id=DEPUTY))
    assert cancelled.startswith(f"已取消通知 #{number}")
    assert await wt.scheduler.post_due(rt, at(2026, 11, 30, 9, 0, 5)) == 0
    [again] = await run(fake, msg(f"/通知 暂停 {number}", at(2026, 11, 24, 10, 0), user_id=DEPUTY))
    assert "已取消" in again and "无法暂停" in again
    assert not posts(fake)


async def test_a_reviewed_group_reviews_a_series_once_and_again_after_an_edit(
    fake: FakeGateway, wt: ModuleType
) -> None:
    rt = get_runtime()
    texts = await run(fake, msg(f"/通知 每周一 9:00 {CONTENT}", FRIDAY, group_id=REVIEWED, user_id=DEPUTY))
    reply = next(t for t in texts if "已提交审核" in t)
    assert "此后每次发布无需再审" in reply and "依据《淮北市政务新媒体管理暂行办法》第十七条" in reply
    [series] = await rows()
    assert series.state == NoticeState.REVIEW
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 0, 5)) == 0
    texts = await run(fake, pm(f"/通知 批准 {series.id}", FRIDAY, user_id="20002"))
    assert any("将按「每周一 09:00」发布，首次 11月23日（周一）09:00" in t for t in texts)
    assert await wt.scheduler.post_due(rt, at(2026, 11, 23, 9, 0, 5)) == 1
    assert await wt.scheduler.post_due(rt, at(2026, 11, 30, 9, 0, 5)) == 1  # no second review
    # An edit sends it back to review: the next Monday has no post until it is approved again.
    tuesday = at(2026, 12, 1, 10, 0)
    texts = await run(
        fake, msg(f"/通知 修改 {series.id} 新的内容。", tuesday, user_id=DEPUTY, group_id=REVIEWED)
    )
    assert any("修改后已重新提交审核" in t for t in texts)
    assert any("待审核的周期通知" in t for t in texts)  # the reviewers are asked again
    assert (await notices.get(series.id or 0)).state == NoticeState.REVIEW  # type: ignore[union-attr]
    assert await wt.scheduler.post_due(rt, at(2026, 12, 7, 9, 0, 5)) == 0
    await settle(rt)
    assert len(posts(fake)) == 2


# --- broadcast ----------------------------------------------------------------------------------


async def test_a_supervisor_broadcasts_one_notice_to_the_units_groups(
    fake: FakeGateway, wt: ModuleType
) -> None:
    rt = get_runtime()
    text = "关于开展年终安全检查的通知：请各群成员于12月10日前完成自查。"
    [reply] = await run(fake, pm(f"/通知 群发 宜春工作群，撤回测试群 {text}", FRIDAY, user_id=SUPERVISOR))
    assert "发往 2 个群" in reply and "不算多头发布" in reply
    parent, *children = await rows()
    assert parent.kind == NoticeKind.BROADCAST and parent.state == NoticeState.DISPATCHED
    assert parent.targets == f"{YICHUN},{RECALLING}"
    assert sorted(c.group_id for c in children) == sorted([YICHUN, RECALLING])
    assert all(c.parent_id == parent.id for c in children)
    # Posted by the scheduler, once per group, however often it (or a second process) looks.
    for _ in range(3):
        await asyncio.gather(wt.scheduler.post_due(rt, FRIDAY), wt.scheduler.post_due(rt, FRIDAY))
    await settle(rt)
    sent = posts(fake, text)
    assert sorted(str(c["group_id"]) for c in sent) == sorted([YICHUN, RECALLING])
    actions = [e.action for e in await audit.recent(20)]
    assert actions.count("notice.broadcast") == 1


async def test_broadcast_targets_are_checked(fake: FakeGateway) -> None:
    texts = [
        *await run(fake, pm(f"/通知 群发 全部 {CONTENT}", FRIDAY, user_id="30001")),  # a member
        *await run(fake, pm(f"/通知 群发 不存在的群 {CONTENT}", FRIDAY, user_id=SUPERVISOR)),
        *await run(fake, msg(f"/通知 群发 全部 {CONTENT}", FRIDAY, user_id=SUPERVISOR)),  # in a group
    ]
    assert texts[0].startswith("群发通知面向监管单位和多个群的群主")
    assert texts[1].startswith("找不到或无权群发到：不存在的群") and "宜春工作群" in texts[1]
    assert texts[2].startswith("群发通知请私聊机器人发送")
    assert await rows() == []


async def test_broadcast_to_a_reviewed_group_waits_for_one_approval(
    fake: FakeGateway, wt: ModuleType
) -> None:
    rt = get_runtime()
    texts = await run(fake, pm(f"/通知 群发 全部 {CONTENT}", FRIDAY, user_id=SUPERVISOR))
    reply = next(t for t in texts if "已提交审核" in t)
    assert "淮北审核群" in reply
    [parent] = await rows()
    assert parent.state == NoticeState.REVIEW and set(parent.targets.split(",")) >= {YICHUN, REVIEWED}
    texts = await run(fake, pm(f"/通知 批准 {parent.id}", FRIDAY, user_id="20002"))
    assert any(t.startswith(f"已批准通知 #{parent.id}，将发布到") for t in texts)
    await wt.scheduler.post_due(rt, FRIDAY)
    await settle(rt)
    groups = sorted(str(c["group_id"]) for c in posts(fake))
    assert REVIEWED in groups and YICHUN in groups and len(groups) == len(set(groups))


async def test_cancelling_a_broadcast_cancels_the_posts_not_yet_out(fake: FakeGateway) -> None:
    evening = at(2026, 11, 20, 19, 0)  # every group is off hours: the posts wait for Monday
    await run(fake, pm(f"/通知 群发 宜春工作群,撤回测试群 {CONTENT}", evening, user_id=SUPERVISOR))
    parent, *_ = await rows()
    [reply] = await run(fake, pm(f"/通知 取消 {parent.id}", evening, user_id=SUPERVISOR))
    assert "已取消尚未发布的 2 个群" in reply
    assert all(r.state == NoticeState.CANCELLED for r in (await rows())[1:])
