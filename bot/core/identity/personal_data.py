"""Detectors for personal data in chat text: resident ID numbers, bank cards, mobile numbers.

Input: the raw message text. ASCII digits and their full-width forms (０-９, Ｘ/ｘ, ＋, －, the
ideographic space) are understood directly; every returned span indexes the text exactly as given.
Other digit styles (①, 一二三, mathematical digits …) are not recognised here: run the guard's
normaliser first and map its spans back.

A number counts only as a whole: it may not continue a longer run of digits (``0013812345678`` holds
no mobile number), and a grouped number (``6222 0212 3456 7890``) may not continue its grouping with the
same separator (``… 7890 123`` is a 19-digit candidate, not a 16-digit one).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "PersonalDataKind",
    "PersonalDataMatch",
    "canonical_id_number",
    "canonical_mobile",
    "find_bank_cards",
    "find_id_numbers",
    "find_mobile_numbers",
    "find_personal_data",
    "id_check_char",
    "is_valid_bank_card",
    "is_valid_id_number",
    "is_valid_mobile",
    "luhn_valid",
]


class PersonalDataKind(StrEnum):
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    MOBILE = "mobile"

    @property
    def label(self) -> str:
        """The Chinese name shown to users, e.g. in a warning (never the value itself)."""
        return _LABELS[self]


_LABELS = {
    PersonalDataKind.ID_NUMBER: "身份证号码",
    PersonalDataKind.BANK_CARD: "银行卡号",
    PersonalDataKind.MOBILE: "手机号码",
}


@dataclass(frozen=True, slots=True)
class PersonalDataMatch:
    """One finding. ``value`` is the canonical number (ASCII digits, upper-case X) and is kept out of
    the repr so that a finding that reaches a log line does not carry the data with it."""

    kind: PersonalDataKind
    start: int
    end: int
    value: str = field(repr=False)

    @property
    def masked(self) -> str:
        from .masking import mask_bank_card, mask_id_number, mask_mobile

        fn = {
            PersonalDataKind.ID_NUMBER: mask_id_number,
            PersonalDataKind.BANK_CARD: mask_bank_card,
            PersonalDataKind.MOBILE: mask_mobile,
        }[self.kind]
        return fn(self.value)


# Full-width and look-alike characters mapped one-to-one onto ASCII (used on matched numbers only;
# the patterns accept both forms so that the message itself is never copied).
_TO_ASCII = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {"Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-", "\u3000": " ", "\u00a0": " "}
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-")
)
_D = "[0-9０-９]"
_SEP = "[ \\-\u3000\u00a0－\u2010-\u2013\u2212]"
_NOT_D_BEFORE = "(?<![0-9０-９])"
_NOT_D_AFTER = "(?![0-9０-９])"
_ID_RE = re.compile(
    f"{_NOT_D_BEFORE}[1-9１-９]{_D}{{5}}(?P<s>{_SEP}?){_D}{{8}}(?P=s){_D}{{3}}[0-9０-９XxＸｘ]{_NOT_D_AFTER}"
)
_CARD_RE = re.compile(
    f"{_NOT_D_BEFORE}(?:{_D}{{16,19}}"
    f"|{_D}{{4}}(?P<s>{_SEP}){_D}{{4}}(?:(?P=s){_D}{{4}}){{2}}(?:(?P=s){_D}{{1,3}})?){_NOT_D_AFTER}"
)
_MOBILE_RE = re.compile(
    f"{_NOT_D_BEFORE}(?:(?:[+＋]|[0０]{{2}})?[8８][6６]{_SEP}?)?"
    f"(?P<n>[1１][3-9３-９]{_D}(?P<s>{_SEP}?){_D}{{4}}(?P=s){_D}{{4}}){_NOT_D_AFTER}"
)
_PREFILTER_RE = re.compile(f"{_D}{{3}}")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes, plus 81/82/83 used on residence permits for Hong Kong, Macao and Taiwan residents.
_ID_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
# Major card schemes start with 3 (JCB, Amex), 4 (Visa), 5 (Mastercard), 6 (UnionPay) or 9 (older
# domestic debit cards). Order and waybill numbers usually start with 1 or 2 (dates, sequence ids):
# excluding other leading digits removes most of Luhn's one-in-ten false positives.
_CARD_FIRST_DIGITS = frozenset("34569")


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("需要 17 位数字")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _strip_separators(value: str) -> str:
    return "".join(c for c in value.translate(_TO_ASCII) if c not in " -")


def canonical_id_number(value: str) -> str | None:
    """The 18-character form (upper-case X) of a valid ID number, else None. Separators are dropped."""
    s = _strip_separators(value.strip()).upper()
    return s if _valid_id(s, None) else None


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    """True for an 18-character resident ID number with a known province code, a real birth date
    (1900 or later; not after ``today`` when given) and a correct check character."""
    return _valid_id(_strip_separators(value.strip()).upper(), today)


def _valid_id(s: str, today: date | None) -> bool:
    if len(s) != 18 or not s[:17].isascii() or not s[:17].isdigit() or s[17] not in "0123456789X":
        return False
    if s[:2] not in _ID_PROVINCES:
        return False
    try:
        born = date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or (today is not None and born > today):
        return False
    return id_check_char(s[:17]) == s[17]


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check over a string of ASCII digits; False for anything else."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_valid_bank_card(value: str) -> bool:
    """16–19 digits (separators allowed), a major-scheme leading digit, and a valid Luhn check."""
    s = _strip_separators(value.strip())
    return 16 <= len(s) <= 19 and s[0] in _CARD_FIRST_DIGITS and luhn_valid(s)


def canonical_mobile(value: str) -> str | None:
    """The 11 digits of a mainland mobile number written with or without +86/0086/86 and separators."""
    s = _strip_separators(value.strip())
    s = s.removeprefix("+")
    for prefix in ("0086", "86"):
        if len(s) == 11 + len(prefix) and s.startswith(prefix):
            s = s[len(prefix) :]
            break
    if len(s) == 11 and s.isdigit() and s[0] == "1" and s[1] in "3456789":
        return s
    return None


def is_valid_mobile(value: str) -> bool:
    return canonical_mobile(value) is not None


def _scan(
    src: str,
    pattern: re.Pattern[str],
    kind: PersonalDataKind,
    accept: Callable[[re.Match[str]], str | None],
) -> list[PersonalDataMatch]:
    """Search ``pattern`` over the text; keep matches that ``accept`` turns into a value.

    A rejected candidate restarts the search one character later rather than after the candidate, so
    that a failed longer reading never hides a valid shorter one that starts further on.
    """
    found: list[PersonalDataMatch] = []
    pos = 0
    while (m := pattern.search(src, pos)) is not None:
        value = accept(m) if _whole_group_run(src, m) else None
        if value is None:
            pos = m.start() + 1
            continue
        found.append(PersonalDataMatch(kind, m.start(), m.end(), value))
        pos = m.end()
    return found


def _whole_group_run(src: str, m: re.Match[str]) -> bool:
    """A grouped number must not be one part of a longer grouping with the same separator."""
    sep = m.group("s")
    if not sep:
        return True
    before, after = src[max(0, m.start() - 2) : m.start()], src[m.end() : m.end() + 2]
    if len(before) == 2 and before[1] == sep and before[0].isdigit():
        return False
    return not (len(after) == 2 and after[0] == sep and after[1].isdigit())


def _has_digits(text: str) -> bool:
    """Whether any kind could be in the text: most messages have no three digits in a row."""
    return _PREFILTER_RE.search(text) is not None


def _ids(src: str, today: date | None) -> list[PersonalDataMatch]:
    def accept(m: re.Match[str]) -> str | None:
        s = _strip_separators(m.group()).upper()
        return s if _valid_id(s, today) else None

    return _scan(src, _ID_RE, PersonalDataKind.ID_NUMBER, accept)


def _cards(src: str) -> list[PersonalDataMatch]:
    def accept(m: re.Match[str]) -> str | None:
        s = _strip_separators(m.group())
        return s if is_valid_bank_card(s) else None

    return _scan(src, _CARD_RE, PersonalDataKind.BANK_CARD, accept)


def _mobiles(src: str) -> list[PersonalDataMatch]:
    return _scan(src, _MOBILE_RE, PersonalDataKind.MOBILE, lambda m: _strip_separators(m.group("n")))


def find_id_numbers(text: str, *, today: date | None = None) -> list[PersonalDataMatch]:
    """18-character resident ID numbers, plain or grouped 6-8-4 by spaces or hyphens."""
    return _ids(text, today) if _has_digits(text) else []


def find_bank_cards(text: str) -> list[PersonalDataMatch]:
    """Bank card numbers: 16–19 digits, plain or in groups of four, passing Luhn."""
    return _cards(text) if _has_digits(text) else []


def find_mobile_numbers(text: str) -> list[PersonalDataMatch]:
    """Mainland mobile numbers 1[3-9]x-xxxx-xxxx, with an optional +86/0086/86 prefix (inside the span)."""
    return _mobiles(text) if _has_digits(text) else []


def find_personal_data(
    text: str, kinds: Iterable[PersonalDataKind] | None = None, *, today: date | None = None
) -> list[PersonalDataMatch]:
    """Every finding of the requested kinds (default all), by position, without overlaps.

    An 18-digit ID number may also pass Luhn; where spans overlap the ID number wins, then the card.
    """
    if not _has_digits(text):
        return []
    wanted = set(PersonalDataKind if kinds is None else kinds)
    taken: list[PersonalDataMatch] = []
    for kind in PersonalDataKind:  # declaration order is precedence: ID, card, mobile
        if kind not in wanted:
            continue
        if kind is PersonalDataKind.ID_NUMBER:
            hits = _ids(text, today)
        else:
            hits = _cards(text) if kind is PersonalDataKind.BANK_CARD else _mobiles(text)
        if not taken:
            taken = hits
            continue
        starts = [t.start for t in taken]
        for hit in hits:
            i = bisect.bisect_right(starts, hit.start)
            if (i == 0 or taken[i - 1].end <= hit.start) and (i == len(taken) or hit.end <= taken[i].start):
                taken.insert(i, hit)
                starts.insert(i, hit.start)
    return taken
