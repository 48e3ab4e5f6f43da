"""The content guard end to end: the real bot process, the simulator as NapCat. A violating message
is recalled (``delete_msg``) and warned with its citation; a benign one gets nothing; a file with a
secret marking in its name is warned about without repeating the name."""

from __future__ import annotations

import pytest

from bot.sim import events as ev
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess

pytestmark = pytest.mark.e2e

GROUP = 100  # huangshan-finance-2020 (tests/data/policy.toml)
REPLY = ("send_group_msg", "send_msg")
CITATION = "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"


async def test_violation_is_recalled_and_warned_benign_passes(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        sent = await peer.send_group_message(GROUP, 30101, "澳门赌.场上线了，首充送彩金")
        recall = await peer.wait_call("delete_msg", timeout=10)
        assert str(recall.params["message_id"]) == str(sent["message_id"])
        warning = await peer.wait_call(REPLY, lambda c: CITATION in c.text, timeout=10)
        assert "「赌博」类内容" in warning.text and "已被撤回" in warning.text
        assert str(warning.group_id) == str(GROUP)

        await peer.send_group_message(GROUP, 30102, "收到，下午的会我准时参加。")
        await peer.send_group_message(GROUP, 30103, "明天召开保密工作会议，请各科室保密员参加。")
        await peer.wait_no_call(("delete_msg", *REPLY), within=1.5)


async def test_secret_marking_is_recalled_without_echo(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_group_message(GROUP, 30104, "機密★10年 关于机构改革的实施方案（征求意见稿）")
        await peer.wait_call("delete_msg", timeout=10)
        warning = await peer.wait_call(REPLY, lambda c: "密级标识" in c.text, timeout=10)
        assert "机构改革" not in warning.text and "征求意见" not in warning.text


async def test_uploaded_file_with_a_secret_marking(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_event(ev.group_upload(GROUP, 30105, "机密★干部考察材料.docx", self_id=peer.self_id))
        warning = await peer.wait_call(REPLY, lambda c: "上传的文件" in c.text, timeout=10)
        assert "密级标识" in warning.text and "考察材料" not in warning.text and "删除该文件" in warning.text
