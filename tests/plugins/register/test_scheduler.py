"""The register's scheduler: the reminder and escalation cadence, exactly once, a missed reminder done
once on return; cases opened through the public API, their notices, escalations and /处理; the daily
sync, the weekly and the quarterly summaries."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from bot.core.calendar import Severity
from bot.gateway.base import Member
from bot.models.group import ChatGroup
from bot.models.register import CaseState, DutyKind, DutyState, FilingDuty, FilingStatus
from bot.runtime import get_runtime
from bot.store import cases
from bot.store import register as store
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.register.conftest import (
    ADMIN,
    BUDGET,
    LOOSE,
    MEMBER,
    NR,
    NR_SUPERVISOR,
    OFFICE,
    OPERATOR,
    OWNER,
    SUPERVISOR,
    RegisterGateway,
    at,
    msg,
    run,
    sent,
)
from tests.utils import FakeGateway

MONDAY = at(2026, 11, 16, 10, 0)


async def joined(group_id: str = OFFICE, when: datetime = MONDAY) -> None:
    from bot.plugins.register import lifecycle

    await lifecycle.first_sight(get_runtime(), "qq", group_id, "999", when, joined=True)


async def the_duty() -> FilingDuty:
    async with get_db().session() as s:
        [duty] = list((await s.execute(select(FilingDuty))).scalars())
    return duty


async def remind(when: datetime) -> int:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    n = await scheduler.remind_due(rt, when)
    await settle(rt)
    return n


async def file_it(group_id: str, when: datetime, *, matter: str = "日常工作联络") -> None:
    """The owner files the group completely (form in the group, personal fields in private)."""
    rt = get_runtime()
    from bot.dispatch.router import handle_message

    form = f"/备案 科室=办公室 事项={matter} 类型=常设 入群方式=审核 群规=只发工作信息"
    await handle_message(msg(form, when, group_id=group_id, user_id=OWNER, role="owner"), rt)
    from tests.plugins.register.conftest import pm

    await handle_message(pm(f"/备案 群 {group_id} 群主=李四 联系方式=13812345678", when), rt)
    await settle(rt)


# --- duties -------------------------------------------------------------------------------------


async def test_reminders_before_on_and_after_the_deadline_then_escalations(fake: RegisterGateway) -> None:
    await joined()
    assert await remind(MONDAY) == 1
    [first] = sent(fake, "send_private", to=OWNER)
    assert "尚未备案" in first and "11月25日（周三）17:30" in first
    assert await remind(at(2026, 11, 24, 8, 0)) == 0  # not yet

    assert await remind(at(2026, 11, 24, 8, 30)) == 1
    assert "即将到期" in sent(fake, "send_private", to=OWNER)[-1]
    assert await remind(at(2026, 11, 25, 8, 30)) == 1
    assert (
        "今天是「工作群700」（群号 700）备案的最后期限（11月25日（周三）17:30）"
        in sent(fake, "send_private", to=OWNER)[-1]
    )
    assert sent(fake, "send_private", to=SUPERVISOR) == []

    # Overdue: the owner again, the unit's supervisor, and a case (kunming 第十五条: 1 hour, working time).
    assert await remind(at(2026, 11, 26, 8, 30)) == 1
    owner_note = sent(fake, "send_private", to=OWNER)[-1]
    assert (
        "已逾期 15 小时 0 分钟" in owner_note  # no whole working day has elapsed yet
        and "已登记为整改事项 #" in owner_note
        and "报告监管单位" in owner_note
    )
    [escalation] = sent(fake, "send_private", to=SUPERVISOR)
    assert escalation.startswith("【逾期提醒】测试市财政局") and "已逾期 15 小时 0 分钟" in escalation
    assert "第十条" in escalation and f"群主 QQ {OWNER}" in escalation
    [case] = await cases.list_cases(group_ids=[OFFICE])
    assert (
        case.kind == "filing_overdue" and case.category == "逾期未备案" and case.severity == Severity.GENERAL
    )
    assert case.due_at == at(2026, 11, 26, 9, 30) and not case.escalate and case.notified_at is None
    assert await remind(at(2026, 11, 26, 12, 0)) == 0

    # Every 5 working days after that (huangshan preset: escalation_interval_days = 5).
    assert await remind(at(2026, 12, 2, 12, 0)) == 0
    assert await remind(at(2026, 12, 3, 8, 30)) == 1
    assert len(sent(fake, "send_private", to=SUPERVISOR)) == 2
    duty = await the_duty()
    assert (duty.reminders, duty.escalations, duty.next_at) == (5, 2, at(2026, 12, 10, 8, 30))

    # Filed at last: the duty is done (late) and its case closed.
    await file_it(OFFICE, at(2026, 12, 3, 10, 0))
    duty = await the_duty()
    assert duty.state == DutyState.DONE and duty.late
    [closed] = await cases.list_cases(group_ids=[OFFICE], states=(CaseState.CLOSED,))
    assert closed.close_note == "已完成备案" and closed.late
    assert await remind(at(2026, 12, 10, 8, 30)) == 0


async def test_a_reminder_is_sent_once_by_racing_schedulers(fake: RegisterGateway) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    await joined()
    counts = await asyncio.gather(*(scheduler.remind_due(rt, MONDAY) for _ in range(4)))
    await settle(rt)
    assert sum(counts) == 1 and len(sent(fake, "send_private", to=OWNER)) == 1


async def test_reminders_missed_while_down_are_sent_once_on_return(fake: RegisterGateway) -> None:
    await joined()
    # Down from before the first reminder until after the second overdue round (12-03 08:30).
    assert await remind(at(2026, 12, 4, 10, 0)) == 1
    [note] = sent(fake, "send_private", to=OWNER)
    assert "已逾期 6 个工作日" in note
    assert len(sent(fake, "send_private", to=SUPERVISOR)) == 1
    assert await remind(at(2026, 12, 4, 10, 5)) == 0
    duty = await the_duty()
    assert duty.next_at == at(2026, 12, 10, 8, 30) and duty.reminders == 1


async def test_nothing_is_done_without_an_account_that_can_list_members() -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    plain = FakeGateway()
    rt.registry.add(plain)
    try:
        await joined()
        await scheduler.run_due(rt, MONDAY)
        await settle(rt)
        assert plain.calls == []
        duty = await the_duty()
        assert duty.stage == 0 and duty.next_at == MONDAY
    finally:
        rt.registry.remove(plain.platform, plain.self_id)


async def test_without_a_known_owner_the_group_is_reminded(fake: RegisterGateway) -> None:
    fake.members = [Member(MEMBER)]  # e.g. WeChat: no roles in the member list
    await joined(NR)
    assert await remind(MONDAY) == 1
    [text] = sent(fake, "send_group")
    assert "尚未备案" in text and "《黄石市自然资源和规划局(林业局)政务新媒体管理制度》第九条" in text
    assert "2 个工作日内备案" in text and "11月18日（周三）17:30" in text


# --- cases --------------------------------------------------------------------------------------


async def open_secret_case(group_id: str = OFFICE, when: datetime = MONDAY) -> int:
    rt = get_runtime()
    case, created = await cases.open_case(
        platform="qq",
        group_id=group_id,
        self_id="999",
        kind="secret",
        severity=Severity.SERIOUS,
        rule="secret",
        summary="消息含涉密标识，已撤回",
        user_id=MEMBER,
        message_id="555",
        received_at=when,
        calendar=rt.calendar(group_id),
        source="guard",
        dedup_key=f"guard:qq:{group_id}:555:secret",
    )
    assert created and case.id is not None
    return case.id


async def test_a_case_is_notified_escalated_and_closed(fake: RegisterGateway) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    await joined()
    number = await open_secret_case()
    assert await scheduler.notify_cases(rt, MONDAY) == 1
    assert await scheduler.notify_cases(rt, MONDAY) == 0
    await settle(rt)
    [notice] = [t for t in sent(fake, "send_private", to=OWNER) if "整改通知" in t]
    assert f"【整改通知】整改事项 #{number}" in notice and "涉密标识（严重问题）" in notice
    # kunming's deadlines apply, but only a kunming group cites kunming 第十五条
    assert "30 分钟内完成整改" in notice
    assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》及本群群规" in notice
    assert "昆明" not in notice
    assert (
        "工作时间内" in notice and "11月16日（周一）10:30" in notice and f"/处理 {number} 处理说明" in notice
    )

    assert await scheduler.escalate_cases(rt, at(2026, 11, 16, 10, 29)) == 0
    assert await scheduler.escalate_cases(rt, at(2026, 11, 16, 10, 31)) == 1
    assert await scheduler.escalate_cases(rt, at(2026, 11, 16, 16, 0)) == 0
    await settle(rt)
    [escalation] = sent(fake, "send_private", to=SUPERVISOR)
    assert (
        "【整改逾期】测试市财政局" in escalation
        and f"#{number}" in escalation
        and "已逾期 1 分钟" in escalation
    )
    # The next round on the next working day (case_escalation_days = 1).
    assert await scheduler.escalate_cases(rt, at(2026, 11, 17, 8, 30)) == 1

    [listing] = await run(fake, msg("/处理", MONDAY, user_id=ADMIN, role="admin"))
    assert f"#{number} 涉密标识（严重）｜期限 11月16日（周一）10:30" in listing["text"]
    [usage] = await run(fake, msg(f"/处理 {number}", MONDAY, user_id=ADMIN, role="admin"))
    assert "结案须写明处理情况" in usage["text"] and "用法：/处理" in usage["text"]
    [refusal] = await run(fake, msg(f"/处理 {number} 已处理", MONDAY, user_id=MEMBER))
    assert "需要「分管管理员」" in refusal["text"]
    later = at(2026, 11, 17, 9, 0)
    [view] = await run(fake, msg(f"/处理 查看 {number}", later, user_id=ADMIN, role="admin"))
    assert "时限 30 分钟" in view["text"] and "已逾期" in view["text"]
    [closed] = await run(fake, msg(f"/处理 {number} 已撤回并提醒当事人", later, user_id=ADMIN, role="admin"))
    assert f"整改事项 #{number} 已结案，已超过整改期限" in closed["text"]
    [again] = await run(fake, msg(f"/处理 {number} 再结一次", later, user_id=ADMIN, role="admin"))
    assert "已结案，无需重复处理" in again["text"]
    assert await scheduler.escalate_cases(rt, at(2026, 11, 18, 8, 30)) == 0
    [missing] = await run(fake, msg("/处理 99999 说明", later, user_id=ADMIN, role="admin"))
    assert "没有编号为 #99999 的、您可处理的整改事项" in missing["text"]


async def test_cases_of_groups_without_a_unit_go_to_the_operators(fake: RegisterGateway) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    await open_secret_case(LOOSE, at(2026, 11, 14, 22, 0))  # Saturday night: serious → 2 hours
    [case] = await cases.list_cases(group_ids=[LOOSE])
    assert case.due_at == at(2026, 11, 15, 0, 0) and not case.in_working_time
    assert await scheduler.escalate_cases(rt, at(2026, 11, 15, 0, 1)) == 1
    await settle(rt)
    [text] = sent(fake, "send_private", to=OPERATOR)
    assert "【整改逾期】未归属单位" in text


async def test_case_list_in_private_chat_covers_the_groups_one_manages(fake: RegisterGateway) -> None:
    await joined(OFFICE)
    await joined(NR)
    first = await open_secret_case(OFFICE)
    await open_secret_case(NR)
    [listing] = await run(
        fake, msg("/处理 全部", MONDAY, user_id=SUPERVISOR)
    )  # in group 700: that group only
    assert f"#{first} " in listing["text"] and listing["text"].count("涉密标识") == 1
    from tests.plugins.register.conftest import pm

    [mine] = await run(fake, pm("/处理", MONDAY, user_id=NR_SUPERVISOR))
    assert "自然资源临时群" in mine["text"] and "办公室工作群" not in mine["text"]


# --- jobs ---------------------------------------------------------------------------------------


async def test_daily_sync_and_weekly_summary_run_once(fake: RegisterGateway) -> None:
    from bot.plugins.register import reports, scheduler

    rt = get_runtime()
    await file_it(OFFICE, MONDAY, matter="预算编制")
    await file_it(BUDGET, MONDAY, matter="预算编制工作")
    await joined("702", MONDAY)
    await joined(NR, MONDAY)
    async with get_db().session() as s:
        quiet = MONDAY - timedelta(days=33)
        await s.execute(
            update(ChatGroup).where(ChatGroup.group_id == BUDGET).values(first_seen=quiet, last_seen=quiet)  # type: ignore[arg-type]
        )
    fake.calls.clear()

    monday = at(2026, 11, 23, 10, 0)
    await scheduler.run_due(rt, monday)
    await settle(rt)
    synced = [p["group_id"] for k, p in fake.calls if k == "group_info"]
    assert set(synced) == {OFFICE, BUDGET, "702", NR}
    [weekly] = [t for t in sent(fake, "send_private", to=SUPERVISOR) if "周报" in t]
    assert weekly.startswith("【工作群登记备案周报】测试市财政局（2026-W48")
    assert "共 3 个工作群：已备案 2，未备案 1" in weekly
    assert "「工作群702」（群号 702）备案期限 11月25日（周三）17:30，未到期" in weekly
    assert "重复建群" in weekly and "事项「预算编制」" in weekly and "《黄石" not in weekly
    assert "休眠群" in weekly and "已 40 天没有消息" in weekly and "《淮北" not in weekly
    [nr_weekly] = [t for t in sent(fake, "send_private", to=NR_SUPERVISOR) if "周报" in t]
    assert "测试自然资源局" in nr_weekly and "已逾期" in nr_weekly

    calls = len(fake.calls)
    await scheduler.run_due(rt, monday + timedelta(minutes=5))
    await settle(rt)
    assert not [k for k, _ in fake.calls[calls:] if k == "group_info"]
    assert len([t for t in sent(fake, "send_private", to=SUPERVISOR) if "周报" in t]) == 1
    assert await reports.weekly(rt, monday + timedelta(hours=1)) == 0


async def test_no_weekly_summary_in_a_week_without_working_days(fake: RegisterGateway) -> None:
    from bot.plugins.register import reports

    await joined()
    assert await reports.weekly(get_runtime(), at(2026, 2, 18, 10, 0)) == 0  # Spring Festival week


async def test_quarterly_summary_of_cases(fake: RegisterGateway) -> None:
    from bot.plugins.register import reports

    rt = get_runtime()
    await joined(OFFICE, at(2026, 7, 1, 9, 0))
    cal = rt.calendar(OFFICE)
    opened = []
    for n, (when, kind) in enumerate(
        [(at(2026, 7, 6, 10), "secret"), (at(2026, 8, 3, 10), "id_number"), (at(2026, 9, 7, 10), "secret")]
    ):
        case, _ = await cases.open_case(
            platform="qq",
            group_id=OFFICE,
            kind=kind,
            severity="serious",
            received_at=when,
            calendar=cal,
            dedup_key=f"q{n}",
        )
        opened.append(case)
    await cases.close_case(opened[0].id or 0, ADMIN, "已处理", at(2026, 7, 6, 10, 20))
    await cases.close_case(opened[1].id or 0, ADMIN, "已处理", at(2026, 8, 3, 15, 0))
    october = at(2026, 10, 9, 10, 0)
    assert await reports.quarterly(rt, at(2026, 10, 8, 8, 59)) == 0
    assert await reports.quarterly(rt, october) == 1
    assert await reports.quarterly(rt, october + timedelta(hours=1)) == 0
    await settle(rt)
    [summary] = [t for t in sent(fake, "send_private", to=SUPERVISOR) if "季度" in t]
    assert summary.startswith("【整改情况季度汇总】测试市财政局（2026年第3季度）")
    assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》及本群群规" in summary
    assert "昆明" not in summary
    assert "整改事项 3 件：按期完成 1，超期完成 1，逾期未结 1；超期率 67%" in summary
    assert "涉密标识 2，身份证号码 1" in summary and "超期率较高" in summary


async def test_status_lines(fake: RegisterGateway) -> None:
    await joined()
    await open_secret_case()
    replies = await run(fake, msg("/状态", MONDAY, user_id=ADMIN, role="admin"))
    text = replies[-1]["text"]
    assert "备案：未备案；备案期限 11月25日（周三）17:30" in text and "整改事项：未结 1 件" in text


async def test_filed_states_are_listed_for_the_register(fake: RegisterGateway) -> None:
    await file_it(OFFICE, MONDAY)
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.status == FilingStatus.FILED
    assert [d.kind for d in await store.open_duties()] == []
    assert (await the_duty()).kind == DutyKind.FILE


def test_dates_used_here_are_working_days() -> None:
    cal = get_runtime().calendar(OFFICE)
    assert all(cal.is_working_day(d) for d in (date(2026, 11, 16), date(2026, 11, 26), date(2026, 12, 3)))


async def test_weekly_summary_lists_groups_the_bot_cannot_reach(fake: RegisterGateway) -> None:
    from bot.plugins.register import reports

    await joined("702")
    gone = await store.get_filing("qq", "702")
    assert gone is not None and gone.id is not None
    await store.update_filing(gone.id, {"sync_failures": 3})
    filings = await store.list_filings()
    lines = await reports.weekly_text(get_runtime(), "finance", filings, at(2026, 11, 23, 10))
    text = "\n".join(lines)
    assert "无法获取群信息" in text and "连续 3 天" in text and "/备案 群 群号 注销 原因" in text
