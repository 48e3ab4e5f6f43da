"""The guard beyond the text, through the router (FakeGateway): forwarded records fetched through the
gateway, share cards, file names in messages and WeChat file notices, QR codes in pictures."""

from __future__ import annotations

import base64
import dataclasses
import io
import json

import segno

from bot.dispatch.hooks import notice_hooks, run_hooks
from bot.dispatch.router import handle_message
from bot.gateway.base import Capability
from bot.intake.record import MessageRecord, NoticeRecord, Segment
from bot.runtime import get_runtime
from bot.sim import events as ev
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import OWNER, T0, calls, msg
from tests.utils import FakeGateway

HUANGSHAN_12 = "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"


async def send(rec: MessageRecord) -> None:
    from bot.plugins.guard.deep import deep

    rt = get_runtime()
    await handle_message(rec, rt)
    await deep.idle()
    await settle(rt)


def seg(d: dict) -> Segment:  # type: ignore[type-arg]
    return Segment(d["type"], d["data"])


def text_node(text: str) -> dict:  # type: ignore[type-arg]
    return {"sender": {"user_id": 1, "nickname": "甲"}, "message": [{"type": "text", "data": {"text": text}}]}


def qr_png(payload: str) -> bytes:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=5, border=4)
    return out.getvalue()


async def test_a_forwarded_record_with_a_violation_is_recalled_and_cited(fake: FakeGateway) -> None:
    fake.forwards["fw1"] = {"messages": [text_node("明天开会"), text_node("澳门赌场上线，首充送彩金")]}
    rec = msg("", segments=(Segment("forward", {"id": "fw1"}),))
    await send(rec)
    assert calls(fake, "forward_messages") == [{"forward_id": "fw1"}]
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    [warning] = calls(fake, "send_group")
    assert "合并转发的聊天记录" in warning["text"] and "「赌博」类内容" in warning["text"]
    assert HUANGSHAN_12 in warning["text"] and "已被撤回" in warning["text"]


async def test_nested_records_are_fetched_and_clean_ones_pass(fake: FakeGateway) -> None:
    inner = {"type": "forward", "data": {"id": "fw-inner"}}
    fake.forwards["fw-outer"] = {"messages": [text_node("收到"), {"message": [inner]}]}
    fake.forwards["fw-inner"] = {"messages": [text_node("下午三点在三楼会议室开会，请准时参加")]}
    await send(msg("", segments=(Segment("forward", {"id": "fw-outer"}),)))
    assert [c["forward_id"] for c in calls(fake, "forward_messages")] == ["fw-outer", "fw-inner"]
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []

    fake.forwards["fw-inner"] = {
        "messages": [text_node("兼职刷单日结，加V详聊"), text_node("机密★5年 人事方案")]
    }
    rec = msg("", segments=(Segment("forward", {"id": "fw-outer"}),))
    await send(rec)
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    [warning] = calls(fake, "send_group")
    assert "密级标识" in warning["text"] and "人事方案" not in warning["text"]


async def test_an_unavailable_record_is_counted_and_nothing_happens(fake: FakeGateway) -> None:
    from bot.plugins.guard.deep import deep

    before = deep.counters.forward_failed
    await send(msg("", segments=(Segment("forward", {"id": "gone"}),)))
    assert deep.counters.forward_failed == before + 1
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []


async def test_card_text_and_links_go_through_the_same_pass(fake: FakeGateway) -> None:
    card = ev.json_card_seg(
        {
            "app": "com.tencent.structmsg",
            "prompt": "[分享]六合彩内部资料",
            "meta": {
                "news": {"title": "六合彩内部资料", "desc": "稳赚不赔", "jumpUrl": "https://www.gov.cn/x"}
            },
        }
    )
    rec = msg("", segments=(seg(card),))
    await send(rec)
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    assert "「赌博」类内容" in calls(fake, "send_group")[0]["text"]


async def test_a_file_message_with_a_bracketed_marking(fake: FakeGateway) -> None:
    rec = msg("", segments=(seg(ev.file_seg("【内部】全体干部通讯录.xlsx")),))
    await send(rec)
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    [warning] = calls(fake, "send_group")
    assert "发送的文件的文件名带有密级标识" in warning["text"] and "通讯录" not in warning["text"]
    # NapCat reports the same upload as a notice too: one warning, not two.
    notice = NoticeRecord(
        "qq",
        "999",
        "file_upload",
        "group_upload",
        "100",
        "30001",
        "",
        T0,
        {"file": {"id": "/x", "name": "【内部】全体干部通讯录.xlsx", "size": 1}},
    )
    await run_hooks(notice_hooks, notice, get_runtime())
    await settle(get_runtime())
    assert len(calls(fake, "send_group")) == 1


async def test_a_qr_code_to_a_shortener_is_recalled(fake: FakeGateway) -> None:
    picture = "base64://" + base64.b64encode(qr_png("http://t.cn/A6xYz12")).decode()
    rec = msg("扫码领取补贴", segments=(Segment("image", {"file": picture}),))
    await send(rec)
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    [warning] = calls(fake, "send_group")
    assert "图片中的二维码" in warning["text"] and "短链接（t.cn）" in warning["text"]

    official = "base64://" + base64.b64encode(qr_png("https://www.gov.cn/zhengce/abc.htm")).decode()
    await send(msg("", segments=(Segment("image", {"file": official}),)))
    assert len(calls(fake, "recall")) == 1  # an official site passes


async def test_a_broken_picture_is_skipped(fake: FakeGateway) -> None:
    from bot.plugins.guard.deep import deep

    before = deep.counters.image_failed
    await send(msg("", segments=(Segment("image", {"file": "base64://bm90IGFuIGltYWdl"}),)))
    assert deep.counters.image_failed == before + 1 and calls(fake, "send_group") == []


async def test_wechat_links_files_and_the_owner(fake: FakeGateway) -> None:
    rt = get_runtime()
    wx = FakeGateway(self_id="wxid_bot", platform="wechat")
    wx.capabilities = Capability.SEND | Capability.KICK | Capability.MEMBER_LIST
    from bot.gateway.base import Member

    wx.members = [Member("wxid_owner", role="owner"), Member("wxid_a")]
    rt.registry.add(wx)
    try:
        link = Segment(
            "wx.link", {"tittle": "领取补贴", "des": "点击认证", "url": "https://dwz.cn/x1", "image": ""}
        )
        rec = dataclasses.replace(
            msg("", segments=(link,), platform="wechat", user_id="wxid_a"), self_id="wxid_bot", sender_role=""
        )
        await send(rec)
        [warning] = calls(wx, "send_group")
        assert "短链接（dwz.cn）" in warning["text"] and "自行撤回" in warning["text"]

        # ComWeChatBotClient announces a file with its name before the file message (a bare file id).
        notice = NoticeRecord(
            "wechat",
            "wxid_bot",
            "file_upload",
            "wechat.get_group_file",
            "100",
            "wxid_a",
            "",
            T0,
            {"file": {"name": "（机密）干部考察材料.docx", "size": 1}, "message_id": "777"},
        )
        await run_hooks(notice_hooks, notice, rt)
        await settle(rt)
    finally:
        rt.registry.remove("wechat", "wxid_bot")
    assert calls(wx, "recall") == []
    warning = calls(wx, "send_group")[1]
    assert "请您立即撤回该文件" in warning["text"] and "考察材料" not in warning["text"]
    notes = [n for n in calls(wx, "send_private") if "文件名带有密级标识" in n["text"]]
    assert notes and notes[0]["user_id"] == "wxid_owner" and "无法撤回该文件" in notes[0]["text"]
    assert OWNER not in json.dumps(notes, ensure_ascii=False)


async def test_a_slow_picture_does_not_delay_other_messages(fake: FakeGateway) -> None:
    """Pictures are read off the message path: while the CDN holds one for seconds, a violation
    sent after it is recalled at once."""
    import asyncio
    import time

    from bot.plugins.guard.deep import deep
    from bot.sim.media import MediaServer

    rt = get_runtime()
    async with MediaServer(delay=3.0) as cdn:
        url = cdn.put(qr_png("http://t.cn/A6xYz12q"))
        picture = msg("", segments=(Segment("image", {"url": url, "file": "a.png"}),))
        started = time.monotonic()
        await handle_message(picture, rt)
        violation = msg("澳门赌场上线，首充送彩金", user_id="30002", role="member")
        await handle_message(violation, rt)
        await settle(rt)
        assert calls(fake, "recall") == [{"message_id": violation.message_id}]
        assert time.monotonic() - started < 2.0
        await deep.idle()
        await settle(rt)
        await asyncio.sleep(0)
    assert calls(fake, "recall")[1] == {"message_id": picture.message_id}


async def test_text_in_a_picture_is_read_when_ocr_is_installed(fake: FakeGateway) -> None:
    import pytest
    from PIL import Image, ImageDraw, ImageFont

    from bot.core.guard import images

    if not images.ocr_available():
        pytest.skip("OCR needs the optional extra: pip install -e '.[ocr]'")
    from tests.guard.test_images import CJK_FONT

    if CJK_FONT is None:
        pytest.skip("no CJK font here to draw Chinese text with (apt-get install fonts-wqy-microhei)")
    font_file = CJK_FONT
    page = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_file, 40)
    draw.text((30, 30), "澳门赌场上线了", fill="black", font=font)
    draw.text((30, 110), "首充送彩金，私聊拉你进群", fill="black", font=font)
    out = io.BytesIO()
    page.save(out, "PNG")
    rec = msg(
        "", segments=(Segment("image", {"file": "base64://" + base64.b64encode(out.getvalue()).decode()}),)
    )
    await send(rec)
    assert calls(fake, "recall") == [{"message_id": rec.message_id}]
    [warning] = calls(fake, "send_group")
    assert "图片中的文字" in warning["text"] and "「赌博」类内容" in warning["text"]


async def test_help_says_what_is_checked_and_status_counts_it(fake: FakeGateway) -> None:
    from bot.core.guard import images

    await send(msg("/帮助"))
    [reply] = calls(fake, "send_group")
    assert "合并转发的聊天记录" in reply["text"] and "图片中的二维码" in reply["text"]
    assert "不检查：语音、视频、文件内容" in reply["text"]
    assert ("图片中的文字（未安装" in reply["text"]) is not images.ocr_available()

    fake.forwards["fw-s"] = {"messages": [text_node("收到")]}
    await send(msg("", segments=(Segment("forward", {"id": "fw-s"}),)))
    await send(msg("/状态", user_id=OWNER, role="owner"))
    status = calls(fake, "send_group")[-1]["text"]
    assert "转发与图片：排队检查" in status and "读取聊天记录" in status


def test_get_file_answers() -> None:
    import pytest

    from bot.plugins.guard import fetch

    assert fetch.from_get_file({"name": "a.png", "data": b"\x89PNG"}) == b"\x89PNG"
    assert fetch.from_get_file({"name": "a.png", "data": "iVBORw=="}) == "base64://iVBORw=="
    assert fetch.from_get_file({"url": "https://x/a.png"}) == "https://x/a.png"
    assert fetch.from_get_file({"path": "C:/wechat/a.png"}) == "file://C:/wechat/a.png"
    for bad in (None, {}, {"data": b"x" * 10}, {"url": "ftp://x"}):
        with pytest.raises(fetch.FetchError):
            fetch.from_get_file(bad, limit=5)
