"""Secret markings (huangshan 第十二条（三）, huangshi 第十条, yichun 第十一条: 涉密不上网、上网不涉密).

A marking is what a classified document carries — 绝密★、机密★5年、秘密★1年、密级：机密、内部资料
注意保存 — not a word about secrecy work (保密工作会议、涉密不上网 pass). The markings live in the
``secret`` lexicon (``bot/core/text/lexicons/secret.txt``), so they get the same evasion resistance as every
keyword, and unit or group additions apply; the star survives normalisation (☆ ⭐ → ★).

The finding never carries any text: the warning must not repeat the message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.core.guard.finding import Finding
from bot.core.guard.rules.keywords import SECRET, scan
from bot.core.text.matcher import Hit, MatcherStack


def findings(hits: Sequence[Hit]) -> list[Finding]:
    """A single finding when any hit is a secret marking (no excerpt: nothing may be echoed)."""
    return [Finding(SECRET)] if any(h.category == SECRET for h in hits) else []


def marked(stack: MatcherStack, text: str, bare: Collection[str] = ()) -> bool:
    """Whether ``text`` (e.g. a file name) carries a secret marking. ``bare`` are the context
    rules' bare secret levels (机密、秘密件 …): matched too, but not markings by themselves."""
    normalized = stack.normalizer.text(text)
    return any(h.category == SECRET and h.word not in bare for h in scan(stack, text, normalized))
