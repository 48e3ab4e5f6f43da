"""Posting deferred notices: exactly once, across restarts and across bot processes.

A background loop (started on driver start-up, stopped on shutdown) polls the database every few
seconds — and at once when a bot account connects — for queued notices whose time has come. Each
one is claimed with a conditional UPDATE before it is sent (see :mod:`bot.store.notices`), so with
several processes on one PostgreSQL database only one of them posts it. A notice whose due time
passed while the bot was down is posted when the bot is back, and marked late.

What can still go wrong, and what happens:

* the platform refuses or times out (after the outbound queue's own retries): the notice goes back
  to the queue and is tried again after 5, then 15 minutes; after that it is ``failed`` and the
  author is told privately;
* the process dies between the claim and the platform's answer: nobody can know whether the notice
  reached the group, and posting it again could post it twice. After :data:`STALE_CLAIM` the claim
  is closed as ``interrupted`` and the author is asked to check the group.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from loguru import logger

from bot.gateway.outbound import Priority
from bot.models.worktime import DeferredNotice, NoticeState
from bot.plugins.worktime import clock, series
from bot.plugins.worktime.texts import posted_text, when
from bot.polling import PollingLoop
from bot.runtime import Runtime, get_runtime
from bot.store import audit, notices

POLL_SECONDS = 3.0
LATE_AFTER = timedelta(minutes=2)
"""A notice posted later than this after its due time is marked late (and its author told)."""
STALE_CLAIM = timedelta(minutes=10)
"""Longer than any send with the outbound queue's retries; an older claim's process has died."""
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15))
BATCH = 20

WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}"
"""Names this process in a claim (host:pid)."""


def connected(rt: Runtime, platform: str) -> bool:
    """Whether an account of ``platform`` is connected (otherwise a due notice waits for it)."""
    return any(c.gateway.platform == platform for c in rt.registry.connections())


async def post_notice(rt: Runtime, notice: DeferredNotice, now: datetime) -> bool:
    """Claim ``notice`` and post it; False when another process claimed it or sending failed.

    ``now`` is the logical time of the post (the scheduler's clock, or the event time of the
    command that posts at once); a post more than :data:`LATE_AFTER` after ``due_at`` is late.
    """
    assert notice.id is not None
    if not await notices.claim(notice.id, WORKER, clock.now()):
        return False
    late = notice.due_at is not None and now - notice.due_at > LATE_AFTER
    # After a restart no event has told the registry which account serves the group yet: use the
    # account that received the command rather than any account of the platform.
    rt.registry.note_group(notice.platform, notice.group_id, notice.self_id)
    mention = ("all",) if notice.at_all and notice.platform == "qq" else ()
    try:
        message_id = await rt.actions.send_group(
            notice.platform,
            notice.group_id,
            posted_text(notice, late=late, reference=now),
            mention=mention,
            priority=Priority.REPLY,
        )
    except Exception as e:
        await _failed(rt, notice, now, e)
        return False
    if not await notices.mark_posted(notice.id, WORKER, now, late=late, message_id=str(message_id or "")):
        logger.warning(f"notice #{notice.id} was posted but its claim had been closed meanwhile")
    await audit.record(
        "notice.posted",
        actor="bot",
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        rule="off_hours",
        reason=f"发布通知 #{notice.id}"
        + (f"（迟于原定的 {when(notice.due_at, now)}）" if late and notice.due_at else ""),
        detail={"notice": notice.id, "late": late, "urgent": notice.urgent, "due_at": _iso(notice.due_at)},
    )
    if late and notice.due_at is not None:
        rt.actions.send_private(
            notice.platform,
            notice.self_id,
            notice.author_id,
            f"您的通知 #{notice.id} 原定 {when(notice.due_at, now)} 发布，因机器人离线或发送失败，"
            f"已于 {when(now)} 补发到群 {notice.group_id}。如内容已过时，请在群内补充说明。",
            priority=Priority.BULK,
        )
    return True


async def _failed(rt: Runtime, notice: DeferredNotice, now: datetime, error: BaseException) -> None:
    assert notice.id is not None
    attempt = notice.attempts  # attempts before this one
    retry_at = now + RETRY_DELAYS[attempt] if attempt < len(RETRY_DELAYS) else None
    reason = f"{type(error).__name__}: {error}"
    state = await notices.release(notice.id, WORKER, reason, retry_at)
    logger.warning(f"notice #{notice.id} not posted ({reason}); now {state}")
    await audit.record(
        "notice.post_failed",
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        reason=f"通知 #{notice.id} 发送失败（第 {attempt + 1} 次）",
        detail={"notice": notice.id, "error": type(error).__name__, "retry_at": _iso(retry_at)},
    )
    if state is NoticeState.FAILED:
        rt.actions.send_private(
            notice.platform,
            notice.self_id,
            notice.author_id,
            f"抱歉，您的通知 #{notice.id}（发往群 {notice.group_id}）连续 {attempt + 1} 次发送失败，"
            "已停止重试。可能是机器人被禁言或已不在群内，请联系群管理员处理后重新发送 /通知。",
            priority=Priority.BULK,
        )


async def interrupt_stale_claims(rt: Runtime, now: datetime) -> int:
    """Close the claims of processes that died while sending, and tell the authors."""
    closed = await notices.interrupt_stale(now, STALE_CLAIM)
    for notice in closed:
        await audit.record(
            "notice.interrupted",
            platform=notice.platform,
            group_id=notice.group_id,
            target=notice.author_id,
            reason=f"通知 #{notice.id} 发送时机器人中断，无法确认是否已发出",
            detail={"notice": notice.id, "claimed_by": notice.claimed_by},
        )
        if connected(rt, notice.platform):
            rt.actions.send_private(
                notice.platform,
                notice.self_id,
                notice.author_id,
                f"您的通知 #{notice.id} 在发送过程中机器人意外中断，无法确认是否已发到群 {notice.group_id}。"
                "为避免重复发布，机器人不会自动重发。请查看群消息，如未发出请重新发送 /通知。",
                priority=Priority.BULK,
            )
    return len(closed)


async def post_due(rt: Runtime, now: datetime) -> int:
    """Post every queued notice due at ``now`` whose platform is connected; returns how many.

    Recurring notices whose occurrence has come get that occurrence's post first."""
    await interrupt_stale_claims(rt, clock.now())
    await series.materialise_due(rt, now)
    posted = 0
    for notice in await notices.due(now, limit=BATCH):
        if not connected(rt, notice.platform):
            continue
        posted += await post_notice(rt, notice, now)
    return posted


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class Scheduler(PollingLoop):
    """The polling loop. ``wake()`` makes it look now (a bot connected, a notice was approved)."""

    name = "steward-notice-scheduler"

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(poll_seconds)

    async def tick(self) -> None:
        await post_due(get_runtime(), clock.now())


notice_loop = Scheduler()
"""This process's scheduler (started and stopped by the plugin's driver hooks)."""
