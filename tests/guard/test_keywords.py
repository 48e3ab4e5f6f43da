"""rules/keywords.py through the whole pass: each category's hits, evasions, near misses, and what
the finding may show."""

from __future__ import annotations

import pytest

from bot.core.guard import ContentGuard, GuardInput
from bot.core.text import Matcher, MatcherStack, Normalizer
from tests.guard.conftest import T0, base_stack, config, findings, kinds

HITS = [
    ("法轮大法好，三退保平安", "political"),
    ("打倒共.产.党", "political"),
    ("晚上寂寞吗，裸聊加我", "porn"),
    ("看Ａ片吗", "porn"),
    ("来玩网赌，稳赢不赔", "gambling"),
    ("澳门赌.场上线了", "gambling"),
    ("⑥合彩开奖结果出来了", "gambling"),
    ("陆合彩今晚开", "gambling"),
    ("百家樂真人荷官在线", "gambling"),
    ("教你自制炸弹", "violence"),
    ("出冰毒，量大从优", "drugs"),
    ("有Ｋ粉吗", "drugs"),
    ("兼职日结，加V信了解", "ads"),
    ("加ｖｘ：abc123，宝妈兼职", "ads"),
    ("加薇❤信，躺赚", "ads"),
    ("刷单返利，日结", "fraud"),
    ("您的银行卡冻结，请转入安全账户", "fraud"),
    ("代開發票，各行业都有", "illegal"),
    ("论文代写，包过", "illegal"),
    ("紧急扩散！明天开始封城", "rumor"),
    ("帮我砍一刀，谢谢", "offtopic"),
    ("帮忙砍1刀", "offtopic"),
    ("今晚王者荣耀五排，来不来", "offtopic"),
    ("在领导的英明领导下，我们取得了胜利", "formalism"),
    ("领导辛苦了🌹🌹🌹", "formalism"),
]

EVASIONS = [
    ("网 赌 上 线", "gambling"),  # spaces
    ("网💰赌💰平台", "gambling"),  # emoji between the characters
    ("网\u200b赌", "gambling"),  # zero-width space
    ("網賭", "gambling"),  # traditional characters
    ("网网赌赌", "gambling"),  # repeated characters
    ("六-合-彩", "gambling"),  # digit style + punctuation
    ("ＢＥＴ３６５", "gambling"),  # full width
    ("bеt365", "gambling"),  # Cyrillic е
    ("裸*聊", "porn"),
    ("冰/毒", "drugs"),
    ("加 V 信", "ads"),
    ("砍①刀", "offtopic"),
]

NEAR_MISSES = [
    "市人大代表来调研，请办公室做好接待",
    "节前提醒：严禁收受红包礼金",
    "严禁在工作群抢红包，违者通报",  # stated as a prohibition
    "坚决抵制法轮功等邪教组织的渗透",
    "严厉打击网络赌博、电信诈骗",
    "请大家远离毒品，拒绝冰毒",
    "民主测评投票明天上午进行",
    "报名请在群里接龙",
    "请大家刷单位门禁卡进出",
    "给大家添大麻烦了，抱歉",
    "请各科室做好扫黑除恶宣传，严厉打击赌博违法犯罪",
    "禁毒宣传月活动方案已发邮箱",
    "今天学习《关于规范党员干部网络行为的意见》",
    "betting 这个词在英文合同里出现了，请法务看一下",  # Latin words match on word boundaries only
    "alphabet 的 PPT 模板已上传",
]


@pytest.mark.parametrize(("text", "kind"), HITS + EVASIONS)
def test_hits_and_evasions(text: str, kind: str) -> None:
    assert kind in kinds(text)


PROHIBITION_DOES_NOT_HIDE = [
    ("严禁网赌！加v信带你躺赚", "ads"),  # the spam's other words still count
    ("不得拉票。帮我砍一刀", "offtopic"),  # another clause
    ("禁止吸烟，机密★5年", "secret"),  # never for secret markings
]


@pytest.mark.parametrize(("text", "kind"), PROHIBITION_DOES_NOT_HIDE)
def test_prohibition_covers_only_its_own_words(text: str, kind: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_pass(text: str) -> None:
    assert kinds(text) == set()


def test_one_finding_per_category_naming_up_to_three_words() -> None:
    [finding] = findings("网赌、六合彩、百家乐、老虎机，应有尽有")
    assert finding.kind == "gambling" and finding.rule == "keywords" and finding.cite_key == "prohibited"
    assert finding.excerpt == "网赌、六合彩、百家乐"


def test_harmful_words_are_not_shown_harmless_ones_are() -> None:
    [political] = findings("法轮大法好")
    assert political.excerpt and political.shown == ""
    [ads] = findings("宝妈兼职，了解一下")
    assert ads.shown == "宝妈兼职"


def test_group_overlay_adds_and_allow_masks_base_words() -> None:
    overlay = Matcher.build({"ads": ["团购接龙"]}, ["赌场风云"], normalizer=Normalizer())
    stack = MatcherStack([*base_stack().layers, overlay])
    cfg = config(stack=stack)
    assert kinds("水果团购接龙开始了", cfg) == {"ads"}
    assert kinds("电影《赌场风云》观后感", cfg) == set()  # a removal in this group
    assert kinds("电影《赌场风云》观后感") == {"gambling"}  # elsewhere it still counts


def test_one_normalisation_for_the_whole_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = config()
    calls: list[str] = []
    original = type(cfg.stack.normalizer).text

    def counting(self: Normalizer, source: str) -> str:
        calls.append(source)
        return original(self, source)

    monkeypatch.setattr(type(cfg.stack.normalizer), "text", counting)
    text = "各科室：请于周五前报送材料，联系电话 0551-1234567，详见 www.ah.gov.cn。"
    ContentGuard().check(GuardInput(text, group_id="1", user_id="2", at=T0), cfg)
    assert calls == [text]
