"""The guard engine with the default lexicons and a built-in preset's settings, compiled the way
the plugin compiles them (tests/guard never touches the database or NoneBot)."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime

from bot.core.guard import ContentGuard, Finding, GuardConfig, GuardInput
from bot.core.guard.setup import GuardData, config_for, load_guard_data
from bot.core.text import Matcher, MatcherStack
from bot.policy.loader import load_policy

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Shanghai


@functools.cache
def data() -> GuardData:
    """The packaged lexicons (both tiers), context rules and scam patterns, without operator files."""
    return load_guard_data(None)


@functools.cache
def base_matcher() -> Matcher:
    return data().matcher()


def base_stack() -> MatcherStack:
    return MatcherStack([base_matcher()])


def config(preset: str = "default", **changes: object) -> GuardConfig:
    cfg = config_for(data(), load_policy(None).preset(preset).guard, base_matcher())
    return dataclasses.replace(cfg, **changes)  # type: ignore[arg-type]


def acted(text: str, cfg: GuardConfig | None = None, **kw: object) -> set[str]:
    """Kinds of the act tier (what the policy's actions apply to)."""
    return {f.kind for f in findings(text, cfg, **kw) if not f.flagged}


def flagged(text: str, cfg: GuardConfig | None = None, **kw: object) -> set[str]:
    """Kinds found only at the flag tier (a private note to the admins)."""
    return {f.kind for f in findings(text, cfg, **kw) if f.flagged}


def findings(text: str, cfg: GuardConfig | None = None, **kw: object) -> list[Finding]:
    """Findings for one message (stateless: no flood or repeat memory)."""
    msg = GuardInput(text, group_id="1", user_id="2", at=T0, **kw)  # type: ignore[arg-type]
    return ContentGuard().check(msg, cfg or config(), remember=False)


def kinds(text: str, cfg: GuardConfig | None = None, **kw: object) -> set[str]:
    return {f.kind for f in findings(text, cfg, **kw)}
