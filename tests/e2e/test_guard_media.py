"""The guard beyond the text, end to end: the real bot process, the simulator as NapCat (and as
ComWeChatBotClient). A forwarded chat record whose content the bot fetches from the simulator with
``get_forward_msg``; a picture served by the simulator's CDN whose QR code leads to a shortener; a
group file whose name carries a bracketed secret level; WeChat cards and file notices."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
import segno

from bot.sim import events as ev
from bot.sim.media import MediaServer
from bot.sim.peer import OneBotV11Peer
from bot.sim.peer_v12 import OneBotV12Peer, v12_group_file_notice, v12_image_seg, wx_link_seg
from bot.sim.process import BotProcess

pytestmark = pytest.mark.e2e

GROUP = 100  # huangshan-finance-2020 (tests/data/policy.toml)
REPLY = ("send_group_msg", "send_msg")
CITATION = "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"


def qr_png(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=6, border=4)
    return out.getvalue()


async def test_a_forwarded_record_is_fetched_and_its_violation_recalled(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        peer.forwards["7391000000000000001"] = [
            ev.forward_node(30201, "张科长", "各位，明天上午九点开会"),
            ev.forward_node(30202, "李某", [ev.forward_seg("7391000000000000002")]),
        ]
        peer.forwards["7391000000000000002"] = [
            ev.forward_node(30203, "客服", "兼职刷单，日结三百，加V：abc12345 私聊"),
            ev.forward_node(30203, "客服", "澳门赌场上线，首充送彩金"),
        ]
        sent = await peer.send_group_message(GROUP, 30201, [ev.forward_seg("7391000000000000001")])
        first = await peer.wait_call("get_forward_msg", timeout=10)
        assert (
            first.params["message_id"] == "7391000000000000001"
            or first.params.get("id") == "7391000000000000001"
        )
        await peer.wait_call("get_forward_msg", timeout=10)  # the nested record, one level down
        recall = await peer.wait_call("delete_msg", timeout=10)
        assert str(recall.params["message_id"]) == str(sent["message_id"])
        warning = await peer.wait_call(REPLY, lambda c: CITATION in c.text, timeout=10)
        assert "合并转发的聊天记录" in warning.text and "已被撤回" in warning.text
        assert "abc12345" not in warning.text

        # A clean record passes: fetched, nothing else.
        peer.forwards["7391000000000000003"] = [ev.forward_node(30204, "王", "收到，马上办理", impl="napcat")]
        await peer.send_group_message(GROUP, 30204, [ev.forward_seg("7391000000000000003")])
        await peer.wait_call("get_forward_msg", timeout=10)
        await peer.wait_no_call(("delete_msg", *REPLY), within=1.5)


async def test_a_qr_code_leading_to_a_shortener_is_recalled(bot_process: BotProcess) -> None:
    async with (
        MediaServer() as cdn,
        OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer,
    ):
        bad = cdn.put(qr_png("http://t.cn/A6xYz12q"))
        sent = await peer.send_group_message(
            GROUP, 30211, [ev.text_seg("扫码领取本月补贴"), ev.image_url_seg(bad)]
        )
        recall = await peer.wait_call("delete_msg", timeout=15)
        assert str(recall.params["message_id"]) == str(sent["message_id"])
        warning = await peer.wait_call(REPLY, lambda c: "二维码" in c.text, timeout=10)
        assert "短链接（t.cn）" in warning.text and CITATION in warning.text
        assert cdn.requests == [urlparse(bad).path]  # fetched once, from the segment's url

        good = cdn.put(qr_png("https://www.gov.cn/zhengce/content/2026-11/01/content_1.htm"))
        await peer.send_group_message(GROUP, 30212, [ev.image_url_seg(good)])
        await peer.wait_no_call(("delete_msg", *REPLY), within=2.0)
        assert len(cdn.requests) == 2


async def test_a_group_file_with_a_bracketed_secret_level(bot_process: BotProcess) -> None:
    async with OneBotV11Peer(bot_process.ws_url_v11, access_token=bot_process.access_token) as peer:
        await peer.send_event(
            ev.group_upload(GROUP, 30221, "【内部】全体干部通讯录.xlsx", self_id=peer.self_id)
        )
        warning = await peer.wait_call(REPLY, lambda c: "上传的文件" in c.text, timeout=10)
        assert "密级标识" in warning.text and "通讯录" not in warning.text and CITATION in warning.text
        await peer.send_event(ev.group_upload(GROUP, 30222, "2026年度工作总结.docx", self_id=peer.self_id))
        await peer.wait_no_call(REPLY, lambda c: "上传的文件" in c.text, within=1.5)


async def test_wechat_cards_and_files(bot_process: BotProcess) -> None:
    async with OneBotV12Peer(bot_process.ws_url_v12, access_token=bot_process.access_token) as peer:
        group = "100"
        await peer.send_group_message(
            group, "wxid_m1", [wx_link_seg("领取补贴", "https://dwz.cn/aB3d", "点击认证")]
        )
        warning = await peer.wait_call("send_message", lambda c: "短链接" in c.text, timeout=10)
        assert "dwz.cn" in warning.text and "自行撤回" in warning.text
        assert not peer.calls_of("delete_message")

        await peer.send_event(v12_group_file_notice(group, "wxid_m2", "（机密）干部考察材料.docx"))
        warning = await peer.wait_call("send_message", lambda c: "撤回该文件" in c.text, timeout=10)
        assert "文件名带有密级标识" in warning.text and "考察材料" not in warning.text


async def test_wechat_pictures_are_fetched_by_id(bot_process: BotProcess) -> None:
    async with OneBotV12Peer(bot_process.ws_url_v12, access_token=bot_process.access_token) as peer:
        fid = peer.add_file(qr_png("http://t.cn/A6xYz12q"))
        await peer.send_group_message("100", "wxid_m3", [v12_image_seg(fid)])
        got = await peer.wait_call("get_file", timeout=10)
        assert got.params == {"file_id": fid, "type": "data"}
        warning = await peer.wait_call("send_message", lambda c: "二维码" in c.text, timeout=15)
        assert "短链接（t.cn）" in warning.text and "自行撤回" in warning.text
