"""Parse the free-form comment of a join request (入群申请备注) into a name and a department.

Applicants write what they like: 「张三-办公室」「办公室 张三」「我是规划科的李四」
「申请入群：王五（财务科）」「姓名：孙七 部门：人事科」, and QQ wraps the answer to the group's question
as 「问题：… 答案：…」. The parser

1. normalises (NFKC: full-width → half-width; one middle dot for minority names; no zero-width marks),
2. keeps only the answers of a 问题/答案 wrapper,
3. drops long digit runs (phone and QQ numbers), greetings, request words and titles (科长, 主任 …),
4. reads labelled fields (姓名：…, 部门：…) when there are any,
5. classifies the remaining tokens as name (surname + 1–3 characters, compound surnames, ·-names) or
   department (ends in 科/处/局/室/办/中心/队/所/股/部/组/站/委/院/馆 …, or a known department), and
   splits a token that holds both (张三办公室, 财务科张三, 规划科的李四), scoring each reading.

Where a split is ambiguous (张三丰办公室: 张三丰 + 办公室, or 张三 + 丰办公室?) the best reading comes first
and the others are kept in ``alternatives`` for the roster matcher to try.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ._lexicon import (
    COMPOUND_SURNAMES,
    CONNECTORS,
    DEPT_CORES,
    DEPT_SUFFIX_CHARS,
    DEPT_SUFFIXES_MULTI,
    DEPT_WORDS,
    FILLERS,
    NOT_IN_GIVEN_NAME,
    NOT_NAMES,
    PLACE_SUFFIX_CHARS,
    SINGLE_SURNAMES,
)
from .masking import mask_name

__all__ = [
    "JoinTemplate",
    "ParseFailure",
    "ParsedComment",
    "Reading",
    "dept_core",
    "normalize_comment",
    "parse_join_comment",
]

MAX_COMMENT_CHARS = 300  # QQ caps comments far below this; longer input is cut, not rejected
MAX_ALTERNATIVES = 3

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f〇"
_HAN_RE = re.compile(f"[{_HAN}]+")
_NON_TOKEN_RE = re.compile(f"[^0-9A-Za-z·{_HAN}]+")
_ZERO_WIDTH_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅･", "·"))
_LONG_DIGITS_RE = re.compile(r"\+?\d[\d\- ]{3,}\d")
_QA_RE = re.compile(r"(问题|答案)\s*\d*\s*[:：]")
_FILLER_RE = re.compile("|".join(map(re.escape, FILLERS)))
# A title that starts with a department suffix (财务科长) keeps that suffix unless it is doubled (财务科科长).
_SUFFIX_TITLE_RE = re.compile("(副?)([科处局股队所站院馆部组])长")

_NAME_LABELS = ("真实姓名", "本人姓名", "姓名", "名字")
_DEPT_LABELS = tuple(
    "工作单位及科室 工作单位 所在单位 所在科室 所在部门 单位及科室 单位科室 单位部门 单位名称 科室名称 "
    "部门名称 科室 部门 处室 股室 单位".split()
)
_OTHER_LABELS = ("联系电话", "联系方式", "手机号", "手机", "电话", "职务", "岗位", "职位", "微信", "QQ", "qq")
_LABEL_RE = re.compile(
    "(?P<label>" + "|".join(map(re.escape, (*_NAME_LABELS, *_DEPT_LABELS, *_OTHER_LABELS))) + r")"
    r"\s*(?P<mark>[:=]|是|为)?"
)
_NAME_LABEL_SET = frozenset(_NAME_LABELS)
_DEPT_LABEL_SET = frozenset(_DEPT_LABELS)

# Words a split may not cut through (张三办|公室, 李四规|划科).
_UNCUTTABLE = frozenset(DEPT_CORES | DEPT_WORDS | set(DEPT_SUFFIXES_MULTI))


class ParseFailure(StrEnum):
    EMPTY = "empty"
    NO_NAME = "no_name"
    NO_DEPT = "no_dept"
    SEVERAL_NAMES = "several_names"

    @property
    def reason(self) -> str:
        """What went wrong, in Chinese, without the template hint."""
        return _REASONS[self]


_REASONS = {
    ParseFailure.EMPTY: "申请备注为空，或只有问候语",
    ParseFailure.NO_NAME: "未能从申请备注中识别出姓名",
    ParseFailure.NO_DEPT: "未能从申请备注中识别出单位或科室",
    ParseFailure.SEVERAL_NAMES: "申请备注中有不止一个姓名，无法确定申请人",
}


@dataclass(frozen=True, slots=True)
class JoinTemplate:
    """What a group asks applicants to write. The default is 姓名 + 单位/科室 (SPEC §2)."""

    require_dept: bool = True
    dept_label: str = "科室"
    example: str | None = None

    def describe(self) -> str:
        """The format as shown to applicants: 「姓名-科室」（例如「张三-办公室」）."""
        if self.require_dept:
            return f"「姓名-{self.dept_label}」（例如「{self.example or '张三-办公室'}」）"
        return f"「姓名」（例如「{self.example or '张三'}」）"

    def failure_message(self, failure: ParseFailure) -> str:
        return f"{failure.reason}。请按{self.describe()}填写申请备注后重新申请。"


@dataclass(frozen=True, slots=True, repr=False)
class Reading:
    """One interpretation of a comment. The name is masked in the repr (personal data)."""

    name: str
    dept: str | None

    def __repr__(self) -> str:
        return f"Reading(name={mask_name(self.name)!r}, dept={self.dept!r})"


@dataclass(frozen=True, slots=True, repr=False)
class ParsedComment:
    """The parse of one comment. ``ok`` when the template is satisfied; else ``failure`` says why and
    ``message`` is the Chinese text for the applicant (with the template). ``name``/``dept`` hold what
    was found even on failure (e.g. a name without a department), for admins."""

    name: str | None = None
    dept: str | None = None
    failure: ParseFailure | None = None
    message: str | None = None
    alternatives: tuple[Reading, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def readings(self) -> tuple[Reading, ...]:
        """The best reading first, then the alternatives; empty when no name was found."""
        if self.name is None:
            return ()
        return (Reading(self.name, self.dept), *self.alternatives)

    def __repr__(self) -> str:
        name = None if self.name is None else mask_name(self.name)
        return (
            f"ParsedComment(name={name!r}, dept={self.dept!r}, failure={self.failure}, "
            f"alternatives={len(self.alternatives)})"
        )


# ---------------------------------------------------------------- normalisation


def normalize_comment(text: str) -> str:
    """NFKC, one kind of middle dot, no zero-width or bidi marks, line breaks as spaces."""
    s = unicodedata.normalize("NFKC", text[:MAX_COMMENT_CHARS])
    s = _ZERO_WIDTH_RE.sub("", s).translate(_DOTS)
    return " ".join(s.split())


def _answers_only(text: str) -> str:
    """Keep the answers of QQ's 「问题：… 答案：…」 wrapper; the question text would mislead the parser
    (你的姓名和科室 names both fields)."""
    marks = list(_QA_RE.finditer(text))
    if not marks:
        return text
    kept = [text[: marks[0].start()]]
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        seg = text[m.end() : end]
        if m.group(1) == "答案":
            kept.append(seg)
        elif not any(n.group(1) == "答案" for n in marks):
            # A question without an answer marker: the answer follows the question mark, if any.
            q = re.split(r"[?？]", seg, maxsplit=1)
            kept.append(q[1] if len(q) == 2 else "")
    return " ".join(kept)


def _drop_noise(text: str) -> str:
    text = _LONG_DIGITS_RE.sub(" ", text)
    text = _SUFFIX_TITLE_RE.sub(
        lambda m: " " if m.string[m.start() - 1 : m.start()] == m.group(2) else m.group(2) + " ", text
    )
    return _FILLER_RE.sub(" ", text)


# ---------------------------------------------------------------- classification


def _is_han(s: str) -> bool:
    return bool(s) and _HAN_RE.fullmatch(s) is not None


def _surname_len(tok: str) -> int:
    if len(tok) >= 3 and tok[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if tok[:1] in SINGLE_SURNAMES else 0


def _is_name(tok: str, *, strict: bool = True) -> bool:
    """A person's name: surname + 1–3 characters (compound surnames too), or a ·-separated name.
    ``strict=False`` drops the known-surname requirement (rare surnames), for fallbacks only."""
    if "·" in tok:
        parts = tok.split("·")
        return 2 <= len(parts) <= 4 and all(_is_han(p) for p in parts) and len(tok) <= 20
    if not _is_han(tok) or tok in NOT_NAMES or len(set(tok)) == 1:
        return False
    if tok[-1] in PLACE_SUFFIX_CHARS or tok in DEPT_CORES:
        return False
    sur = _surname_len(tok)
    if sur == 0 and strict:
        return False
    given = tok[max(sur, 1) :]
    return 1 <= len(given) <= 3 and not any(c in NOT_IN_GIVEN_NAME for c in given)


def _name_prior(name: str) -> float:
    """How typical the name's shape is: two-character given names are the most common."""
    if "·" in name:
        return 2.0
    given = len(name) - max(_surname_len(name), 1)
    return {2: 2.0, 1: 1.5}.get(given, 1.0) if _surname_len(name) else 0.5


def _suffix_of(tok: str) -> str | None:
    for suf in DEPT_SUFFIXES_MULTI:
        if tok.endswith(suf):
            return suf
    return tok[-1] if tok and tok[-1] in DEPT_SUFFIX_CHARS else None


def dept_core(dept: str) -> str:
    """The department name without its suffix: 财务科 → 财务, 信息中心 → 信息, 办公室 → 办公."""
    for suf in DEPT_SUFFIXES_MULTI:
        if dept.endswith(suf) and len(dept) > len(suf):
            return dept[: -len(suf)]
    return dept[:-1] if len(dept) > 1 and dept[-1] in DEPT_SUFFIX_CHARS else dept


def _has_core_ending(core: str) -> bool:
    return any(core[-n:] in DEPT_CORES for n in range(2, min(len(core), 5) + 1))


def _dept_score(tok: str, known: frozenset[str]) -> float | None:
    """How much ``tok`` looks like a department; None when it does not end like one."""
    if not tok or len(tok) > 40 or "·" in tok:
        return None
    if tok in known:
        return 5.0
    if tok in DEPT_WORDS:
        return 3.0
    suf = _suffix_of(tok)
    if suf is None or len(tok) < 2:
        return None
    core = tok[: -len(suf)]
    if not core:
        return 1.0  # 中心, 公司 on their own
    if _has_core_ending(core):
        return 3.0
    return 1.5 if len(core) >= 2 else 0.5


def _is_weak_dept(tok: str, known_cores: frozenset[str]) -> bool:
    """A department written without its suffix (财务, 宣传)."""
    return tok in DEPT_CORES or tok in known_cores


def _cuts_word(tok: str, at: int) -> bool:
    """Would splitting ``tok`` at ``at`` cut through a department word (张三办|公室)?"""
    for n in range(2, 6):
        for p in range(max(0, at - n + 1), at):
            if p + n <= len(tok) and tok[p : p + n] in _UNCUTTABLE:
                return True
    return False


def _splits(tok: str, known: frozenset[str]) -> list[tuple[float, str, str]]:
    """Readings (score, name, dept) of a token that holds both, best first."""
    out: list[tuple[float, str, str]] = []
    n = len(tok)
    if n < 3 or "·" in tok:
        return out
    for k in range(2, min(5, n - 1) + 1):  # name first: 张三办公室, 张三是办公室的
        name, rest = tok[:k], tok[k:]
        if not _is_name(name) or _cuts_word(tok, k):
            continue
        if rest[0] in CONNECTORS:
            rest = rest[1:]
        if rest[:1] in PLACE_SUFFIX_CHARS and rest[:2] not in DEPT_CORES:
            continue  # 黄山|市财政局: the "name" is a place
        score = _dept_score(rest, known)
        if score is not None:
            out.append((_name_prior(name) + score, name, rest))
    for i in range(2, n - 1):  # department first: 财务科张三, 规划科的李四
        dept, rest = tok[:i], tok[i:]
        score = _dept_score(dept, known)
        if score is None or _cuts_word(tok, i):
            continue
        if rest[0] == "的":
            rest = rest[1:]
        if _is_name(rest):
            out.append((_name_prior(rest) + score, rest, dept))
    out.sort(key=lambda r: -r[0])
    return out


def _tokens(text: str) -> list[str]:
    raw = [t.strip("·") for t in _NON_TOKEN_RE.split(text)]
    toks: list[str] = []
    for t in raw:
        t = t.rstrip("的")
        if t[:1] in ("是", "在") and len(t) > 2:
            t = t[1:]
        if not t:
            continue
        # 张 三 → 张三: a surname followed by one spaced-out character.
        if toks and len(t) == 1 and len(toks[-1]) == 1 and toks[-1] in SINGLE_SURNAMES and _is_han(t):
            toks[-1] += t
            continue
        toks.append(t)
    return toks


# ---------------------------------------------------------------- labelled fields


def _is_label_here(text: str, m: re.Match[str]) -> bool:
    """科室 in 「姓名张三科室财务科」 is a label; in 「综合科室」 or 「人事部门」 it ends a department name.
    An unmarked label glued to the word before it is a label only when that word is a name."""
    if m.group("mark") or m.start() == 0 or not _is_han(text[m.start() - 1]):
        return True
    prev_end = max((p.end() for p in _LABEL_RE.finditer(text, 0, m.start())), default=0)
    before = _tokens(text[prev_end : m.start()])
    return bool(before) and _is_name(before[-1])


def _labelled(text: str) -> tuple[str | None, str | None, str] | None:
    """(name, dept, rest) from 「姓名：… 部门：…」; None when the comment has no labels."""
    marks = [m for m in _LABEL_RE.finditer(text) if _is_label_here(text, m)]
    if not marks or not any(m.group("mark") or m.start() == 0 for m in marks):
        return None
    name: str | None = None
    dept: str | None = None
    rest = [text[: marks[0].start()]]
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        toks = _tokens(text[m.end() : end])
        label = m.group("label")
        if label in _NAME_LABEL_SET and name is None and toks:
            first = toks[0]
            if _is_name(first, strict=False):
                name, toks = first, toks[1:]
        elif label in _DEPT_LABEL_SET and dept is None and toks:
            dept, toks = toks[0], toks[1:]
            while toks and _dept_score(toks[0], frozenset()) is not None and not _is_name(toks[0]):
                dept, toks = dept + toks[0], toks[1:]
        elif label not in _NAME_LABEL_SET and label not in _DEPT_LABEL_SET:
            toks = []  # phone, post: not ours to keep
        rest.extend(toks)
    return name, dept, " ".join(rest)


# ---------------------------------------------------------------- the parser


def parse_join_comment(
    comment: str,
    template: JoinTemplate | None = None,
    *,
    known_depts: Iterable[str] = (),
) -> ParsedComment:
    """Read a name and a department from a join-request comment.

    ``known_depts`` (the unit's roster departments) help with departments written without a usual
    suffix and with splitting run-together text; they are optional.
    """
    template = template or JoinTemplate()
    known = frozenset("".join(d.split()) for d in known_depts if d.strip())

    def fail(failure: ParseFailure, *, n: str | None = None, d: str | None = None) -> ParsedComment:
        return ParsedComment(n, d, failure, template.failure_message(failure))

    text = _drop_noise(_answers_only(normalize_comment(comment)))
    name: str | None = None
    dept: str | None = None
    labelled = _labelled(text)
    if labelled is not None:
        name, dept, text = labelled
    pool = _Pool(_tokens(text), known)
    if name is None and dept is None and not pool.toks:
        return fail(ParseFailure.EMPTY)

    found: list[tuple[str, int | None, str | None]] | None
    found = [(name, None, None)] if name is not None else pool.name_readings()
    if found is None:
        return fail(ParseFailure.SEVERAL_NAMES, d=dept)
    readings: list[Reading] = []
    for n, at, part in found:
        reading = Reading(n, dept if dept is not None else pool.dept(n, at, part))
        if reading not in readings and (reading.dept is not None or not readings):
            readings.append(reading)
    if not readings:
        return fail(ParseFailure.NO_NAME, d=dept if dept is not None else pool.dept(None))
    best = readings[0]
    if best.dept is None and template.require_dept:
        return fail(ParseFailure.NO_DEPT, n=best.name)
    return ParsedComment(best.name, best.dept, None, None, tuple(readings[1:]))


class _Pool:
    """The unlabelled tokens of a comment, each classified once."""

    def __init__(self, toks: list[str], known: frozenset[str]) -> None:
        self.toks = toks
        self.known = known
        self.known_cores = frozenset(c for c in map(dept_core, known) if len(c) >= 2)
        self.is_dept = [_dept_score(t, known) is not None for t in toks]
        self.is_place = [len(t) >= 2 and _is_han(t) and t[-1] in PLACE_SUFFIX_CHARS for t in toks]

    def _names(self, *, strict: bool) -> list[int]:
        return [
            i
            for i, t in enumerate(self.toks)
            if not self.is_dept[i]
            and not self.is_place[i]
            and not _is_weak_dept(t, self.known_cores)
            and _is_name(t, strict=strict)
        ]

    def name_readings(self) -> list[tuple[str, int | None, str | None]] | None:
        """(name, index of a split token, its department part), best first; None for several names.

        A token that is a name by itself wins; else a token that holds name and department; else a
        name with an unknown surname, if it is the only candidate.
        """
        strict = self._names(strict=True)
        if len(strict) > 1:
            return None
        if strict:
            return [(self.toks[strict[0]], None, None)]
        splits = sorted(
            ((score, i, n, d) for i, t in enumerate(self.toks) for score, n, d in _splits(t, self.known)),
            key=lambda r: -r[0],
        )
        if splits:
            return [(n, i, d) for _, i, n, d in splits[: 1 + MAX_ALTERNATIVES]]
        loose = self._names(strict=False)
        if len(loose) > 1:
            return None
        return [(self.toks[i], None, None) for i in loose]

    def dept(
        self, name: str | None, split_at: int | None = None, split_dept: str | None = None
    ) -> str | None:
        """The department tokens joined in order (黄山市财政局 + 办公室), a split token's part in place.
        Place names (黄山市) join a department but do not make one; a suffix-less core word (财务) is
        used only when nothing else is there."""
        parts: list[str] = []
        strong = False
        for i, t in enumerate(self.toks):
            if i == split_at and split_dept is not None:
                parts.append(split_dept)
                strong = True
            elif t == name:
                continue
            elif self.is_dept[i] or self.is_place[i]:
                parts.append(t)
                strong = strong or self.is_dept[i]
        if strong:
            return "".join(parts)
        weak = [t for t in self.toks if t != name and _is_weak_dept(t, self.known_cores)]
        return "".join(parts + weak) if weak else None
