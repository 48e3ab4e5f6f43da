"""Context rules: whether a named term acts, is flagged or passes depends on the words around it.

A cult's name, a drug, 赌博 or a bare secret level is not a violation by itself: 「揭批法轮功邪教本质
专题学习会」 and 「6·26 国际禁毒日宣传」 name them too. The rules are data, one TOML file per category in
``bot/core/text/lexicons/context/`` (plus ``_common.toml`` for the cues every category shares)::

    pass = ["禁毒", "戒毒"]          # official cues of this category: every hit of it passes
    pass_terms = ["打击"]            # condemnation verbs: only the rules' terms pass (spam that
                                     # starts with 「严禁」 still hits on its lexicon words)

    [[rule]]
    name = "毒品名称"
    terms = ["冰毒", "海洛因"]        # the named terms (matched like lexicon words, evasions included)
    act = ["有货", "出货", "私聊"]    # sale / propaganda / recruitment / contact / leak cues
    default = "flag"                  # neither kind of cue: act | flag | pass

Decision for a hit of a category (:meth:`Contexts.judge`):

1. the message carries a *pass* cue of the category (or a common one, unless ``common = false``) →
   it passes, whatever the word (an act-tier lexicon word too: 「严厉打击网络赌博」) — or, with
   ``pass_lexicon = false``, only the rules' terms pass (secret markings such as 机密★ are never
   excused by 保密检查 in the same message);
2. the word is a rule's term: a ``pass_terms`` cue → pass; an *act* cue anywhere in the message
   (not negated: 「不要发群里」 is no leak) → act, else the rule's default;
3. otherwise the word's own tier decides.

Cues are normalised like the text (so 「严 禁」 is 「严禁」) and searched in the whole normalised message:
work-group messages are short, and an office notice about a topic carries its official words
somewhere in it. Everything here is explainable: a decision names the term and the cue.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from bot.core.text.normalize import Normalizer, default_normalizer

Tier = Literal["act", "flag", "pass"]
TIERS: tuple[str, ...] = ("act", "flag", "pass")
COMMON = "_common"


class ContextError(ValueError):
    """A context file that cannot be used (one line: file, key, why)."""


@dataclass(frozen=True, slots=True)
class ContextRule:
    name: str
    category: str
    terms: tuple[str, ...]
    act: tuple[str, ...]
    default: Tier = "flag"


@dataclass(frozen=True, slots=True)
class Decision:
    """What decided about one hit: ``tier`` and, when a cue decided, which one and of what kind."""

    tier: Tier
    why: str  # "pass_cue" | "act_cue" | "rule_default" | "lexicon" | "prohibition"
    cue: str = ""
    rule: str = ""

    def explain(self, word: str) -> str:
        """A short Chinese explanation for /词库 测试 (never the message itself)."""
        if self.why == "pass_cue":
            return f"「{word}」与官方/批判用语「{self.cue}」同现，不处理"
        if self.why == "prohibition":
            return f"「{word}」前有禁止性用语（严禁、抵制、打击 …），不处理"
        if self.why == "act_cue":
            return f"「{word}」（{self.rule}）与「{self.cue}」同现"
        if self.why == "rule_default":
            what = {"act": "直接处理", "flag": "无其他线索，仅提示管理员核实", "pass": "无其他线索，不处理"}
            return f"「{word}」（{self.rule}）{what[self.tier]}"
        return f"词库词「{word}」" + ("（待核实级）" if self.tier == "flag" else "")


def _cue_pattern(cues: Iterable[str], norm: Normalizer) -> re.Pattern[str] | None:
    keys = sorted({k for c in cues if (k := norm.text(c))}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))) if keys else None


@dataclass(frozen=True, slots=True)
class _Compiled:
    passes: re.Pattern[str] | None
    term_passes: re.Pattern[str] | None
    rules: dict[str, tuple[ContextRule, re.Pattern[str] | None]]  # term -> rule


_NEGATION = re.compile("[不别勿莫禁没]")


def _first_cue(pattern: re.Pattern[str], normalized: str) -> str:
    """The first act cue that is not negated right before it (「不要发群里」)."""
    for m in pattern.finditer(normalized):
        if _NEGATION.search(normalized, max(0, m.start() - 2), m.start()) is None:
            return m.group()
    return ""


@dataclass(frozen=True, slots=True)
class Contexts:
    """Every category's context rules, compiled once (cue patterns over normalised text)."""

    rules: tuple[ContextRule, ...] = ()
    pass_cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # category (or _common)
    term_cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # pass the rules' terms only
    no_common: frozenset[str] = frozenset()  # categories that ignore the common pass cues
    terms_only: frozenset[str] = frozenset()  # categories whose pass cues excuse only the rules' terms
    normalizer: Normalizer = field(default_factory=default_normalizer)
    _compiled: dict[str, _Compiled] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        common = self.pass_cues.get(COMMON, ())
        common_terms = self.term_cues.get(COMMON, ())
        cats = {r.category for r in self.rules} | {
            c for c in (*self.pass_cues, *self.term_cues) if c != COMMON
        }
        for cat in cats:
            own = self.pass_cues.get(cat, ())
            own_terms = self.term_cues.get(cat, ())
            cues = own if cat in self.no_common else (*common, *own)
            term_cues = own_terms if cat in self.no_common else (*common_terms, *own_terms)
            rules: dict[str, tuple[ContextRule, re.Pattern[str] | None]] = {}
            for rule in self.rules:
                if rule.category == cat:
                    pattern = _cue_pattern(rule.act, self.normalizer)
                    for term in rule.terms:
                        rules.setdefault(term, (rule, pattern))
            self._compiled[cat] = _Compiled(
                _cue_pattern(cues, self.normalizer), _cue_pattern(term_cues, self.normalizer), rules
            )
        if common or common_terms:
            self._compiled.setdefault(
                "",
                _Compiled(
                    _cue_pattern(common, self.normalizer), _cue_pattern(common_terms, self.normalizer), {}
                ),
            )

    def terms(self) -> dict[str, list[str]]:
        """The rules' terms by category (they go into the matcher like lexicon words)."""
        out: dict[str, list[str]] = {}
        for rule in self.rules:
            out.setdefault(rule.category, []).extend(rule.terms)
        return out

    def is_term(self, category: str, word: str) -> bool:
        c = self._compiled.get(category)
        return c is not None and word in c.rules

    def pass_cue(self, category: str, normalized: str, *, term: bool = False) -> str:
        """The first official cue of ``category`` in the message ("" when none); with ``term``,
        the condemnation verbs that excuse a named term count too."""
        c = self._compiled.get(category) or (None if category in self.no_common else self._compiled.get(""))
        if c is None:
            return ""
        for pattern in (c.passes, c.term_passes if term else None):
            m = pattern.search(normalized) if pattern is not None else None
            if m is not None:
                return m.group()
        return ""

    def judge(self, category: str, word: str, normalized: str, tier: Tier) -> Decision:
        """The decision for a hit of ``word`` (lexicon tier ``tier``) in a normalised message."""
        c = self._compiled.get(category)
        hit = c.rules.get(word) if c is not None else None
        if hit is None and category in self.terms_only:
            return Decision(tier, "lexicon")
        own = self.normalizer.text(word)
        if own and own in normalized:
            normalized = normalized.replace(own, "\x00")  # a cue inside the term itself does not count
        cue = self.pass_cue(category, normalized, term=hit is not None)
        if cue:
            return Decision("pass", "pass_cue", cue)
        if hit is None:
            return Decision(tier, "lexicon")
        rule, pattern = hit
        act = _first_cue(pattern, normalized) if pattern is not None else ""
        if act:
            return Decision("act", "act_cue", act, rule.name)
        return Decision(rule.default, "rule_default", "", rule.name)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContextError(f"{where}: 应为非空字符串列表")
    return tuple(v.strip() for v in value)


def parse_context(
    data: Mapping[str, object], category: str, source: str
) -> tuple[list[ContextRule], tuple[str, ...], tuple[str, ...], bool, bool]:
    """``(rules, pass cues, term-only pass cues, uses common cues, pass cues excuse lexicon words)``
    of one category file's parsed TOML."""
    known = {"pass", "pass_terms", "rule", "common", "pass_lexicon"}
    extra = set(data) - known
    if extra:
        raise ContextError(f"{source}: 未知的键 {', '.join(sorted(extra))}")
    passes = _strings(data.get("pass", []), f"{source}: pass") if "pass" in data else ()
    term_passes = (
        _strings(data.get("pass_terms", []), f"{source}: pass_terms") if "pass_terms" in data else ()
    )
    common = data.get("common", True)
    pass_lexicon = data.get("pass_lexicon", True)
    if not isinstance(common, bool) or not isinstance(pass_lexicon, bool):
        raise ContextError(f"{source}: common、pass_lexicon 应为 true 或 false")
    rules: list[ContextRule] = []
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise ContextError(f"{source}: rule 应为 [[rule]] 表")
    for i, raw in enumerate(raw_rules, start=1):
        where = f"{source}: rule {i}"
        if not isinstance(raw, dict):
            raise ContextError(f"{where}: 应为表")
        unknown = set(raw) - {"name", "terms", "act", "default"}
        if unknown:
            raise ContextError(f"{where}: 未知的键 {', '.join(sorted(unknown))}")
        default = raw.get("default", "flag")
        if default not in TIERS:
            raise ContextError(f"{where}: default 应为 act、flag 或 pass")
        name = raw.get("name", f"规则{i}")
        rules.append(
            ContextRule(
                str(name),
                category,
                _strings(raw.get("terms"), f"{where}: terms"),
                _strings(raw.get("act", []), f"{where}: act") if raw.get("act") else (),
                default,
            )
        )
    return rules, passes, term_passes, common, pass_lexicon


def load_contexts(
    folder: Path | Traversable, known: Iterable[str], normalizer: Normalizer | None = None
) -> Contexts:
    """Every ``<category>.toml`` in ``folder`` plus ``_common.toml``; unknown names raise."""
    known = set(known)
    rules: list[ContextRule] = []
    cues: dict[str, tuple[str, ...]] = {}
    term_cues: dict[str, tuple[str, ...]] = {}
    no_common: set[str] = set()
    terms_only: set[str] = set()
    if not folder.is_dir():
        return Contexts(normalizer=normalizer or default_normalizer())
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name):
        stem = path.name.removesuffix(".toml")
        if stem != COMMON and stem not in known:
            raise ContextError(f"{path.name}: 未知的类别（文件名应为类别代码）")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ContextError(f"{path.name}: {e}") from None
        found, passes, term_passes, common, pass_lexicon = parse_context(data, stem, path.name)
        rules.extend(found)
        if passes:
            cues[stem] = passes
        if term_passes:
            term_cues[stem] = term_passes
        if not common:
            no_common.add(stem)
        if not pass_lexicon:
            terms_only.add(stem)
    return Contexts(
        tuple(rules),
        cues,
        term_cues,
        frozenset(no_common),
        frozenset(terms_only),
        normalizer or default_normalizer(),
    )
