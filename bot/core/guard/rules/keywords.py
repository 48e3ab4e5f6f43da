"""Keyword categories (SPEC §3; huangshan 第十二条（二）, huangshi 第十条, yichun 第十一条/第十二条).

The text is normalised once by the engine; this module scans the group's matcher stack (base lexicon
+ unit and group overlays) over that normalised text and turns the hits into findings, one per
category, each of the *act* or the *flag* tier.

Every hit is decided in this order (:func:`decide`), and the decision is explainable (/词库 测试):

1. **context** (:mod:`bot.core.text.context`, data in ``lexicons/context/<category>.toml``): an
   official / condemnation cue of the category in the message (禁毒、揭批、反诈、保密培训 …) passes the
   hit; a named term (a cult, a drug, a bare secret level …) acts with a propaganda / sale /
   contact / leak cue and otherwise gets its rule's default (usually *flag*);
2. **prohibition** just before the hit: discipline notices and campaigns name what they forbid
   (「严禁在工作群抢红包」「坚决抵制法轮功」). A hit preceded, within the same clause and a few characters,
   by 严禁 / 禁止 / 不得 / 抵制 / 打击 … is dropped (not for secret markings, which are never a
   prohibition). Spam does not benefit: its other words still hit;
3. otherwise the word's **tier**: lexicon ``flag/<category>.txt`` words and those an admin demoted
   with /词库 are *flag*, the rest *act*.

Secret markings (绝密★、内部资料 注意保存) are hits of the ``secret`` category too; they carry no
excerpt, so nothing of the message is ever echoed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.core.guard.finding import Finding
from bot.core.text.context import Contexts, Decision
from bot.core.text.matcher import Hit, MatcherStack, _resolve
from bot.core.text.normalize import Normalized

SECRET = "secret"

_PROHIBITION = re.compile(
    r"(?:严禁|禁止|不得|不要|不准|切勿|请勿|杜绝|抵制|打击|防范|谨防|警惕|远离|拒绝|举报|揭批|整治|取缔|查处|"
    r"严惩|防止|反对)[^。！？!?；;\n]{0,6}$"
)
_LOOK_BACK = 12


def prohibited_here(text: str, start: int) -> bool:
    """Whether the words before ``start`` (same clause, a few characters) forbid what follows."""
    return _PROHIBITION.search(text[max(0, start - _LOOK_BACK) : start]) is not None


def scan(stack: MatcherStack, text: str, normalized: str) -> list[Hit]:
    """Hits of every layer in ``text``, given its normalised form (so it is normalised only once).

    The same as ``stack.scan(text)``; the text engine's resolver is reused as is.
    """
    found = []
    for layer in stack.layers:
        found.extend(layer._candidates(normalized))
    if not found:
        return []
    return _resolve(found, Normalized(text, normalized, stack.normalizer))


@dataclass(frozen=True, slots=True)
class Decided:
    hit: Hit
    decision: Decision


def decide(
    hits: Sequence[Hit],
    text: str,
    normalized: str,
    *,
    flagged: Collection[tuple[str, str]] = frozenset(),
    promoted: Collection[tuple[str, str]] = frozenset(),
    contexts: Contexts | None = None,
) -> list[Decided]:
    """The decision for every hit (see the module docstring). ``promoted`` words act whatever
    their context rule's default (an admin made them act); ``flagged`` words are the flag tier."""
    out = []
    for hit in hits:
        key = (hit.category, hit.word)
        tier = "flag" if key in flagged else "act"
        if contexts is not None:
            decision = contexts.judge(hit.category, hit.word, normalized, tier)  # type: ignore[arg-type]
            if decision.why == "rule_default" and key in promoted:
                decision = Decision("act", "lexicon", "", decision.rule)
        else:
            decision = Decision(tier, "lexicon")  # type: ignore[arg-type]
        if decision.tier != "pass" and hit.category != SECRET:
            if prohibited_here(text, hit.start):
                decision = Decision("pass", "prohibition")
        out.append(Decided(hit, decision))
    return out


def findings_of(decided: Sequence[Decided]) -> list[Finding]:
    """One finding per category (act if any of its hits acts), naming its first matched words;
    secret markings carry no words."""
    words: dict[str, list[str]] = {}
    tiers: dict[str, str] = {}
    for d in decided:
        if d.decision.tier == "pass":
            continue
        cat = d.hit.category
        bucket = words.setdefault(cat, [])
        if d.decision.tier == "act" and tiers.get(cat) != "act":
            tiers[cat] = "act"
            if bucket and d.hit.word in bucket:
                bucket.remove(d.hit.word)
            bucket.insert(0, d.hit.word)  # the word that acted comes first
        else:
            tiers.setdefault(cat, d.decision.tier)
            if d.hit.word not in bucket:
                bucket.append(d.hit.word)
    return [
        Finding(cat, "" if cat == SECRET else "、".join(found[:3]), tier=tiers[cat])
        for cat, found in words.items()
    ]


def findings(hits: Sequence[Hit], text: str) -> list[Finding]:
    """Findings without tiers or context (every hit acts unless a prohibition precedes it), other
    than secret markings — the behaviour of a bare matcher stack."""
    return [f for f in findings_of(decide(hits, text, "")) if f.kind != SECRET]
