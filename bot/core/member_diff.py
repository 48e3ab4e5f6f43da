"""Who arrived and who left between two member lists (pure; the WeChat member-list diff)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diff:
    arrived: frozenset[str]
    left: frozenset[str]


NO_CHANGE = Diff(frozenset(), frozenset())


def diff(before: frozenset[str], now: frozenset[str], self_id: str) -> Diff:
    """Who arrived and who left between two member lists (the bot itself is neither)."""
    return Diff(frozenset(now - before - {self_id}), frozenset(before - now - {self_id}))
