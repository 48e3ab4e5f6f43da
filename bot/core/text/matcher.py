"""Keyword matching over normalised text with pyahocorasick.

A :class:`Matcher` is immutable: one automaton over the normalised deny and allow words, built once.
Changing a lexicon means building a new matcher and swapping the reference (``add_word`` after
``make_automaton`` turns the automaton back into a trie, and ``iter`` then fails).

Layering per-unit and per-group additions: one shared base matcher plus small overlay matchers,
not a full matcher rebuilt per group. A 64k-word base takes ~1.4 s and ~40 MB to build (every word
normalised, the automaton ordered by character frequency); a copy per group would cost a thousand
groups tens of minutes and tens of gigabytes, while an overlay of a few dozen words builds in
~0.4 ms and adds one short scan. :class:`MatcherStack` normalises the text once, collects the raw
candidates of every layer and resolves them together, so an allow entry in a group's overlay
masks a hit from the base lexicon and vice versa. A change to the base lexicon (an operator
editing the lexicon files) rebuilds the base once and swaps the reference.

Resolution rules:

* A Latin/digit edge of a word only matches on a word boundary: the neighbouring normalised
  character must not be an ASCII letter or digit. Chinese edges never need a boundary.
* An allow entry masks every deny hit that lies inside it (人大代表 masks 人大).
* Overlapping deny hits: the longest wins, then the leftmost; hits overlapping a taken one are
  dropped (``iter()`` yields them all; ``iter_long`` would miss some, so it is not used). The same
  normalised word in several categories (or layers) yields one hit per category.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import ahocorasick

from bot.core.text.frequency import order_key
from bot.core.text.normalize import Normalized, Normalizer, default_normalizer

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True, slots=True)
class Hit:
    """One deny match. ``start``/``end`` index the ORIGINAL text; ``word`` is the lexicon entry."""

    category: str
    word: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SkippedWord:
    """A lexicon entry the builder refused, with the reason (shown to whoever loaded it)."""

    word: str
    category: str
    reason: str


@dataclass(frozen=True, slots=True)
class _Entry:
    """The automaton's payload for one normalised word."""

    length: int
    allow: bool
    bound_start: bool
    bound_end: bool
    sources: tuple[tuple[str, str], ...]  # (category, original word) — one normalised form, many


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # normalised text
    end: int
    entry: _Entry


ALLOW = "allow"
"""Pseudo-category of allow entries in :attr:`SkippedWord.category`."""


class Matcher:
    """An immutable deny/allow keyword matcher. Build it with :meth:`build`."""

    __slots__ = ("_automaton", "categories", "normalizer", "skipped", "word_count")

    def __init__(
        self,
        automaton: ahocorasick.Automaton | None,
        normalizer: Normalizer,
        categories: frozenset[str],
        word_count: int,
        skipped: tuple[SkippedWord, ...],
    ) -> None:
        self._automaton = automaton
        self.normalizer = normalizer
        self.categories = categories
        self.word_count = word_count
        self.skipped = skipped

    @classmethod
    def build(
        cls,
        deny: Mapping[str, Iterable[str]],
        allow: Iterable[str] = (),
        *,
        normalizer: Normalizer | None = None,
        aliases: Iterable[tuple[str, str, str]] = (),
    ) -> Matcher:
        """Build from ``{category: words}`` and allow words, all run through the same normaliser.

        ``aliases`` are ``(category, variant, word)``: the variant (an evasion such as 「du博」) is
        matched, and its hits name ``word`` (赌博), so tiers and context rules apply to it as to the word.

        Words that normalise to nothing, or collapse from several characters to one (乖乖 → 乖),
        are skipped and listed in :attr:`skipped` instead of silently matching everything.
        """
        norm = normalizer or default_normalizer()
        sources: dict[str, list[tuple[str, str]]] = {}
        allowed: set[str] = set()
        skipped: list[SkippedWord] = []
        batches = [(ALLOW, w, w) for w in allow] + [(cat, w, w) for cat, ws in deny.items() for w in ws]
        batches += [(cat, variant, word) for cat, variant, word in aliases]
        for category, raw, canonical in batches:
            word = raw.strip()
            key = norm.text(word)
            if not key:
                skipped.append(SkippedWord(word, category, "规范化后为空"))
            elif len(key) == 1 and len(word) > 1:
                skipped.append(SkippedWord(word, category, f"规范化后只剩一个字「{key}」"))
            elif category == ALLOW:
                allowed.add(key)
                sources.setdefault(key, [])
            else:
                sources.setdefault(key, []).append((category, canonical.strip()))
        automaton = None
        if sources:
            automaton = ahocorasick.Automaton()
            # Common characters first (the first two levels are what matters): see
            # bot.core.text.frequency for why this halves the scan time.
            for key in sorted(sources, key=lambda k: order_key(k[:2])):
                found = sources[key]
                bounds = (key[0] in _ASCII_ALNUM, key[-1] in _ASCII_ALNUM)
                entry = _Entry(len(key), key in allowed, *bounds, tuple(dict.fromkeys(found)))
                automaton.add_word(key, entry)
            automaton.make_automaton()
        categories = frozenset(deny)
        count = sum(len(found) for found in sources.values()) + len(allowed)
        return cls(automaton, norm, categories, count, tuple(skipped))

    def _candidates(self, text: str) -> list[_Candidate]:
        """Raw boundary-checked matches in normalised ``text`` (allow and deny, unresolved)."""
        if self._automaton is None:
            return []
        out = []
        size = len(text)
        for last, entry in self._automaton.iter(text):
            start = last + 1 - entry.length
            if entry.bound_start and start > 0 and text[start - 1] in _ASCII_ALNUM:
                continue
            if entry.bound_end and last + 1 < size and text[last + 1] in _ASCII_ALNUM:
                continue
            out.append(_Candidate(start, last + 1, entry))
        return out

    def scan(self, text: str) -> list[Hit]:
        """Deny hits in ``text``, in order of position, with spans in the original text."""
        return _scan((self,), self.normalizer, text)


class MatcherStack:
    """A base matcher plus overlays (per unit, per group), resolved together. All layers must share
    one normaliser, so the text is normalised once."""

    __slots__ = ("layers", "normalizer")

    def __init__(self, layers: Iterable[Matcher]) -> None:
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("a MatcherStack needs at least one layer")
        self.normalizer = self.layers[0].normalizer
        if any(m.normalizer.options != self.normalizer.options for m in self.layers):
            raise ValueError("all layers of a MatcherStack must use the same normalisation options")

    def scan(self, text: str) -> list[Hit]:
        """Deny hits of all layers in ``text``, resolved together (see the module docstring)."""
        return _scan(self.layers, self.normalizer, text)


def _scan(layers: tuple[Matcher, ...], normalizer: Normalizer, text: str) -> list[Hit]:
    normalized = normalizer.text(text)
    found: list[_Candidate] = []
    for layer in layers:
        found.extend(layer._candidates(normalized))
    if not found:
        return []  # the usual case: no Normalized object, no index map
    return _resolve(found, Normalized(text, normalized, normalizer))


def _resolve(found: list[_Candidate], norm: Normalized) -> list[Hit]:
    deny = [c for c in found if not c.entry.allow]
    allowed = sorted((c.start, c.end) for c in found if c.entry.allow)
    if allowed and deny:
        # A deny hit [s, e) is masked when some allow entry starts at or before s and ends at or
        # after e: keep, per allow start, the furthest end reached so far, and bisect.
        starts = [a for a, _ in allowed]
        reach = list(itertools.accumulate((b for _, b in allowed), max))
        deny = [c for c in deny if (k := bisect.bisect_right(starts, c.start)) == 0 or reach[k - 1] < c.end]
    # Longest first, then leftmost; a candidate overlapping one already taken is dropped. The
    # occupancy bytes keep this linear in the text even for a 100 KB message full of hits.
    deny.sort(key=lambda c: (c.start - c.end, c.start))
    occupied = bytearray(len(norm.text))
    taken: dict[tuple[int, int], list[_Candidate]] = {}
    for cand in deny:
        span = (cand.start, cand.end)
        if span in taken:
            taken[span].append(cand)  # the same span from another layer: keep its categories too
        elif occupied.find(1, cand.start, cand.end) < 0:
            occupied[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
            taken[span] = [cand]
    hits: list[Hit] = []
    for span in sorted(taken):
        start, end = norm.span(*span)
        sources = dict.fromkeys(src for cand in taken[span] for src in cand.entry.sources)
        hits.extend(Hit(category, word, start, end) for category, word in sources)
    return hits


def build_matcher(
    deny: Mapping[str, Iterable[str]],
    allow: Iterable[str] = (),
    *,
    normalizer: Normalizer | None = None,
) -> Matcher:
    """Shorthand for :meth:`Matcher.build`."""
    return Matcher.build(deny, allow, normalizer=normalizer)
