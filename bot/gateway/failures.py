"""Failed actions reach a human: final failures of a group are gathered into one incident, and the
incident is reported once, with counts, when it has been quiet for a while (SPEC §10).

The digest decides only *when* and *what*; who receives the report and how it is sent is the
runtime's business (`Report` callback), so this module stays free of policy and I/O.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from loguru import logger

from bot.gateway.base import GatewayError
from bot.gateway.outbound import Action, Expired

#: the actions whose failure a person has to make up for (the others are replies and reads)
REPORTED_KINDS = {"recall": "撤回消息", "mute": "禁言", "kick": "移出成员", "join_request": "处理入群申请"}


def failure_reason(error: BaseException) -> str:
    """A short Chinese cause for the report and the audit row (never an exception's free text)."""
    if isinstance(error, Expired):
        return "连接中断，超过平台允许的时限"
    if isinstance(error, TimeoutError):
        return "平台实现无应答"
    if isinstance(error, GatewayError):
        if error.retcode is not None:
            return f"平台返回错误（retcode {error.retcode}）"
        return "连接或网络异常"
    return "内部错误"


@dataclass
class Incident:
    platform: str
    group_id: str
    first: datetime
    last: datetime
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self, group: str) -> str:
        kinds = "、".join(f"{REPORTED_KINDS.get(k, k)} {n} 次" for k, n in self.counts.most_common())
        reasons = "；".join(r for r, _ in self.reasons.most_common(3))
        lines = [
            f"【操作失败】{group}：机器人在多次重试后仍有 {self.total} 项操作未能完成（{kinds}），"
            f"原因：{reasons}。"
        ]
        if "recall" in self.counts:
            lines.append("被检出的违规消息可能仍在群内，请您或管理员尽快人工撤回。")
        if "mute" in self.counts:
            lines.append("相应成员未被禁言，请视情况人工处理。")
        if "kick" in self.counts:
            lines.append("相应成员仍在群内，请核实后人工移出。")
        if "join_request" in self.counts:
            lines.append("相应入群申请尚未处理，请在群设置中人工审核。")
        lines.append("每次失败都已写入审计日志（/审计 可查看）；如持续失败，请联系运维人员检查机器人连接。")
        return "\n".join(lines)


Report = Callable[[Incident], Awaitable[None]]


class FailureDigest:
    """One incident per (platform, group): opened by the first final failure, reported `window`
    seconds after the last one (so a burst of failures gives one message, not one per failure)."""

    def __init__(self, report: Report, *, window: float = 60.0) -> None:
        self.report, self.window = report, window
        self._open: dict[tuple[str, str], Incident] = {}
        self._timers: dict[tuple[str, str], asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.reported = 0

    async def __call__(self, action: Action, error: BaseException) -> None:
        """A failure listener for the outbound queue."""
        if not action.report or action.kind not in REPORTED_KINDS:
            return
        key = (action.platform, action.group_id)
        now = datetime.now(UTC)
        inc = self._open.get(key)
        if inc is None:
            inc = self._open[key] = Incident(action.platform, action.group_id, now, now)
        inc.last = now
        inc.counts[action.kind] += 1
        inc.reasons[failure_reason(error)] += 1
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self._timers[key] = asyncio.get_running_loop().call_later(self.window, self._due, key)

    def _due(self, key: tuple[str, str]) -> None:
        self._timers.pop(key, None)
        inc = self._open.pop(key, None)
        if inc is None:
            return
        task = asyncio.ensure_future(self._send(inc))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, inc: Incident) -> None:
        try:
            await self.report(inc)
            self.reported += 1
        except Exception:
            logger.exception(f"failure report for group {inc.group_id} could not be sent")

    async def flush(self) -> None:
        """Report every open incident now (at shutdown, and in tests)."""
        for key in list(self._open):
            timer = self._timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            inc = self._open.pop(key)
            await self._send(inc)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def clear(self) -> None:
        """Forget open incidents without reporting them."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._open.clear()

    @property
    def open_incidents(self) -> int:
        return len(self._open)
