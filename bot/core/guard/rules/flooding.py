"""Flooding (刷屏; yichun 第十二条: 工作群异化为「聊天群」; huangshan 第十一条: 终止不合时宜的话题).

Per sender and group, the recent message times (and a key of their text) within the policy's
windows: more than ``messages`` messages in ``seconds``, or the same text ``same`` times in
``same_seconds``, is flooding. After a finding the sender's history is cleared, so one burst gives
one finding, not one per message. Memory is bounded: at most ``capacity`` senders are tracked (the
least recently active are forgotten) and at most :data:`_KEEP` times per sender.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

from bot.core.guard.finding import Finding

_KEEP = 64


@dataclass(frozen=True, slots=True)
class FloodLimits:
    messages: int = 10
    seconds: float = 10.0
    same: int = 5
    same_seconds: float = 60.0


class FloodTracker:
    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._recent: OrderedDict[tuple[str, str], deque[tuple[float, int]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._recent)

    def check(self, key: tuple[str, str], text_key: str, at: float, limits: FloodLimits) -> Finding | None:
        """Note one message at ``at`` (seconds); a finding when it completes a flood."""
        recent = self._recent.get(key)
        if recent is None:
            recent = self._recent[key] = deque(maxlen=_KEEP)
            if len(self._recent) > self.capacity:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        digest = hash(text_key) if text_key else 0
        recent.append((at, digest))
        horizon = at - max(limits.seconds, limits.same_seconds)
        while recent and recent[0][0] < horizon:
            recent.popleft()
        if len(recent) < min(limits.messages, limits.same):
            return None  # the usual case: a handful of messages in the last minute
        start = at - limits.seconds
        burst = sum(1 for t, _ in recent if t >= start)
        if burst >= limits.messages:
            recent.clear()
            return Finding("flood", detail=f"{limits.seconds:g} 秒内发送了 {burst} 条消息")
        if digest:
            start = at - limits.same_seconds
            same = sum(1 for t, d in recent if d == digest and t >= start)
            if same >= limits.same:
                recent.clear()
                return Finding("flood", detail=f"{limits.same_seconds:g} 秒内重复发送同一内容 {same} 次")
        return None
