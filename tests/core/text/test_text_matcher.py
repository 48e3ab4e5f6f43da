"""Matcher: hits and evasions per category on the default lexicons, near misses, boundaries,
allow masking, overlapping words, layers and the spans reported in the original text."""

from __future__ import annotations

import functools

import pytest

from bot.core.text.lexicon import load_dir
from bot.core.text.matcher import Matcher, MatcherStack
from bot.core.text.normalize import Normalizer


@functools.cache
def default_matcher() -> Matcher:
    return load_dir().matcher()


def categories(text: str) -> set[str]:
    return {h.category for h in default_matcher().scan(text)}


# One row per evasion style per category: (message, category it must hit).
HITS = [
    # 反动/政治有害
    ("法轮大法好，三退保平安", "political"),
    ("法 轮 大 法 好", "political"),
    ("法輪大法好", "political"),
    ("看看大紀元的報道", "political"),
    ("推\u200b翻\u200b共\u200b产\u200b党", "political"),
    # 色情
    ("晚上寂寞吗，裸聊加我", "porn"),
    ("裸💋聊了解一下", "porn"),
    ("同城约✿炮，速来", "porn"),
    ("成人視頻免費看", "porn"),
    ("看Ａ片吗", "porn"),
    ("最新ＰｏｒｎＨｕｂ资源", "porn"),
    ("𝐩𝐨𝐫𝐧 videos here", "porn"),
    # 赌博
    ("来玩网赌，稳赢", "gambling"),
    ("澳门赌.场上线了", "gambling"),
    ("⑥合彩开奖结果", "gambling"),
    ("六 合 彩 内部资料", "gambling"),
    ("陆合彩今晚开", "gambling"),
    ("百家樂真人荷官在线", "gambling"),
    ("百家乐乐乐，真真人荷官", "gambling"),
    ("上BET365投注", "gambling"),
    # 暴力恐怖
    ("教你自制炸弹", "violence"),
    ("炸藥配方大全", "violence"),
    ("加入伊斯兰国", "violence"),
    ("ISIS 招募", "violence"),
    # 毒品
    ("出冰毒，量大从优", "drugs"),
    ("冰\u200d毒", "drugs"),
    ("搖頭丸有貨", "drugs"),
    ("有Ｋ粉吗", "drugs"),
    ("k.粉", "drugs"),
    ("海洛洛因", "drugs"),
    # 商业广告
    ("兼职日结，加V信了解", "ads"),
    ("加ｖｘ：abc123", "ads"),
    ("宝妈兼职，在家躺赚", "ads"),
    ("轻松赚钱，一件代发", "ads"),
    ("加薇❤信", "ads"),
    # 病毒链接/诈骗
    ("刷单返利，日结", "fraud"),
    ("您的银行卡冻结，请转入安全账户", "fraud"),
    ("恭喜您中奖了，点击链接领取", "fraud"),
    ("请把验证码发给我", "fraud"),
    ("稳 赚 不 赔", "fraud"),
    # 违法侵权
    ("代开发票，各行业都有", "illegal"),
    ("专业办假证", "illegal"),
    ("收购银行卡，高价", "illegal"),
    ("论文代写，包过", "illegal"),
    ("代開發票", "illegal"),
    # 谣言
    ("紧急扩散！明天开始封城", "rumor"),
    ("不转不是中国人", "rumor"),
    ("紧急擴散", "rumor"),
    # 涉密标识
    ("绝密★启用前", "secret"),
    ("机密★10年", "secret"),
    ("机密 ☆ 10年 关于某某事项的报告", "secret"),
    ("秘密⭐一年", "secret"),
    ("（内部资料 注意保存）", "secret"),
    ("內部資料，請勿外傳", "secret"),
    ("密级：机密", "secret"),
    # 与工作无关
    ("帮我砍一刀，谢谢", "offtopic"),
    ("帮忙砍1刀", "offtopic"),
    ("抢红包啦🧧", "offtopic"),
    ("红包接龙，下一个", "offtopic"),
    ("帮忙投票，3号选手", "offtopic"),
    ("今晚王者荣耀五排", "offtopic"),
    ("有需要海外代购的找我", "offtopic"),
    # 形式主义
    ("在领导的英明领导下，我们取得了胜利", "formalism"),
    ("领导辛苦了🌹🌹🌹", "formalism"),
    ("完成后请截图发群里", "formalism"),
    # 人身攻击
    ("你个傻逼，滚出去", "abuse"),
    ("狗日的，说什么呢", "abuse"),
]


@pytest.mark.parametrize(("text", "category"), HITS)
def test_hit(text: str, category: str) -> None:
    assert category in categories(text)


def test_every_category_has_hit_rows() -> None:
    from bot.core.text.categories import CATEGORIES

    assert {c.key for c in CATEGORIES} == {category for _, category in HITS}


# Ordinary work messages that share characters with listed words.
NEAR_MISSES = [
    "市人大代表来调研",
    "人大常委会会议明天召开",
    "明天召开保密工作会议",
    "涉密不上网，上网不涉密",
    "本文件为非涉密文件，可以在群里发",
    "请做好涉密文件管理工作",
    "请把电话号码报一下",
    "坐火车去省里开会",
    "这是我们俩的秘密",
    "机密文件请走机要渠道",
    "节前提醒：严禁收受红包礼金",
    "严禁在工作群发红包",
    "民主测评投票明天进行",
    "报名请在群里接龙",
    "请阅读以下注意事项",
    "请大家刷单位门禁卡",
    "进出口交易会下周开幕",
    "带有感情色彩的表述要删掉",
    "给大家添大麻烦了",
    "工业大麻种植许可证",
    "鸦片战争一百八十周年",
    "伊斯兰国家的投资环境",
    "开展扫黄打非专项行动",
    "禁毒宣传月活动方案",
    "打击电信网络诈骗宣传",
    "严禁拉票贿选",
    "会议开始请共享屏幕",
    "请获奖同志到办公室领取奖品",
    "吃鸡蛋补充蛋白质",
    "国家知识产权局来函",
    "增加微型企业贷款额度",
    "附加扣除",
    "新时代革命传统教育",
    "alphabet",
    "crisis management",
    "ok粉丝量",
    "好的👌",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_passes(text: str) -> None:
    assert default_matcher().scan(text) == []


def test_allow_entry_masks_deny_inside_it() -> None:
    m = Matcher.build({"political": ["人大"]}, ["人大代表"])
    assert m.scan("人大代表") == []
    assert [h.word for h in m.scan("人大会堂")] == ["人大"]
    # the allow entry only masks what lies inside it
    assert [(h.start, h.end) for h in m.scan("人大代表和人大")] == [(5, 7)]


def test_allow_masks_evaded_forms_too() -> None:
    m = Matcher.build({"political": ["人大"]}, ["人大代表"])
    assert m.scan("人 大 代 表") == []


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("bet now", True),
        ("BET!", True),
        ("alphabet", False),
        ("better", False),
        ("我要bet", True),  # Chinese neighbours are boundaries
        ("bet赢钱", True),
        ("b.e.t", True),  # single letters spelt out with gaps are one word
        ("a bet", True),
        ("a b et", False),
        ("free bet now", True),
        ("1bet", False),
        ("ｂｅｔ", True),
    ],
)
def test_latin_words_match_on_word_boundaries(text: str, hit: bool) -> None:
    m = Matcher.build({"gambling": ["bet"]})
    assert bool(m.scan(text)) is hit


def test_mixed_word_checks_only_its_latin_edge() -> None:
    m = Matcher.build({"drugs": ["k粉"]})
    assert m.scan("买k粉")
    assert not m.scan("ok粉丝")  # the k edge has a Latin neighbour
    assert m.scan("K粉丝")  # the 粉 edge is Chinese: no boundary needed


def test_multi_word_latin_entry() -> None:
    m = Matcher.build({"ads": ["free money"]})
    assert m.scan("Get FREE   money!!")
    assert not m.scan("freemoney")


def test_overlapping_words_longest_wins_and_iter_long_miss_is_avoided() -> None:
    m = Matcher.build({"illegal": ["国家知识产权局", "知识产权"]})
    # iter_long would follow 国家知识产权局 and miss 知识产权 here
    assert [h.word for h in m.scan("国家知识产权保护")] == ["知识产权"]
    assert [h.word for h in m.scan("国家知识产权局")] == ["国家知识产权局"]


def test_overlapping_different_categories_keep_the_longer() -> None:
    m = Matcher.build({"illegal": ["出售枪支"], "violence": ["枪支弹药"]})
    hits = m.scan("出售枪支弹药")
    assert len(hits) == 1  # the two overlap: one is kept, the other dropped
    hits = m.scan("出售枪支，还有枪支弹药")
    assert [h.category for h in hits] == ["illegal", "violence"]


def test_same_word_in_two_categories_reports_both() -> None:
    m = Matcher.build({"ads": ["加v信"], "fraud": ["加v信"]})
    assert sorted(h.category for h in m.scan("加V信")) == ["ads", "fraud"]


def test_hit_spans_are_in_the_original_text() -> None:
    text = "大家好，快来賭 . 場玩，还有⑥合彩"
    hits = default_matcher().scan(text)
    assert [(h.word, text[h.start : h.end]) for h in hits] == [("赌场", "賭 . 場"), ("六合彩", "⑥合彩")]


def test_span_covers_collapsed_repeats_and_zero_width() -> None:
    text = "冰\u200b冰冰毒毒"
    (hit,) = default_matcher().scan(text)
    assert (hit.start, hit.end) == (0, len(text))


def test_words_that_collapse_to_one_character_are_skipped() -> None:
    m = Matcher.build({"porn": ["乖乖", "。。。", "约炮"]})
    assert {s.word for s in m.skipped} == {"乖乖", "。。。"}
    assert m.scan("乖") == []
    assert m.word_count == 1


def test_empty_matcher() -> None:
    m = Matcher.build({})
    assert m.scan("任何内容") == []


def test_overlay_adds_words_and_allow_masks_base() -> None:
    base = Matcher.build({"offtopic": ["代购"]})
    group = Matcher.build({"offtopic": ["团购"]}, ["代购中心"])
    stack = MatcherStack((base, group))
    assert [h.word for h in stack.scan("团购和代购")] == ["团购", "代购"]
    assert stack.scan("政府集中代购中心") == []
    assert [h.word for h in base.scan("政府集中代购中心")] == ["代购"]


def test_stack_rejects_mixed_normalisers() -> None:
    base = Matcher.build({"x": ["赌场"]})
    other = Matcher.build({"x": ["赌场"]}, normalizer=Normalizer().with_options(t2s=False))
    with pytest.raises(ValueError):
        MatcherStack((base, other))


def test_change_means_a_new_matcher() -> None:
    old = Matcher.build({"offtopic": ["代购"]})
    new = Matcher.build({"offtopic": ["代购", "团购"]})
    assert old.scan("团购") == []
    assert new.scan("团购")


def test_large_message() -> None:
    text = "正常的工作内容，" * 12000 + "网赌"
    hits = default_matcher().scan(text)
    assert [h.word for h in hits] == ["网赌"]
    assert text[hits[0].start : hits[0].end] == "网赌"


def test_many_hits_in_a_large_message() -> None:
    m = Matcher.build({"gambling": ["网赌"], "political": ["人大"]}, ["人大代表"])
    text = "网赌，人大代表，人大。" * 10000  # about 110k characters, 30k candidates
    hits = m.scan(text)
    assert len(hits) == 20000
    assert {h.category for h in hits} == {"gambling", "political"}
    assert all(text[h.start : h.end] in ("网赌", "人大") for h in hits)


def test_allow_masking_with_several_allow_entries() -> None:
    m = Matcher.build({"x": ["人大", "代表大", "会议"]}, ["全国人大", "人大代表大会"])
    text = "全国人大代表大会议程"
    # 人大 sits inside both allow entries, 代表大 inside the second; 会议 reaches past both.
    assert [(h.word, text[h.start : h.end]) for h in m.scan(text)] == [("会议", "会议")]
