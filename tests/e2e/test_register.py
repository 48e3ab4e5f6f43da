"""The register end to end: the real bot process with a frozen register clock (STEWARD_REGISTER_NOW),
a OneBot v11 peer, event timestamps set to match; restarts in between (deadlines survive them, a
missed reminder is sent once on return); the 登记备案表 exported by command and by the CLI."""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.calendar import TZ
from bot.core.crypto import generate_key
from bot.sim import events as ev
from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import BotProcess

pytestmark = pytest.mark.e2e

POLICY = Path(__file__).resolve().parents[1] / "plugins" / "register" / "policy.toml"
OFFICE, BUDGET = 700, 701  # unit finance: huangshan-finance-2020 (7 working days), supervisor 20001
OWNER, SUPERVISOR = 60001, 20001
PRIVATE = ("send_private_msg", "send_msg")
GROUP_SEND = ("send_group_msg", "send_msg")
T0 = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # Monday
RETURN = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)  # Friday after the deadline (Wednesday 11-25 17:30)
MEMBERS = [
    {"user_id": OWNER, "card": "李主任", "role": "owner"},
    {"user_id": 60002, "card": "王科长", "role": "admin"},
    {"user_id": ev.DEFAULT_SELF_ID, "card": "工作群管家", "role": "admin"},
]


def peer_for(bot: BotProcess) -> OneBotV11Peer:
    return OneBotV11Peer(
        bot.ws_url_v11,
        access_token=bot.access_token,
        groups={OFFICE: {"group_name": "办公室工作群"}, BUDGET: {"group_name": "预算编制群"}},
        members={OFFICE: MEMBERS, BUDGET: MEMBERS},
    )


def owner_overdue(call: Call) -> bool:
    return str(call.user_id) == str(OWNER) and "预算编制群" in call.text and "逾期" in call.text


def _read(path: Path) -> bytes:
    return path.read_bytes()


async def test_filing_lifecycle_over_restarts(tmp_path: Path) -> None:
    key = generate_key()
    bot = BotProcess(
        policy_file=POLICY,
        data_dir=tmp_path / "bot",
        secret_key=key,
        env={"STEWARD_REGISTER_NOW": T0.isoformat()},
    )
    async with bot:
        async with peer_for(bot) as peer:
            peer.on("upload_private_file", lambda params: None)
            # The bot is added to two groups: each owner hears at once what to file, by when.
            for group in (OFFICE, BUDGET):
                await peer.send_event(
                    ev.group_increase(group, peer.self_id, sub_type="invite", operator_id=OWNER, time=T0)
                )
            first = await peer.wait_call(
                PRIVATE, lambda c: "尚未备案" in c.text and "办公室" in c.text, timeout=15
            )
            assert str(first.user_id) == str(OWNER)
            assert "《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十条" in first.text
            assert "11月25日（周三）17:30" in first.text
            await peer.wait_call(
                PRIVATE, lambda c: "尚未备案" in c.text and "预算编制群" in c.text, timeout=10
            )

            # The owner files group 700: the form in the group, the personal data in private.
            form = "/备案 科室=办公室 事项=日常工作联络 类型=常设 入群方式=审核后入群 群规=只发工作信息"
            await peer.send_group_message(OFFICE, OWNER, form, role="owner", time=T0 + timedelta(minutes=1))
            await peer.wait_call(GROUP_SEND, lambda c: "已登记归属科室" in c.text, timeout=10)
            await peer.wait_call(PRIVATE, lambda c: "群主（管理者）的姓名" in c.text, timeout=10)
            await peer.send_private_message(OWNER, "/备案 李四 13812345678", time=T0 + timedelta(minutes=2))
            done = await peer.wait_call(PRIVATE, lambda c: "备案完成" in c.text, timeout=10)
            assert str(done.user_id) == str(OWNER)
            note = await peer.wait_call(PRIVATE, lambda c: "已完成备案" in c.text, timeout=10)
            assert str(note.user_id) == str(SUPERVISOR) and "13812345678" not in note.text

            # The supervisor exports the register: sent as a file (the simulator shares the disk).
            await peer.send_private_message(SUPERVISOR, "/备案 导出", time=T0 + timedelta(minutes=3))
            upload = await peer.wait_call("upload_private_file", timeout=10)
            assert str(upload.params["user_id"]) == str(SUPERVISOR)
            exported = Path(upload.params["file"])
            await peer.wait_call(PRIVATE, lambda c: "已发送，请查收" in c.text, timeout=10)
            wb = load_workbook(io.BytesIO(_read(exported)))
            ws = wb["测试市财政局"]
            rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
            assert {str(r[3]) for r in rows} == {str(OFFICE), str(BUDGET)}
            assert any("138****5678" in map(str, r) for r in rows)

    # The bot is down over the deadline of group 701 and comes back on Friday.
    bot.extra_env["STEWARD_REGISTER_NOW"] = RETURN.isoformat()
    await bot.start()
    try:
        async with peer_for(bot) as peer:
            overdue = await peer.wait_call(PRIVATE, owner_overdue, timeout=15)
            # Friday 10:00: Thursday is the one whole working day elapsed since the deadline.
            assert "已逾期 1 个工作日" in overdue.text
            escalation = await peer.wait_call(
                PRIVATE, lambda c: c.text.startswith("【逾期提醒】"), timeout=10
            )
            assert str(escalation.user_id) == str(SUPERVISOR) and "预算编制群" in escalation.text
            # One reminder for the missed steps, not one per step.
            await peer.wait_no_call(PRIVATE, owner_overdue, within=2.5)

            # Group 700 is disbanded (NapCat's shape): deregistered, the supervisor told.
            await peer.send_event(
                ev.group_decrease(OFFICE, peer.self_id, sub_type="disband", operator_id=OWNER, time=RETURN)
            )
            gone = await peer.wait_call(PRIVATE, lambda c: "群已解散" in c.text, timeout=10)
            assert str(gone.user_id) == str(SUPERVISOR) and "自动注销登记" in gone.text
        await bot.restart()
        async with peer_for(bot) as peer:
            await peer.wait_no_call(PRIVATE, lambda c: str(c.user_id) == str(OWNER), within=3.0)
    finally:
        await bot.stop()

    # The operator's CLI export, unmasked on request.
    out = tmp_path / "register.xlsx"
    env = bot.environment()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "register",
        "export",
        str(out),
        "--full",
        cwd=bot.data_dir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await proc.communicate()
    text = output.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "已导出 1 个单位、2 个群" in text and "未脱敏" in text
    ws = load_workbook(io.BytesIO(_read(out)))["测试市财政局"]
    rows: list[list[Any]] = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    office = next(r for r in rows if str(r[3]) == str(OFFICE))
    assert "13812345678" in office and "李四" in office and "已注销" in office
    budget = next(r for r in rows if str(r[3]) == str(BUDGET))
    assert "未备案" in budget and any("待备案，期限 2026-11-25 17:30" in str(v) for v in budget)
