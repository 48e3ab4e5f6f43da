"""Tiers, context rules, scam patterns and evasions on real Chinese messages (table tests over the
packaged data: lexicons of both tiers, context/*.toml, scam.toml, evasion.toml).

Each table row is a message as a violator or an office would write it; the rows are not taken from
the evaluation set in bench/data (which measures, and is not tuned against)."""

from __future__ import annotations

import pytest

from bot.core.guard import ContentGuard, GuardInput
from tests.guard.conftest import acted, config, flagged

# --- named terms: act with a propaganda / sale / contact / leak cue -------------------------------
ACTS = [
    ("political", "法轮功学员今晚去各小区发真相传单"),
    ("political", "全能神教会周五聚会，想加入的私聊"),
    ("political", "支持台独，台湾建国万岁"),
    ("drugs", "冰毒有货，老客户八折，同城面交"),
    ("drugs", "摇头丸批发，包邮"),
    ("gambling", "赌球开户，首存送一百"),
    ("gambling", "麻将真钱局，一局一结"),
    ("porn", "同城约炮，附近的都可以加v"),
    ("violence", "仿真枪出售，货到付款"),
    ("violence", "再骂我，我明天就拿刀砍死他"),
    ("secret", "机密文件我拍照发群里了"),
    ("secret", "这份绝密材料截图给你，别外传"),
    ("abuse", "你个脑残，会不会干活"),
    ("offtopic", "帮我砍价，拜托了"),
    ("formalism", "领导高瞻远瞩，我们无比振奋"),
]


@pytest.mark.parametrize(("kind", "text"), ACTS)
def test_a_named_term_with_a_cue_acts(kind: str, text: str) -> None:
    assert kind in acted(text)


# --- the same terms in official / condemnation messages pass ---------------------------------------
OFFICIAL = [
    "关于开展反邪教宣传月活动的通知，请各支部组织揭批法轮功、全能神邪教本质",
    "坚决抵制“全能神”邪教的渗透，发现聚会请及时举报",
    "国际禁毒日：冰毒、摇头丸、K粉的危害与识别，请大家认真学习",
    "公安机关破获一起贩卖冰毒案件，抓获犯罪嫌疑人三名",
    "严厉打击网络赌博，发现赌球开户信息请拨打110",
    "扫黄打非办提醒：约炮软件暗藏诈骗和敲诈",
    "涉枪涉爆隐患排查：仿真枪、管制刀具请主动交到派出所",
    "保密培训：机密文件不得拍照，不得发到工作群",
    "请大家学习《保密法》，绝密材料必须专人保管",
    "反诈提醒：网上刷单返利都是诈骗，先垫付后返款的一律不要相信",
    "社保卡不会被冻结，收到要求认证解冻的链接都是诈骗，请勿点击",
    "请文明发言，不得对同事进行人身攻击，如“脑残”“废物”等用语",
]


@pytest.mark.parametrize("text", OFFICIAL)
def test_official_messages_about_the_topic_are_never_acted_on(text: str) -> None:
    assert acted(text) == set()


# --- a bare term with no cue: the admins are asked, nothing public ----------------------------------
FLAGGED = [
    ("drugs", "昨天新闻里说的冰毒到底是什么东西"),
    ("political", "听说有人在传法轮功的东西"),
    ("secret", "这份机密文件的第二页数据对不上"),
    ("porn", "新闻里说的约炮是什么意思"),
]


@pytest.mark.parametrize(("kind", "text"), FLAGGED)
def test_a_bare_named_term_is_flagged_not_acted(kind: str, text: str) -> None:
    assert kind not in acted(text)
    assert kind in flagged(text)


# --- ordinary words that contain a term ---------------------------------------------------------------
ORDINARY = [
    "周末带孩子去溜冰，冰场在体育馆二楼",
    "麻将桌搬到老干部活动室了",
    "这个秘密别告诉张姐，下周给她过生日",
    "商业机密保护宣传资料已送到企业",
    "问卷回收了，有问题私聊我",
    "补贴发放名单有疑问的私聊我",
    "报销发票请周三前交财务，有问题找我",
    "垃圾分类桶放在一楼大厅",
    "今天的会议很有收获，感谢领导的指导",
    "下午搬家具，需要几个力气大的同事帮忙",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_pass(text: str) -> None:
    assert acted(text) == set()


# --- scam patterns: a contact handle plus a lure, even with no lexicon word ---------------------------
SCAMS = [
    ("fraud", "急用钱的朋友看过来，当天下款，加V：jq8866"),
    ("fraud", "各类证书都能办，扣扣 2233445566"),
    ("fraud", "代开普票专票，vx kp2024"),
    ("fraud", "跑分日入三百，私聊"),
    ("ads", "招兼职打字员，看头像加我"),
    ("ads", "宝妈副业，日结，wx mama123"),
    ("fraud", "您的医保卡已冻结，请登录 http://ybk-renzheng.top 认证"),
    ("fraud", "退税补贴开始申领 www.tuishui-gov.xyz"),
]


@pytest.mark.parametrize(("kind", "text"), SCAMS)
def test_handle_and_lure_act(kind: str, text: str) -> None:
    assert kind in acted(text)


def test_a_weak_handle_with_a_weak_lure_is_only_flagged() -> None:
    assert flagged("旧电脑回收，私聊") == {"fraud"}


def test_an_official_link_about_subsidies_is_no_phishing() -> None:
    assert acted("补贴申领请登录 http://www.ah.gov.cn/ 办理") == set()


# --- evasions -----------------------------------------------------------------------------------------
EVASIONS = [
    ("gambling", "du博平台招代理，私聊拿网址"),
    ("gambling", "liu合彩特码，今晚开"),
    ("gambling", "堵博网站，注册就送"),
    ("gambling", "愽彩平台，出款快"),
    ("political", "fl功真相，大家转发"),
    ("political", "法仑功学员请联系我"),
    ("drugs", "bing毒有货，私聊"),
    ("porn", "祼聊一对一，加v"),
    ("abuse", "你个sha逼"),
]


@pytest.mark.parametrize(("kind", "text"), EVASIONS)
def test_pinyin_homophones_and_variants_are_caught(kind: str, text: str) -> None:
    assert kind in acted(text)


def test_initials_alone_only_for_long_terms() -> None:
    assert acted("db是什么意思") == set()  # 赌博's initials are too short to mean anything


# --- explanations ---------------------------------------------------------------------------------------
def test_explain_names_the_entry_and_the_cue() -> None:
    lines = ContentGuard.explain("冰毒有货，同城面交", config())
    assert any("「冰毒」" in line and "「有货」" in line and "处理" in line for line in lines)
    lines = ContentGuard.explain("禁毒宣传：远离冰毒", config())
    assert any("「禁毒」" in line and "不处理" in line for line in lines)
    lines = ContentGuard.explain("机密文件发群里了", config())
    assert lines and all("机密" not in line.split("：", 1)[1] for line in lines)  # never echoed


def test_a_flag_finding_alongside_an_act_finding_adds_nothing() -> None:
    cfg = config()
    found = ContentGuard().check(GuardInput("代开发票，顺便问下冰毒是什么"), cfg, remember=False)
    from bot.core.guard import decide

    verdict = decide(found, cfg.actions, cfg.serious)
    assert verdict is not None and not verdict.flagged and verdict.primary.kind in ("illegal", "fraud")
