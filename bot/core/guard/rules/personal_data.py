"""Personal data (huangshan 第十二条（三）个人隐私, yichun 第十一条, huaibei 第十九条).

18-digit resident ID numbers with a valid check digit and bank cards passing Luhn always; mobile
numbers only where the policy switches them on (colleagues share contact numbers all day).

Detection runs on the normalised text, so digit styles (①②③, 一二三, full width) and characters
inserted between digits do not hide a number. The finding keeps the masked value (e.g.
``110105********002X``) for the record; the warning shows only the kind.
"""

from __future__ import annotations

import re

from bot.core.guard.finding import Finding
from bot.core.identity.personal_data import PersonalDataKind, find_personal_data

_WITHOUT_MOBILE = (PersonalDataKind.ID_NUMBER, PersonalDataKind.BANK_CARD)


_DIGIT_GAP = re.compile(r"(?<=[0-9]) (?=[0-9xX])")
_MANY_DIGITS = re.compile(r"(?:[0-9][ ]?){15}")


def findings(normalized: str, *, mobile: bool = False) -> list[Finding]:
    """One finding per kind found, with the first number of that kind masked."""
    kinds = tuple(PersonalDataKind) if mobile else _WITHOUT_MOBILE
    out: dict[str, Finding] = {}
    for match in find_personal_data(normalized, kinds):
        key = str(match.kind)
        if key not in out:
            out[key] = Finding(key, match.masked)
    if "id_number" not in out and " " in normalized and _MANY_DIGITS.search(normalized):
        # An ID number split in odd groups (1101 0519 4912 3100 2X): join digit groups and look
        # again. Only for ID numbers, whose check digit, province and birth date keep the false
        # positive rate of joining unrelated numbers negligible (bank cards have only Luhn).
        joined = _DIGIT_GAP.sub("", normalized)
        for match in find_personal_data(joined, (PersonalDataKind.ID_NUMBER,)):
            out["id_number"] = Finding("id_number", match.masked)
            break
    return list(out.values())
