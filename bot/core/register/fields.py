"""The fields of a group's filing (登记备案表), the one-line form and the answers of the guided filing.

huangshan 第十条 lists what a filing holds: 群组名称、归属科室、入群方式、群规群纪、成员规模、活跃程度、
群主(管理者)及联系方式; huangshi 第九条 and yichun 第三条 add the matter a group serves and whether it
is a temporary or special group (临时/专项), which must be dissolved when its work ends. Member count
and activity are not asked: the bot fills them from what it sees.

Pure: no clock (``today`` is passed in), no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from bot.core.identity import canonical_mobile

__all__ = [
    "FIELD_SPECS",
    "ORDER",
    "UNDECIDED",
    "FieldError",
    "FieldSpec",
    "FilingField",
    "FormResult",
    "GroupKind",
    "is_form",
    "missing_fields",
    "normalize_contact",
    "parse_date",
    "parse_form",
    "parse_kind",
    "parse_value",
    "split_owner_answer",
]


class GroupKind(StrEnum):
    """What kind of work group it is (huangshi 第九条, yichun 第三条/第五条)."""

    STANDING = "standing"  # 常设工作群
    TEMPORARY = "temporary"  # 临时工作群: dissolved within N working days after the work ends
    SPECIAL = "special"  # 专项工作群: likewise

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def ends(self) -> bool:
        """Temporary and special groups are dissolved when their work ends."""
        return self is not GroupKind.STANDING


_KIND_LABELS = {GroupKind.STANDING: "常设", GroupKind.TEMPORARY: "临时", GroupKind.SPECIAL: "专项"}
_KIND_WORDS: tuple[tuple[GroupKind, tuple[str, ...]], ...] = (
    (GroupKind.SPECIAL, ("专项", "special")),
    (GroupKind.TEMPORARY, ("临时", "阶段", "temporary", "temp")),
    (GroupKind.STANDING, ("常设", "长期", "固定", "常态", "standing", "permanent")),
)


class FilingField(StrEnum):
    NAME = "name"
    DEPT = "dept"
    MATTER = "matter"
    KIND = "kind"
    END_DATE = "end_date"
    ENTRY = "entry"
    RULES = "rules"
    OWNER = "owner"
    CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    field: FilingField
    label: str
    keys: tuple[str, ...]  # names accepted in the one-line form (the first is shown)
    question: str  # the guided filing's question
    example: str
    max_len: int = 100
    personal: bool = False  # personal data: encrypted at rest, masked on display, given in private only


FIELD_SPECS: dict[FilingField, FieldSpec] = {
    s.field: s
    for s in (
        FieldSpec(
            FilingField.NAME,
            "群组名称",
            ("名称", "群组名称", "群名称", "群名"),
            "本群登记的群组名称是？",
            "办公室工作群",
            60,
        ),
        FieldSpec(
            FilingField.DEPT,
            "归属科室",
            ("科室", "归属科室", "部门", "归属部门", "单位", "归属单位"),
            "本群归属哪个科室（部门）？",
            "办公室",
            60,
        ),
        FieldSpec(
            FilingField.MATTER,
            "服务事项",
            ("事项", "服务事项", "工作事项", "用途"),
            "本群服务于哪项工作（事项）？",
            "日常工作联络",
            100,
        ),
        FieldSpec(
            FilingField.KIND,
            "群类型",
            ("类型", "群类型", "性质"),
            "本群是常设群，还是临时群或专项群？请回答「常设」「临时」或「专项」。",
            "常设",
            10,
        ),
        FieldSpec(
            FilingField.END_DATE,
            "结束日期",
            ("结束日期", "结束", "截止日期", "截止", "到期"),
            "本群的工作预计哪天结束？请回答日期；暂时无法确定请回答「未定」，工作结束时再发送 /备案 结束。",
            "2026-12-31",
            20,
        ),
        FieldSpec(
            FilingField.ENTRY,
            "入群方式",
            ("入群方式", "入群", "加入方式"),
            "成员通过什么方式入群？",
            "本人申请、群管理员审核后入群",
            60,
        ),
        FieldSpec(
            FilingField.RULES,
            "群规群纪",
            ("群规群纪", "群规", "群纪"),
            "本群的群规群纪是什么？可简要概括。",
            "只发工作信息，不闲聊，非紧急事项不在下班时间发布",
            200,
        ),
        FieldSpec(
            FilingField.OWNER,
            "群主（管理者）",
            ("群主", "管理者", "负责人", "群主姓名"),
            "群主（管理者）的姓名是？可同时写上联系电话，例如「李四 13812345678」。",
            "李四",
            20,
            personal=True,
        ),
        FieldSpec(
            FilingField.CONTACT,
            "联系方式",
            ("联系方式", "联系电话", "电话", "手机"),
            "群主（管理者）的联系电话是？",
            "13812345678",
            30,
            personal=True,
        ),
    )
}

ORDER: tuple[FilingField, ...] = tuple(FIELD_SPECS)
UNDECIDED = "未定"
"""The answer for an end date that is not known yet (the group is then ended with /备案 结束)."""


class FieldError(ValueError):
    """A value that cannot be accepted; the message says why, in Chinese, for the user."""


# --- the one-line form ------------------------------------------------------------------------

_KEY_TO_FIELD: dict[str, FilingField] = {k: s.field for s in FIELD_SPECS.values() for k in s.keys}
_KEYS = sorted(_KEY_TO_FIELD, key=len, reverse=True)
# A key counts only at the start or after a separator, so that 「配合单位：…」 inside a value is not
# read as the key 单位.
_KEY_RE = re.compile(r"(?:^|(?<=[\s；;，,、]))(" + "|".join(map(re.escape, _KEYS)) + r")\s*[=＝:：]\s*")
_UNKNOWN_KEY_RE = re.compile(r"(?:^|(?<=[\s；;，,、]))([^\s=＝；;，,、]{1,8})\s*[=＝]")
_TRIM = " \t\r\n；;，,、。"


@dataclass(frozen=True, slots=True)
class FormResult:
    values: dict[FilingField, str] = field(default_factory=dict)
    unknown_keys: tuple[str, ...] = ()
    repeated: tuple[FilingField, ...] = ()


def is_form(text: str) -> bool:
    """Whether ``text`` is a one-line form (starts with 「键=值」)."""
    return _KEY_RE.match(text.strip()) is not None or _UNKNOWN_KEY_RE.match(text.strip()) is not None


def parse_form(text: str) -> FormResult:
    """``科室=办公室 事项=预算编制；类型=临时 结束=2026-12-31`` → raw values by field.

    Values run to the next key, so they may contain spaces. Keys: see ``FieldSpec.keys``; ``=``,
    ``＝``, ``:`` and ``：`` all separate a key from its value. Unknown 「xx=」 keys and keys given
    twice are reported, not guessed.
    """
    body = text.strip()
    matches = list(_KEY_RE.finditer(body))
    values: dict[FilingField, str] = {}
    repeated: list[FilingField] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        f = _KEY_TO_FIELD[m.group(1)]
        if f in values:
            repeated.append(f)
        values[f] = body[m.end() : end].strip(_TRIM)
    known_spans = [(m.start(), m.end()) for m in matches]
    unknown = []
    for m in _UNKNOWN_KEY_RE.finditer(body):
        if (
            not any(start <= m.start() < end for start, end in known_spans)
            and m.group(1) not in _KEY_TO_FIELD
        ):
            # Inside a known value? Then it belongs to that value (e.g. 「群规=…，a=b」 is rare: report).
            unknown.append(m.group(1))
    prefix = body[: matches[0].start()].strip(_TRIM) if matches else body
    if prefix and not unknown:
        unknown.append(prefix[:8])
    return FormResult(values, tuple(dict.fromkeys(unknown)), tuple(dict.fromkeys(repeated)))


# --- values -----------------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?$"),
    re.compile(r"^(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1, "后天": 2}
_UNDECIDED_WORDS = ("未定", "待定", "不确定", "暂不确定", "无", "没有")


def parse_date(text: str, today: date) -> date:
    """「2026-12-31」「2026年12月31日」「12月31日」「12/31」「今天」 → a date; FieldError otherwise.

    A date without a year is in ``today``'s year, unless that is more than half a year ago: then it
    is next year's (「1月10日」 said in December).
    """
    s = text.strip().translate(_FULLWIDTH_DIGITS)
    if s in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[s])
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m is None:
            continue
        year = int(m.group("y")) if "y" in m.groupdict() and m.group("y") else today.year
        try:
            value = date(year, int(m.group("m")), int(m.group("d")))
        except ValueError:
            raise FieldError(f"「{text.strip()}」不是有效的日期。") from None
        if "y" not in m.groupdict() or not m.group("y"):
            if value < today - timedelta(days=183):
                value = date(year + 1, value.month, value.day)
        return value
    raise FieldError(f"「{text.strip()}」不是日期，请写成 2026-12-31 或 12月31日 这样的形式。")


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


def parse_kind(text: str) -> GroupKind:
    s = text.strip().casefold()
    for kind, words in _KIND_WORDS:
        if any(w in s for w in words):
            return kind
    raise FieldError(f"「{text.strip()}」不是群类型，请回答「常设」「临时」或「专项」。")


_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:[-转]\d{1,6})?$")
_PHONE_IN_TEXT = re.compile(r"(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}-\d{7,8}")


def normalize_contact(text: str) -> str:
    """A mobile number (11 digits) or a landline such as 0559-1234567; FieldError otherwise."""
    s = text.strip().translate(_FULLWIDTH_DIGITS)
    mobile = canonical_mobile(s)
    if mobile is not None:
        return mobile
    compact = "".join(s.split())
    if _LANDLINE.match(compact):
        return compact
    raise FieldError("联系方式应为手机号码（11 位）或带区号的座机号码，例如 0559-1234567。")


def split_owner_answer(text: str) -> tuple[str, str | None]:
    """「李四 13812345678」 → ("李四", "13812345678"): the guided filing takes both in one answer."""
    s = text.strip().translate(_FULLWIDTH_DIGITS)
    m = _PHONE_IN_TEXT.search(s)
    if m is None:
        return text.strip(), None
    name = (s[: m.start()] + s[m.end() :]).strip(_TRIM + "：:")
    return name, normalize_contact(m.group(0))


def parse_value(f: FilingField, text: str, today: date) -> str | date | GroupKind | None:
    """The stored value of one answer: str for text fields, GroupKind, a date or None (「未定」) for the
    end date. Raises FieldError with the reason for the user."""
    spec = FIELD_SPECS[f]
    s = " ".join(text.split()).strip(_TRIM)
    if not s:
        raise FieldError(f"{spec.label}不能为空。")
    if f is FilingField.KIND:
        return parse_kind(s)
    if f is FilingField.END_DATE:
        if s in _UNDECIDED_WORDS:
            return None
        return parse_date(s, today)
    if f is FilingField.CONTACT:
        return normalize_contact(s)
    if len(s) > spec.max_len:
        raise FieldError(f"{spec.label}过长（{len(s)} 字），请控制在 {spec.max_len} 字以内。")
    if f is FilingField.OWNER and any(c.isdigit() for c in s):
        raise FieldError("群主姓名中不应有数字；联系电话请单独填写。")
    return s


def missing_fields(
    present: Mapping[FilingField, bool], kind: GroupKind | None, *, personal_ok: bool = True
) -> list[FilingField]:
    """Fields still to fill, in the order the guided filing asks them.

    ``present`` says which fields have a value (the end date counts as present when answered 「未定」).
    The end date is asked only for temporary and special groups; personal fields only when they can be
    stored (``personal_ok``: a personal-data key is configured).
    """
    out = []
    for f in ORDER:
        if f is FilingField.END_DATE and (kind is None or not kind.ends):
            continue
        if FIELD_SPECS[f].personal and not personal_ok:
            continue
        if not present.get(f, False):
            out.append(f)
    return out
