"""The off-hours rule (yichun 第十条) through the router: the event's timestamp decides."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from bot.dispatch.router import handle_message
from bot.models.worktime import OffHoursFinding
from bot.runtime import get_runtime
from bot.store import audit
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.worktime.conftest import KUNMING, RECALLING, YICHUN, at, calls, msg
from tests.utils import FakeGateway

MEETING = "各科室：明天上午9点在三楼会议室召开安全生产工作会议，请准时参加。"
REPORT = "请各股室于11月25日前报送年度工作总结，逾期不候。"
# 2026-11-20 is a Friday: the next working-hours start after its evening is Monday 11-23 08:30.
FRIDAY_NIGHT = at(2026, 11, 20, 22, 40)


async def findings() -> list[OffHoursFinding]:
    async with get_db().session() as s:
        return list((await s.execute(select(OffHoursFinding).order_by(OffHoursFinding.id))).scalars())


async def test_notice_at_night_gets_a_private_reminder_citing_the_clause(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg(MEETING, FRIDAY_NIGHT), rt)
    await settle(rt)
    [reminder] = calls(fake, "send_private")
    assert reminder["user_id"] == "30001"
    text = reminder["text"]
    assert "依据《宜春市政务微信工作群管理规范》第十条" in text
    assert "11月20日（周五）22:40" in text and "「宜春工作群」" in text and "当时已经下班" in text
    assert "/通知 通知内容" in text and "11月23日（周一）08:30" in text
    assert "会议安排" in text and "【紧急】" in text
    assert calls(fake, "send_group") == [] and calls(fake, "recall") == []

    [row] = await findings()
    assert (row.group_id, row.user_id, row.message_id) == (YICHUN, "30001", "501")
    assert row.at == FRIDAY_NIGHT.astimezone(UTC) and row.reminded and not row.recalled
    assert row.text == "" and "meeting_arrangement" in row.reasons.split(",")
    [entry] = await audit.recent(1, group_id=YICHUN)
    assert entry.action == "worktime.off_hours" and entry.rule == "off_hours" and entry.target == "30001"
    assert MEETING not in entry.reason + entry.detail  # the message itself is not copied into the log


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (at(2026, 11, 23, 7, 50), "当时尚未上班"),
        (at(2026, 11, 21, 10, 0), "休息日"),  # Saturday
        (at(2026, 10, 1, 10, 0), "休息日"),  # National Day, a Thursday
        (at(2026, 10, 7, 16, 0), "休息日"),  # the last day of the golden week
    ],
)
async def test_rest_days_and_early_mornings_are_off_hours(fake: FakeGateway, when, why) -> None:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    await handle_message(msg(REPORT, when), rt)
    await settle(rt)
    [reminder] = calls(fake, "send_private")
    assert why in reminder["text"]
    assert len(await findings()) == 1


@pytest.mark.parametrize(
    "when",
    [
        at(2026, 11, 20, 10, 0),
        at(2026, 11, 20, 8, 30),  # the first minute of working time
        at(2026, 10, 10, 10, 0),  # Saturday, a 调休 make-up workday
        at(2026, 9, 20, 15, 0),  # Sunday, a make-up workday before National Day
    ],
)
async def test_notices_inside_working_hours_pass(fake: FakeGateway, when) -> None:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    await handle_message(msg(MEETING, when), rt)
    await settle(rt)
    assert fake.calls == [] and await findings() == []


@pytest.mark.parametrize(
    "text",
    [
        "今天辛苦了，早点休息",
        "明天见",
        "收到",
        "明天开会吗？",
        "周末去爬山，有一起的吗",
        "我已经提交了，谢谢",
    ],
)
async def test_ordinary_chat_after_hours_is_not_a_notice(fake: FakeGateway, text: str) -> None:
    rt = get_runtime()
    await handle_message(msg(text, FRIDAY_NIGHT), rt)
    await settle(rt)
    assert fake.calls == [] and await findings() == []


@pytest.mark.parametrize(
    "text",
    [
        f"【紧急】{MEETING}",
        f"紧急通知：{REPORT}",
        "急！请各科室今晚10点前上报值班人员名单",
        "[紧急]请相关人员明早7点到岗迎检",
    ],
)
async def test_urgent_notices_pass(fake: FakeGateway, text: str) -> None:
    rt = get_runtime()
    await handle_message(msg(text, FRIDAY_NIGHT), rt)
    await settle(rt)
    assert fake.calls == [] and await findings() == []


async def test_at_all_with_a_time_counts_as_a_notice(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg("明天上午9点到", FRIDAY_NIGHT, at_all=True), rt)
    await settle(rt)
    assert len(calls(fake, "send_private")) == 1


async def test_preset_without_the_clause_does_nothing(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg(MEETING, FRIDAY_NIGHT, group_id=KUNMING), rt)
    await settle(rt)
    assert fake.calls == [] and await findings() == []


async def test_one_reminder_per_sender_in_ten_minutes_but_every_message_recorded(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg(MEETING, FRIDAY_NIGHT, message_id="1"), rt)
    await handle_message(msg(REPORT, at(2026, 11, 20, 22, 45), message_id="2"), rt)
    await handle_message(msg(REPORT, at(2026, 11, 20, 22, 45), user_id="30009", message_id="3"), rt)
    await handle_message(msg(MEETING, at(2026, 11, 20, 22, 55), message_id="4"), rt)
    await settle(rt)
    assert [c["user_id"] for c in calls(fake, "send_private")] == ["30001", "30009", "30001"]
    assert [(f.message_id, f.reminded) for f in await findings()] == [
        ("1", True),
        ("2", False),
        ("3", True),
        ("4", True),
    ]


async def test_recalling_preset_recalls_and_offers_a_repost(fake: FakeGateway) -> None:
    rt = get_runtime()
    lunch = at(2026, 11, 20, 12, 30)  # inside this group's 12:00–14:00 lunch break
    await handle_message(msg(MEETING, lunch, group_id=RECALLING, message_id="777"), rt)
    await settle(rt)
    assert calls(fake, "recall") == [{"message_id": "777"}]
    [row] = await findings()
    assert row.recalled and row.text == MEETING
    [reminder] = calls(fake, "send_private")
    assert "当时是午休时间" in reminder["text"] and "已撤回" in reminder["text"]
    assert f"/通知 补发 {row.id}" in reminder["text"] and "11月20日（周五）14:00" in reminder["text"]
    assert "08:30–17:30，12:00–14:00 午休" in reminder["text"]


async def test_admins_messages_are_not_recalled(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg(MEETING, FRIDAY_NIGHT, group_id=RECALLING, role="admin"), rt)
    await settle(rt)
    assert calls(fake, "recall") == []
    [reminder] = calls(fake, "send_private")
    assert "补发" not in reminder["text"] and "/通知 通知内容" in reminder["text"]
    [row] = await findings()
    assert not row.recalled and row.text == ""


async def test_commands_are_not_checked(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(msg("/帮助", FRIDAY_NIGHT), rt)
    await settle(rt)
    assert calls(fake, "send_private") == [] and await findings() == []
