"""Card rule (yichun 第六条 实名制): the group card must read as the member's real name.

The check is lenient about form and strict about substance: the real name must appear in the card
(spaces, width and middle dots ignored); when the preset's pattern has ``{dept}``, the rest of the card
must name the member's department (equal, a suffix of it, or the same core: 财务 ↔ 财务科). Order and
separators are free: 「张三-办公室」「办公室 张三」「张三（办公室）」 all pass for ``{name}-{dept}``.
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.identity import DeptLevel, dept_level
from bot.roster_io import canonical_name

_SEPARATORS = re.compile(r"[\s\-－—_/|·•・()（）\[\]【】<>《》,，.。:：;；+]+")


def _plain(text: str) -> str:
    return canonical_name(unicodedata.normalize("NFKC", text)).replace("·", "").casefold()


def card_matches(card: str, name: str, dept: str, pattern: str = "{name}-{dept}") -> bool:
    """Whether ``card`` reads as ``name`` (and ``dept`` when the pattern asks for it)."""
    c, n = _plain(card), _plain(name)
    if not n or n not in c:
        return False
    if "{dept}" not in pattern:
        return True
    rest = _SEPARATORS.sub("", c.replace(n, "", 1))
    return bool(rest) and dept_level(rest, dept) is not DeptLevel.NONE


def expected_card(name: str, dept: str, pattern: str = "{name}-{dept}") -> str:
    """The card as the pattern writes it: 「张三-办公室」."""
    return pattern.replace("{name}", name).replace("{dept}", dept).replace("{post}", "")
