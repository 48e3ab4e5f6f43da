"""The outbound queue: every action the bot takes goes through here (SPEC §10).

- Priorities: recalls and mutes jump the line (a violating message should vanish in milliseconds);
  replies next; bulk work (kicks, reports) last.
- Token buckets: one global, one per group. Platforms punish bursts (QQ risk control bans accounts
  that kick or send too fast), so the defaults are conservative: 10/s overall, 1/s per group, burst 5.
  Recalls have their own lane and budget (per group and overall): under a burst of violations a
  recall never waits behind the warnings and mutes of earlier violations.
- Each attempt runs in its own task with its own timeout: the workers only dispatch, so an action
  the implementation never answers cannot hold up other groups.
- A failed or timed-out action is retried with exponential backoff (1, 2, 4 s after each failure;
  re-queued, so it never blocks other groups); after the last try it is reported to every failure
  listener (log, audit, owner).
- An action that fails because its platform is not connected is held, without using up its tries,
  and redone when the platform reconnects — a recall only while the platform still allows it
  (`recall_window` seconds after the message), anything else for at most `hold` seconds.
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
    timeout: float | None = None  # per attempt; None = the queue's default
    # Monotonic time after which the action is pointless (a recall past the platform's window).
    not_after: float | None = None
    # False for the failure reports themselves: a report that fails must not report itself.
    report: bool = True
    held: bool = False  # currently waiting for its platform to reconnect
    held_until: float = 0.0  # monotonic; when a held action gives up


FailureListener = Callable[[Action, BaseException], Awaitable[None]]


@dataclass
class QueueStats:
    done: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0  # refused because the group's (or recipient's) backlog was full


class Expired(GatewayError):
    """The platform was offline until the action was no longer possible or useful."""

    def __init__(self, action: str, why: str) -> None:
        super().__init__(action, why, retryable=False)


RECALL_LANE = "recall:"


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
        rate_recall: float = 5.0,
        burst_recall: int = 20,
        hold: float = 600.0,
        is_online: Callable[[str], bool] | None = None,
    ) -> None:
        self.rate_group, self.burst = rate_group, burst
        self.rate_recall, self.burst_recall = rate_recall, burst_recall
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.hold = hold
        # Whether a platform has a live connection; None = always (unit tests, single gateway).
        self.is_online = is_online
        self._global = TokenBucket(rate_global, burst)
        # Recalls draw on their own overall budget too (a few per second more is harmless: they
        # remove messages, which is what risk control wants; the sends stay paced as before).
        self._global_recall = TokenBucket(max(rate_global, rate_recall * 2), max(burst, burst_recall))
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
        self._tasks: set[asyncio.Task[None]] = set()
        self._tracked = 0  # follow-ups waiting on an action's outcome (see `after`)
        self._held: dict[str, list[Action]] = {}  # platform → actions waiting for a reconnect
        self._stopped = False
        self._listeners: list[FailureListener] = []
        # A flood of violations would otherwise queue warnings faster than the per-group pace sends
        # them: memory grows, and warnings trickle out long after the flood. Beyond this many waiting
        # actions per group or recipient, new non-urgent ones are refused (recalls and mutes never).
        self.max_pending = max_pending
        self._last_backlog_log: dict[str, float] = {}
        self.stats = QueueStats()

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self._stopped = False
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
        self._stopped = True
        for h in self._timers:
            h.cancel()
        self._timers.clear()
        # Whatever still waits (held for a reconnect, queued past the drain) will not be done by this
        # process: settle its future, so that nothing awaiting it — an event's task, which NoneBot
        # shields from cancellation — keeps the process from exiting. No failure report at shutdown.
        waiting = [a for held in self._held.values() for a in held]
        waiting += [entry[2] for lane in self._pending.values() for entry in lane]
        self._held.clear()
        for action in waiting:
            if action.future is not None and not action.future.done():
                action.future.set_exception(GatewayError(action.kind, "shutting down", retryable=False))
        tasks = [*self._workers, *self._tasks]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._workers = []
        self._tasks.clear()

    def on_failure(self, listener: FailureListener) -> None:
        self._listeners.append(listener)

    @property
    def pending(self) -> int:
        """Actions queued, waiting for a retry, or running (not those held for a reconnect)."""
        return sum(len(h) for h in self._pending.values()) + self._retrying + self._running + self._tracked

    @property
    def held(self) -> int:
        """Actions waiting for their platform to reconnect."""
        return sum(len(v) for v in self._held.values())

    def resume(self, platform: str) -> int:
        """The platform is connected again: queue its held actions (expired ones fail). Returns how
        many were queued again."""
        actions = self._held.pop(platform, [])
        now = time.monotonic()
        n = 0
        for a in actions:
            a.held = False
            if now >= a.held_until:
                self._spawn(self._fail(a, Expired(a.kind, "platform offline past the recall window")))
                continue
            logger.info(f"outbound {a.kind} group={a.group_id or '-'} redone after reconnect")
            self._push(a)
            n += 1
        return n

    # --- submit -----------------------------------------------------------------------------
    def submit(self, action: Action) -> asyncio.Future[Any]:
        """Queue an action; the returned future resolves with its result or its final error.

        Fire-and-forget callers may ignore the future: failures are reported to the listeners.
        """
        action.future = asyncio.get_running_loop().create_future()
        # A future nobody awaits must not log "exception was never retrieved".
        action.future.add_done_callback(lambda f: f.cancelled() or f.exception())
        if self._stopped:  # shutting down: nothing would ever run it
            action.future.set_exception(GatewayError(action.kind, "shutting down", retryable=False))
            return action.future
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
        key = action.group_id or f"@{action.target}"
        return RECALL_LANE + key if action.kind == "recall" else key

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
            if key.startswith(RECALL_LANE):
                b = self._buckets[key] = TokenBucket(self.rate_recall, self.burst_recall)
            else:
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

    def after(
        self, future: asyncio.Future[Any], then: Callable[[BaseException | None], Awaitable[None]]
    ) -> None:
        """Run `then(error or None)` once `future` (an action's) has its outcome. Counted in
        `pending` until done, so a drained queue has also queued what follows from its actions."""
        self._tracked += 1

        async def follow() -> None:
            try:
                await asyncio.wait([future])
                error = asyncio.CancelledError() if future.cancelled() else future.exception()
                await then(error)
            except Exception:
                logger.exception("outbound follow-up failed")
            finally:
                self._tracked -= 1

        self._spawn(follow())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self) -> None:
        while True:
            _, _, key = await self._ready.get()
            action = self._next(key)
            if action is None:
                continue
            self._running += 1
            bucket = self._global_recall if key.startswith(RECALL_LANE) else self._global
            try:
                # Sleeping exactly until the next global token is due; not a busy wait.
                while (wait := bucket.wait_time()) > 0:  # noqa: ASYNC110
                    await asyncio.sleep(wait)
                bucket.take()
            except BaseException:
                self._running -= 1
                raise
            # The attempt runs in its own task: a call that is never answered waits out its own
            # timeout there, while this worker goes on dispatching other groups' actions.
            self._spawn(self._run_attempt(action))

    async def _run_attempt(self, action: Action) -> None:
        try:
            await self._attempt(action)
        finally:
            self._running -= 1

    def _offline(self, action: Action) -> bool:
        return self.is_online is not None and bool(action.platform) and not self.is_online(action.platform)

    def _hold(self, action: Action) -> None:
        """Keep the action until its platform reconnects (or until it expires)."""
        action.attempts -= 1  # an attempt against a closed connection does not count
        now = time.monotonic()
        deadline = now + self.hold
        if action.not_after is not None:
            deadline = min(deadline, action.not_after)
        if deadline <= now:
            self._spawn(self._fail(action, Expired(action.kind, "platform offline past the recall window")))
            return
        action.held = True
        action.held_until = deadline
        self._held.setdefault(action.platform, []).append(action)
        logger.warning(
            f"outbound {action.kind} group={action.group_id or '-'}: {action.platform} offline, "
            f"held for up to {deadline - now:.0f}s until it reconnects"
        )
        loop = asyncio.get_running_loop()

        def expire() -> None:
            self._timers.discard(handle)
            waiting = self._held.get(action.platform, [])
            if action in waiting:
                waiting.remove(action)
                action.held = False
                self._spawn(self._fail(action, Expired(action.kind, "platform offline for too long")))

        handle = loop.call_later(deadline - now, expire)
        self._timers.add(handle)

    async def _attempt(self, action: Action) -> None:
        action.attempts += 1
        fut = action.future
        if fut is not None and fut.done():
            return  # cancelled by its submitter meanwhile
        try:
            result = await asyncio.wait_for(action.run(), action.timeout or self.timeout)
        except (GatewayError, TimeoutError, OSError) as e:
            retryable = not isinstance(e, GatewayError) or e.retryable
            if retryable and self._offline(action):
                self._hold(action)
                return
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
        if action.future is not None and action.future.done():
            return
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
