"""Masking personal data inside free text (suggestions, notices, log lines).

`mask_in_text` masks what the detectors find (valid ID numbers, bank cards, mobile numbers) in
place, by the display rules of :mod:`masking`. `scrub_for_log` is stricter, for log lines: anything
shaped like an ID number or a mobile number is masked whether or not its check digit is right (a
mistyped ID number is still someone's ID number), at the cost of masking a few long numeric ids.
"""

from __future__ import annotations

import re

from .masking import mask_id_number, mask_mobile
from .personal_data import find_personal_data

__all__ = ["mask_in_text", "scrub_for_log"]

_ID_SHAPED = re.compile(
    r"(?<![0-9０-９])[0-9０-９]{17}[0-9０-９XxＸｘ](?![0-9０-９])|(?<![0-9])[0-9]{15}(?![0-9])"
)
_MOBILE_SHAPED = re.compile(r"(?<![0-9０-９])[1１][3-9３-９][0-9０-９]{9}(?![0-9０-９])")


def mask_in_text(text: str) -> str:
    """`text` with every detected personal number replaced by its masked form."""
    if not text:
        return text
    found = find_personal_data(text)
    if not found:
        return text
    out: list[str] = []
    pos = 0
    for m in found:
        out.append(text[pos : m.start])
        out.append(m.masked)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def scrub_for_log(text: str) -> str:
    """`text` fit for a log line: detected numbers masked, ID- and mobile-shaped runs too."""
    text = mask_in_text(text)
    text = _ID_SHAPED.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE_SHAPED.sub(lambda m: mask_mobile(m.group()), text)
