"""Evasions of the most evaded terms, generated once when the lexicon is built.

The normaliser undoes what can be undone character by character (width, traditional forms, look-alike
and variant characters, separators, repeats). What it cannot undo is a character *replaced* by its
sound: pinyin and initials mixed with characters (du博、liu合彩、fl功、bing毒) and homophones (堵博、
法仑功). For the terms listed in ``bot/core/text/lexicons/evasion.toml`` (the ones violators evade:
a few hundred, not the whole lexicon), every mix of character / full pinyin / initial per position
is added as an alias of the term (``Matcher.build(aliases=…)``), plus one-character homophone
substitutions from the same file. Hits name the term itself, so its tier and context rule apply.

Limits, to stay quiet on ordinary text: a variant must keep at least one character of the term or be
all full pinyin of three or more syllables (``falungong``); all-initial forms only for terms of three
or more characters (``flg``, ``lhc`` — never ``db`` for 赌博); at most four Chinese characters
per term are varied (3⁴ forms).
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, cast

MAX_VARIED = 4


@dataclass(frozen=True, slots=True)
class EvasionTable:
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # category -> terms
    homophones: Mapping[str, str] = field(default_factory=dict)  # character -> its homophones


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _keep(chars: str) -> list[str]:
    """pypinyin's handler for characters without pinyin: keep each one as it is."""
    return list(chars)


def pinyin_variants(term: str) -> Iterator[str]:
    """The term with some of its characters written as full pinyin or initials (see module doc)."""
    hans = [i for i, ch in enumerate(term) if _is_han(ch)]
    if not hans or len(hans) > MAX_VARIED:
        return
    from pypinyin import Style, lazy_pinyin  # imported when the lexicon is built, not at start-up

    keep = cast(Any, _keep)  # pypinyin's stubs say str; a list keeps one item per character
    full = lazy_pinyin(term, errors=keep)
    initials = lazy_pinyin(term, style=Style.FIRST_LETTER, errors=keep)
    if len(full) != len(term) or len(initials) != len(term):
        return  # pypinyin merged or split something: do not guess
    options: list[tuple[tuple[str, str], ...]] = []
    for i, ch in enumerate(term):
        if i in hans:
            options.append((("c", ch), ("p", full[i]), ("i", initials[i])))
        else:
            options.append((("c", ch),))
    for combo in itertools.product(*options):
        kinds = [k for k, _ in combo]
        han_kinds = [kinds[i] for i in hans]
        if all(k == "c" for k in han_kinds):
            continue  # the term itself
        if "c" not in han_kinds:
            if all(k == "i" for k in han_kinds):
                if len(hans) < 3:
                    continue
            elif not (all(k == "p" for k in han_kinds) and len(hans) >= 3):
                continue
        yield "".join(s for _, s in combo)


def homophone_variants(term: str, table: Mapping[str, str]) -> Iterator[str]:
    """The term with one character replaced by one of its listed homophones."""
    for i, ch in enumerate(term):
        for other in table.get(ch, ""):
            yield term[:i] + other + term[i + 1 :]


def aliases(table: EvasionTable, known: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """``(category, variant, term)`` for every listed term (for ``Matcher.build(aliases=…)``)."""
    keep = set(known) if known is not None else None
    out: list[tuple[str, str, str]] = []
    for category, terms in table.terms.items():
        if keep is not None and category not in keep:
            continue
        for term in terms:
            seen = {term}
            for variant in itertools.chain(pinyin_variants(term), homophone_variants(term, table.homophones)):
                if variant not in seen:
                    seen.add(variant)
                    out.append((category, variant, term))
    return out


def load_evasion(path: Path | Traversable) -> EvasionTable:
    """``evasion.toml``: ``[terms] category = [...]`` and ``[homophones] 字 = "同音字…"``."""
    if not path.is_file():
        return EvasionTable()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = {str(k): tuple(str(t) for t in v) for k, v in dict(data.get("terms", {})).items()}
    homophones = {str(k): str(v) for k, v in dict(data.get("homophones", {})).items()}
    return EvasionTable(terms, homophones)
