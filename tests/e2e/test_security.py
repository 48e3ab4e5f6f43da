"""Every route that takes events is authenticated: the real bot process over real HTTP and WebSocket.

Each route is tried with no, wrong and right credentials. A forged event that gets in is visible: a
gambling message is recalled (``delete_msg`` with the message id the sender chose) and ``/帮助`` is
answered — so "refused" is asserted as "nothing happened", not only as a status code.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.sim import events as ev
from bot.sim.http_post import post_event, sign
from bot.sim.peer import OneBotV11Peer, PeerConnectError
from bot.sim.peer_v12 import OneBotV12Peer, v12_private_message
from bot.sim.process import BotProcess, BotStartError
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

TOKEN = "right-token"
SECRET = "right-secret"
GROUP = 100
REPLY = ("send_group_msg", "send_msg", "send_private_msg")
V11_HTTP_ROUTES = ("/onebot/v11/", "/onebot/v11/http")


def forged_recall(self_id: int) -> dict[str, object]:
    # A gambling ad: let in, the bot recalls message 424242 (the forger's choice) and warns.
    return ev.group_message(GROUP, 30101, "澳门赌.场上线了，首充送彩金", message_id=424242, self_id=self_id)


@pytest.fixture(scope="module")
async def http_mode_bot() -> AsyncIterator[BotProcess]:
    """HTTP intake configured (API roots for the account) with both a token and a signature secret."""
    env = {
        "ONEBOT_V11_API_ROOTS": json.dumps({str(ev.DEFAULT_SELF_ID): "http://127.0.0.1:9/"}),
        "ONEBOT_SECRET": SECRET,
    }
    async with BotProcess(access_token=TOKEN, policy_file=POLICY_FILE, env=env) as proc:
        yield proc


@pytest.mark.parametrize("route", V11_HTTP_ROUTES)
async def test_v11_http_post_needs_the_token_or_the_signature(http_mode_bot: BotProcess, route: str) -> None:
    url = http_mode_bot.base_url + route
    async with OneBotV11Peer(http_mode_bot.ws_url_v11, access_token=TOKEN) as peer:
        sid = peer.self_id
        refused = [
            await post_event(url, forged_recall(sid), self_id=sid),  # no credentials
            await post_event(url, forged_recall(sid), self_id=sid, access_token="wrong-token"),
            await post_event(url, forged_recall(sid), self_id=sid, access_token="   "),
            await post_event(
                url, forged_recall(sid), self_id=sid, headers={"X-Signature": sign("wrong-secret", b"{}")}
            ),
            # A wrong signature is refused even next to the right token.
            await post_event(
                url, forged_recall(sid), self_id=sid, access_token=TOKEN, headers={"X-Signature": "sha1=00"}
            ),
        ]
        assert [status for status, _ in refused] == [403, 403, 403, 403, 403], refused
        await peer.wait_no_call(("delete_msg", *REPLY), within=1.5)

        status, _ = await post_event(url, forged_recall(sid), self_id=sid, access_token=TOKEN)
        assert status == 204
        recall = await peer.wait_call("delete_msg", timeout=10)
        assert str(recall.params["message_id"]) == "424242"
        # Wait for the warning too: nothing of this test may still be queued for the next one.
        await peer.wait_call(REPLY, lambda c: "已被撤回" in c.text, timeout=10)

        status, _ = await post_event(
            url, ev.private_message(30001, "/帮助", self_id=sid), self_id=sid, secret=SECRET
        )
        assert status == 204
        await peer.wait_call(REPLY, lambda c: "可用命令" in c.text, timeout=10)


async def test_v11_http_post_for_an_account_not_in_http_mode_is_refused(http_mode_bot: BotProcess) -> None:
    """Right token, but an X-Self-ID the bot does not call over HTTP: not an HTTP account."""
    other = ev.DEFAULT_SELF_ID + 1
    async with OneBotV11Peer(http_mode_bot.ws_url_v11, access_token=TOKEN, self_id=other) as peer:
        status, _ = await post_event(
            http_mode_bot.base_url + "/onebot/v11/", forged_recall(other), self_id=other, access_token=TOKEN
        )
        assert status == 403
        await peer.wait_no_call(("delete_msg", *REPLY), within=1.0)


async def test_v11_http_post_undecodable_body_is_a_client_error(http_mode_bot: BotProcess) -> None:
    status, _ = await post_event(
        http_mode_bot.base_url + "/onebot/v11/", b"{not json", self_id=ev.DEFAULT_SELF_ID, access_token=TOKEN
    )
    assert status == 400


async def test_no_http_intake_unless_configured(bot_process: BotProcess) -> None:
    """WebSocket mode (no API roots): the HTTP POST routes are not served at all, whatever is sent."""
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        sid = peer.self_id
        for route in (*V11_HTTP_ROUTES, "/onebot/v11/http/"):
            for token in (None, "wrong-token", bot_process.access_token):
                status, _ = await post_event(
                    bot_process.base_url + route, forged_recall(sid), self_id=sid, access_token=token
                )
                assert status in (404, 405), (route, token, status)
        await peer.wait_no_call(("delete_msg", *REPLY), within=1.5)
    async with OneBotV12Peer(bot_process.ws_url_v12, access_token=bot_process.access_token) as wx:
        for route in ("/onebot/v12/", "/onebot/v12/http"):
            status, _ = await post_event(
                bot_process.base_url + route,
                v12_private_message("wxid_member", "/帮助", self_id=wx.self_id),
                access_token=bot_process.access_token,
                headers={"X-Impl": "ComWeChat"},
            )
            assert status in (404, 405), (route, status)
        await wx.wait_no_call("send_message", within=1.0)


@pytest.mark.parametrize("token", [None, "wrong-token", "   "])
async def test_v11_ws_refuses_missing_wrong_or_blank_token(
    bot_process: BotProcess, token: str | None
) -> None:
    with pytest.raises(PeerConnectError) as e:
        await OneBotV11Peer(bot_process.ws_url_v11, access_token=token).connect()
    assert e.value.status == 403


@pytest.mark.parametrize("token", [None, "wrong-token", "   "])
async def test_v12_ws_refuses_missing_wrong_or_blank_token(
    bot_process: BotProcess, token: str | None
) -> None:
    with pytest.raises(PeerConnectError) as e:
        await OneBotV12Peer(bot_process.ws_url_v12, access_token=token).connect()
    assert e.value.status == 403


async def test_v12_ws_right_token_is_served(bot_process: BotProcess) -> None:
    async with OneBotV12Peer(bot_process.ws_url_v12, access_token=bot_process.access_token) as wx:
        await wx.send_private_message("wxid_member", "/帮助")
        await wx.wait_call("send_message", lambda c: "可用命令" in c.text, timeout=10)


@pytest.mark.parametrize(
    "env",
    [
        {"ONEBOT_ACCESS_TOKEN": "   "},
        {"ONEBOT_V11_ACCESS_TOKEN": "v11-only", "ONEBOT_V12_ACCESS_TOKEN": " \t "},
        {"ONEBOT_V11_ACCESS_TOKEN": "v11-only"},
    ],
    ids=["blank-shared", "blank-v12", "v12-missing"],
)
async def test_public_address_without_a_real_token_refuses_to_start(env: dict[str, str]) -> None:
    proc = BotProcess(access_token=None, host="0.0.0.0", env=env, start_timeout=20)
    try:
        with pytest.raises(BotStartError) as e:
            await proc.start(attempts=1)
        assert "拒绝启动" in str(e.value) and "ONEBOT_ACCESS_TOKEN" in str(e.value)
    finally:
        await proc.stop()
        proc.remove_data_dir()
