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
import enum
import heapq
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
    dropped: int = 0  # refused because the group's (or recipient's) backlog was full


class Backlogged(GatewayError):
    """The action was refused: its group or recipient already has `max_pending` actions waiting."""

    def __init__(self, action: str, key: str) -> None:
        super().__init__(action, f"backlog full for {key}", retryable=False)


class OutboundQueue:
    """Per-key queues (a group, or one private recipient) and a ready line of keys.

    A worker never sleeps on a group's bucket: a key whose bucket is empty is put back on the ready
    line when its next token is due, so a busy group cannot hold up the others. Within a key,
    actions keep their order (by priority, then arrival).
    """

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
        max_pending: int = 50,
    ) -> None:
        self.rate_group, self.burst = rate_group, burst
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self._global = TokenBucket(rate_global, burst)
        self._buckets: dict[str, TokenBucket] = {}
        self._pending: dict[str, list[tuple[int, int, Action]]] = {}
        self._scheduled: set[str] = set()
        self._ready: asyncio.PriorityQueue[tuple[int, int, str]] = asyncio.PriorityQueue()
        self._seq = itertools.count()
        self._workers: list[asyncio.Task[None]] = []
        self._n_workers = workers
        self._timers: set[asyncio.TimerHandle] = set()
        self._running = 0
        self._retrying = 0
        self._listeners: list[FailureListener] = []
        # A flood of violations would otherwise queue warnings faster than the per-group pace sends
        # them: memory grows, and warnings trickle out long after the flood. Beyond this many waiting
        # actions per group or recipient, new non-urgent ones are refused (recalls and mutes never).
        self.max_pending = max_pending
        self._last_backlog_log: dict[str, float] = {}
        self.stats = QueueStats()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        if not self._workers:
            self._workers = [
                asyncio.create_task(self._work(), name=f"outbound-{i}") for i in range(self._n_workers)
            ]

    async def stop(self, drain: float = 5.0) -> None:
        """Let queued actions finish (up to `drain` seconds), then stop the workers."""
        deadline = time.monotonic() + drain
        # Polling is fine here: it runs once, at shutdown, for at most `drain` seconds.
        while self.pending and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        for h in self._timers:
            h.cancel()
        self._timers.clear()
        for t in self._workers:
            t.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    def on_failure(self, listener: FailureListener) -> None:
        self._listeners.append(listener)

    @property
    def pending(self) -> int:
        """Actions queued, waiting for a retry, or running."""
        return sum(len(h) for h in self._pending.values()) + self._retrying + self._running

    # --- submit -----------------------------------------------------------------------------
    def submit(self, action: Action) -> asyncio.Future[Any]:
        """Queue an action; the returned future resolves with its result or its final error.

        Fire-and-forget callers may ignore the future: failures are reported to the listeners.
        """
        action.future = asyncio.get_running_loop().create_future()
        # A future nobody awaits must not log "exception was never retrieved".
        action.future.add_done_callback(lambda f: f.cancelled() or f.exception())
        key = self._key(action)
        if action.priority is not Priority.URGENT and len(self._pending.get(key, ())) >= self.max_pending:
            self.stats.dropped += 1
            now = time.monotonic()
            if now - self._last_backlog_log.get(key, -60.0) >= 60.0:
                self._last_backlog_log[key] = now
                logger.warning(
                    f"outbound backlog for {key} is full ({self.max_pending}): dropping {action.kind}"
                )
            action.future.set_exception(Backlogged(action.kind, key))
            return action.future
        self._push(action)
        return action.future

    @staticmethod
    def _key(action: Action) -> str:
        return action.group_id or f"@{action.target}"

    def _push(self, action: Action) -> None:
        key = self._key(action)
        heapq.heappush(self._pending.setdefault(key, []), (int(action.priority), next(self._seq), action))
        # An urgent action also gets its own ready entry so it need not wait for the key's turn.
        if key not in self._scheduled or action.priority is Priority.URGENT:
            self._schedule(key)

    def _schedule(self, key: str, delay: float = 0.0) -> None:
        self._scheduled.add(key)
        if delay <= 0:
            head = self._pending[key][0][0] if self._pending.get(key) else int(Priority.BULK)
            self._ready.put_nowait((head, next(self._seq), key))
            return
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.discard(handle)
            self._schedule(key)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def _bucket(self, key: str) -> TokenBucket:
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = TokenBucket(self.rate_group, self.burst)
        return b

    # --- work -------------------------------------------------------------------------------
    def _next(self, key: str) -> Action | None:
        """Take the key's head action if its bucket allows; otherwise reschedule the key."""
        heap = self._pending.get(key)
        if not heap:
            self._scheduled.discard(key)
            return None
        wait = self._bucket(key).wait_time()
        if wait > 0:
            self._schedule(key, wait)
            return None
        self._bucket(key).take()
        _, _, action = heapq.heappop(heap)
        if heap:
            self._schedule(key)
        else:
            self._scheduled.discard(key)
            del self._pending[key]
        return action

    async def _work(self) -> None:
        while True:
            _, _, key = await self._ready.get()
            action = self._next(key)
            if action is None:
                continue
            self._running += 1
            try:
                # Sleeping exactly until the next global token is due; not a busy wait.
                while (wait := self._global.wait_time()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
                self._global.take()
                await self._attempt(action)
            finally:
                self._running -= 1

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
        self._retrying += 1

        def fire() -> None:
            self._timers.discard(handle)
            self._retrying -= 1
            self._push(action)

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    async def _fail(self, action: Action, error: BaseException) -> None:
        self.stats.failed += 1
        logger.error(
            f"outbound {action.kind} group={action.group_id or '-'} gave up after "
            f"{action.attempts} attempt(s): {error}"
        )
        for listener in self._listeners:
            try:
                await listener(action, error)
            except Exception:
                logger.exception("failure listener raised")
        if action.future and not action.future.done():
            action.future.set_exception(error)
