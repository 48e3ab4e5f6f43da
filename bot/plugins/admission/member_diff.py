"""Arrivals and departures where the implementation sends no member notices (ComWeChatBotClient).

Every ``steward_wechat_member_poll`` seconds, for each connected WeChat account: ``get_group_list``,
then each group's ``get_group_member_list`` through the paced outbound queue (``Priority.BULK``, one
group at a time), compared with the list seen before (``steward_member_snapshot``, so a restart diffs
against what was seen before it). What the diff finds becomes the same notice records an implementation
with member notices would send, run through the same notice hooks: an arrival gets the /实名 invitation,
grace period and reminders; a departure closes its binding; a group missing twice in a row from its
account's group list deregisters as if the bot had been removed.

The first list of a group is not a diff: the group is met (day one onboards its existing members through
:func:`bot.plugins.admission.onboarding.onboard_members`) and the list becomes the baseline.
v12 member notices, where an implementation sends them, keep the snapshot in step, so the diff does not
find their members a second time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from loguru import logger

from bot.core.member_diff import Diff, diff
from bot.dispatch import CommandContext
from bot.dispatch.hooks import notice_hooks, run_hooks, status_line
from bot.dispatch.roles import role_book
from bot.gateway.base import Member
from bot.gateway.outbound import Priority
from bot.intake.record import NoticeRecord
from bot.plugins.admission.onboarding import meet_group
from bot.polling import PollingLoop
from bot.runtime import Runtime
from bot.store import admission as adm
from bot.store import snapshots

PLATFORM: Final = "wechat"
SOURCE = "member_list"  # NoticeRecord.extra["source"] of the records this module makes
MISSES_TO_DEREGISTER = 2
LIST_TIMEOUT = 30.0
GROUP_PACE = 0.5  # seconds between two groups' member lists (the queue paces the calls themselves)


def _record(kind: str, group_id: str, user_id: str, self_id: str, at: datetime) -> NoticeRecord:
    return NoticeRecord(
        platform=PLATFORM,
        self_id=self_id,
        kind=kind,
        sub_type="",  # a list cannot tell a join from an invitation, nor leaving from being removed
        group_id=group_id,
        user_id=user_id,
        operator_id="",
        time=at,
        extra={"source": SOURCE},
        received=at,
    )


async def diff_group(rt: Runtime, group_id: str, self_id: str, members: list[Member], now: datetime) -> Diff:
    """Compare one group's member list with its snapshot and act on the difference."""
    ids = frozenset(m.user_id for m in members if m.user_id)
    old = await snapshots.get(PLATFORM, group_id)
    if old is None:
        if await snapshots.swap(PLATFORM, group_id, self_id, None, ids, now):
            await meet_group(rt, PLATFORM, group_id, self_id, now, how="sync")
        return Diff(frozenset(), frozenset())
    d = diff(old.members, ids, self_id)
    if not d.arrived and not d.left and old.self_id == self_id and not old.missing:
        return d
    if not await snapshots.swap(PLATFORM, group_id, self_id, old, ids, now):
        return Diff(frozenset(), frozenset())  # another process took this change
    for uid in sorted(d.arrived):
        if await adm.open_binding(PLATFORM, group_id, uid) or await adm.open_for_member(
            PLATFORM, group_id, uid
        ):
            continue  # already known to admission (a notice got there first)
        await run_hooks(notice_hooks, _record("member_join", group_id, uid, self_id, now), rt)
    for uid in sorted(d.left):
        await run_hooks(notice_hooks, _record("member_leave", group_id, uid, self_id, now), rt)
    return d


async def poll_account(rt: Runtime, gw: object, now: Callable[[], datetime]) -> tuple[int, int, int]:
    """One account's groups: (groups listed, arrivals, departures)."""
    self_id = str(getattr(gw, "self_id", ""))
    group_list = getattr(gw, "group_list", None)
    if group_list is None:
        return 0, 0, 0
    try:
        listed = set(await asyncio.wait_for(group_list(), LIST_TIMEOUT))
    except Exception as e:
        logger.warning(f"member diff: group list of account {self_id} unavailable ({type(e).__name__})")
        return 0, 0, 0
    # Groups this account had and no longer has: deregistered after MISSES_TO_DEREGISTER polls.
    for gid, snap in (await snapshots.all_of(PLATFORM)).items():
        if snap.self_id == self_id and gid not in listed:
            if await snapshots.missed(PLATFORM, gid) >= MISSES_TO_DEREGISTER:
                await run_hooks(notice_hooks, _record("bot_kicked", gid, self_id, self_id, now()), rt)
                await snapshots.drop(PLATFORM, gid)
    arrived = left = 0
    for n, gid in enumerate(sorted(listed)):
        if n:
            await asyncio.sleep(GROUP_PACE)
        rt.registry.note_group(PLATFORM, gid, self_id)
        try:
            fut = rt.actions.member_list(PLATFORM, gid, priority=Priority.BULK)
            members: list[Member] = await asyncio.wait_for(asyncio.shield(fut), LIST_TIMEOUT)
        except Exception as e:
            logger.warning(f"member diff: member list of group {gid} unavailable ({type(e).__name__})")
            continue
        if not members:
            continue  # an empty list is an implementation's hiccup, not everyone leaving
        d = await diff_group(rt, gid, self_id, members, now())
        arrived += len(d.arrived)
        left += len(d.left)
    return len(listed), arrived, left


async def on_member_notice(rec: NoticeRecord, rt: Runtime) -> None:
    """A WeChat member notice from the implementation keeps the snapshot in step with it."""
    if rec.platform != PLATFORM or rec.extra.get("source") == SOURCE:
        return
    if rec.kind == "bot_kicked" or (rec.kind == "member_leave" and rec.user_id == rec.self_id):
        await snapshots.drop(PLATFORM, rec.group_id)
    elif rec.kind == "member_join" and rec.user_id:
        await snapshots.change(PLATFORM, rec.group_id, add=(rec.user_id,), now=rec.received)
    elif rec.kind in ("member_leave", "member_kicked") and rec.user_id:
        await snapshots.change(PLATFORM, rec.group_id, remove=(rec.user_id,), now=rec.received)


class MemberDiffLoop(PollingLoop):
    """Polls WeChat member lists every ``steward_wechat_member_poll`` seconds (0: never)."""

    name = "member-diff"

    def __init__(self) -> None:
        super().__init__(5.0)
        self._rt_getter: Callable[[], Runtime] | None = None
        self._next = 0.0
        self.last_cost: float | None = None  # seconds the last full poll took

    def start(self, rt_getter: Callable[[], Runtime] | None = None) -> None:  # type: ignore[override]
        if rt_getter is not None:
            self._rt_getter = rt_getter
        super().start()

    async def tick(self) -> None:
        assert self._rt_getter is not None, "MemberDiffLoop.start(rt_getter) first"
        rt = self._rt_getter()
        interval = rt.settings.steward_wechat_member_poll
        if interval <= 0 or time.monotonic() < self._next:
            return
        accounts = [c.gateway for c in rt.registry.connections() if c.gateway.platform == PLATFORM]
        if not accounts:
            return
        self._next = time.monotonic() + interval
        started = time.perf_counter()
        for gw in accounts:
            await poll_account(rt, gw, lambda: datetime.now(UTC))
        self.last_cost = time.perf_counter() - started


member_diff = MemberDiffLoop()


@status_line
async def _status(rt: Runtime, ctx: CommandContext) -> list[str]:
    """In a WeChat group: whether its owner is known, and how its arrivals are found."""
    rec = ctx.record
    if rec.platform != PLATFORM or not rec.is_group:
        return []
    lines = []
    if not role_book.owners(PLATFORM, rec.group_id) and not rt.policy.for_group(rec.group_id).owner:
        lines.append(
            "群主：尚未指定（微信成员列表不含群主和管理员）。请运维或监管人员发送 /规则 群主 @成员 指定；"
            "在此之前，需告知群主的事项改发给本单位监管人员，不会发到群里。"
        )
    interval = rt.settings.steward_wechat_member_poll
    if interval > 0:
        cost = f"，上次比对用时 {member_diff.last_cost:.1f} 秒" if member_diff.last_cost is not None else ""
        lines.append(f"新成员发现：每 {interval / 60:g} 分钟比对一次群成员列表{cost}")
    else:
        lines.append("新成员发现：未启用成员列表比对（STEWARD_WECHAT_MEMBER_POLL=0），仅依据成员变动通知")
    return lines
