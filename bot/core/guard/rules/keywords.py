"""Keyword categories (SPEC §3; huangshan 第十二条（二）, huangshi 第十条, yichun 第十一条/第十二条).

The text is normalised once by the engine; this module scans the group's matcher stack (base lexicon
+ unit and group overlays) over that normalised text and turns the hits into findings, one per
category. Secret markings are hits of the ``secret`` category too; :mod:`.secret_marking` reads them.

A hit stated as a prohibition is not a violation: discipline notices and campaigns name what they
forbid (「严禁在工作群抢红包」「坚决抵制法轮功」「严厉打击网络赌博」). A hit preceded, within the same
clause and a few characters, by 严禁 / 禁止 / 不得 / 抵制 / 打击 … is dropped (not for secret markings,
which are never a prohibition). Spam does not benefit: its other words still hit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.guard.finding import Finding
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


def findings(hits: Sequence[Hit], text: str) -> list[Finding]:
    """One finding per category other than secret markings, naming its first matched words."""
    words: dict[str, list[str]] = {}
    for hit in hits:
        if hit.category != SECRET and not prohibited_here(text, hit.start):
            bucket = words.setdefault(hit.category, [])
            if hit.word not in bucket:
                bucket.append(hit.word)
    return [Finding(category, "、".join(found[:3])) for category, found in words.items()]
