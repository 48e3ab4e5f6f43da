"""Scam and advertising patterns (huangshan 第十二条（二）: 商业广告、病毒链接; huangshi 第十条).

A scam rarely uses a word that is wrong by itself: 「无抵押当天下款，加V：dk5566」 is a lure (下款) and a
contact handle (加V + an id). The pair acts even when neither word is in a lexicon:

* a **strong handle** — 加V / 加微 / 看头像 …, or an account prefix followed by an id of five or more
  letters or digits (vx dk5566, QQ 123456789, 扣扣 …) — with any lure acts;
* a **weak handle** (私聊、私我、联系我 …) acts with a strong lure (放款、下款、刷单、跑分、办证、代开 …) and
  is only flagged with a weak one (回收、返利、补贴 …: words offices use too);
* **phishing**: a link to a domain that is neither allow-listed nor a known shortener, in a message
  that speaks of 补贴 / 冻结 / 认证 / 解冻 / 退税 …, acts as fraud.

Fraud lures report ``fraud``, advertising lures ``ads``. The category's official cues (反诈、提醒、
谨防 …, from the context files) make the message pass: anti-fraud reminders quote the very lures.
The patterns are data (``bot/core/text/lexicons/scam.toml``), normalised like the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import ahocorasick

from bot.core.guard.finding import Finding
from bot.core.guard.rules.links import LinkPolicy, hosts_in_text
from bot.core.text.normalize import Normalizer, default_normalizer

_ID = r" ?[a-z0-9_-]{5,}"  # normalisation keeps one space between Latin words: 「vx kp2024」


def _alternation(words: Iterable[str], norm: Normalizer) -> re.Pattern[str] | None:
    # Entries that normalise to one character (「+微」 → 「微」: the plus is a separator) would match
    # everywhere; they are dropped.
    keys = sorted({k for w in words if len(k := norm.text(w)) >= 2}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))) if keys else None


@dataclass(frozen=True, slots=True)
class Match:
    kind: str  # fraud | ads
    tier: str  # act | flag
    handle: str
    lure: str

    def explain(self) -> str:
        if self.handle.startswith("http") or "." in self.handle:
            return f"可疑链接（{self.handle}）与「{self.lure}」同现"
        return f"联系方式「{self.handle}」与招揽用语「{self.lure}」同现"


_ASCII_LETTER = re.compile("[a-z0-9]")  # an id after a prefix has letters or digits


class ScamPatterns:
    """Compiled handle / lure / phishing patterns over normalised text.

    The literal handles and lures sit in one Aho-Corasick automaton (one C-level pass over the
    message, a few microseconds); the account-prefix + id pattern is a regex that only runs when
    the message has a Latin letter or a digit run after a prefix could exist."""

    __slots__ = ("ad", "automaton", "fraud", "id_pattern", "phishing", "strong", "weak", "weak_fraud")

    def __init__(self, data: Mapping[str, object], normalizer: Normalizer | None = None) -> None:
        norm = normalizer or default_normalizer()

        def words(key: str) -> list[str]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"scam.toml: {key} 应为字符串列表")
            return value

        prefixes = sorted({k for w in words("id_prefixes") if (k := norm.text(w))}, key=len, reverse=True)
        handles = _alternation(words("strong_handles"), norm)
        parts = [handles.pattern] if handles else []
        if prefixes:
            parts.append(f"(?:{'|'.join(map(re.escape, prefixes))}){_ID}")
        self.strong = re.compile("|".join(parts)) if parts else None
        self.weak = _alternation(words("weak_handles"), norm)
        self.fraud = _alternation(words("fraud_lures"), norm)
        self.weak_fraud = _alternation(words("weak_fraud_lures"), norm)
        self.ad = _alternation(words("ad_lures"), norm)
        self.phishing = _alternation(words("phishing"), norm)
        self.id_pattern = re.compile(f"(?:{'|'.join(map(re.escape, prefixes))}){_ID}") if prefixes else None
        automaton = ahocorasick.Automaton()
        entries: dict[str, set[str]] = {}
        for group, key in (
            ("strong", "strong_handles"),
            ("weak", "weak_handles"),
            ("fraud", "fraud_lures"),
            ("weak_fraud", "weak_fraud_lures"),
            ("ads", "ad_lures"),
        ):
            for w in words(key):
                k = norm.text(w)
                if len(k) >= 2:
                    entries.setdefault(k, set()).add(group)
        for k, groups in entries.items():
            automaton.add_word(k, (k, frozenset(groups)))
        self.automaton = automaton if entries else None
        if self.automaton is not None:
            self.automaton.make_automaton()

    def match(self, normalized: str) -> Match | None:
        """The strongest handle + lure pair in a normalised message (None when there is none)."""
        first: dict[str, str] = {}
        if self.automaton is not None:
            for _, (word, groups) in self.automaton.iter(normalized):
                for g in groups:
                    first.setdefault(g, word)
        if "strong" not in first and self.id_pattern is not None and _ASCII_LETTER.search(normalized):
            m = self.id_pattern.search(normalized)
            if m is not None:
                first["strong"] = m.group()
        handle = first.get("strong") or first.get("weak")
        if handle is None:
            return None
        strong_found = "strong" in first
        for kind, group, needs_strong in (
            ("fraud", "fraud", False),
            ("fraud", "weak_fraud", True),
            ("ads", "ads", True),
        ):
            if group in first and (strong_found or not needs_strong):
                return Match(kind, "act", handle, first[group])
        for kind, group in (("fraud", "weak_fraud"), ("ads", "ads")):
            if group in first:
                return Match(kind, "flag", handle, first[group])
        return None

    def phishing_link(self, text: str, normalized: str, links: LinkPolicy) -> Match | None:
        """A non-official, non-shortener link in a message about subsidies, freezing, verification …"""
        if self.phishing is None:
            return None
        lure = None
        for host in hosts_in_text(text):
            if links.allowed(host) or links.shortener(host):
                continue
            lure = lure or self.phishing.search(normalized)
            if lure is None:
                return None
            return Match("fraud", "act", host, lure.group())
        return None


def findings(
    text: str, normalized: str, patterns: ScamPatterns, links: LinkPolicy, passes: Mapping[str, str]
) -> list[tuple[Finding, Match]]:
    """At most one finding (fraud or ads). ``passes`` maps a kind to the official cue found in the
    message for it ("" when none): a message with one is an anti-fraud reminder, not a scam."""
    m = patterns.phishing_link(text, normalized, links) or patterns.match(normalized)
    if m is None or passes.get(m.kind):
        return []
    excerpt = m.lure if m.kind == "ads" else ""
    return [(Finding(m.kind, excerpt, tier=m.tier), m)]


def load_scam(path: Path | Traversable, normalizer: Normalizer | None = None) -> ScamPatterns | None:
    if not path.is_file():
        return None
    return ScamPatterns(tomllib.loads(path.read_text(encoding="utf-8")), normalizer)
