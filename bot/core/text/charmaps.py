"""Character maps, one per normalisation step.

Each step is a plain ``{char: replacement}`` map (``""`` drops the character). The normaliser
composes the maps of the steps that are switched on into one per-codepoint table, so the hot loop
never asks which step a character belongs to. Everything here runs once per process (cached; the
returned dicts are shared, so callers must not modify them).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import opencc

CharMap = dict[str, str]

SEPARATOR = " "
"""Every separator becomes this before the context pass decides whether it survives."""

STAR = "★"
"""Secret markings (绝密★, 机密★10年) need the star, so stars are canonicalised, not dropped."""

_STARS = "☆✩✪✫✬✭✮✯✰✴✵✶✷✸✹✺⭐🌟"  # star shapes only: asterisks (✱ ✳) stay separators

# The separator, symbol, emoji and format blocks all sit in planes 0 and 1; plane 14 holds the tag
# characters and the variation selectors supplement. Planes 2-3 are ideographs (identity).
_SCAN_RANGES = (range(0x0000, 0x20000), range(0xE0000, 0xE0080), range(0xE0100, 0xE01F0))

# Emoji newer than this Python's Unicode database show up as unassigned (Cn); inside these blocks
# they are still emoji, so they count as separators.
_EMOJI_BLOCKS = (range(0x1F000, 0x1FB00),)

# Invisible characters that Unicode files as letters (Lo) rather than format characters.
_INVISIBLE_LETTERS = "\u115f\u1160\u3164\uffa0"

# Iteration marks mean "repeat the previous character"; dropping them would change the word.
_KEEP_LM = "々〻ゝゞヽヾ"

_WHITESPACE_CONTROLS = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85"


def release_build_caches() -> None:
    """Drop the per-step maps and the category scan (~10 MB) once the normaliser has composed its
    tables from them; a later normaliser with other options simply rebuilds what it needs."""
    for fn in (_scan, width_map, case_map, t2s_map, digits_map, lookalike_map, invisible_map, separator_map):
        fn.cache_clear()


@functools.cache
def _scan() -> dict[str, str]:
    """Unicode general category of every codepoint in the scanned ranges, computed once."""
    return {chr(cp): unicodedata.category(chr(cp)) for r in _SCAN_RANGES for cp in r}


def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


@functools.cache
def width_map() -> CharMap:
    """Full-width ASCII and half-width katakana/hangul forms, and the ideographic space."""
    out = {"\u3000": " "}
    for cp in range(0xFF01, 0xFFEF):
        ch = chr(cp)
        folded = _nfkc(ch)
        if folded != ch:
            out[ch] = folded
    return out


@functools.cache
def case_map() -> CharMap:
    return {ch: low for ch in _scan() if (low := ch.lower()) != ch}


@functools.cache
def t2s_map() -> CharMap:
    """Traditional → simplified, one character to one character, from OpenCC's own dictionaries.

    Only the single-character tables are used (the phrase tables need segmentation, which costs
    far too much per message). Taiwan/Hong Kong variants go through the variant table first; a
    variant mapping is kept only when it lands on a character the main table simplifies, so a
    plain simplified character (著, 抬, 么) is never turned into a rare variant.
    """
    folder = Path(opencc.__file__).parent / "dictionary"
    ts = _opencc_table(folder / "TSCharacters.txt")
    out = {k: v for k, v in ts.items() if k != v}
    for name in ("TWVariantsRev.txt", "HKVariantsRev.txt"):
        for k, v in _opencc_table(folder / name).items():
            if k not in out and v in ts and ts[v] != k:
                out[k] = ts[v]
    return out


def _opencc_table(path: Path) -> CharMap:
    table: CharMap = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        first = values.split(" ", 1)[0]
        if len(key) == 1 and len(first) == 1:
            table[key] = first  # the first candidate is OpenCC's default reading
    return table


_NUMERALS = {
    **dict(zip("〇零一二三四五六七八九", "00123456789", strict=True)),
    **dict(zip("壹贰叁肆伍陆柒捌玖", "123456789", strict=True)),
    "十": "10",  # positional numerals are not parsed: 十 reads as 10, the same on both sides
    "拾": "10",
}

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN "
        "FIFTEEN SIXTEEN SEVENTEEN EIGHTEEN NINETEEN".split()
    )
} | {"TWENTY": 20, "THIRTY": 30, "FORTY": 40, "FIFTY": 50}

_ENCLOSED_RANGES = (
    range(0x2460, 0x2500),  # ① ⑴ ⒈ ⓐ ⒜ ⓫ ⓵ ⓿
    range(0x2776, 0x2794),  # ❶ ➀ ➊
    range(0x3200, 0x3300),  # ㈠ ㊀ ㉑
    range(0x1F100, 0x1F1E6),  # 🄐 🄰 🅐 🅰 (regional indicators after this are flags: emoji)
    range(0x2070, 0x20A0),  # superscripts and subscripts
)
_DIGIT_NAME = re.compile(r"(?:DIGIT|NUMBER) ([A-Z ]+?)(?: FULL STOP| ON BLACK SQUARE)?$")
_LETTER_NAME = re.compile(r"LATIN (?:CAPITAL|SMALL) LETTER ([A-Z])$")


@functools.cache
def digits_map() -> CharMap:
    """Circled, parenthesised, full-stop, dingbat and Chinese-numeral digits (and enclosed letters)."""
    out = dict(_NUMERALS)
    for ch in "\u00b2\u00b3\u00b9":
        out[ch] = _nfkc(ch)
    for cp in (cp for r in _ENCLOSED_RANGES for cp in r):
        ch = chr(cp)
        value = _enclosed_value(ch)
        if value and value != ch:
            out[ch] = "".join(_NUMERALS.get(c, c) for c in value)
    return out


def _enclosed_value(ch: str) -> str:
    stripped = "".join(c for c in _nfkc(ch) if c not in "()., ")
    if stripped and stripped != ch and all(c.isalnum() for c in stripped):
        return stripped
    name = unicodedata.name(ch, "")
    if m := _LETTER_NAME.search(name):
        return m.group(1)
    if m := _DIGIT_NAME.search(name):
        words = m.group(1).split()
        if all(w in _NUMBER_WORDS for w in words):
            return str(sum(_NUMBER_WORDS[w] for w in words))
    return ""


# Pairs of (look-alike, Latin): Cyrillic, Greek, and a few Latin letters that stand in for others.
_LOOKALIKE_PAIRS = (
    "Аa Вb Еe З3 Кk Мm Нh Оo Рp Сc Тt Уy Хx аa еe оo рp сc уy хx кk мm ѕs іi јj һh ԁd ԛq ԝw ѡw "
    "пn ӏl Ѕs Іi Јj Αa Βb Εe Ζz Ηh Ιi Κk Μm Νn Οo Ρp Τt Υy Χx αa ιi κk νv οo ρp τt υu χx ωw "
    "ıi ɑa ɡg ℓl"
)
_CYRILLIC_GREEK = {pair[0]: pair[1] for pair in _LOOKALIKE_PAIRS.split()}
_COMPAT_RANGES = (
    range(0x1D400, 0x1D800),  # mathematical bold/italic/script letters and digits
    range(0x2100, 0x2150),  # letterlike symbols: ℂ ℍ ℎ
    range(0x2150, 0x2190),  # roman numerals Ⅳ
    range(0x2F00, 0x2FE0),  # Kangxi radicals, drawn like ordinary ideographs: ⼀ ⼈
    range(0xF900, 0xFB00),  # CJK compatibility ideographs
    range(0x2F800, 0x2FA20),  # CJK compatibility ideographs supplement
    range(0x1D2C, 0x1DC0),  # modifier letters ᵃ ᴮ
)
_SMALL_CAPITAL = re.compile(r"^LATIN LETTER SMALL CAPITAL ([A-Z])$")


@functools.cache
def lookalike_map() -> CharMap:
    """Letters that look Latin (Cyrillic, Greek, small capitals, accented), styled letters and digits,
    and ideograph variants that render like common ideographs."""
    out = dict(_CYRILLIC_GREEK)
    for cp in (cp for r in _COMPAT_RANGES for cp in r):
        ch = chr(cp)
        folded = _nfkc(ch)
        if folded != ch and ((folded.isascii() and folded.isalnum()) or _is_ideograph_str(folded)):
            out[ch] = folded
    for cp in range(0x00C0, 0x0250):  # Latin-1 supplement and Latin extended A/B: é → e
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            out[ch] = base
    out.update({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae"})
    out.update(_CJK_VARIANTS)
    for cp in range(0x1D00, 0x1D2C):
        if m := _SMALL_CAPITAL.match(unicodedata.name(chr(cp), "")):
            out[chr(cp)] = m.group(1).lower()
    return out


# Variant and look-alike ideographs that violators write for the characters of prohibited words
# (愽彩 for 博彩, 祼聊 for 裸聊, 氷毒 for 冰毒). Only rare characters that have no everyday meaning of
# their own in a work group; traditional forms are the t2s step's job.
_CJK_VARIANTS: CharMap = {
    v: std
    for std, variants in {
        "博": "愽簙", "裸": "祼躶倮", "冰": "氷", "毒": "毐", "淫": "婬滛", "麻": "蔴", "法": "灋佱",
        "炮": "砲", "操": "撡", "逼": "偪", "彩": "綵", "赌": "䞩", "枪": "鎗", "药": "葯",
    }.items()
    for v in variants
}


def _is_ideograph_str(s: str) -> bool:
    return len(s) == 1 and unicodedata.category(s) == "Lo" and "CJK" in unicodedata.name(s, "")


@functools.cache
def invisible_map() -> CharMap:
    """Zero-width, format, combining, control characters and lone surrogates (malformed input):
    dropped without leaving a boundary."""
    out = {ch: "" for ch in _INVISIBLE_LETTERS}
    for ch, cat in _scan().items():
        if cat in ("Cf", "Cs", "Mn", "Me") or (cat == "Cc" and ch not in _WHITESPACE_CONTROLS):
            out[ch] = ""
    return out


@functools.cache
def separator_map() -> CharMap:
    """Whitespace, punctuation, symbols, emoji and private-use glyphs → one separator mark."""
    out: CharMap = {}
    for ch, cat in _scan().items():
        if (
            cat[0] in "ZPS"
            or cat == "Co"
            or (cat == "Lm" and ch not in _KEEP_LM)
            or ch in _WHITESPACE_CONTROLS
            or (cat == "Cn" and any(ord(ch) in r for r in _EMOJI_BLOCKS))
        ):
            out[ch] = SEPARATOR
    for ch in _STARS + STAR:
        out[ch] = STAR
    return out
