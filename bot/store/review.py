"""Weekly review store: runs, their findings, and the cleanup state of each finding.

Exactly once, the same way as :mod:`bot.store.notices`: every step that can race is one conditional
UPDATE whose row count says who won —

* a scheduled run exists once per group and ISO week (unique ``slot``; a second insert fails);
* a run is claimed ``due → running`` by one process; its findings are written in the same
  transaction that marks it ``done``;
* a removal is claimed ``confirmed → kicking`` before the kick is sent and closed ``kicking →
  removed | failed | skipped`` after. A claim left behind by a dead process is not repeated blindly:
  the caller checks the member list first (:func:`stale_kicks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.core.review import Finding
from bot.models.admission import Admission, MemberIdentity
from bot.models.group import ChatGroup
from bot.models.review import FindingState, ReviewFinding, ReviewRun, RunState
from bot.store.admission import ARRIVAL_OPEN
from bot.store.db import Database, get_db

__all__ = [
    "CLEANUP_STATES",
    "cancel_proposal",
    "claim_kick",
    "claim_run",
    "cleanup_groups",
    "cleanup_items",
    "confirm",
    "create_scheduled",
    "due_runs",
    "fail_run",
    "findings_of",
    "finish_kick",
    "finish_run",
    "get_run",
    "group_first_seen",
    "invited_members",
    "latest_run",
    "open_bindings",
    "propose",
    "release_stale_runs",
    "request_run",
    "requeue_kick",
    "set_report_to",
    "slots_taken",
    "stale_kicks",
]

CLEANUP_STATES = (FindingState.CONFIRMED, FindingState.KICKING)


async def _rowcount(db: Database, stmt: Any) -> int:
    async with db.session() as s:
        result = await s.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- runs


async def create_scheduled(
    platform: str, group_id: str, self_id: str, slot: str, due_at: datetime, *, db: Database | None = None
) -> ReviewRun | None:
    """The week's scheduled run of a group; None when it exists already (another process, or done)."""
    db = db or get_db()
    row = ReviewRun(
        platform=platform, group_id=group_id, self_id=self_id, kind="scheduled", slot=slot, due_at=due_at
    )
    try:
        async with db.session() as s:
            s.add(row)
            await s.flush()
    except IntegrityError:
        return None
    return row


async def create_scheduled_many(
    rows: Sequence[tuple[str, str, str]], slot: str, due_at: datetime, *, db: Database | None = None
) -> int:
    """The week's scheduled runs of many groups, ``(platform, group_id, self_id)`` each, in one
    statement per chunk; those that exist already (another process, or done) are skipped by the
    unique (platform, group, slot). Returns how many were created here. A unit of 10,000 groups is
    a handful of statements, not 10,000 transactions."""
    db = db or get_db()
    created = 0
    insert_fn: Any = pg_insert if db.dialect == "postgresql" else sqlite_insert
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        stmt = (
            insert_fn(ReviewRun)
            .values(
                [
                    {
                        "platform": p,
                        "group_id": g,
                        "self_id": self_id,
                        "kind": "scheduled",
                        "slot": slot,
                        "due_at": due_at,
                        "state": RunState.DUE,
                        "claimed_by": "",
                        "requested_by": "",
                        "members": 0,
                        "findings": 0,
                        "report_to": "",
                        "error": "",
                    }
                    for p, g, self_id in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["platform", "group_id", "slot"])
            .returning(col(ReviewRun.id))
        )
        async with db.session() as s:
            created += len((await s.execute(stmt)).all())
    return created


async def claim_due_runs(
    now: datetime,
    worker: str,
    *,
    limit: int = 20,
    platforms: Iterable[str] | None = None,
    db: Database | None = None,
) -> list[ReviewRun]:
    """Claim up to ``limit`` due runs in one statement and return them (claimed by ``worker``).

    Several processes never claim the same run and do not queue behind each other's rows: on
    PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a
    time, so its ``UPDATE … WHERE id IN (SELECT …)`` is atomic as it stands."""
    db = db or get_db()
    pick = (
        select(col(ReviewRun.id))
        .where(col(ReviewRun.state) == RunState.DUE, col(ReviewRun.due_at) <= now)
        .order_by(col(ReviewRun.due_at), col(ReviewRun.id))
        .limit(limit)
    )
    if platforms is not None:
        pick = pick.where(col(ReviewRun.platform).in_(list(platforms)))
    if db.dialect == "postgresql":
        # A CTE is evaluated once; an IN (subquery … LIMIT … FOR UPDATE SKIP LOCKED) may be re-run
        # by the planner and claim past the limit.
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        where = col(ReviewRun.id) == picked.c.id
    else:
        where = col(ReviewRun.id).in_(pick.scalar_subquery())
    stmt = (
        update(ReviewRun)
        .where(where, col(ReviewRun.state) == RunState.DUE)
        .values(state=RunState.RUNNING, claimed_by=worker, claimed_at=now)
        .returning(ReviewRun)
        .execution_options(synchronize_session=False)
    )
    async with db.session() as s:
        rows = list((await s.execute(stmt)).scalars())
    return sorted(rows, key=lambda r: (r.due_at, r.id or 0))


async def slots_taken(slot: str, *, db: Database | None = None) -> set[tuple[str, str]]:
    """(platform, group) pairs that have a run for ``slot`` already."""
    db = db or get_db()
    q = select(col(ReviewRun.platform), col(ReviewRun.group_id)).where(col(ReviewRun.slot) == slot)
    async with db.session() as s:
        return {(p, g) for p, g in (await s.execute(q)).all()}


async def request_run(
    platform: str,
    group_id: str,
    self_id: str,
    *,
    kind: str,
    requested_by: str,
    now: datetime,
    db: Database | None = None,
) -> ReviewRun:
    """A run on demand (/巡查, the CLI); a run of the group still waiting is reused."""
    db = db or get_db()
    async with db.session() as s:
        waiting = (
            (
                await s.execute(
                    select(ReviewRun).where(
                        col(ReviewRun.platform) == platform,
                        col(ReviewRun.group_id) == group_id,
                        col(ReviewRun.state) == RunState.DUE,
                    )
                )
            )
            .scalars()
            .first()
        )
        if waiting is not None:
            return waiting
        row = ReviewRun(
            platform=platform,
            group_id=group_id,
            self_id=self_id,
            kind=kind,
            requested_by=requested_by,
            due_at=now,
        )
        s.add(row)
    return row


async def get_run(run_id: int, *, db: Database | None = None) -> ReviewRun | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(ReviewRun, run_id)


async def due_runs(now: datetime, *, limit: int = 20, db: Database | None = None) -> list[ReviewRun]:
    db = db or get_db()
    q = (
        select(ReviewRun)
        .where(col(ReviewRun.state) == RunState.DUE, col(ReviewRun.due_at) <= now)
        .order_by(col(ReviewRun.due_at), col(ReviewRun.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def claim_run(run_id: int, worker: str, now: datetime, *, db: Database | None = None) -> bool:
    db = db or get_db()
    stmt = (
        update(ReviewRun)
        .where(col(ReviewRun.id) == run_id, col(ReviewRun.state) == RunState.DUE)
        .values(state=RunState.RUNNING, claimed_by=worker, claimed_at=now)
    )
    return await _rowcount(db, stmt) == 1


async def finish_run(
    run_id: int,
    worker: str,
    now: datetime,
    *,
    members: int,
    findings: Sequence[Finding],
    cards: dict[str, str] | None = None,
    db: Database | None = None,
) -> bool:
    """Store the findings (numbered 1…n) and mark the run done, in one transaction.

    False (and nothing written) when the claim is no longer this worker's.
    """
    db = db or get_db()
    async with db.session() as s:
        result = await s.execute(
            update(ReviewRun)
            .where(
                col(ReviewRun.id) == run_id,
                col(ReviewRun.state) == RunState.RUNNING,
                col(ReviewRun.claimed_by) == worker,
            )
            .values(state=RunState.DONE, finished_at=now, members=members, findings=len(findings))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False  # the UPDATE matched nothing: nothing to undo
        run = await s.get(ReviewRun, run_id)
        assert run is not None
        for n, f in enumerate(findings, 1):
            s.add(
                ReviewFinding(
                    run_id=run_id,
                    number=n,
                    platform=run.platform,
                    group_id=run.group_id,
                    user_id=f.user_id,
                    card=(cards or {}).get(f.user_id, f.shown)[:64],
                    kinds=",".join(f.kinds)[:200],
                    reasons="；".join(r.text for r in f.reasons),
                    removable=f.removable,
                )
            )
    return True


async def fail_run(
    run_id: int, worker: str, now: datetime, error: str, *, db: Database | None = None
) -> None:
    db = db or get_db()
    await _rowcount(
        db,
        update(ReviewRun)
        .where(col(ReviewRun.id) == run_id, col(ReviewRun.claimed_by) == worker)
        .values(state=RunState.FAILED, finished_at=now, error=error[:200]),
    )


async def set_report_to(run_id: int, who: str, *, db: Database | None = None) -> None:
    db = db or get_db()
    await _rowcount(db, update(ReviewRun).where(col(ReviewRun.id) == run_id).values(report_to=who[:64]))


async def release_stale_runs(now: datetime, stale: timedelta, *, db: Database | None = None) -> int:
    """Runs whose process died mid-review go back to ``due`` (a review writes nothing until done)."""
    db = db or get_db()
    return await _rowcount(
        db,
        update(ReviewRun)
        .where(col(ReviewRun.state) == RunState.RUNNING, col(ReviewRun.claimed_at) < now - stale)
        .values(state=RunState.DUE, claimed_by="", claimed_at=None),
    )


async def latest_run(platform: str, group_id: str, *, db: Database | None = None) -> ReviewRun | None:
    """The group's newest finished run (the one whose numbers /清理 refers to)."""
    db = db or get_db()
    q = (
        select(ReviewRun)
        .where(
            col(ReviewRun.platform) == platform,
            col(ReviewRun.group_id) == group_id,
            col(ReviewRun.state) == RunState.DONE,
        )
        .order_by(col(ReviewRun.id).desc())
        .limit(1)
    )
    async with db.session() as s:
        return (await s.execute(q)).scalars().first()


async def latest_runs(
    *, group_ids: Iterable[str] | None = None, db: Database | None = None
) -> dict[tuple[str, str], ReviewRun]:
    """Each group's newest finished run, by ``(platform, group_id)`` (for the dashboard)."""
    db = db or get_db()
    newest = select(func.max(col(ReviewRun.id))).where(col(ReviewRun.state) == RunState.DONE)
    if group_ids is not None:
        newest = newest.where(col(ReviewRun.group_id).in_(list(group_ids)))
    newest = newest.group_by(col(ReviewRun.platform), col(ReviewRun.group_id))
    q = select(ReviewRun).where(col(ReviewRun.id).in_(newest.scalar_subquery()))
    async with db.session() as s:
        return {(r.platform, r.group_id): r for r in (await s.execute(q)).scalars()}


async def recent_runs(
    platform: str, group_id: str, *, limit: int = 5, db: Database | None = None
) -> list[ReviewRun]:
    """The group's last finished runs, newest first."""
    db = db or get_db()
    q = (
        select(ReviewRun)
        .where(
            col(ReviewRun.platform) == platform,
            col(ReviewRun.group_id) == group_id,
            col(ReviewRun.state) == RunState.DONE,
        )
        .order_by(col(ReviewRun.id).desc())
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


# ---------------------------------------------------------------- findings and cleanup


async def findings_of(
    run_id: int, *, numbers: Iterable[int] | None = None, db: Database | None = None
) -> list[ReviewFinding]:
    db = db or get_db()
    q = select(ReviewFinding).where(col(ReviewFinding.run_id) == run_id)
    if numbers is not None:
        q = q.where(col(ReviewFinding.number).in_(sorted(set(numbers))))
    async with db.session() as s:
        return list((await s.execute(q.order_by(col(ReviewFinding.number)))).scalars())


async def propose(
    run_id: int, numbers: Iterable[int], user_id: str, now: datetime, *, db: Database | None = None
) -> list[ReviewFinding]:
    """Mark findings as proposed for removal by ``user_id`` (replacing that user's earlier proposal
    in the group); returns the findings now proposed by them."""
    db = db or get_db()
    wanted = sorted(set(numbers))
    async with db.session() as s:
        run = await s.get(ReviewRun, run_id)
        assert run is not None
        await s.execute(
            update(ReviewFinding)
            .where(
                col(ReviewFinding.platform) == run.platform,
                col(ReviewFinding.group_id) == run.group_id,
                col(ReviewFinding.state) == FindingState.PROPOSED,
                col(ReviewFinding.proposed_by) == user_id,
            )
            .values(state=FindingState.OPEN, proposed_by="", proposed_at=None)
        )
        await s.execute(
            update(ReviewFinding)
            .where(
                col(ReviewFinding.run_id) == run_id,
                col(ReviewFinding.number).in_(wanted),
                col(ReviewFinding.state).in_([FindingState.OPEN, FindingState.PROPOSED, FindingState.FAILED]),
            )
            .values(state=FindingState.PROPOSED, proposed_by=user_id, proposed_at=now)
        )
        q = (
            select(ReviewFinding)
            .where(
                col(ReviewFinding.run_id) == run_id,
                col(ReviewFinding.state) == FindingState.PROPOSED,
                col(ReviewFinding.proposed_by) == user_id,
            )
            .order_by(col(ReviewFinding.number))
        )
        return list((await s.execute(q)).scalars())


async def confirm(
    platform: str,
    group_id: str,
    user_id: str,
    now: datetime,
    window: timedelta,
    *,
    db: Database | None = None,
) -> list[ReviewFinding]:
    """``proposed → confirmed`` for this user's proposal made within ``window``; returns them."""
    db = db or get_db()
    where = (
        col(ReviewFinding.platform) == platform,
        col(ReviewFinding.group_id) == group_id,
        col(ReviewFinding.proposed_by) == user_id,
    )
    async with db.session() as s:
        ids = list(
            (
                await s.execute(
                    select(col(ReviewFinding.id)).where(
                        *where,
                        col(ReviewFinding.state) == FindingState.PROPOSED,
                        col(ReviewFinding.proposed_at) >= now - window,
                    )
                )
            ).scalars()
        )
        if not ids:
            return []
        await s.execute(
            update(ReviewFinding)
            .where(col(ReviewFinding.id).in_(ids), col(ReviewFinding.state) == FindingState.PROPOSED)
            .values(state=FindingState.CONFIRMED, confirmed_by=user_id, confirmed_at=now)
        )
        q = select(ReviewFinding).where(col(ReviewFinding.id).in_(ids)).order_by(col(ReviewFinding.number))
        return [f for f in (await s.execute(q)).scalars() if f.state == FindingState.CONFIRMED]


async def cancel_proposal(platform: str, group_id: str, user_id: str, *, db: Database | None = None) -> int:
    db = db or get_db()
    return await _rowcount(
        db,
        update(ReviewFinding)
        .where(
            col(ReviewFinding.platform) == platform,
            col(ReviewFinding.group_id) == group_id,
            col(ReviewFinding.proposed_by) == user_id,
            col(ReviewFinding.state) == FindingState.PROPOSED,
        )
        .values(state=FindingState.OPEN, proposed_by="", proposed_at=None),
    )


async def cleanup_groups(*, db: Database | None = None) -> list[tuple[str, str]]:
    """Groups with removals confirmed or in progress."""
    db = db or get_db()
    q = (
        select(col(ReviewFinding.platform), col(ReviewFinding.group_id))
        .where(col(ReviewFinding.state).in_(list(CLEANUP_STATES)))
        .group_by(col(ReviewFinding.platform), col(ReviewFinding.group_id))
    )
    async with db.session() as s:
        return [(p, g) for p, g in (await s.execute(q)).all()]


async def cleanup_items(
    platform: str, group_id: str, states: Sequence[str] = CLEANUP_STATES, *, db: Database | None = None
) -> list[ReviewFinding]:
    db = db or get_db()
    q = (
        select(ReviewFinding)
        .where(
            col(ReviewFinding.platform) == platform,
            col(ReviewFinding.group_id) == group_id,
            col(ReviewFinding.state).in_(list(states)),
        )
        .order_by(col(ReviewFinding.confirmed_at), col(ReviewFinding.number))
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def claim_kick(finding_id: int, worker: str, now: datetime, *, db: Database | None = None) -> bool:
    """``confirmed → kicking``: True for the one process that may send this kick."""
    db = db or get_db()
    stmt = (
        update(ReviewFinding)
        .where(col(ReviewFinding.id) == finding_id, col(ReviewFinding.state) == FindingState.CONFIRMED)
        .values(state=FindingState.KICKING, claimed_by=worker, claimed_at=now)
    )
    return await _rowcount(db, stmt) == 1


async def finish_kick(
    finding_id: int, state: FindingState, result: str, now: datetime, *, db: Database | None = None
) -> bool:
    """``kicking → removed | failed | skipped`` (or ``confirmed → skipped`` before a claim)."""
    db = db or get_db()
    stmt = (
        update(ReviewFinding)
        .where(
            col(ReviewFinding.id) == finding_id,
            col(ReviewFinding.state).in_([FindingState.KICKING, FindingState.CONFIRMED]),
        )
        .values(state=state, result=result[:200], done_at=now)
    )
    return await _rowcount(db, stmt) == 1


async def stale_kicks(now: datetime, stale: timedelta, *, db: Database | None = None) -> list[ReviewFinding]:
    """Kicks claimed longer than ``stale`` ago and never closed: their process died mid-kick."""
    db = db or get_db()
    q = select(ReviewFinding).where(
        col(ReviewFinding.state) == FindingState.KICKING, col(ReviewFinding.claimed_at) < now - stale
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def requeue_kick(finding_id: int, *, db: Database | None = None) -> bool:
    """``kicking → confirmed`` after the member list showed the kick did not happen."""
    db = db or get_db()
    stmt = (
        update(ReviewFinding)
        .where(col(ReviewFinding.id) == finding_id, col(ReviewFinding.state) == FindingState.KICKING)
        .values(state=FindingState.CONFIRMED, claimed_by="", claimed_at=None)
    )
    return await _rowcount(db, stmt) == 1


# ---------------------------------------------------------------- evidence for a run


async def open_bindings(platform: str, group_id: str, *, db: Database | None = None) -> dict[str, int | None]:
    """Members with an open identity binding → their roster person (None: admitted without one)."""
    db = db or get_db()
    q = select(col(MemberIdentity.user_id), col(MemberIdentity.person_id)).where(
        col(MemberIdentity.platform) == platform,
        col(MemberIdentity.group_id) == group_id,
        col(MemberIdentity.closed_at).is_(None),
    )
    async with db.session() as s:
        return {u: p for u, p in (await s.execute(q)).all()}


async def invited_members(platform: str, group_id: str, *, db: Database | None = None) -> set[str]:
    """Members let in on a non-admin's invitation (requests approved, arrivals still here)."""
    db = db or get_db()
    q = select(col(Admission.user_id)).where(
        col(Admission.platform) == platform,
        col(Admission.group_id) == group_id,
        col(Admission.invited_by_member).is_(True),
        col(Admission.state).in_(["approved", "verified", *ARRIVAL_OPEN]),
    )
    async with db.session() as s:
        return set((await s.execute(q)).scalars())


async def group_first_seen(platform: str, group_id: str, *, db: Database | None = None) -> datetime | None:
    """When the bot first saw the group (the start of its activity record)."""
    db = db or get_db()
    q = select(col(ChatGroup.first_seen)).where(
        col(ChatGroup.platform) == platform, col(ChatGroup.group_id) == group_id
    )
    async with db.session() as s:
        return (await s.execute(q)).scalars().first()
