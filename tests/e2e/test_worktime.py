"""Working hours end to end: the real bot process, a OneBot v11 peer, event timestamps set
explicitly (so the wall clock's hour never matters), and a restart between queueing and posting."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.core.calendar import TZ
from bot.models.worktime import DeferredNotice, NoticeState
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess
from bot.store.db import Database

pytestmark = pytest.mark.e2e

POLICY = Path(__file__).resolve().parents[1] / "plugins" / "worktime" / "policy.toml"
GROUP = 300  # yichun-2021, 08:30–17:30
PRIVATE = ("send_private_msg", "send_msg")
GROUP_SEND = ("send_group_msg", "send_msg")
MEETING = "各科室：明天上午9点在三楼会议室召开安全生产工作会议，请准时参加。"
CONTENT = "请各科室于下周五前报送年度工作总结。"


def saturday_night_next_week() -> datetime:
    """An off-hours moment in the future: a notice queued then is not due during the test."""
    day = datetime.now(TZ).date() + timedelta(days=7)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(23, 0), tzinfo=TZ)


async def test_off_hours_notice_gets_a_private_reminder() -> None:
    night = datetime(2026, 11, 20, 22, 40, tzinfo=TZ)  # a Friday evening
    async with BotProcess(policy_file=POLICY) as bot:
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            await peer.send_group_message(GROUP, 30001, MEETING, time=night, card="张三-办公室")
            reminder = await peer.wait_call(PRIVATE, lambda c: "第十条" in c.text, timeout=10)
            assert str(reminder.user_id) == "30001"
            assert "依据《宜春市政务微信工作群管理规范》第十条" in reminder.text
            assert "/通知" in reminder.text and "11月23日（周一）08:30" in reminder.text

            # Urgent notices and ordinary chat at the same hour pass without a word.
            await peer.send_group_message(GROUP, 30001, f"【紧急】{MEETING}", time=night)
            await peer.send_group_message(GROUP, 30002, "今天辛苦了，早点休息", time=night)
            # The same notice inside working hours passes too: the event's time decides.
            await peer.send_group_message(GROUP, 30003, MEETING, time=night.replace(hour=10))
            await peer.wait_no_call(PRIVATE, lambda c: "第十条" in c.text, within=1.5)


async def test_queued_notice_is_posted_after_a_restart_exactly_once(tmp_path: Path) -> None:
    bot = BotProcess(policy_file=POLICY, data_dir=tmp_path / "bot")
    async with bot:
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            await peer.send_group_message(GROUP, 30001, f"/通知 {CONTENT}", time=saturday_night_next_week())
            reply = await peer.wait_call(GROUP_SEND, lambda c: "自动发布" in c.text, timeout=10)
            match = re.search(r"通知 #(\d+) 将于", reply.text)
            assert match, reply.text
            number = int(match.group(1))
            await peer.wait_no_call(GROUP_SEND, lambda c: c.text.startswith(CONTENT), within=1.0)
        await bot.stop()

        # The due time passes while the bot is down.
        db = Database(bot.database_url)
        try:
            async with db.session() as s:
                await s.execute(
                    update(DeferredNotice)
                    .where(DeferredNotice.id == number)  # type: ignore[arg-type]
                    .values(due_at=datetime.now(UTC) - timedelta(hours=1))
                )
        finally:
            await db.dispose()

        await bot.start()
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            post = await peer.wait_call(GROUP_SEND, lambda c: c.text.startswith(CONTENT), timeout=15)
            assert str(post.group_id) == str(GROUP)
            assert "原定" in post.text and "通过工作群管家发布" in post.text
            note = await peer.wait_call(PRIVATE, lambda c: f"#{number}" in c.text, timeout=5)
            assert "补发" in note.text
            await peer.wait_no_call(GROUP_SEND, lambda c: c.text.startswith(CONTENT), within=3.5)

        # Another restart: the notice is not posted again.
        await bot.restart()
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            await peer.wait_no_call(GROUP_SEND, lambda c: c.text.startswith(CONTENT), within=2.0)

    db = Database(bot.database_url)
    try:
        async with db.session() as s:
            row = (await s.execute(select(DeferredNotice).where(DeferredNotice.id == number))).scalar_one()  # type: ignore[arg-type]
    finally:
        await db.dispose()
    assert row.state == NoticeState.POSTED and row.late and row.attempts == 1
