"""The real bot process over a real WebSocket, as NapCat / ComWeChatBotClient would talk to it."""

from __future__ import annotations

import pytest

from bot.sim import events as ev
from bot.sim.peer import OneBotV11Peer, PeerConnectError
from bot.sim.peer_v12 import OneBotV12Peer
from bot.sim.process import BotProcess, BotStartError

REPLY = ("send_group_msg", "send_msg")


async def test_help_and_status_answer(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_group_message(100, 30001, "/帮助")
        # The first message of a fresh process waits for the guard's lexicon build (seconds, under load).
        help_call = await peer.wait_call(REPLY, lambda c: "可用命令" in c.text, timeout=30)
        assert (
            help_call.group_id in (100, "100") and "/帮助" in help_call.text and "/状态" not in help_call.text
        )

        await peer.send_group_message(100, 30002, "/状态", role="admin")
        status = await peer.wait_call(REPLY, lambda c: "已处理消息" in c.text)
        assert "工作群管家" in status.text and "连接：QQ" in status.text and "发送队列：" in status.text


async def test_napcat_shaped_payload_reaches_the_command(bot_process: BotProcess) -> None:
    """Numeric sender.level, string ids and NapCat's extra fields must not stop the handler."""
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        event = ev.group_message(
            100,
            30002,
            "/status",
            role="admin",
            level=7,
            string_ids=True,
            impl="napcat",
            self_id=peer.self_id,
            extra={"message_format": "array", "raw": {"x": 1}},
        )
        assert isinstance(event["sender"]["level"], int) and isinstance(event["group_id"], str)
        await peer.send_event(event)
        status = await peer.wait_call(REPLY, lambda c: "已处理消息" in c.text)
        assert "无法解析：0" in status.text


async def test_gocq_cq_string_message(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(
        bot_process.ws_url_v11, access_token=bot_process.access_token, impl="gocq"
    ) as peer:
        await peer.send_group_message(100, 30001, "/help")
        await peer.wait_call(REPLY, lambda c: "可用命令" in c.text)


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_wrong_or_missing_token_is_refused(bot_process: BotProcess, token: str | None) -> None:
    peer = OneBotV11Peer(bot_process.ws_url_v11, access_token=token)
    with pytest.raises(PeerConnectError) as e:
        await peer.connect()
    assert e.value.status == 403


async def test_wechat_over_onebot_v12(bot_process: BotProcess) -> None:
    async with OneBotV12Peer(bot_process.ws_url_v12, access_token=bot_process.access_token) as peer:
        await peer.send_group_message("demo@chatroom", "wxid_member", "/帮助")
        call = await peer.wait_call("send_message", lambda c: "可用命令" in c.text)
        assert call.params["detail_type"] == "group" and call.params["group_id"] == "demo@chatroom"
        assert "OneBot v12" in call.text and "撤回消息" in call.text


async def test_private_unknown_command_gets_a_pointer(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_private_message(30001, "/不存在")
        call = await peer.wait_call(("send_private_msg", "send_msg"), lambda c: "/帮助" in c.text)
        assert call.user_id in (30001, "30001")


async def test_malformed_frames_do_not_kill_the_connection(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_raw("this is not json")
        await peer.send_raw('{"post_type": "message"}')
        await peer.send_event(ev.group_message(100, 30001, "x" * 100_000, self_id=peer.self_id))
        await peer.send_event(ev.group_message(100, 30001, [ev.text_seg("段")] * 3000, self_id=peer.self_id))
        await peer.send_group_message(100, 30002, "/状态", role="admin")
        status = await peer.wait_call(REPLY, lambda c: "已处理消息" in c.text, timeout=15)
        # Both bad frames are counted (not lost silently), and the connection carried on.
        assert "frame:bad-json 1" in status.text and "message 1" in status.text


async def test_public_address_without_token_refuses_to_start() -> None:
    proc = BotProcess(host="0.0.0.0", access_token=None, start_timeout=20)
    with pytest.raises(BotStartError) as e:
        await proc.start()
    assert "ONEBOT_ACCESS_TOKEN" in str(e.value)
    await proc.stop()
