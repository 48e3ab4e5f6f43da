"""The review's background loop: flush activity, create the week's runs, do due runs, clean up.

Runs are rows in the database (``steward_review_run``), so nothing is lost on restart: each poll

1. writes the activity buffered in memory (:mod:`bot.store.activity`);
2. for every group the bot knows whose scheduled time this week (preset ``review_weekday`` /
   ``review_time``: by default the first working day of the week, 09:00) has passed, inserts the
   week's run — unique per group and ISO week, so a run missed while the bot was down is created once
   when it comes back, and never twice;
3. claims due runs (``due → running``) and does them; runs left ``running`` by a dead process go back
   to ``due`` after :data:`STALE_RUN` (a run writes nothing until it is done);
4. works through confirmed removals, one task per group (see :mod:`.cleanup`).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, time, timedelta

from loguru import logger

from bot.core.calendar import TZ, WorkCalendar, to_local
from bot.plugins.review import clock
from bot.plugins.review.cleanup import process_group
from bot.plugins.review.runner import WORKER, execute
from bot.polling import PollingLoop
from bot.runtime import Runtime, get_runtime
from bot.store import activity, groups
from bot.store import review as store

POLL_SECONDS = 5.0
FLUSH_SECONDS = 10.0
STALE_RUN = timedelta(minutes=15)
BATCH = 10


def slot_for(cal: WorkCalendar, weekday: int, at_time: str, moment: datetime) -> tuple[str, datetime] | None:
    """The scheduled review of the ISO week of ``moment``: (slot name, when), or None when the week
    has no working day for it (``weekday`` 0: the first working day; 1–7: Monday–Sunday)."""
    local = to_local(moment).date()
    monday = local - timedelta(days=local.weekday())
    if weekday == 0:
        day: date = monday if cal.is_working_day(monday) else cal.next_working_day(monday)
        if day - monday >= timedelta(days=7):
            return None  # a week without a working day (a long holiday)
    else:
        day = monday + timedelta(days=weekday - 1)
    hh, mm = (int(x) for x in at_time.split(":"))
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", datetime.combine(day, time(hh, mm), tzinfo=TZ)


def connected(rt: Runtime, platform: str) -> bool:
    return any(c.gateway.platform == platform for c in rt.registry.connections())


async def schedule_due(rt: Runtime, now: datetime) -> int:
    """Create this week's runs whose time has passed (once per group and week); returns how many."""
    wanted: dict[tuple[str, datetime], list[tuple[str, str, str]]] = {}
    taken: dict[str, set[tuple[str, str]]] = {}
    for g in await groups.known_groups():
        preset = rt.policy.for_group(g.group_id).preset
        if not preset.review_enabled:
            continue
        slot = slot_for(rt.calendar(g.group_id), preset.review_weekday, preset.review_time, now)
        if slot is None:
            continue
        name, when = slot
        # A group first seen after this week's time waits for next week (no burst of reviews of
        # every group at the first start).
        if now < when or g.first_seen > when:
            continue
        if name not in taken:
            taken[name] = await store.slots_taken(name)
        if (g.platform, g.group_id) in taken[name]:
            continue
        wanted.setdefault((name, when), []).append((g.platform, g.group_id, g.self_id))
    # One statement per slot (and 500 groups), not a transaction per group; another process
    # creating the same runs meanwhile is no error (the unique slot skips them).
    created = 0
    for (name, when), rows in wanted.items():
        created += await store.create_scheduled_many(rows, name, when)
    return created


async def run_due(rt: Runtime, now: datetime) -> int:
    """Do every due run whose platform is connected; returns how many were done."""
    await store.release_stale_runs(now, STALE_RUN)
    platforms = {c.gateway.platform for c in rt.registry.connections()}
    if not platforms:
        return 0
    done = 0
    # Claimed in one statement: processes sharing the database split the due runs between them
    # instead of racing for the same ones.
    for run in await store.claim_due_runs(now, WORKER, limit=BATCH, platforms=platforms):
        done += await execute(rt, run, now, claimed=True)
    return done


async def report_results(rt: Runtime, platform: str, group_id: str, results: list[str]) -> None:
    if not results:
        return
    cite = rt.policy.for_group(group_id).preset.cite("weekly_review")
    text = "清理结果（" + cite + "）：\n" + "\n".join(results)
    rt.actions.send_group(platform, group_id, text)


class Scheduler(PollingLoop):
    """The polling loop. ``wake()`` makes it look now (a bot connected, /巡查, /清理 确认)."""

    name = "steward-review-scheduler"

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(poll_seconds)
        self._cleanups: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._last_flush = 0.0

    async def stop(self, grace: float = 10.0) -> None:
        await super().stop(grace)

    async def before_stop(self) -> None:
        for t in list(self._cleanups.values()):
            t.cancel()  # a kick in flight stays claimed; the next start checks the member list
        for t in list(self._cleanups.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._cleanups.clear()

    async def teardown(self) -> None:
        await activity.flush()

    async def tick(self) -> None:
        await self.poll(get_runtime())

    def start_cleanups(self, rt: Runtime, pairs: list[tuple[str, str]]) -> None:
        for key in pairs:
            if not connected(rt, key[0]):
                continue
            task = self._cleanups.get(key)
            if task is not None and not task.done():
                continue
            self._cleanups[key] = asyncio.create_task(
                self._cleanup(rt, *key), name=f"steward-cleanup-{key[1]}"
            )

    async def _cleanup(self, rt: Runtime, platform: str, group_id: str) -> None:
        try:
            await report_results(rt, platform, group_id, await process_group(rt, platform, group_id))
        except Exception:
            logger.exception(f"cleanup of group {group_id} failed")

    async def poll(self, rt: Runtime) -> None:
        loop = asyncio.get_running_loop()
        if activity.pending() and (
            activity.pending() >= activity.FLUSH_AT or loop.time() - self._last_flush >= FLUSH_SECONDS
        ):
            await activity.flush()
            self._last_flush = loop.time()
        now = clock.now()
        await schedule_due(rt, now)
        await run_due(rt, now)
        self.start_cleanups(rt, await store.cleanup_groups())


review_loop = Scheduler()
"""This process's scheduler (started and stopped by the plugin's driver hooks)."""
