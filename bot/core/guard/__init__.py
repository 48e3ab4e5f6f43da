"""The content guard's pure rules engine (SPEC §3): one pass over a message, one verdict.

``rules/`` holds one module per rule of the regulations; :mod:`.engine` runs them all once;
:mod:`.verdict` picks the strongest action with its citation and applies exemptions, observe-only
mode, platform limits and the strike ladder. No NoneBot, no database, no clock.
"""

from bot.core.guard.categories import KIND_BY_KEY, KINDS, Kind, kind_key, kind_label
from bot.core.guard.engine import ContentGuard, GuardConfig, GuardInput, compile_config
from bot.core.guard.finding import ACT_LABELS, STRIKING, Act, Finding, parse_act
from bot.core.guard.rules.flooding import FloodLimits
from bot.core.guard.rules.links import LinkPolicy
from bot.core.guard.rules.repeat_notice import Repeat
from bot.core.guard.verdict import Ladder, Plan, Verdict, decide, escalate, plan

__all__ = [
    "ACT_LABELS",
    "KINDS",
    "KIND_BY_KEY",
    "STRIKING",
    "Act",
    "ContentGuard",
    "Finding",
    "FloodLimits",
    "GuardConfig",
    "GuardInput",
    "Kind",
    "Ladder",
    "LinkPolicy",
    "Plan",
    "Repeat",
    "Verdict",
    "compile_config",
    "decide",
    "escalate",
    "kind_key",
    "kind_label",
    "parse_act",
    "plan",
]
