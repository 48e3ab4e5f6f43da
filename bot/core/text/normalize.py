"""Text normalisation: a chain of independent, switchable character-level steps.

Steps, in the order they compose (each one can be switched off in :class:`NormalizeOptions`):

``width``      full-width ASCII → ASCII, ideographic space → space
``lookalike``  Cyrillic/Greek letters that look Latin, styled letters, Kangxi radicals → plain
``t2s``        traditional → simplified (one character to one, from OpenCC's tables)
``digits``     ⑥ ⑹ ⒍ ❻ 六 陆 → 6, ⓐ ⒜ → a
``case``       lower case
``invisible``  zero-width, format, combining and control characters dropped outright
``separators`` whitespace, punctuation, symbols, emoji dropped (赌.博, 赌 博, 赌💰博 → 赌博) — except
               between two ASCII letters/digits, where one space stays so Latin words keep their
               word boundaries; single letters spelt out ("p o r n", "b.e.t") are joined again
``repeats``    runs of one non-ASCII character collapse to one (赌赌博博 → 赌博); ASCII runs are kept
               because collapsing them merges real words (good → god, 100 → 10)

The character-level steps are composed once into a per-codepoint table, so a message costs one
``str.translate`` plus a few C-level string passes (~9 µs for a 43-character message). The index
map back to the original text is only needed when something matched, so it is computed lazily by
a Python loop that implements the same rules; the tests hold both paths to the same output.

The same normaliser is applied to lexicon entries, so both sides agree on every step.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.text import charmaps

_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    """Which steps run. All on by default; each one is independent of the others."""

    width: bool = True
    lookalike: bool = True
    t2s: bool = True
    digits: bool = True
    case: bool = True
    invisible: bool = True
    separators: bool = True
    repeats: bool = True


_CHAR_STEPS = (
    ("width", charmaps.width_map),
    ("lookalike", charmaps.lookalike_map),
    ("t2s", charmaps.t2s_map),
    ("digits", charmaps.digits_map),
    ("case", charmaps.case_map),
    ("invisible", charmaps.invisible_map),
    ("separators", charmaps.separator_map),
)

_LIST_END = 0x20000
"""Planes 0 and 1 (every character of ordinary chat, emoji included) go into a list-indexed table."""


@dataclass(frozen=True, slots=True)
class _Tables:
    """The composed steps in three shapes, one per use."""

    full: dict[int, str]  # every changed codepoint: for the per-character index-map loop
    low: list[str | int]  # planes 0-1 by index: str.translate is ~2x faster on a list than a dict
    astral: dict[int, str]  # the changed codepoints above the list (tag characters, variation selectors)
    # Characters that become zero or several characters (⑩ → 10, zero-width → nothing): a regex
    # class for the BMP (fast bitmap lookup) and a set above it (a regex class there is a slow
    # range scan, ~25 µs a message).
    varlen_bmp: re.Pattern[str] | None
    varlen_astral: frozenset[int]


@functools.cache
def _tables(options: NormalizeOptions) -> _Tables:
    maps = [build() for name, build in _CHAR_STEPS if getattr(options, name)]
    full: dict[int, str] = {}
    for ch in set().union(*maps):
        out = ch
        for m in maps:
            out = m.get(out, out) if len(out) == 1 else "".join(m.get(c, c) for c in out)
        if out != ch:
            full[ord(ch)] = out
    low: list[str | int] = list(range(_LIST_END))  # identity unless composed says otherwise
    for cp, out in full.items():
        if cp < _LIST_END:
            low[cp] = out
    astral = {cp: out for cp, out in full.items() if cp >= _LIST_END}
    varlen = [cp for cp, out in full.items() if len(out) != 1]
    bmp = _char_class(cp for cp in varlen if cp < 0x10000)
    charmaps.release_build_caches()
    return _Tables(full, low, astral, bmp, frozenset(cp for cp in varlen if cp >= 0x10000))


def _char_class(codepoints: Iterable[int]) -> re.Pattern[str] | None:
    """A regex character class of the given codepoints, written as compact ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    if not ranges:
        return None
    body = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[{body}]")


_SEP = re.escape(charmaps.SEPARATOR)
_ABOVE_LIST_RE = re.compile("[\U00020000-\U0010ffff]")
_ABOVE_BMP_RE = re.compile("[\U00010000-\U0010ffff]")
_KEEP_SEP_RE = re.compile(f"[A-Za-z0-9]{_SEP}+[A-Za-z0-9]")  # a separator that may survive
_ANY_REPEAT_RE = re.compile(r"(.)\1", re.DOTALL)  # cheap pre-check: most messages have no repeat
_COLLAPSE_RE = re.compile(r"([\x80-\U0010ffff])\1+")


def _keeps_space(before: str, after: str) -> bool:
    """Whether a separator run between two pieces survives (as one space).

    Only between ASCII letters/digits, so Latin words keep their word boundaries ("bet now") —
    except between two single letters/digits: "p o r n", "b.e.t", "6 4" are one word spelt out.
    """
    if before[-1] not in _ASCII_ALNUM or after[0] not in _ASCII_ALNUM:
        return False
    single_before = len(before) == 1 or before[-2] not in _ASCII_ALNUM
    single_after = len(after) == 1 or after[1] not in _ASCII_ALNUM
    return not (single_before and single_after)


def _squeeze(text: str) -> str:
    """Drop separator runs except those :func:`_keeps_space` keeps.

    Split-and-join instead of a lookaround regex: the regex costs ~100 ns a character, this a
    fraction of that; and it only runs when some separator actually sits between two letters.
    """
    pieces = [p for p in text.split(charmaps.SEPARATOR) if p]
    if not pieces:
        return ""
    out = [pieces[0]]
    for before, after in itertools.pairwise(pieces):
        if _keeps_space(before, after):
            out.append(charmaps.SEPARATOR)
        out.append(after)
    return "".join(out)


class Normalized:
    """A normalised text with the way back: :meth:`span` maps a slice of :attr:`text` to the original."""

    __slots__ = ("_ends", "_normalizer", "_starts", "source", "text")

    def __init__(self, source: str, text: str, normalizer: Normalizer) -> None:
        self.source = source
        self.text = text
        self._normalizer = normalizer
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering normalised ``[start, end)`` (``end > start``)."""
        if self._starts is None:
            _, self._starts, self._ends = self._normalizer.index_map(self.source)
        return self._starts[start], self._ends[end - 1]

    def __repr__(self) -> str:
        return f"Normalized({self.text!r})"


class Normalizer:
    """Normalises text with a fixed set of steps. Cheap to create; tables are shared per option set."""

    __slots__ = (
        "_astral",
        "_drop_sep",
        "_low",
        "_repeats",
        "_table",
        "_varlen_astral",
        "_varlen_bmp",
        "options",
    )

    def __init__(self, options: NormalizeOptions | None = None) -> None:
        self.options = options or NormalizeOptions()
        tables = _tables(self.options)
        self._table = tables.full
        self._low = tables.low
        self._astral = tables.astral
        self._varlen_bmp = tables.varlen_bmp
        self._varlen_astral = tables.varlen_astral
        self._repeats = self.options.repeats
        self._drop_sep = self.options.separators

    def _translate(self, source: str) -> str:
        out = source.translate(self._low)
        if self._astral and _ABOVE_LIST_RE.search(out) is not None:
            out = out.translate(self._astral)  # the list stops at plane 1; rare, so a second pass
        return out

    def text(self, source: str) -> str:
        """The normalised text alone (the fast path: C-level passes only, in the usual case)."""
        out = self._translate(source)
        if self._drop_sep and charmaps.SEPARATOR in out:
            if _KEEP_SEP_RE.search(out) is None:
                out = out.replace(charmaps.SEPARATOR, "")
            else:
                out = _squeeze(out)
        if self._repeats and _ANY_REPEAT_RE.search(out) is not None:
            out = _COLLAPSE_RE.sub(r"\1", out)
        return out

    def __call__(self, source: str) -> Normalized:
        return Normalized(source, self.text(source), self)

    def index_map(self, source: str) -> tuple[str, list[int], list[int]]:
        """The normalised text plus, per output character, the original ``[start, end)`` it covers.

        The same three stages as :meth:`text`, carrying each character's origin along; the work
        per character stays in C, Python only walks the characters that vanish or expand, the
        pieces between separators and the repeat runs.
        A collapsed repeat widens the end of the character it repeats; a kept separator points at
        the first separator of its run; the characters of one expansion (⑩ → 10) share a source.
        """
        text = self._translate(source)
        varlen = self._varlen_positions(source)
        if not varlen:
            origin = list(range(len(source)))  # every character became exactly one character
        else:
            origin = []
            pos = 0
            for i in varlen:
                origin.extend(range(pos, i))
                origin.extend([i] * len(self._table[ord(source[i])]))
                pos = i + 1
            origin.extend(range(pos, len(source)))
        if self._drop_sep and charmaps.SEPARATOR in text:
            text, origin = _squeeze_with_origin(text, origin)
        ends = [i + 1 for i in origin]
        if not (self._repeats and _ANY_REPEAT_RE.search(text)):
            return text, origin, ends
        kept_text: list[str] = []
        starts: list[int] = []
        kept_ends: list[int] = []
        pos = 0
        for run in _COLLAPSE_RE.finditer(text):
            a, b = run.span()
            kept_text.append(text[pos : a + 1])
            starts.extend(origin[pos : a + 1])
            kept_ends.extend(ends[pos : a + 1])
            kept_ends[-1] = ends[b - 1]  # the kept character covers its whole run
            pos = b
        kept_text.append(text[pos:])
        starts.extend(origin[pos:])
        kept_ends.extend(ends[pos:])
        return "".join(kept_text), starts, kept_ends

    def _varlen_positions(self, source: str) -> list[int]:
        """Indices of the characters of ``source`` that do not become exactly one character."""
        found = [m.start() for m in self._varlen_bmp.finditer(source)] if self._varlen_bmp else []
        if self._varlen_astral and _ABOVE_BMP_RE.search(source) is not None:
            found.extend(
                m.start() for m in _ABOVE_BMP_RE.finditer(source) if ord(m.group()) in self._varlen_astral
            )
            found.sort()
        return found

    def with_options(self, **changes: bool) -> Normalizer:
        return Normalizer(dataclasses.replace(self.options, **changes))


def _squeeze_with_origin(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """:func:`_squeeze` on a text whose characters carry their source index in ``origin``."""
    sep = charmaps.SEPARATOR
    out: list[str] = []
    out_origin: list[int] = []
    before, before_end = "", 0  # the previous piece, and where it ends in ``text``
    pos = 0  # where the current piece starts in ``text``
    for piece in text.split(sep):
        if piece:
            if before and _keeps_space(before, piece):
                out.append(sep)
                out_origin.append(origin[before_end])  # the first separator after ``before``
            out.append(piece)
            out_origin.extend(origin[pos : pos + len(piece)])
            before, before_end = piece, pos + len(piece)
        pos += len(piece) + 1
    return "".join(out), out_origin


@functools.cache
def default_normalizer() -> Normalizer:
    """The normaliser with every step on, shared by the whole process."""
    return Normalizer()


def normalize(text: str) -> str:
    """Normalised form of ``text`` with every step on."""
    return default_normalizer().text(text)
