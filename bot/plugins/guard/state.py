"""The guard's live state: lexicon layers, each group's compiled settings, the rules' memory.

* The base matcher (the packaged lexicons plus the operator's ``config/lexicons``) is built once.
  Unit and group additions are small overlay matchers, rebuilt alone and swapped in when a command
  changes them (a few hundred microseconds).
* A group's compiled settings (:class:`Compiled`) are cached and reused while the group's policy
  object and the lexicon version stay the same: the message path does two dictionary lookups and
  an identity check, and never reads the database.
* Lexicon changes and /规则 settings are loaded from the database once (at start-up, or on the
  first message in tests) and kept in memory; every change goes to both.
* The memory of the rules that remember (repeats, flooding) is bounded and lives here too; it
  starts afresh when the runtime's policy object is replaced.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from loguru import logger

from bot.core.guard import ContentGuard, GuardConfig, Ladder, compile_config
from bot.core.guard.setup import GuardData, TierChange, load_guard_data, tiers_with
from bot.core.text import ALLOW_KEY, Lexicon, Matcher, MatcherStack
from bot.models.guard import GuardWord
from bot.policy import GroupPolicy, Policy, PolicyError, Preset
from bot.runtime import Runtime
from bot.store import guard as store

OWNER_TTL = 6 * 3600.0  # seconds an owner lookup (member list) is trusted


@dataclass(frozen=True, slots=True)
class Compiled:
    """One group's guard, ready for the message path."""

    source: GroupPolicy
    version: int
    cfg: GuardConfig
    preset: Preset
    exempt: frozenset[str]
    observe: bool
    ladder: Ladder
    scope: str  # where repeats count: the unit, or the group alone

    def is_exempt(self, user_id: str, platform_role: str, superusers: frozenset[str]) -> bool:
        ex = self.exempt
        if not ex:
            return False
        if platform_role in ex:  # owner / admin
            return True
        gp = self.source
        return (
            ("deputy" in ex and user_id in gp.deputies)
            or ("leader" in ex and user_id in gp.leaders)
            or ("supervisor" in ex and user_id in gp.supervisors)
            or ("operator" in ex and user_id in superusers)
        )


@dataclass
class Counters:
    checked: int = 0
    flagged: int = 0
    recalled: int = 0
    observed: int = 0


@dataclass
class GuardState:
    engine: ContentGuard = field(default_factory=ContentGuard)
    counters: Counters = field(default_factory=Counters)
    loaded: bool = False
    version: int = 0
    base_lexicon: Lexicon | None = None
    data: GuardData | None = None
    _base: Matcher | None = None
    _overlays: dict[tuple[str, str], Matcher] = field(default_factory=dict)
    _words: dict[tuple[str, str], list[GuardWord]] = field(default_factory=dict)
    _compiled: dict[str, Compiled] = field(default_factory=dict)
    _settings: dict[str, tuple[str | None, dict]] = field(default_factory=dict)  # type: ignore[type-arg]
    _policy: Policy | None = None
    _owners: dict[tuple[str, str], tuple[str | None, float]] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- lexicons --------------------------------------------------------------------------------
    def base(self) -> Matcher:
        if self._base is None:
            self.data = load_guard_data()
            self.base_lexicon = self.data.lexicon
            for error in self.base_lexicon.errors:
                logger.warning(f"lexicon: {error}")
            self._base = self.data.matcher()
        return self._base

    def tiers(self, gp: GroupPolicy) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        """``(flagged, promoted)`` for a group: the packaged flag tier, then the unit's and the
        group's /词库 tier rows."""
        self.base()
        assert self.data is not None
        rows = list(self._words.get(("unit", gp.unit_key), ())) if gp.unit_key else []
        rows += self._words.get(("group", gp.group_id), ())
        changes = [TierChange(r.category, r.word, r.tier) for r in rows if r.op in ("add", "tier")]
        return tiers_with(self.data.flagged(), changes)

    def words(self, scope: str, scope_id: str) -> list[GuardWord]:
        return list(self._words.get((scope, scope_id), ()))

    def set_words(self, scope: str, scope_id: str, rows: Iterable[GuardWord]) -> Matcher | None:
        """Replace one scope's lexicon changes and rebuild its overlay (only that one)."""
        rows = list(rows)
        key = (scope, scope_id)
        self._words[key] = rows
        overlay = overlay_matcher(rows, self.base())
        if overlay is None:
            self._overlays.pop(key, None)
        else:
            self._overlays[key] = overlay
        self.version += 1
        return overlay

    def overlay_count(self) -> int:
        return len(self._overlays)

    def stack(self, gp: GroupPolicy) -> MatcherStack:
        layers = [self.base()]
        if gp.unit_key and (overlay := self._overlays.get(("unit", gp.unit_key))) is not None:
            layers.append(overlay)
        if (overlay := self._overlays.get(("group", gp.group_id))) is not None:
            layers.append(overlay)
        return MatcherStack(layers)

    # --- settings ----------------------------------------------------------------------------------
    def sync_policy(self, rt: Runtime) -> None:
        """Apply the stored /规则 settings to the runtime's policy (again, if it was replaced).

        A replaced policy also starts the rules' memory afresh: repeats are remembered per unit and
        window, and a new policy may put groups in other units or change the windows.
        """
        if rt.policy is self._policy:
            return
        if self._policy is not None:
            self.engine = ContentGuard()
            self._compiled.clear()
        self._policy = rt.policy
        for group_id, (preset, values) in self._settings.items():
            try:
                rt.policy.set_group_overrides(group_id, values, preset=preset)
            except PolicyError as e:
                logger.warning(f"guard settings of group {group_id} not applied: {e}")

    def remember_setting(self, group_id: str, preset: str | None, values: dict) -> None:  # type: ignore[type-arg]
        if preset or values:
            self._settings[group_id] = (preset, values)
        else:
            self._settings.pop(group_id, None)

    def compiled(self, rt: Runtime, group_id: str) -> Compiled:
        """The group's compiled guard (cached while its policy and the lexicons stay the same)."""
        if rt.policy is not self._policy:
            self.sync_policy(rt)
        gp = rt.policy.for_group(group_id)
        c = self._compiled.get(group_id)
        if c is not None and c.source is gp and c.version == self.version:
            return c
        g = gp.preset.guard
        flagged, promoted = self.tiers(gp)
        assert self.data is not None
        c = Compiled(
            source=gp,
            version=self.version,
            cfg=compile_config(
                g,
                self.stack(gp),
                flagged=flagged,
                promoted=promoted,
                contexts=self.data.contexts,
                scam=self.data.scam,
            ),
            preset=gp.preset,
            exempt=frozenset(g.exempt),
            observe=g.observe_only,
            ladder=Ladder(g.mute_after, g.mute_seconds, g.notify_after, g.propose_removal_after),
            scope=f"unit:{gp.unit_key}" if gp.unit_key else f"group:{group_id}",
        )
        self._compiled[group_id] = c
        return c

    # --- loading -----------------------------------------------------------------------------------
    async def load(self, rt: Runtime) -> None:
        """Read lexicon changes and group settings from the database, once."""
        async with self._lock:
            if self.loaded:
                return
            if self._base is None:
                # ~40k words, their evasions and the context rules: seconds of work, done in a
                # thread so that the event loop keeps serving while it runs.
                await asyncio.to_thread(self.base)
            by_scope: dict[tuple[str, str], list[GuardWord]] = {}
            for row in await store.load_words():
                by_scope.setdefault((row.scope, row.scope_id), []).append(row)
            for (scope, scope_id), rows in by_scope.items():
                self.set_words(scope, scope_id, rows)
            self._settings = dict(await store.load_settings())
            self._policy = None
            self.sync_policy(rt)
            self.loaded = True
            logger.info(
                f"guard: base lexicon {self.base().word_count} words, {len(by_scope)} overlays, "
                f"{len(self._settings)} groups with their own settings"
            )

    async def reload(self, rt: Runtime) -> None:
        """Read lexicon changes and settings again (after ``python -m bot lexicon import``)."""
        async with self._lock:
            self._words.clear()
            self._overlays.clear()
            self.loaded = False
            self.version += 1
        await self.load(rt)

    def reset(self) -> None:
        """Forget everything (tests)."""
        fresh = GuardState()
        for name in (
            "engine",
            "counters",
            "loaded",
            "version",
            "_overlays",
            "_words",
            "_compiled",
            "_settings",
        ):
            setattr(self, name, getattr(fresh, name))
        self._policy = None
        self._owners.clear()

    # --- owners --------------------------------------------------------------------------------
    def cached_owner(self, platform: str, group_id: str) -> tuple[bool, str | None]:
        hit = self._owners.get((platform, group_id))
        if hit is None or time.monotonic() - hit[1] > OWNER_TTL:
            return False, None
        return True, hit[0]

    def note_owner(self, platform: str, group_id: str, owner: str | None) -> None:
        self._owners[(platform, group_id)] = (owner, time.monotonic())


def overlay_matcher(rows: Iterable[GuardWord], base: Matcher) -> Matcher | None:
    """The overlay of one scope: added words by category, allow words and removed words (a removed
    base word becomes an allow entry there, which masks it)."""
    deny: dict[str, list[str]] = {}
    allow: list[str] = []
    for row in rows:
        if row.op == "tier":
            continue  # a tier change of a word matched elsewhere (the base or the unit)
        if row.category == ALLOW_KEY or row.op == "remove":
            allow.append(row.word)
        else:
            deny.setdefault(row.category, []).append(row.word)
    if not deny and not allow:
        return None
    return Matcher.build(deny, allow, normalizer=base.normalizer)


state = GuardState()
