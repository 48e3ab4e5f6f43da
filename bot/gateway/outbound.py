"""The outbound queue: every action the bot takes goes through here (SPEC §10).

- Priorities: recalls and mutes jump the line (a violating message should vanish in milliseconds);
  replies next; bulk work (kicks, reports) last.
- Token buckets: one global, one per group. Platforms punish bursts (QQ risk control bans accounts
  that kick or send too fast), so the defaults are conservative: 10/s overall, 1/s per group, burst 5.
- A failed or timed-out action is retried with exponential backoff (re-queued, so it never blocks
  other groups); after the last try it is reported to every failure listener (log, audit, owner).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from bot.gateway.base import GatewayError


class Priority(enum.IntEnum):
    URGENT = 0  # recall, mute
    REPLY = 1  # answers to commands, warnings
    BULK = 2  # kicks during a cleanup, reports, reminders


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.tokens, self.stamp = float(burst), clock()

    def wait_time(self) -> float:
        """Seconds until a token is available (0 = now). Does not take it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Action:
    """One thing to do to a chat. `run` performs it (given nothing: it closes over the gateway)."""

    kind: str  # send_group, send_private, recall, mute, kick, join_request, …
    run: Callable[[], Awaitable[Any]]
    group_id: str = ""  # rate-limit key; "" = private chat, limited only globally
    platform: str = ""
    target: str = ""
    priority: Priority = Priority.REPLY
    attempts: int = 0
    future: asyncio.Future[Any] | None = field(default=None, repr=False)


FailureListener = Callable[[Action, BaseException], Awaitable[None]]


@dataclass
class QueueStats:
    done: int = 0
    retried: int = 0
    failed: int = 0


class OutboundQueue:
    def __init__(
        self,
        *,
        rate_global: float = 10.0,
        rate_group: float = 1.0,
        burst: int = 5,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        workers: int = 4,
    ) -> None:
        self.rate_group, self.burst = rate_group, burst
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._global = TokenBucket(rate_global, burst)
        self._groups: dict[str, TokenBucket] = {}
        self._q: asyncio.PriorityQueue[tuple[int, int, Action]] = asyncio.PriorityQueue()
        self._seq = itertools.count()
        self._workers: list[asyncio.Task[None]] = []
        self._n_workers = workers
        self._delayed: set[asyncio.TimerHandle] = set()
        self._listeners: list[FailureListener] = []
        self.stats = QueueStats()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if not self._workers:
            self._workers = [asyncio.create_task(self._work(), name=f"outbound-{i}") for i in range(self._n_workers)]

    async def stop(self, drain: float = 5.0) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._q.join(), drain)
        for h in self._delayed:
            h.cancel()
        for t in self._workers:
            t.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    def on_failure(self, listener: FailureListener) -> None:
        self._listeners.append(listener)

    @property
    def pending(self) -> int:
        return self._q.qsize() + len(self._delayed)

    # --- submit -----------------------------------------------------------------------------
    def submit(self, action: Action) -> asyncio.Future[Any]:
        """Queue an action; the returned future resolves with its result or its final error.

        Fire-and-forget callers may ignore the future: failures are reported to the listeners.
        """
        action.future = asyncio.get_running_loop().create_future()
        # A future nobody awaits must not log "exception was never retrieved".
        action.future.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._put(action)
        return action.future

    def _put(self, action: Action) -> None:
        self._q.put_nowait((int(action.priority), next(self._seq), action))

    # --- work -------------------------------------------------------------------------------
    def _bucket(self, group_id: str) -> TokenBucket | None:
        if not group_id:
            return None
        b = self._groups.get(group_id)
        if b is None:
            b = self._groups[group_id] = TokenBucket(self.rate_group, self.burst)
        return b

    async def _acquire(self, group_id: str) -> None:
        gb = self._bucket(group_id)
        while True:
            wait = max(self._global.wait_time(), gb.wait_time() if gb else 0.0)
            if wait <= 0:
                self._global.take()
                if gb:
                    gb.take()
                return
            await asyncio.sleep(wait)

    async def _work(self) -> None:
        while True:
            _, _, action = await self._q.get()
            try:
                await self._acquire(action.group_id)
                await self._attempt(action)
            finally:
                self._q.task_done()

    async def _attempt(self, action: Action) -> None:
        action.attempts += 1
        fut = action.future
        try:
            result = await asyncio.wait_for(action.run(), self.timeout)
        except (GatewayError, TimeoutError, OSError) as e:
            retryable = not isinstance(e, GatewayError) or e.retryable
            if retryable and action.attempts <= self.retries:
                self.stats.retried += 1
                delay = self.backoff * 2 ** (action.attempts - 1)
                logger.warning(
                    f"outbound {action.kind} group={action.group_id or '-'} failed ({type(e).__name__}), "
                    f"retry {action.attempts}/{self.retries} in {delay:.1f}s"
                )
                self._retry_later(action, delay)
                return
            await self._fail(action, e)
        except Exception as e:  # a bug in the action itself: report, never kill the worker
            logger.exception(f"outbound {action.kind} raised unexpectedly")
            await self._fail(action, e)
        else:
            self.stats.done += 1
            if fut and not fut.done():
                fut.set_result(result)

    def _retry_later(self, action: Action, delay: float) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._delayed.discard(handle)
            self._put(action)

        handle = loop.call_later(delay, fire)
        self._delayed.add(handle)

    async def _fail(self, action: Action, error: BaseException) -> None:
        self.stats.failed += 1
        logger.error(f"outbound {action.kind} group={action.group_id or '-'} gave up after "
                     f"{action.attempts} attempt(s): {error}")
        for listener in self._listeners:
            try:
                await listener(action, error)
            except Exception:
                logger.exception("failure listener raised")
        if action.future and not action.future.done():
            action.future.set_exception(error)
