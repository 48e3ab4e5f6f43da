"""What a message carries besides its text, from the payload shapes implementations really send:
NapCat / Lagrange share cards and mini-programs (a JSON string), QQ XML cards, ComWeChatBotClient's
``wx.link`` (``tittle`` / ``des``) and ``wx.app``, file segments, forward segments, and the three
shapes of a ``get_forward_msg`` answer (NapCat, go-cqhttp, Lagrange)."""

from __future__ import annotations

import json

import pytest

from bot.core.guard.carried import (
    Budget,
    Collected,
    carried,
    collect,
    file_name,
    forward_texts,
    forwarded_messages,
    is_plain,
)
from bot.intake.record import Segment
from bot.sim import events as ev


def seg(d: dict) -> Segment:  # type: ignore[type-arg]
    return Segment(d["type"], d["data"])


# NapCat: a Bilibili mini-program share, trimmed from a real event (the JSON is a string).
BILIBILI = {
    "type": "json",
    "data": {
        "data": json.dumps(
            {
                "app": "com.tencent.miniapp_01",
                "desc": "",
                "view": "view_8C8E89B49BE609866298ADDFF2DBABA4",
                "ver": "1.0.0.19",
                "prompt": "[QQ小程序]兼职刷单日结300",
                "meta": {
                    "detail_1": {
                        "appid": "1109937557",
                        "title": "哔哩哔哩",
                        "desc": "兼职刷单，日结300，加V详聊",
                        "icon": "https://open.gtimg.cn/open/app_icon/00/95/17/76/100951776_100_m.png",
                        "qqdocurl": "https://b23.tv/AbCdEf",
                        "preview": "pubminishare-30161.picsz.qpic.cn/abc",
                    }
                },
                "config": {"type": "normal", "width": 0, "height": 0},
            },
            ensure_ascii=False,
        )
    },
}
# Lagrange / NapCat: a news share (structmsg), jumpUrl escaped as QQ does.
NEWS = {
    "type": "json",
    "data": {
        "data": '{"app":"com.tencent.structmsg","prompt":"[分享]关于发放补贴的通知",'
        '"meta":{"news":{"title":"关于发放补贴的通知","desc":"点击链接认证领取",'
        '"jumpUrl":"http:\\/\\/gov-butie.top\\/a","tag":"QQ浏览器"}}}'
    },
}
XML = {
    "type": "xml",
    "data": {
        "data": '<?xml version="1.0" encoding="utf-8"?><msg serviceID="1" templateID="1" action="web" '
        'brief="[分享]冻结解冻" url="http://jiedong.xyz/x"><item layout="2"><title>账户冻结解冻</title>'
        "<summary>私聊客服办理</summary></item></msg>"
    },
}
# ComWeChatBotClient's link segment (its own spelling: tittle, des).
WX_LINK = {
    "type": "wx.link",
    "data": {"tittle": "六合彩内部资料", "des": "稳赚不赔", "url": "https://dwz.cn/x1", "image": ""},
}
WX_APP = {"type": "wx.app", "data": {"appid": "gh_abc@app", "title": "砍一刀领现金", "url": ""}}


def test_plain_messages_carry_nothing() -> None:
    segs = [seg(ev.text_seg("收到")), seg(ev.at_seg(30001)), seg(ev.face_seg(14)), seg(ev.reply_seg(5))]
    assert is_plain(segs)
    assert not carried(segs)


@pytest.mark.parametrize(
    ("payload", "texts", "urls"),
    [
        (
            BILIBILI,
            ["[QQ小程序]兼职刷单日结300", "哔哩哔哩", "兼职刷单，日结300，加V详聊"],
            ["https://b23.tv/AbCdEf"],
        ),
        (
            NEWS,
            ["[分享]关于发放补贴的通知", "关于发放补贴的通知", "点击链接认证领取", "QQ浏览器"],
            ["http://gov-butie.top/a"],
        ),
        (XML, ["[分享]冻结解冻", "账户冻结解冻", "私聊客服办理"], ["http://jiedong.xyz/x"]),
        (WX_LINK, ["六合彩内部资料", "稳赚不赔"], ["https://dwz.cn/x1"]),
        (WX_APP, ["砍一刀领现金"], []),
        (
            ev.share_link_seg("会议通知", "https://www.gov.cn/x"),
            ["[分享]会议通知", "会议通知"],
            ["https://www.gov.cn/x"],
        ),
    ],
)
def test_cards(payload: dict, texts: list[str], urls: list[str]) -> None:  # type: ignore[type-arg]
    [card] = carried([seg(payload)]).cards
    assert sorted(card.texts) == sorted(texts)
    assert list(card.urls) == urls


def test_v12_cards_become_shares_for_the_link_rules() -> None:
    what = carried([seg(WX_LINK), seg(WX_APP), seg(BILIBILI)])
    shares = what.shares()  # json cards are read by the link rules themselves
    assert [(s.type, dict(s.data)) for s in shares] == [
        ("share", {"title": "六合彩内部资料", "url": "https://dwz.cn/x1"}),
        ("share", {"title": "砍一刀领现金"}),
    ]


def test_hostile_cards_are_bounded() -> None:
    deep = "[" * 5000 + "]" * 5000
    assert carried([Segment("json", {"data": deep})]).cards[0].texts == ()
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><msg><title>&a;</title></msg>'
    assert carried([Segment("xml", {"data": bomb})]).cards[0].texts == ()
    long = json.dumps({"prompt": "广" * 10_000})
    [text] = carried([Segment("json", {"data": long})]).cards[0].texts
    assert len(text) == 500


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (
            {"file": "（机密）干部考察材料.docx", "file_id": "/abc", "file_size": "1024"},
            "（机密）干部考察材料.docx",
        ),  # NapCat
        ({"file_id": "f1", "name": "【内部】通讯录.xlsx"}, "【内部】通讯录.xlsx"),  # v12 with a name
        ({"file_id": "f1", "wx.name": "[秘密]预算.pdf"}, "[秘密]预算.pdf"),  # v12 extension key
        ({"file_id": "f7d2"}, ""),  # ComWeChatBotClient: a bare file id (its name came in a notice)
        ({"file": "C:\\Users\\a\\Documents\\报告.docx"}, "报告.docx"),  # a path: only the name
    ],
)
def test_file_names(data: dict, name: str) -> None:  # type: ignore[type-arg]
    assert file_name(Segment("file", data)) == name


def test_images_and_forwards() -> None:
    what = carried(
        [
            seg(ev.image_seg("abc.jpg", "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=x")),
            Segment("image", {"file": "base64://iVBORw0KGgo="}),
            Segment("image", {"file_id": "wx-file-1"}),  # v12: only a file id
            Segment("forward", {"id": "7391234567890"}),
            Segment(
                "forward", {"id": "1", "content": [{"message": [{"type": "text", "data": {"text": "x"}}]}]}
            ),
        ]
    )
    assert [i.source for i in what.images] == [
        "https://multimedia.nt.qq.com.cn/download?appid=1407&fileid=x",
        "base64://iVBORw0KGgo=",
        "",
    ]
    assert what.images[2].file_id == "wx-file-1"
    assert what.forward_ids == ("7391234567890",)
    assert len(what.forwarded) == 1 and what.deep


def _t(text: str) -> dict:  # type: ignore[type-arg]
    return {"type": "text", "data": {"text": text}}


NAPCAT_ANSWER = {
    "messages": [
        {
            "self_id": 10001,
            "user_id": 30001,
            "time": 1764000000,
            "message_id": 11,
            "message_type": "group",
            "sender": {"user_id": 30001, "nickname": "甲"},
            "message": [_t("兼职刷单，日结300，加V：abc123")],
            "message_format": "array",
        },
        {
            "sender": {"user_id": 30002, "nickname": "乙"},
            "message": [
                {"type": "forward", "data": {"id": "inner", "content": [{"message": [_t("澳门赌场上线")]}]}},
            ],
        },
    ]
}
GOCQ_ANSWER = {
    "messages": [{"content": "收到[CQ:face,id=14]，明天开会", "sender": {"nickname": "甲"}, "time": 1}]
}
LAGRANGE_ANSWER = {
    "messages": [
        {"type": "node", "data": {"user_id": "30001", "nickname": "甲", "content": [_t("正常工作消息")]}},
        {"type": "node", "data": {"content": [{"type": "forward", "data": {"id": "deeper"}}]}},
    ]
}


def test_forward_answers_in_every_shape() -> None:
    assert list(forward_texts(forwarded_messages(NAPCAT_ANSWER))) == [
        "兼职刷单，日结300，加V：abc123",
        "澳门赌场上线",
    ]
    assert list(forward_texts(forwarded_messages(GOCQ_ANSWER))) == ["收到 ，明天开会"]
    got = Collected()
    collect(forwarded_messages(LAGRANGE_ANSWER), Budget(), got, 1)
    assert got.texts == ["正常工作消息"]
    assert got.pending == [("deeper", 2)]  # a nested record to fetch, one level down
    assert forwarded_messages({"messages": "junk"}) == [] and forwarded_messages(None) == []


def test_budget_bounds_depth_messages_and_text() -> None:
    def nest(level: int) -> list:  # type: ignore[type-arg]
        inner = [{"message": [_t(f"第{level}层")]}]
        if level < 6:
            inner.append(
                {"message": [{"type": "forward", "data": {"id": str(level), "content": nest(level + 1)}}]}
            )
        return inner

    got, budget = Collected(), Budget(max_depth=3)
    collect(forwarded_messages({"messages": nest(1)}), budget, got, 1)
    assert got.texts == ["第1层", "第2层", "第3层"] and budget.truncated

    many = {"messages": [{"message": [_t("好的")]}] * 500}
    got, budget = Collected(), Budget(max_messages=200)
    collect(forwarded_messages(many), budget, got, 1)
    assert len(got.texts) == 200 and budget.truncated

    long = {"messages": [{"message": [_t("字" * 15_000)]}] * 3}
    got, budget = Collected(), Budget(max_chars=20_000)
    collect(forwarded_messages(long), budget, got, 1)
    assert sum(map(len, got.texts)) == 20_000
