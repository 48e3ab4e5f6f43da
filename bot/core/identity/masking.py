"""Masking personal data for display (脱敏). The ``mask_*`` functions are total: any string gives a
masked string, never an exception and never more of the value than the rule keeps.

Rules (common practice on government service sites; the birth date of an ID number never shows):

- name: first and last character, the middle masked — 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜;
  a single character is fully masked; the ``·`` of minority names stays (阿依古丽·买买提 → 阿***·**提)
- mobile: first 3 and last 4 — 13812345678 → 138****5678 (a +86 prefix and separators are dropped)
- id_number: first 6 (the region) and last 4 — 110101********1234
- bank_card: last 4 only — ************7894
- account (QQ / WeChat id): first 2 and last 2 (1 and 1 up to 6 characters; all masked up to 2)
- other: first and last character

Values too short for their rule are masked completely.
"""

from __future__ import annotations

from enum import StrEnum

from .personal_data import PersonalDataKind, canonical_mobile

__all__ = [
    "MaskKind",
    "mask",
    "mask_account",
    "mask_bank_card",
    "mask_id_number",
    "mask_mobile",
    "mask_name",
    "mask_other",
]

STAR = "*"
_DOTS = "·•・‧∙⋅"


class MaskKind(StrEnum):
    NAME = "name"
    MOBILE = "mobile"
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    ACCOUNT = "account"
    OTHER = "other"


def _keep_ends(s: str, head: int, tail: int) -> str:
    if len(s) <= head + tail:
        return STAR * len(s)
    return s[:head] + STAR * (len(s) - head - tail) + s[len(s) - tail :]


def _compact(value: str) -> str:
    return "".join(value.split()).replace("-", "").replace("－", "")


def mask_name(name: str) -> str:
    s = "".join(name.split())
    if not s:
        return ""
    if len(s) == 1:
        return STAR
    if len(s) == 2:
        return s[0] + STAR
    # Mask every character but the first and the last; separators of minority names stay.
    return s[0] + "".join(c if c in _DOTS else STAR for c in s[1:-1]) + s[-1]


def mask_mobile(value: str) -> str:
    canon = canonical_mobile(value)
    if canon is not None:
        return canon[:3] + STAR * 4 + canon[7:]
    s = _compact(value)
    return _keep_ends(s, 3, 4) if len(s) >= 8 else STAR * len(s)


def mask_id_number(value: str) -> str:
    s = _compact(value).upper()
    return _keep_ends(s, 6, 4) if len(s) >= 15 else STAR * len(s)


def mask_bank_card(value: str) -> str:
    s = _compact(value)
    return _keep_ends(s, 0, 4) if len(s) >= 12 else STAR * len(s)


def mask_account(value: str) -> str:
    s = value.strip()
    if len(s) <= 2:
        return STAR * len(s)
    if len(s) <= 6:
        return _keep_ends(s, 1, 1)
    return _keep_ends(s, 2, 2)


def mask_other(value: str) -> str:
    s = value.strip()
    if len(s) <= 2:
        return (s[:1] + STAR) if len(s) == 2 else STAR * len(s)
    return _keep_ends(s, 1, 1)


_MASKERS = {
    MaskKind.NAME: mask_name,
    MaskKind.MOBILE: mask_mobile,
    MaskKind.ID_NUMBER: mask_id_number,
    MaskKind.BANK_CARD: mask_bank_card,
    MaskKind.ACCOUNT: mask_account,
    MaskKind.OTHER: mask_other,
}
_ALIASES = {"phone": MaskKind.MOBILE, "id": MaskKind.ID_NUMBER, "card": MaskKind.BANK_CARD}


def mask(value: str, kind: MaskKind | PersonalDataKind | str) -> str:
    """Mask ``value`` by the rule of ``kind`` (a MaskKind, a PersonalDataKind or its string value;
    ``phone``, ``id`` and ``card`` are accepted as aliases). Unknown kinds raise ValueError whose
    message names the kind, never the value."""
    key = str(kind.value if isinstance(kind, StrEnum) else kind).strip().lower()
    try:
        mk = _ALIASES.get(key) or MaskKind(key)
    except ValueError:
        raise ValueError(f"未知的脱敏类型：{key!r}") from None
    return _MASKERS[mk](value)
