"""HTTP mode end to end: the implementation POSTs events to the bot and the bot calls its HTTP API
(ONEBOT_V11_API_ROOTS) — no WebSocket at all. Both directions carry the access token."""

from __future__ import annotations

import json

import pytest

from bot.sim import events as ev
from bot.sim.http_api import OneBotHTTPAPI
from bot.sim.http_post import post_event
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

TOKEN = "http-mode-token"
GROUP = 100
REPLY = ("send_group_msg", "send_msg", "send_private_msg")


async def test_http_mode_events_in_actions_out_with_the_token() -> None:
    peer = OneBotV11Peer("ws://unused", access_token=TOKEN)  # answers the HTTP API; never connects
    sid = ev.DEFAULT_SELF_ID
    async with OneBotHTTPAPI(peer, access_token=TOKEN) as api:
        # No DRIVER set: the default must include NoneBot's HTTP client driver.
        env = {"ONEBOT_V11_API_ROOTS": json.dumps({str(sid): api.root})}
        async with BotProcess(access_token=TOKEN, policy_file=POLICY_FILE, env=env) as bot:
            url = bot.base_url + "/onebot/v11/"
            spam = ev.group_message(GROUP, 30101, "澳门赌.场上线了，首充送彩金", message_id=5150, self_id=sid)
            status, _ = await post_event(url, spam, self_id=sid, access_token=TOKEN)
            assert status == 204
            recall = await peer.wait_call("delete_msg", timeout=15)
            assert str(recall.params["message_id"]) == "5150"
            await peer.wait_call(REPLY, lambda c: "已被撤回" in c.text, timeout=15)

            status, _ = await post_event(
                url, ev.group_message(GROUP, 30102, "/帮助", self_id=sid), self_id=sid, access_token=TOKEN
            )
            assert status == 204
            await peer.wait_call(REPLY, lambda c: "/帮助" in c.text or "命令" in c.text, timeout=15)
            # Every action reached the API root with the token (a call without it is refused).
            assert api.refused == 0
            assert "Current driver" not in bot.read_log()  # NoneBot's "no HTTP client" warning
