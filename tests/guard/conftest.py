"""The guard engine with the default lexicons and a built-in preset's settings, compiled the way
the plugin compiles them (tests/guard never touches the database or NoneBot)."""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, datetime

from bot.core.guard import ContentGuard, Finding, GuardConfig, GuardInput, compile_config
from bot.core.text import MatcherStack, load_dir
from bot.policy.loader import load_policy

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # a Friday, 10:00 in Shanghai


@functools.cache
def base_stack() -> MatcherStack:
    return MatcherStack([load_dir().matcher()])


def config(preset: str = "default", **changes: object) -> GuardConfig:
    cfg = compile_config(load_policy(None).preset(preset).guard, base_stack())
    return dataclasses.replace(cfg, **changes)  # type: ignore[arg-type]


def findings(text: str, cfg: GuardConfig | None = None, **kw: object) -> list[Finding]:
    """Findings for one message (stateless: no flood or repeat memory)."""
    msg = GuardInput(text, group_id="1", user_id="2", at=T0, **kw)  # type: ignore[arg-type]
    return ContentGuard().check(msg, cfg or config(), remember=False)


def kinds(text: str, cfg: GuardConfig | None = None, **kw: object) -> set[str]:
    return {f.kind for f in findings(text, cfg, **kw)}
