"""Is this message a work notice, and is it marked urgent? (yichun 第十条, SPEC §4)

《宜春市政务微信工作群管理规范》第十条: 非紧急任务原则上不在非工作时间发布工作信息. The off-hours
rule therefore needs two answers about a message sent outside working hours:

* :func:`classify_notice` — is it work information of the notice kind (announcement language,
  @全体成员, deadlines, meeting arrangements)? One keyword is not enough: 通知 appears in
  「收到通知了吗」 and 明天 in 「明天见」. The classifier adds up named features with weights and
  calls a message a notice when the score reaches :data:`NOTICE_THRESHOLD` *and* at least one
  substantive feature fired (a directive, an addressee, a deadline …); dates, times, places and
  @全体成员 only support. Every verdict lists the features that fired, so a reminder can say why
  and a false positive can be traced to one feature and one pattern.
* :func:`is_urgent` — does the sender mark it urgent (【紧急】, 紧急, 急 as a marker, or a preset's
  words)? 急 alone is a marker only where it stands as one (「急！」, 【急】, 「很急」, 急需); inside
  words such as 急性, 应急, 着急 it is not, and 不急 / 非紧急 are the opposite of a marker.

Pure functions: no I/O, no clock, no logging.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "FEATURES",
    "NOTICE_THRESHOLD",
    "FeatureInfo",
    "NoticeVerdict",
    "classify_notice",
    "is_urgent",
    "normalise",
    "urgent_marker",
]

NOTICE_THRESHOLD = 4
"""Score from which a message with a substantive feature counts as a work notice."""

# A notice shows what it is in its first lines; scanning a 100 KB paste in full buys nothing and
# would let one message cost milliseconds.
_SCAN_LIMIT = 4000


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters, colons and brackets become ASCII) and a bounded length."""
    return unicodedata.normalize("NFKC", text[:_SCAN_LIMIT])


# --------------------------------------------------------------------------------------------
# Patterns. All run on normalise()d text, so ':' covers '：', '(' covers '（', digits are ASCII.
# --------------------------------------------------------------------------------------------

_CN_NUM = "零一二两三四五六七八九十"
_WEEKDAY = "一二三四五六日天"

_HEADING = re.compile(
    r"^\s*(?:"
    r"【[^】\n]{0,8}(?:通知|公告|通告|提醒)[^】\n]{0,4}】"
    r"|(?:紧急|重要|会议|工作|放假|值班|培训|补充|最新)?(?:通知|公告|通告)\s*(?:[:!\n]|$)"
    r"|关于[^\n]{2,40}的(?:通知|安排|提醒|函|通报)"
    r")",
    re.MULTILINE,
)
_NOTICE_WORD = re.compile(r"通知|公告|通告|温馨提示|提醒大家|特别提醒")
_CLOSING = re.compile(r"特此通知|遵照执行|请周知|望周知|请知悉|予以通报|相互转告|抓好落实|认真落实")
_ADDRESSEE = re.compile(
    r"各(?:位)?(?:科室|股室|处室|部门|单位|乡镇|街道|村|社区|站所|中心|学校|小组|支部|分局|县区|县市区|区县|企业|网格)"
    r"|各位(?:同事|同志|领导|老师|干部|组长|负责人|网格员|联络员)"
    r"|全体(?:干部|职工|人员|党员|同志|同事|成员|工作人员|教师|员工)"
    r"|(?:相关|有关)(?:人员|单位|科室|部门|同志|负责人)"
    r"|参会人员|值班人员|值班领导"
)
_DIRECTIVE = re.compile(
    r"请(?:各|大家|全体|相关|有关|于|在|务必|按时|准时|及时|提前|尽快|抓紧|认真|做好|按照|按要求|将|把|携带|带好|登录|查收|查看|填写|关注)"
    r"|务必|届时|须于|需于|不得缺席|不得迟到|准时参加|按时参加|按时完成|按要求|严禁|必须"
    r"|(?:记得|别忘了?|不要忘记)(?:带|携带|参加|提交|报送|填|签到|准时|按时|打卡)"
)
_SUBMISSION = re.compile(
    r"报送|上报|填报|报至|报给|提交|汇总|反馈至|发至|发送至|邮箱|签到|登记表|统计表|报表|一览表|回执|材料|附件"
)
_DEADLINE_WORD = re.compile(
    r"截止|截至(?!目前|今天|今日|现在|当前|发稿|昨天|昨日)|最迟|不晚于|逾期|过时不候|期限"
)
_BEFORE_ACTION = re.compile(
    r"前(?:将|把)?[^。!?\n]{0,15}?(?:报送|上报|提交|完成|反馈|发送|发至|回复|上传|填报|报|交)"
)
_MEETING = re.compile(
    r"会议|开会|参会|与会|列席|出席|座谈|培训|集合|议程|例会|研讨会|推进会|调度会|部署会|视频会|动员会|大会|讲座"
    r"|(?:的|个|次)会(?![员计话儿不议])"
)
# Duty and inspection arrangements: 「明天继续加班，8:30到」 is an instruction without a meeting.
_WORK_ARRANGEMENT = re.compile(r"加班|值班|到岗|上班|报到|迎检|督查|检查组|排查|整改|考勤|打卡")
# The leading lookaheads below only speed things up: Python's re tries every alternative at every
# position, and a one-class test first rejects most positions (about 3x faster on chat).
_VENUE = re.compile(
    rf"(?=[地会报礼多办\d{_CN_NUM}])(?:地点|会议室|报告厅|礼堂|多功能厅|\d+\s*号楼|[\d{_CN_NUM}]+\s*楼|\d+\s*室|办公室)"
)
_CLOCK_TIME = re.compile(
    rf"(?=[\d{_CN_NUM}上下晚早中凌傍今明后])(?:"
    r"\d{1,2}\s*:\s*\d{2}"
    r"|\d{1,2}\s*[点时](?:\s*\d{1,2}\s*分|半|整)?"
    rf"|(?:上午|下午|晚上|早上|中午|凌晨|傍晚|今天|明天|后天|今晚|明早)[^\d{_CN_NUM}]{{0,2}}[{_CN_NUM}]{{1,3}}点"
    rf"|[{_CN_NUM}]{{1,3}}点(?:半|整|钟|[{_CN_NUM}]+分)"
    r")"
)
_CALENDAR_DATE = re.compile(
    rf"(?=[\d{_CN_NUM}])(?:"
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]"
    r"|\d{4}\s*年\s*\d{1,2}\s*月"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    rf"|[{_CN_NUM}]{{1,2}}月[{_CN_NUM}]{{1,3}}[日号]"
    r"|\d{1,2}\s*[日号]\s*(?:前|之前|以前|上午|下午|晚上|\()"
    r")"
)
_RELATIVE_DAY = re.compile(
    rf"今天|明天|后天|今日|明日|今晚|明晚|明早|本周|下周|这周|周[{_WEEKDAY}]|星期[{_WEEKDAY}]|礼拜[{_WEEKDAY}]"
    r"|月底|月初|年底|下班前|上班前"
)
_FIELD = re.compile(
    r"(会议时间|会议地点|培训时间|培训地点|集合时间|集合地点|报送时间|报送方式|截止时间|参会人员|参加人员"
    r"|参会对象|参加对象|出席人员|联系人|联系电话|注意事项|时间|地点|内容|主题|议程|要求)\s*:"
)
_ACKNOWLEDGE = re.compile(r"收到请回复|收到请回|请回复|回复\W{0,2}收到|请接龙|接龙|收到后请|请确认")
_ENUMERATION = re.compile(rf"^\s*(?:[{_CN_NUM}]+、|\d+\s*[.、](?!\d)|\(\s*[{_CN_NUM}\d]+\s*\))", re.MULTILINE)
_DOC_REFERENCE = re.compile(
    r"《[^》\n]{2,40}》|文件精神|通知精神|按照[^。\n]{0,20}要求|根据[^。\n]{0,20}(?:要求|安排|部署|规定)|有关规定|相关规定"
)
_CHANGE = re.compile(r"取消|改期|延期|推迟|改为|调整为|调整到|顺延|暂停")
_QUESTION = re.compile(r"(?:[?吗呢么]|是否|几点|哪里|什么时候)\s*[~。.!]*\s*$")
_AT_ALL_TEXT = re.compile(r"@\s*(?:全体成员|所有人|all\b)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeatureInfo:
    """What a feature means, for explanations: its Chinese label, weight and whether it is substantive.

    A substantive feature says what the message asks or announces; the others (dates, places,
    @全体成员) only support, because chat has them too.
    """

    name: str
    label: str
    weight: int
    substantive: bool


class _Context:
    """The text under test, with each pattern searched at most once (features share patterns)."""

    __slots__ = ("_seen", "at_all", "text")

    def __init__(self, text: str, at_all: bool) -> None:
        self.text = text
        self.at_all = at_all
        # Keyed by id(): hashing a compiled pattern hashes its whole source every time.
        self._seen: dict[int, bool] = {}

    def has(self, pattern: re.Pattern[str]) -> bool:
        found = self._seen.get(id(pattern))
        if found is None:
            found = self._seen[id(pattern)] = pattern.search(self.text) is not None
        return found

    def has_concrete_time(self) -> bool:
        return self.has(_CLOCK_TIME) or self.has(_CALENDAR_DATE)


def _has(pattern: re.Pattern[str]) -> Callable[[_Context], bool]:
    return lambda ctx: ctx.has(pattern)


def _deadline(ctx: _Context) -> bool:
    # 截止/最迟 … name a deadline on their own; "…前报送" only when the text also names a time
    # (「下班前交给我」, 「15日前报送」), since 前 alone is everywhere.
    if ctx.has(_DEADLINE_WORD):
        return True
    return ctx.has(_BEFORE_ACTION) and (ctx.has_concrete_time() or ctx.has(_RELATIVE_DAY))


def _meeting_arrangement(ctx: _Context) -> bool:
    # A meeting with a concrete clock time or date is an arrangement; 「今天开会好累」 is not.
    return ctx.has(_MEETING) and ctx.has_concrete_time()


def _fields(ctx: _Context) -> bool:
    # Two or more labelled lines (时间：… 地点：…) are the shape of a notice; one could be chat.
    return ctx.has(_FIELD) and len({m.group(1) for m in _FIELD.finditer(ctx.text)}) >= 2


def _enumeration(ctx: _Context) -> bool:
    return ctx.has(_ENUMERATION) and len(_ENUMERATION.findall(ctx.text)) >= 2


def _notice_word(ctx: _Context) -> bool:
    # Counted only when the heading did not already count the same word.
    return ctx.has(_NOTICE_WORD) and not ctx.has(_HEADING)


def _at_all_schedule(ctx: _Context) -> bool:
    # @全体成员 with a concrete time is an arrangement for everyone (「@全体成员 明天上午9点到」)
    # even without a directive word; @全体成员 with 「明天见」 is not.
    return ctx.at_all and ctx.has_concrete_time()


def _question(ctx: _Context) -> bool:
    # 「明天开会吗？」 asks about work, it does not announce it. A heading or @全体成员 outweighs a
    # trailing question mark (「…，大家清楚了吗？」 closing a real notice).
    return not ctx.at_all and not ctx.has(_HEADING) and ctx.has(_QUESTION)


# name, label, weight, substantive, detector — in the order reasons are reported.
_FEATURE_TABLE: tuple[tuple[str, str, int, bool, Callable[[_Context], bool]], ...] = (
    ("heading", "通知标题", 4, True, _has(_HEADING)),
    ("closing", "公文结束语", 3, True, _has(_CLOSING)),
    ("at_all", "@全体成员", 3, False, lambda ctx: ctx.at_all),
    ("at_all_schedule", "@全体成员并给出时间", 1, True, _at_all_schedule),
    ("fields", "时间/地点等分项", 3, True, _fields),
    ("deadline", "截止期限", 3, True, _deadline),
    ("addressee", "面向科室/单位/全体", 2, True, _has(_ADDRESSEE)),
    ("directive", "工作要求用语", 2, True, _has(_DIRECTIVE)),
    ("submission", "报送材料", 2, True, _has(_SUBMISSION)),
    ("meeting", "会议/培训", 2, True, _has(_MEETING)),
    ("meeting_arrangement", "会议安排（含具体时间）", 2, True, _meeting_arrangement),
    # Weight 1: 上班 and 加班 are everyday words too; they only tip a message with other signals.
    ("work_arrangement", "加班/值班/检查等安排", 1, True, _has(_WORK_ARRANGEMENT)),
    ("acknowledge", "要求回复/接龙", 2, True, _has(_ACKNOWLEDGE)),
    ("change", "变更/取消安排", 2, True, _has(_CHANGE)),
    ("clock_time", "具体时刻", 2, False, _has(_CLOCK_TIME)),
    ("calendar_date", "具体日期", 2, False, _has(_CALENDAR_DATE)),
    ("relative_day", "今天/明天/周几", 1, False, _has(_RELATIVE_DAY)),
    ("venue", "地点", 1, False, _has(_VENUE)),
    ("notice_word", "通知字样", 1, True, _notice_word),
    ("enumeration", "分条列项", 1, False, _enumeration),
    ("doc_reference", "引用文件/要求", 1, False, _has(_DOC_REFERENCE)),
    ("question", "提问语气", -2, False, _question),
)

FEATURES: Mapping[str, FeatureInfo] = MappingProxyType(
    {name: FeatureInfo(name, label, weight, flag) for name, label, weight, flag, _ in _FEATURE_TABLE}
)
"""Every feature the classifier knows, by name."""


@dataclass(frozen=True, slots=True)
class NoticeVerdict:
    """The classifier's answer: the decision, the score and the names of the features that fired."""

    is_notice: bool
    score: int
    reasons: tuple[str, ...]

    def labels(self) -> tuple[str, ...]:
        """Chinese labels of the positive reasons, for a reminder such as 「含有：会议安排、截止期限」."""
        return tuple(FEATURES[name].label for name in self.reasons if FEATURES[name].weight > 0)


def classify_notice(text: str, *, at_all: bool = False) -> NoticeVerdict:
    """Classify a message's plain text; ``at_all`` is whether it carries an @全体成员 segment.

    A literal 「@全体成员」 / 「@所有人」 in the text counts too (platforms that flatten segments).
    """
    normalised = normalise(text)
    # The mention itself must not read as an addressee (全体成员 is one in 「请全体成员…」).
    without_mention, mentions = _AT_ALL_TEXT.subn(" ", normalised)
    ctx = _Context(without_mention, at_all or mentions > 0)
    reasons = tuple(name for name, _, _, _, detect in _FEATURE_TABLE if detect(ctx))
    score = sum(FEATURES[name].weight for name in reasons)
    substantive = any(FEATURES[name].substantive for name in reasons)
    return NoticeVerdict(score >= NOTICE_THRESHOLD and substantive, score, reasons)


# --------------------------------------------------------------------------------------------
# Urgency
# --------------------------------------------------------------------------------------------

# 【紧急】 and friends; NFKC has already turned （ ） ［ ］ into ( ) [ ].
_BRACKET_MARKER = re.compile(r"[【\[(〔]\s*(?:特急|加急|紧急|急件|急)\s*[】\])〕]")
# Words that say "urgent" wherever they stand.
_URGENT_WORDS = re.compile(r"十万火急|特急|加急|急件|急急(?!忙)|急需|急用|急办")
# 紧急 in a noun phrase names a kind of thing, not this message's urgency (紧急联系人 in a form notice).
_JINJI_NOUN = re.compile(
    r"紧急(?:联系人|联系方式|联络人|联系电话|避险|预案|疏散|情况下|医疗|出口|通道|集合点)"
)
# 急 inside these words is not a marker (急性肠胃炎, 应急管理局, 别着急).
_JI_WORDS = (
    "急性", "急救", "急诊", "急忙", "急于", "急切", "急躁", "急剧", "急速", "急促", "急转", "急流", "急刹",
    "急事", "急死", "急坏", "急哭", "着急", "焦急", "性急", "心急", "应急", "救急", "告急", "危急",
)  # fmt: skip
_NEGATIONS = "不非无没别勿甭"
_DEGREE = "很非常比较挺特别十分太蛮好"
_STANDALONE_EDGE = set(" \t\n!.,:;?~、，。：；!？…—-\"'“”‘’()[]【】〔〕")
# Preset words that the context-aware rules above already cover; matching them as plain
# substrings would undo that care (the default preset lists 「急」).
_BUILTIN_MARKERS = frozenset({"急", "紧急", "【紧急】", "【急】", "[紧急]", "(紧急)", "特急", "加急", "急件"})


def _negated(text: str, index: int, window: int = 3) -> bool:
    # 非常 is a degree adverb, not a negation: 「非常紧急」 is as urgent as it gets.
    before = text[max(0, index - window) : index].replace("非常", "")
    return any(ch in _NEGATIONS for ch in before)


def _jinji_marker(text: str) -> bool:
    for match in re.finditer("紧急", text):
        if _negated(text, match.start()) or _JINJI_NOUN.match(text, match.start()):
            continue
        return True
    return False


def _ji_marker(text: str) -> bool:
    for index, char in enumerate(text):
        if char != "急":
            continue
        before = text[index - 1] if index > 0 else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if before == "紧":  # judged by _jinji_marker, including its negations
            continue
        if before + char in _JI_WORDS or char + after in _JI_WORDS:
            continue
        if _negated(text, index, window=2):
            continue
        standalone = (not before or before in _STANDALONE_EDGE) and (not after or after in _STANDALONE_EDGE)
        if standalone or (before and before in _DEGREE):
            return True
    return False


def urgent_marker(text: str, extra_words: Iterable[str] = ()) -> str | None:
    """The urgency marker the sender used, or None. ``extra_words`` are the preset's words.

    Extra words match as plain substrings, except those the built-in context rules already
    judge (急, 紧急, 【紧急】 …), so a preset listing 「急」 does not make 急性 or 不急 urgent.
    """
    normalised = normalise(text)
    if match := _BRACKET_MARKER.search(normalised):
        return match.group(0)
    for match in _URGENT_WORDS.finditer(normalised):
        # 不急需 / 无需急办 read as "not urgent".
        if not _negated(normalised, match.start()):
            return match.group(0)
    if _jinji_marker(normalised):
        return "紧急"
    if _ji_marker(normalised):
        return "急"
    for word in extra_words:
        needle = unicodedata.normalize("NFKC", word).strip()
        if needle and needle not in _BUILTIN_MARKERS and needle in normalised:
            return needle
    return None


def is_urgent(text: str, extra_words: Iterable[str] = ()) -> bool:
    """Whether the message is marked urgent (see :func:`urgent_marker`)."""
    return urgent_marker(text, extra_words) is not None
