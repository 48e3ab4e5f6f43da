"""Policy: presets derived from the regulations, units, groups, overrides."""

from bot.policy.loader import GroupPolicy, Policy, PolicyError, load_policy
from bot.policy.model import Preset

__all__ = ["GroupPolicy", "Policy", "PolicyError", "Preset", "load_policy"]
