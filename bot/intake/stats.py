"""Counters of what came in, for /状态. In memory: they describe this process's life."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class IntakeStats:
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    messages: int = 0  # group + private message events handled
    events: Counter[str] = field(default_factory=Counter)
    unparsed: Counter[str] = field(default_factory=Counter)  # skipped, by reason
    repaired: Counter[str] = field(default_factory=Counter)  # kept after a repair, by what was wrong
    self_sent: int = 0
    time_replaced: int = 0  # events whose own time was absurd (before 2000, far future, not a number)
    time_skewed: int = 0  # messages whose own time was more than a few minutes from their arrival

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


stats = IntakeStats()
