"""Recurring notices and broadcasts: the posts of a series are child rows of ``steward_notice``.

A recurring notice is one row (``kind = recurring``, ``state = active``) whose ``due_at`` is its next
occurrence. When that moment comes, the scheduler creates the occurrence's post — a queued child —
and moves the series on to the following occurrence. Both steps are safe with several processes:
the child's unique index (parent, group, occurrence) lets only one insert succeed, and the move is a
conditional update on the occurrence that was read. A process that dies between them leaves the
series at the same occurrence; the next tick finds the child there and only moves the series on.

A broadcast is one row (``kind = broadcast``) with its target groups; dispatching it creates one
queued child per group — posted, like every notice, exactly once by the scheduler and paced per
group by the outbound queue. The notice is recorded once, whatever the number of groups.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from loguru import logger

from bot.core.calendar import to_local
from bot.core.schedule import Recurrence
from bot.models.worktime import DeferredNotice, NoticeState
from bot.runtime import Runtime
from bot.store import audit, groups, notices

MISSED_AFTER = timedelta(hours=4)
"""An occurrence the bot reaches later than this (it was down) is skipped, not posted late: a
weekly reminder a day late says the wrong thing. The skip is audited."""

_CATCH_UP = 400  # occurrences skipped in one go at most (a bot down for a year, daily series)


def first_due(rec: Recurrence, rt: Runtime, group_id: str, now: datetime) -> datetime:
    """The first occurrence of ``rec`` after ``now`` in ``group_id``'s calendar."""
    return rec.next_after(now, rt.calendar(group_id))


def post_time(rt: Runtime, group_id: str, moment: datetime, *, urgent: bool) -> datetime:
    """When a post meant for ``moment`` goes out: then, or at the next working-hours start."""
    cal = rt.calendar(group_id)
    return moment if urgent or cal.is_working_time(moment) else cal.next_working_start(moment)


async def materialise_due(rt: Runtime, now: datetime) -> int:
    """Create the posts of every occurrence that has come; returns how many were created here."""
    created = 0
    for row in await notices.series_due(now):
        try:
            created += await _occur(rt, row, now)
        except Exception:
            logger.exception(f"recurring notice #{row.id}: could not create its occurrence")
    return created


async def _occur(rt: Runtime, row: DeferredNotice, now: datetime) -> int:
    assert row.id is not None and row.due_at is not None
    rec = Recurrence.from_spec(row.recurrence)
    cal = rt.calendar(row.group_id)
    occurrence = row.due_at
    made = 0
    skipped: list[datetime] = []
    for _ in range(_CATCH_UP):
        if occurrence > now:
            break
        following = rec.next_after(occurrence, cal)
        if now - occurrence > MISSED_AFTER:
            skipped.append(occurrence)
        else:
            child = await notices.create_child(
                row,
                group_id=row.group_id,
                self_id=row.self_id,
                due_at=post_time(rt, row.group_id, occurrence, urgent=row.urgent),
                created_at=now,
                occurrence=to_local(occurrence).isoformat(timespec="minutes"),
            )
            made += child is not None
        if not await notices.advance(row.id, occurrence, following):
            break  # another process moved it on (or it was paused / cancelled meanwhile)
        occurrence = following
    if skipped:
        await audit.record(
            "notice.occurrence_missed",
            platform=row.platform,
            group_id=row.group_id,
            target=row.author_id,
            reason=f"周期通知 #{row.id} 有 {len(skipped)} 次因机器人离线而未发布",
            detail={"notice": row.id, "first": skipped[0].isoformat(), "last": skipped[-1].isoformat()},
        )
    return made


async def dispatch(rt: Runtime, row: DeferredNotice, now: datetime) -> list[DeferredNotice]:
    """Create a broadcast's post in each of its target groups (those already created are kept)."""
    assert row.id is not None
    accounts = {(g.platform, g.group_id): g.self_id for g in await groups.known_groups()}
    created = []
    for group_id in target_ids(row):
        child = await notices.create_child(
            row,
            group_id=group_id,
            self_id=accounts.get((row.platform, group_id), "") or row.self_id,
            due_at=post_time(rt, group_id, now, urgent=row.urgent),
            created_at=now,
        )
        if child is not None:
            created.append(child)
    return created


def target_ids(row: DeferredNotice) -> list[str]:
    return [g for g in row.targets.split(",") if g]


def is_series(row: DeferredNotice) -> bool:
    return row.state in (NoticeState.ACTIVE, NoticeState.PAUSED) or bool(row.recurrence) or bool(row.targets)
