"""rules/links.py: allow-listed domains pass, shorteners and unknown domains and cards are found."""

from __future__ import annotations

import pytest

from bot.core.guard.rules.links import hosts_in_text
from bot.intake.record import Segment
from bot.sim.events import json_card_seg, mini_program_seg, share_link_seg
from tests.guard.conftest import findings, kinds


def seg(raw: dict) -> Segment:  # type: ignore[type-arg]
    return Segment(raw["type"], raw["data"])


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("详见 https://www.ah.gov.cn/zwgk/a.html", ["ah.gov.cn"]),
        ("看这个 http://t.cn/AbCd12", ["t.cn"]),
        ("链接：abc.xyz/aa", ["abc.xyz"]),
        ("t。cn/abc", ["t.cn"]),  # a full stop for the dot
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", ["example.com"]),  # full width
        ("内网 http://10.1.2.3/oa 登录", ["10.1.2.3"]),
        ("报告.docx 已上传，版本 v1.2，见第3.5条", []),  # file names and numbers are not links
        ("邮箱 zhangsan@163.com", []),  # e-mail addresses are not links
        ("收到。谢谢。", []),
    ],
)
def test_hosts_in_text(text: str, hosts: list[str]) -> None:
    assert list(hosts_in_text(text)) == hosts


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请登录 https://www.ah.gov.cn 填报", set()),
        ("公众号原文：https://mp.weixin.qq.com/s/abc", set()),
        ("问卷：https://www.wjx.cn/vm/abc.aspx", set()),
        ("腾讯文档 https://docs.qq.com/sheet/abc", set()),
        ("点这里领取 http://t.cn/AbCd12", {"link_shortener"}),
        ("抢券 https://u.jd.com/xyz", {"link_shortener"}),
        ("更多资料见 https://some-blog.net/post/1", {"link_unknown"}),
        ("下载地址 xyz123.top/app", {"link_unknown"}),
    ],
)
def test_text_links(text: str, found: set[str]) -> None:
    assert kinds(text) == found


def test_cards() -> None:
    bargain = seg(mini_program_seg("帮我砍一刀", "https://mobile.yangkeduo.com/bargain.html?id=1"))
    doc = seg(mini_program_seg("腾讯文档", "https://docs.qq.com/doc/abc"))
    news = seg(share_link_seg("学习贯彻会议精神", "https://mp.weixin.qq.com/s/xyz"))
    short = seg(share_link_seg("点击领取", "http://t.cn/Ab"))
    bare = seg(json_card_seg({"app": "com.tencent.miniapp_01", "prompt": "[QQ小程序]合成大西瓜"}))
    assert kinds("", segments=(bargain,)) == {"link_card"}
    assert kinds("", segments=(doc,)) == set()
    assert kinds("", segments=(news,)) == set()
    assert kinds("", segments=(short,)) == {"link_shortener"}
    [card] = findings("", segments=(bare,))
    assert card.kind == "link_card" and card.excerpt == "[QQ小程序]合成大西瓜"
    assert kinds("", segments=(Segment("json", {"data": "{not json"}),)) == {"link_card"}
    assert kinds("", segments=(Segment("share", {"url": "https://www.gov.cn/a", "title": "x"}),)) == set()
    xml = Segment("xml", {"data": '<msg url="https://evil.example.com/x"><item/></msg>'})
    assert kinds("", segments=(xml,)) == {"link_card"}


def test_the_finding_names_the_host() -> None:
    [finding] = findings("看这个 http://t.cn/AbCd12 和 http://t.cn/Other")
    assert (finding.kind, finding.excerpt, finding.shown) == ("link_shortener", "t.cn", "t.cn")
