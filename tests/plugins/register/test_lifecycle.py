"""A group's life: first seen, the bot added, disbanded in the three payload shapes the implementations
send (NapCat/Lagrange ``group_decrease``/``disband``, LLOneBot ``group_dismiss``, the bot removed),
renamed, its owner changed, dormant — through the real adapter parsing and the notice hooks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.dispatch.hooks import notice_hooks, run_hooks
from bot.gateway.base import Member
from bot.intake.adapters import StewardV11Adapter
from bot.intake.record import NoticeRecord, notice_from_event
from bot.models.audit import AuditEntry
from bot.models.group import ChatGroup
from bot.models.register import DeregKind, DutyKind, DutyState, FilingDuty, FilingStatus
from bot.runtime import get_runtime
from bot.sim import events as ev
from bot.store import cases
from bot.store import register as store
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.register.conftest import (
    ADMIN,
    MEMBER,
    OFFICE,
    OWNER,
    SUPERVISOR,
    RegisterGateway,
    at,
    msg,
    run,
    sent,
)

MONDAY = at(2026, 11, 16, 10, 0)
BOT = 999


def parsed(event: dict[str, Any]) -> NoticeRecord:
    """The event as the intake turns it into a record (adapter repair, model, record)."""
    model = StewardV11Adapter.json_to_event(event)
    assert model is not None
    rec = notice_from_event(model)
    assert rec is not None
    return rec


async def deliver(event: dict[str, Any]) -> None:
    rt = get_runtime()
    await run_hooks(notice_hooks, parsed(event), rt)
    await settle(rt)


async def filed_group(group_id: str = OFFICE, *, kind: str = "standing", end: date | None = None) -> int:
    filing, _ = await store.ensure_filing("qq", group_id, "999", MONDAY)
    assert filing.id is not None
    await store.update_filing(
        filing.id,
        {
            "status": FilingStatus.FILED,
            "filed_at": MONDAY,
            "name": "办公室工作群",
            "dept": "办公室",
            "matter": "日常工作联络",
            "kind": kind,
            "end_date": end,
            "observed_name": "办公室工作群",
            "owner_id": OWNER,
            "filed_platform_name": "办公室工作群",
            "filed_owner_id": OWNER,
        },
    )
    return filing.id


async def duties() -> list[FilingDuty]:
    async with get_db().session() as s:
        return list((await s.execute(select(FilingDuty).order_by(FilingDuty.id))).scalars())  # type: ignore[arg-type]


async def audit_actions(since: int = 0) -> list[str]:
    async with get_db().session() as s:
        q = select(AuditEntry).where(AuditEntry.id > since).order_by(AuditEntry.id)  # type: ignore[arg-type,operator]
        return [e.action for e in (await s.execute(q)).scalars()]


async def audit_mark() -> int:
    async with get_db().session() as s:
        rows = list((await s.execute(select(AuditEntry.id))).scalars())  # type: ignore[call-overload]
    return max(rows, default=0)


def in_group(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in replies if r["kind"] == "send_group"]


# --- first sight --------------------------------------------------------------------------------


async def test_a_group_first_seen_through_a_message_is_reminded_at_the_next_working_start(
    fake: RegisterGateway,
) -> None:
    saturday_night = at(2026, 11, 21, 22, 0)
    replies = await run(fake, msg("大家周末好", saturday_night, group_id="702"))
    assert replies == [] and not [c for c in fake.calls if c[0] in ("member_list", "group_info")]
    filing = await store.get_filing("qq", "702")
    assert (
        filing is not None and filing.status == FilingStatus.UNFILED and filing.first_seen == saturday_night
    )
    [duty] = await duties()
    # huangshan 第十条: 7 working days from Saturday → Tuesday 12-01; first reminder Monday 08:30.
    assert duty.kind == DutyKind.FILE and duty.due_at == at(2026, 12, 1, 17, 30)
    assert duty.starts_at == at(2026, 11, 23, 8, 30) and duty.next_at == duty.starts_at
    # The next messages of the group cost no database work for the register.
    await run(fake, msg("收到", saturday_night + timedelta(minutes=1), group_id="702"))
    assert len(await duties()) == 1


async def test_the_bot_added_to_a_group_reminds_the_owner_at_once(fake: RegisterGateway) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    await deliver(
        ev.group_increase(
            int(OFFICE), BOT, sub_type="invite", operator_id=int(OWNER), time=MONDAY, self_id=BOT
        )
    )
    [duty] = await duties()
    assert duty.starts_at == MONDAY and duty.due_at == at(2026, 11, 25, 17, 30)
    assert await scheduler.remind_due(rt, MONDAY) == 1
    assert await scheduler.remind_due(rt, MONDAY) == 0  # taken: not twice
    await settle(rt)
    [reminder] = sent(fake, "send_private", to=OWNER)
    assert (
        "尚未备案" in reminder and "《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十条" in reminder
    )
    assert "7 个工作日内备案" in reminder and "11月25日（周三）17:30" in reminder and "/备案" in reminder
    assert "register.reminded" in await audit_actions()


# --- disbanded, three shapes --------------------------------------------------------------------

DISBAND_SHAPES = [
    pytest.param(
        ev.group_decrease(
            int(OFFICE), BOT, sub_type="disband", operator_id=int(OWNER), time=MONDAY, self_id=BOT
        ),
        DeregKind.DISBANDED,
        "群已解散",
        id="napcat-lagrange-disband",
    ),
    pytest.param(
        ev.group_dismiss(int(OFFICE), int(OWNER), time=MONDAY, self_id=BOT, string_ids=True),
        DeregKind.DISBANDED,
        "群已解散",
        id="llonebot-group_dismiss",
    ),
    pytest.param(
        ev.group_decrease(
            int(OFFICE), BOT, sub_type="kick_me", operator_id=int(OWNER), time=MONDAY, self_id=BOT
        ),
        DeregKind.REMOVED,
        "机器人被移出群",
        id="bot-removed",
    ),
]


@pytest.mark.parametrize(("event", "kind", "reason"), DISBAND_SHAPES)
async def test_disbanded_group_is_deregistered_once(
    fake: RegisterGateway, event: dict[str, Any], kind: DeregKind, reason: str
) -> None:
    await filed_group()
    await store.open_duty(
        store.NewDuty(
            "qq", OFFICE, DutyKind.REFILE, opened_at=MONDAY, starts_at=MONDAY, due_at=at(2026, 11, 25, 17, 30)
        )
    )
    mark = await audit_mark()
    await deliver(event)
    await deliver(event)  # delivered twice (a reconnect replays it): handled once
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.status == FilingStatus.DEREGISTERED
    assert filing.dereg_kind == kind and filing.dereg_reason == reason and filing.dereg_at == MONDAY
    assert [d.state for d in await duties()] == [DutyState.CANCELLED]
    [note] = sent(fake, "send_private", to=SUPERVISOR)
    assert f"{reason}，已于 2026年11月16日 自动注销登记" in note and "测试市财政局" in note
    assert (await audit_actions(mark)).count("register.deregistered") == 1
    history = await store.history(filing.id or 0)
    assert [h.event for h in history][:1] == ["deregistered"]


async def test_a_temporary_group_dissolved_in_time_closes_its_duty_and_cases(fake: RegisterGateway) -> None:
    await filed_group(kind="temporary", end=date(2026, 11, 13))
    duty, _ = await store.open_duty(
        store.NewDuty(
            "qq",
            OFFICE,
            DutyKind.DISSOLVE,
            opened_at=MONDAY,
            starts_at=MONDAY,
            due_at=at(2026, 11, 17, 17, 30),
        )
    )
    await cases.open_case(
        platform="qq",
        group_id=OFFICE,
        kind="dissolve_overdue",
        severity="general",
        received_at=MONDAY,
        calendar=get_runtime().calendar(OFFICE),
        ref=f"duty:{duty.id}",
        notify=False,
        escalate=False,
    )
    await deliver(ev.group_dismiss(int(OFFICE), int(OWNER), time=MONDAY + timedelta(hours=2), self_id=BOT))
    [closed] = await duties()
    assert closed.state == DutyState.DONE and not closed.late
    assert await cases.list_cases(group_ids=[OFFICE]) == []
    [note] = sent(fake, "send_private", to=SUPERVISOR)
    assert "临时群，按期解散" in note


async def test_the_bot_leaving_deregisters_and_its_return_reopens(fake: RegisterGateway) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    await filed_group()
    await deliver(ev.group_decrease(int(OFFICE), BOT, sub_type="leave", time=MONDAY, self_id=BOT))
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.dereg_kind == DeregKind.LEFT
    # A member leaving is nothing to the register.
    await deliver(ev.group_decrease(int(OFFICE), int(MEMBER), sub_type="leave", time=MONDAY, self_id=BOT))
    back = at(2026, 11, 18, 9, 0)
    await deliver(ev.group_increase(int(OFFICE), BOT, time=back, self_id=BOT))
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.status == FilingStatus.UNFILED and filing.first_seen == back
    assert filing.dept == "办公室"  # the old values stay as a draft
    [duty] = [d for d in await duties() if d.state == DutyState.OPEN]
    assert duty.due_at == at(2026, 11, 27, 17, 30)
    fake.calls.clear()
    assert await scheduler.remind_due(rt, back) == 1
    await settle(rt)
    assert any("尚未备案" in t for t in sent(fake, "send_private", to=OWNER))
    # The owner confirms the kept values.
    replies = in_group(await run(fake, msg("/备案 确认", back, user_id=OWNER, role="owner")))
    assert "备案信息还不完整（尚缺：入群方式、群规群纪、群主（管理者）、联系方式）" in replies[0]["text"]


# --- changes ------------------------------------------------------------------------------------


async def test_a_rename_notice_opens_a_refiling_duty(fake: RegisterGateway) -> None:
    await filed_group()
    rename = {
        "time": int(MONDAY.timestamp()),
        "self_id": BOT,
        "post_type": "notice",
        "notice_type": "notify",
        "sub_type": "group_name",
        "group_id": int(OFFICE),
        "user_id": int(OWNER),
        "name_new": "综合科工作群",
    }
    await deliver(rename)
    [duty] = await duties()
    assert duty.kind == DutyKind.REFILE and duty.due_at == at(2026, 11, 25, 17, 30)
    assert duty.detail == "群名称（原「办公室工作群」，现「综合科工作群」）"
    assert "register.change_detected" in await audit_actions()
    # The owner updates the filing's name: the duty is done, the supervisors told.
    [reply] = in_group(await run(fake, msg("/备案 名称=综合科工作群", MONDAY, user_id=OWNER, role="owner")))
    assert "备案信息已更新" in reply["text"]
    [done] = await duties()
    assert done.state == DutyState.DONE
    assert any("已变更备案（群组名称）" in t for t in sent(fake, "send_private", to=SUPERVISOR))


async def test_daily_sync_detects_a_new_owner_and_the_owner_confirms(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    rt = get_runtime()
    await filed_group()
    fake.names[OFFICE] = "办公室工作群"
    fake.members = [Member(ADMIN, role="owner"), Member(OWNER, role="admin")]
    assert await lifecycle.sync_all(rt, MONDAY) == 1
    [duty] = await duties()
    assert duty.kind == DutyKind.REFILE and duty.detail == "群主"
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.owner_id == ADMIN and filing.member_count == 25
    # Nothing changes on a second sync.
    await lifecycle.sync_all(rt, MONDAY + timedelta(days=1))
    assert len(await duties()) == 1
    [reply] = in_group(await run(fake, msg("/备案 确认", MONDAY, user_id=ADMIN, role="owner")))
    assert "已确认备案信息（变更：群主）" in reply["text"]
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.filed_owner_id == ADMIN
    [nothing] = await run(fake, msg("/备案 确认", MONDAY, user_id=ADMIN, role="owner"))
    assert "没有待确认的变更" in nothing["text"]


async def test_a_change_that_is_undone_cancels_the_refiling(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    rt = get_runtime()
    await filed_group()
    fake.names[OFFICE] = "临时改的名字"
    await lifecycle.sync_all(rt, MONDAY)
    fake.names[OFFICE] = "办公室工作群"
    await lifecycle.sync_all(rt, MONDAY + timedelta(days=1))
    [duty] = await duties()
    assert duty.state == DutyState.CANCELLED and duty.close_note == "已恢复为备案时的信息"


async def test_a_failed_lookup_is_not_a_change(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    rt = get_runtime()
    await filed_group()
    fake.fail["group_info"] = 1
    assert await lifecycle.sync_all(rt, MONDAY) == 0
    assert await duties() == []
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.sync_failures == 1


async def test_groups_seen_only_through_commands_are_registered_by_the_sync(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    rt = get_runtime()
    async with get_db().session() as s:
        s.add(ChatGroup(platform="qq", group_id="702", self_id="999", first_seen=MONDAY, last_seen=MONDAY))
    await lifecycle.sync_all(rt, MONDAY + timedelta(days=1))
    filing = await store.get_filing("qq", "702")
    assert filing is not None and filing.first_seen == MONDAY


async def test_a_dormant_group_is_noted_to_the_owner_once(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    rt = get_runtime()
    await filed_group()
    mark = await audit_mark()
    quiet = MONDAY - timedelta(days=40)
    async with get_db().session() as s:
        s.add(ChatGroup(platform="qq", group_id=OFFICE, self_id="999", first_seen=quiet, last_seen=quiet))
    await lifecycle.sync_all(rt, MONDAY)
    await lifecycle.sync_all(rt, MONDAY + timedelta(days=1))
    await settle(rt)
    [note] = [t for t in sent(fake, "send_private", to=OWNER) if "没有消息" in t]
    assert "已有 40 天没有消息" in note
    assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》及本群群规" in note
    assert "淮北" not in note
    assert (await audit_actions(mark)).count("register.dormant") == 1


async def test_activity_is_counted_and_shown(fake: RegisterGateway) -> None:
    from bot.plugins.register import lifecycle

    for n in range(3):
        await run(fake, msg(f"工作消息{n}", MONDAY + timedelta(minutes=n)))
    await lifecycle.flush_activity()
    totals = await store.activity_totals(date(2026, 11, 1))
    assert totals[("qq", OFFICE)] == 3
    [view, *_] = await run(
        fake, msg("/备案 查看", MONDAY + timedelta(minutes=5), user_id=ADMIN, role="admin")
    )
    assert "活跃程度：一般（近1天 3 条）" in view["text"]


async def test_owners_are_known_to_the_router_after_a_restart(fake: RegisterGateway) -> None:
    from sqlalchemy import delete

    from bot.dispatch.router import role_book
    from bot.models.dayone import MemberRole
    from bot.plugins.register import lifecycle
    from tests.plugins.register.conftest import pm

    await filed_group()
    # A fresh process on a database that never stored the owner's role (e.g. before it was kept).
    async with get_db().session() as s:
        await s.execute(delete(MemberRole))
    role_book.load([])
    role_book.note("qq", OFFICE, OWNER, "member")
    [refused] = await run(fake, pm("/备案 查看", MONDAY))
    assert refused["text"].startswith("抱歉，/备案 需要「群管理员」")
    assert await lifecycle.remember_owners() == 1
    [view] = await run(fake, pm("/备案 查看", MONDAY))
    assert "「办公室工作群」（群号 700）备案信息（已备案）" in view["text"]


async def test_a_group_seen_long_before_is_told_once_that_it_is_overdue(fake: RegisterGateway) -> None:
    """After an upgrade the deadline counts from the router's first record of the group."""
    from bot.plugins.register import scheduler

    rt = get_runtime()
    old = MONDAY - timedelta(days=30)
    async with get_db().session() as s:
        s.add(ChatGroup(platform="qq", group_id=OFFICE, self_id="999", first_seen=old, last_seen=old))
    await run(fake, msg("早上好", MONDAY))
    [duty] = await duties()
    assert duty.due_at == at(2026, 10, 27, 17, 30) and duty.starts_at == MONDAY
    assert await scheduler.remind_due(rt, MONDAY) == 1
    await settle(rt)
    [note] = sent(fake, "send_private", to=OWNER)
    assert "本群的期限是 10月27日（周二）17:30（已逾期 13 个工作日）" in note
    assert sent(fake, "send_private", to=SUPERVISOR) == []  # the first notice is not an escalation
