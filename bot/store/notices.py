"""Deferred notices (/通知): create, list, claim for posting exactly once, and close.

Every state change that can race — a scheduler in another process claiming a due notice, an
author cancelling it at the same moment, two reviewers approving — is one conditional UPDATE
(``… WHERE id = :id AND state = :expected``) whose row count says who won. No row is read and then
written back, so SQLite and PostgreSQL behave the same with any number of bot processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.models.worktime import OPEN_STATES, DeferredNotice, NoticeKind, NoticeState
from bot.store.db import Database, get_db

__all__ = [
    "NewNotice",
    "advance",
    "approve",
    "change",
    "children",
    "claim",
    "close",
    "count_open",
    "create",
    "create_child",
    "due",
    "edit_text",
    "get",
    "interrupt_stale",
    "list_open",
    "mark_posted",
    "release",
    "series_due",
]


@dataclass(frozen=True, slots=True)
class NewNotice:
    platform: str
    group_id: str
    self_id: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    due_at: datetime | None  # None: waits for review
    at_all: bool = False
    urgent: bool = False
    source: str = "command"
    kind: str = NoticeKind.ONCE
    recurrence: str = ""  # recurring: bot.core.schedule.Recurrence.spec
    targets: tuple[str, ...] = ()  # broadcast: the target group ids
    requested_at: datetime | None = None  # /通知 定时: the moment the author chose


def _initial_state(new: NewNotice) -> NoticeState:
    if new.due_at is None:
        return NoticeState.REVIEW
    if new.kind == NoticeKind.RECURRING:
        return NoticeState.ACTIVE
    if new.kind == NoticeKind.BROADCAST:
        return NoticeState.DISPATCHED
    return NoticeState.QUEUED


async def create(new: NewNotice, *, db: Database | None = None) -> DeferredNotice:
    """Insert a notice: ``queued`` for ``due_at``, or ``review`` when ``due_at`` is None.

    A recurring notice is ``active`` with ``due_at`` its first occurrence; a broadcast is
    ``dispatched`` (its posts are children, see :func:`create_child`)."""
    db = db or get_db()
    row = DeferredNotice(
        platform=new.platform,
        group_id=new.group_id,
        self_id=new.self_id,
        author_id=new.author_id,
        author_name=new.author_name[:64],
        text=new.text,
        at_all=new.at_all,
        urgent=new.urgent,
        source=new.source,
        state=_initial_state(new),
        created_at=new.created_at,
        due_at=new.due_at,
        kind=new.kind,
        recurrence=new.recurrence,
        targets=",".join(new.targets),
        requested_at=new.requested_at,
    )
    async with db.session() as s:
        s.add(row)
    return row


async def create_child(
    parent: DeferredNotice,
    *,
    group_id: str,
    self_id: str,
    due_at: datetime,
    created_at: datetime,
    occurrence: str = "",
    db: Database | None = None,
) -> DeferredNotice | None:
    """The post of ``parent`` in ``group_id`` (for ``occurrence``), queued for ``due_at``; None when
    it exists already — created by this or another process (a unique index decides)."""
    db = db or get_db()
    row = DeferredNotice(
        platform=parent.platform,
        group_id=group_id,
        self_id=self_id or parent.self_id,
        author_id=parent.author_id,
        author_name=parent.author_name,
        text=parent.text,
        at_all=parent.at_all,
        urgent=parent.urgent,
        source=parent.source,
        state=NoticeState.QUEUED,
        created_at=created_at,
        due_at=due_at,
        kind=NoticeKind.ONCE,
        parent_id=parent.id,
        occurrence=occurrence,
        reviewer_id=parent.reviewer_id,
        reviewed_at=parent.reviewed_at,
    )
    try:
        async with db.session() as s:
            s.add(row)
    except IntegrityError:
        return None
    return row


async def series_due(now: datetime, *, limit: int = 50, db: Database | None = None) -> list[DeferredNotice]:
    """Active recurring notices whose next occurrence (``due_at``) has come."""
    db = db or get_db()
    q = (
        select(DeferredNotice)
        .where(
            col(DeferredNotice.kind) == NoticeKind.RECURRING,
            col(DeferredNotice.state) == NoticeState.ACTIVE,
            col(DeferredNotice.due_at) <= now,  # type: ignore[operator]
        )
        .order_by(col(DeferredNotice.due_at), col(DeferredNotice.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def advance(
    series_id: int, expected_due: datetime, next_due: datetime, *, db: Database | None = None
) -> bool:
    """Move an active series from ``expected_due`` to its next occurrence; True when this call won
    (a second process that read the same occurrence loses and does nothing)."""
    db = db or get_db()
    stmt = (
        update(DeferredNotice)
        .where(
            col(DeferredNotice.id) == series_id,
            col(DeferredNotice.state) == NoticeState.ACTIVE,
            col(DeferredNotice.due_at) == expected_due,
        )
        .values(due_at=next_due)
    )
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1


async def children(parent_id: int, *, db: Database | None = None) -> list[DeferredNotice]:
    """The posts of a recurring notice or broadcast, newest first."""
    db = db or get_db()
    q = (
        select(DeferredNotice)
        .where(col(DeferredNotice.parent_id) == parent_id)
        .order_by(col(DeferredNotice.id).desc())
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def edit_text(
    notice_id: int, text: str, expected: Iterable[str], *, review: bool, db: Database | None = None
) -> bool:
    """New text for a notice not yet (wholly) posted; ``review``: it goes back to review."""
    values: dict[str, Any] = {"text": text}
    if review:
        values.update(state=NoticeState.REVIEW, reviewer_id="", reviewed_at=None)
    return await _change(notice_id, expected, values, db)


async def get(notice_id: int, *, db: Database | None = None) -> DeferredNotice | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(DeferredNotice, notice_id)


async def list_open(
    *,
    platform: str | None = None,
    group_id: str | None = None,
    author_id: str | None = None,
    states: Sequence[str] = OPEN_STATES,
    limit: int = 50,
    db: Database | None = None,
) -> list[DeferredNotice]:
    """Open notices (awaiting review, queued, being posted), oldest due first."""
    db = db or get_db()
    q = select(DeferredNotice).where(col(DeferredNotice.state).in_(list(states)))  # type: ignore[attr-defined]
    if platform is not None:
        q = q.where(col(DeferredNotice.platform) == platform)
    if group_id is not None:
        q = q.where(col(DeferredNotice.group_id) == group_id)
    if author_id is not None:
        q = q.where(col(DeferredNotice.author_id) == author_id)
    # Notices in review have no due time yet: after the scheduled ones, by number.
    q = q.order_by(
        col(DeferredNotice.due_at).is_(None), col(DeferredNotice.due_at), col(DeferredNotice.id)
    ).limit(limit)  # type: ignore[union-attr]
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def count_open(
    *, platform: str | None = None, group_id: str | None = None, db: Database | None = None
) -> dict[str, int]:
    """Open notices by state, e.g. ``{"queued": 2, "review": 1}`` (states with none are left out)."""
    db = db or get_db()
    q = select(col(DeferredNotice.state), func.count()).where(
        col(DeferredNotice.state).in_(list(OPEN_STATES))  # type: ignore[attr-defined]
    )
    if platform is not None:
        q = q.where(col(DeferredNotice.platform) == platform)
    if group_id is not None:
        q = q.where(col(DeferredNotice.group_id) == group_id)
    q = q.group_by(col(DeferredNotice.state))
    async with db.session() as s:
        return {state: count for state, count in (await s.execute(q)).all()}


async def due(now: datetime, *, limit: int = 20, db: Database | None = None) -> list[DeferredNotice]:
    """Queued notices whose time has come (and whose retry pause, if any, is over), oldest first."""
    db = db or get_db()
    q = (
        select(DeferredNotice)
        .where(
            col(DeferredNotice.state) == NoticeState.QUEUED,
            col(DeferredNotice.due_at) <= now,  # type: ignore[operator]
            or_(col(DeferredNotice.retry_at).is_(None), col(DeferredNotice.retry_at) <= now),  # type: ignore[union-attr,operator]
        )
        .order_by(col(DeferredNotice.due_at), col(DeferredNotice.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def change(
    notice_id: int, expected: Iterable[str], values: dict[str, Any], *, db: Database | None = None
) -> bool:
    """``UPDATE … SET values WHERE id = notice_id AND state IN expected``; True when this call won."""
    return await _change(notice_id, expected, values, db)


async def _change(
    notice_id: int, expected: Iterable[str], values: dict[str, Any], db: Database | None
) -> bool:
    """``UPDATE … SET values WHERE id = notice_id AND state IN expected``; True when this call won."""
    db = db or get_db()
    stmt = (
        update(DeferredNotice)
        .where(col(DeferredNotice.id) == notice_id, col(DeferredNotice.state).in_(list(expected)))  # type: ignore[attr-defined]
        .values(**values)
    )
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1


async def claim(notice_id: int, worker: str, now: datetime, *, db: Database | None = None) -> bool:
    """Take a queued notice for posting. Exactly one caller (in any process) gets True."""
    return await _change(
        notice_id,
        (NoticeState.QUEUED,),
        {"state": NoticeState.POSTING, "claimed_by": worker[:64], "claimed_at": now},
        db,
    )


async def mark_posted(
    notice_id: int,
    worker: str,
    posted_at: datetime,
    *,
    late: bool,
    message_id: str = "",
    db: Database | None = None,
) -> bool:
    """The claimed notice went out. False if the claim was lost meanwhile (see interrupt_stale)."""
    db = db or get_db()
    stmt = (
        update(DeferredNotice)
        .where(
            col(DeferredNotice.id) == notice_id,
            col(DeferredNotice.state) == NoticeState.POSTING,
            col(DeferredNotice.claimed_by) == worker[:64],
        )
        .values(
            state=NoticeState.POSTED,
            posted_at=posted_at,
            late=late,
            posted_message_id=message_id[:64],
            attempts=DeferredNotice.attempts + 1,
        )
    )
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return result.rowcount == 1


async def release(
    notice_id: int,
    worker: str,
    error: str,
    retry_at: datetime | None,
    *,
    db: Database | None = None,
) -> NoticeState | None:
    """Sending failed: back to ``queued`` until ``retry_at``, or ``failed`` when ``retry_at`` is None.

    Returns the new state, or None if this worker no longer held the claim.
    """
    db = db or get_db()
    state = NoticeState.QUEUED if retry_at is not None else NoticeState.FAILED
    stmt = (
        update(DeferredNotice)
        .where(
            col(DeferredNotice.id) == notice_id,
            col(DeferredNotice.state) == NoticeState.POSTING,
            col(DeferredNotice.claimed_by) == worker[:64],
        )
        .values(
            state=state,
            retry_at=retry_at,
            last_error=error[:200],
            attempts=DeferredNotice.attempts + 1,
            claimed_by="",
            claimed_at=None,
        )
    )
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return state if result.rowcount == 1 else None


async def interrupt_stale(
    now: datetime, older_than: timedelta, *, db: Database | None = None
) -> list[DeferredNotice]:
    """Claims older than ``older_than`` belong to a process that died while sending.

    Whether such a notice reached the group is unknown, and posting it again could post it twice,
    so it is closed as ``interrupted`` (the caller tells its author). Returns the rows this call
    closed — each one exactly once across processes.
    """
    db = db or get_db()
    limit = now - older_than
    async with db.session() as s:
        stale = list(
            (
                await s.execute(
                    select(DeferredNotice).where(
                        col(DeferredNotice.state) == NoticeState.POSTING,
                        col(DeferredNotice.claimed_at) < limit,  # type: ignore[operator]
                    )
                )
            ).scalars()
        )
    closed = []
    for row in stale:
        assert row.id is not None
        if await _change(
            row.id,
            (NoticeState.POSTING,),
            {"state": NoticeState.INTERRUPTED, "last_error": "发送过程中机器人中断"},
            db,
        ):
            row.state = NoticeState.INTERRUPTED
            closed.append(row)
    return closed


async def approve(
    notice_id: int,
    reviewer: str,
    reviewed_at: datetime,
    due_at: datetime,
    *,
    state: NoticeState = NoticeState.QUEUED,
    db: Database | None = None,
) -> bool:
    """A notice in review is approved and scheduled for ``due_at`` (``state``: ``active`` for a
    recurring notice, ``dispatched`` for a broadcast); False if it was not in review."""
    return await _change(
        notice_id,
        (NoticeState.REVIEW,),
        {"state": state, "reviewer_id": reviewer, "reviewed_at": reviewed_at, "due_at": due_at},
        db,
    )


async def close(
    notice_id: int,
    state: NoticeState,
    by: str,
    reason: str = "",
    *,
    reviewed_at: datetime | None = None,
    db: Database | None = None,
) -> bool:
    """Cancel (from review, queued, or a running or paused series) or reject (from review); False
    if it was no longer open."""
    if state not in (NoticeState.CANCELLED, NoticeState.REJECTED):
        raise ValueError(f"close() cancels or rejects, not {state}")
    expected: tuple[NoticeState, ...] = (
        (NoticeState.REVIEW,)
        if state is NoticeState.REJECTED
        else (NoticeState.REVIEW, NoticeState.QUEUED, NoticeState.ACTIVE, NoticeState.PAUSED)
    )
    values: dict[str, Any] = {"state": state, "closed_by": by, "close_reason": reason[:200]}
    if state is NoticeState.REJECTED:
        values.update(reviewer_id=by, reviewed_at=reviewed_at)
    return await _change(notice_id, expected, values, db)
