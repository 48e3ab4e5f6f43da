"""The guard's packaged data, loaded once: lexicons of both tiers, context rules, scam patterns and
evasion aliases — and the base matcher built from them.

Files (all in ``bot/core/text/lexicons/``; an operator's ``config/lexicons/`` adds words):

* ``<category>.txt`` / ``flag/<category>.txt`` — act and flag tiers, ``allow.txt`` — allow list;
* ``context/<category>.toml`` (+ ``_common.toml``) — context rules (:mod:`bot.core.text.context`);
* ``scam.toml`` — contact handles, lures, phishing words (:mod:`bot.core.guard.rules.scam`);
* ``evasion.toml`` — the most evaded terms and their homophones (:mod:`bot.core.text.evasion`).

Tiers of a group: the packaged flag tier, changed by the unit's and the group's /词库 rows
(:func:`tiers_with`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.guard.engine import GuardConfig, GuardSettingsLike, compile_config
from bot.core.guard.rules.scam import ScamPatterns, load_scam
from bot.core.text.categories import BY_KEY
from bot.core.text.context import Contexts, load_contexts
from bot.core.text.evasion import EvasionTable, aliases, load_evasion
from bot.core.text.lexicon import DEFAULT_LEXICON_DIR, OPERATOR_LEXICON_DIR, Lexicon, load_default
from bot.core.text.matcher import Matcher, MatcherStack
from bot.core.text.normalize import default_normalizer


@dataclass(frozen=True, slots=True)
class GuardData:
    lexicon: Lexicon
    contexts: Contexts
    scam: ScamPatterns | None
    evasion: EvasionTable

    def matcher(self) -> Matcher:
        """The base matcher: both tiers, the context rules' terms and the evasion aliases."""
        deny = self.lexicon.all_deny()
        for cat, terms in self.contexts.terms().items():
            deny[cat] = (*deny.get(cat, ()), *terms)
        return Matcher.build(
            deny,
            self.lexicon.allow,
            normalizer=self.contexts.normalizer,
            aliases=aliases(self.evasion, BY_KEY),
        )

    def flagged(self) -> frozenset[tuple[str, str]]:
        return self.lexicon.flagged()


def load_guard_data(operator_dir: Path | None = OPERATOR_LEXICON_DIR) -> GuardData:
    """Everything the content pass reads from the package (and the operator's additions)."""
    norm = default_normalizer()
    return GuardData(
        lexicon=load_default(operator_dir),
        contexts=load_contexts(DEFAULT_LEXICON_DIR / "context", BY_KEY, norm),
        scam=load_scam(DEFAULT_LEXICON_DIR / "scam.toml", norm),
        evasion=load_evasion(DEFAULT_LEXICON_DIR / "evasion.toml"),
    )


@dataclass(frozen=True, slots=True)
class TierChange:
    """One /词库 tier row: ``tier`` is act or flag for ``(category, word)``."""

    category: str
    word: str
    tier: str


def tiers_with(
    base_flagged: frozenset[tuple[str, str]], changes: Iterable[TierChange]
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    """``(flagged, promoted)`` after the scopes' changes, applied in order (unit, then group)."""
    flagged = set(base_flagged)
    promoted: set[tuple[str, str]] = set()
    for change in changes:
        key = (change.category, change.word)
        if change.tier == "flag":
            flagged.add(key)
            promoted.discard(key)
        else:
            flagged.discard(key)
            promoted.add(key)
    return frozenset(flagged), frozenset(promoted)


def config_for(
    data: GuardData, settings: GuardSettingsLike, base: Matcher | None = None, *layers: Matcher
) -> GuardConfig:
    """A :class:`GuardConfig` with the packaged data's tiers, context rules and scam patterns (for
    the CLI, benchmarks and tests; the plugin adds the groups' /词库 changes itself). ``base`` is the
    data's matcher when given (build it once: ~seconds for the full lexicons); ``layers`` go under it."""
    stack = MatcherStack([*layers, base or data.matcher()])
    return compile_config(settings, stack, flagged=data.flagged(), contexts=data.contexts, scam=data.scam)
