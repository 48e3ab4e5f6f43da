"""rules/flooding.py: bursts and the same text over and over, one finding per burst, bounded memory."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.core.guard import ContentGuard, FloodLimits, GuardInput
from bot.core.guard.rules.flooding import FloodTracker
from tests.guard.conftest import T0, config

LIMITS = FloodLimits(messages=10, seconds=10, same=5, same_seconds=60)


def run(messages: list[tuple[str, float]], user: str = "1") -> list[str]:
    """(text, seconds after T0) → the detail of each flood finding, in order."""
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), repeat_window=timedelta(0))
    out = []
    for text, at in messages:
        msg = GuardInput(text, group_id="g", user_id=user, at=T0 + timedelta(seconds=at))
        out.extend(f.detail for f in guard.check(msg, cfg) if f.kind == "flood")
    return out


def test_a_burst_is_one_finding() -> None:
    burst = [(f"第{i}条", i * 0.5) for i in range(25)]
    assert run(burst) == ["10 秒内发送了 10 条消息", "10 秒内发送了 10 条消息"]  # 25 messages: two bursts


def test_a_steady_pace_is_not_flooding() -> None:
    assert run([(f"第{i}条消息", i * 2.0) for i in range(50)]) == []


def test_the_same_text_again_and_again() -> None:
    assert run([("收到收到", i * 8.0) for i in range(5)]) == ["60 秒内重复发送同一内容 5 次"]
    assert run([("收到", i * 20.0) for i in range(5)]) == []  # spread over 80 s


def test_senders_are_counted_separately() -> None:
    tracker = FloodTracker()
    found = [tracker.check(("g", str(i % 5)), f"x{i}", i * 0.1, LIMITS) for i in range(40)]
    assert found == [None] * 40


def test_memory_is_bounded() -> None:
    tracker = FloodTracker(capacity=100)
    for i in range(1000):
        tracker.check(("g", str(i)), "x", float(i), LIMITS)
    assert len(tracker) == 100
