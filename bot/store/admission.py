"""Admission store: join requests and arrivals (``Admission``) and identity bindings (``MemberIdentity``).

State changes go through :func:`transition`, one ``UPDATE … WHERE id = … AND state IN (…)``: of several
processes (or a timer and an admin) acting on the same row, exactly one sees ``rowcount == 1`` and does
the work (sends the reminder, removes the member); the others do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.models.admission import Admission, MemberIdentity, RosterPerson
from bot.roster_io import ACTIVE_STATUSES
from bot.store.db import Database, get_db

__all__ = [
    "ARRIVAL_OPEN",
    "TIMED_STATES",
    "ReviewItem",
    "bind",
    "bindings_of",
    "close_bindings",
    "count_open",
    "create",
    "due",
    "get",
    "latest_approved_request",
    "open_arrivals_of_user",
    "open_binding",
    "open_for_member",
    "pending",
    "review_items",
    "set_card_state",
    "transition",
    "update_fields",
]

#: Arrival states in which the member still has to identify (or an admin to decide).
ARRIVAL_OPEN = ("queued", "unverified", "reminded", "listed", "needs_admin")
#: States the timer loop acts on when ``due_at`` has passed (``queued``: an existing member's
#: onboarding invitation waiting for its slot).
TIMED_STATES = ("queued", "unverified", "reminded")
#: What /审批 lists: requests waiting for admins, arrivals not yet identified.
PENDING_STATES = ("pending", *ARRIVAL_OPEN)


async def create(row: Admission, *, db: Database | None = None) -> Admission | None:
    """Insert; None when a row with the same ``dedup_key`` exists (the event was delivered twice)."""
    db = db or get_db()
    try:
        async with db.session() as s:
            s.add(row)
            await s.flush()
    except IntegrityError:
        return None
    return row


async def get(admission_id: int, *, db: Database | None = None) -> Admission | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(Admission, admission_id)


async def transition(
    admission_id: int,
    from_states: Iterable[str],
    to_state: str,
    *,
    now: datetime,
    db: Database | None = None,
    **values: Any,
) -> bool:
    """Move the row to ``to_state`` if it is in one of ``from_states``; True for the one caller that did."""
    db = db or get_db()
    stmt = (
        update(Admission)
        .where(col(Admission.id) == admission_id, col(Admission.state).in_(list(from_states)))
        .values(state=to_state, updated_at=now, **values)
    )
    async with db.session() as s:
        result = await s.execute(stmt)
        return result.rowcount == 1  # type: ignore[attr-defined]


async def update_fields(
    admission_id: int, *, now: datetime, db: Database | None = None, **values: Any
) -> None:
    db = db or get_db()
    async with db.session() as s:
        await s.execute(
            update(Admission).where(col(Admission.id) == admission_id).values(updated_at=now, **values)
        )


async def due(now: datetime, *, limit: int = 100, db: Database | None = None) -> list[Admission]:
    """Arrivals whose timer has passed, oldest first."""
    db = db or get_db()
    q = (
        select(Admission)
        .where(
            col(Admission.state).in_(TIMED_STATES),
            col(Admission.due_at).is_not(None),
            col(Admission.due_at) <= now,
        )
        .order_by(col(Admission.due_at))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def pending(
    *, platform: str | None = None, group_ids: Iterable[str] | None = None, db: Database | None = None
) -> list[Admission]:
    """Requests waiting for admins and arrivals not yet identified, oldest first."""
    db = db or get_db()
    q: Any = select(Admission).where(
        or_(
            and_(col(Admission.kind) == "request", col(Admission.state) == "pending"),
            and_(col(Admission.kind) == "arrival", col(Admission.state).in_(ARRIVAL_OPEN)),
        )
    )
    if platform is not None:
        q = q.where(col(Admission.platform) == platform)
    if group_ids is not None:
        q = q.where(col(Admission.group_id).in_(sorted(set(group_ids))))
    async with db.session() as s:
        return list((await s.execute(q.order_by(col(Admission.id)))).scalars())


async def count_open(*, db: Database | None = None) -> tuple[int, int]:
    """(requests waiting for admins, arrivals not yet identified)."""
    db = db or get_db()
    async with db.session() as s:
        requests = (
            await s.execute(
                select(func.count())
                .select_from(Admission)
                .where(col(Admission.kind) == "request", col(Admission.state) == "pending")
            )
        ).scalar_one()
        arrivals = (
            await s.execute(
                select(func.count())
                .select_from(Admission)
                .where(col(Admission.kind) == "arrival", col(Admission.state).in_(ARRIVAL_OPEN))
            )
        ).scalar_one()
    return requests, arrivals


async def open_for_member(
    platform: str, group_id: str, user_id: str, *, db: Database | None = None
) -> list[Admission]:
    """Pending requests and open arrivals of one member in one group, newest first."""
    db = db or get_db()
    q = (
        select(Admission)
        .where(
            col(Admission.platform) == platform,
            col(Admission.group_id) == group_id,
            col(Admission.user_id) == user_id,
            col(Admission.state).in_(PENDING_STATES),
        )
        .order_by(col(Admission.id).desc())
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def open_arrivals_of_user(
    platform: str, user_id: str, *, db: Database | None = None
) -> list[Admission]:
    """Every group where this account still has to identify itself (for /实名)."""
    db = db or get_db()
    q = (
        select(Admission)
        .where(
            col(Admission.platform) == platform,
            col(Admission.user_id) == user_id,
            col(Admission.kind) == "arrival",
            col(Admission.state).in_(ARRIVAL_OPEN),
        )
        .order_by(col(Admission.id))
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def latest_approved_request(
    platform: str,
    group_id: str,
    user_id: str,
    *,
    since: datetime,
    db: Database | None = None,
) -> Admission | None:
    """The newest request of this member approved (by the bot or an admin) since ``since``."""
    db = db or get_db()
    q = (
        select(Admission)
        .where(
            col(Admission.platform) == platform,
            col(Admission.group_id) == group_id,
            col(Admission.user_id) == user_id,
            col(Admission.kind) == "request",
            col(Admission.state) == "approved",
            col(Admission.updated_at) >= since,
        )
        .order_by(col(Admission.id).desc())
        .limit(1)
    )
    async with db.session() as s:
        return (await s.execute(q)).scalars().first()


# ---------------------------------------------------------------- bindings


async def bind(
    platform: str,
    group_id: str,
    user_id: str,
    person_id: int | None,
    *,
    method: str,
    by: str,
    now: datetime,
    db: Database | None = None,
) -> MemberIdentity:
    """Open a binding (closing any open one of the same member in the group first)."""
    db = db or get_db()
    async with db.session() as s:
        await s.execute(
            update(MemberIdentity)
            .where(
                col(MemberIdentity.platform) == platform,
                col(MemberIdentity.group_id) == group_id,
                col(MemberIdentity.user_id) == user_id,
                col(MemberIdentity.closed_at).is_(None),
            )
            .values(closed_at=now, close_reason="rebound")
        )
        row = MemberIdentity(
            platform=platform,
            group_id=group_id,
            user_id=user_id,
            person_id=person_id,
            method=method,
            verified_by=by,
            verified_at=now,
        )
        s.add(row)
    return row


async def open_binding(
    platform: str, group_id: str, user_id: str, *, db: Database | None = None
) -> MemberIdentity | None:
    db = db or get_db()
    q = (
        select(MemberIdentity)
        .where(
            col(MemberIdentity.platform) == platform,
            col(MemberIdentity.group_id) == group_id,
            col(MemberIdentity.user_id) == user_id,
            col(MemberIdentity.closed_at).is_(None),
        )
        .order_by(col(MemberIdentity.id).desc())
        .limit(1)
    )
    async with db.session() as s:
        return (await s.execute(q)).scalars().first()


async def bindings_of(
    platform: str, user_id: str, *, open_only: bool = True, db: Database | None = None
) -> list[MemberIdentity]:
    db = db or get_db()
    q: Any = select(MemberIdentity).where(
        col(MemberIdentity.platform) == platform, col(MemberIdentity.user_id) == user_id
    )
    if open_only:
        q = q.where(col(MemberIdentity.closed_at).is_(None))
    async with db.session() as s:
        return list((await s.execute(q.order_by(col(MemberIdentity.id)))).scalars())


async def close_bindings(
    platform: str,
    group_id: str,
    user_id: str | None,
    *,
    reason: str,
    now: datetime,
    db: Database | None = None,
) -> int:
    """Close the open bindings of a member in a group (``user_id=None``: of the whole group), and end
    their open arrivals and pending requests. Returns the number of bindings closed."""
    db = db or get_db()
    member = [col(MemberIdentity.platform) == platform, col(MemberIdentity.group_id) == group_id]
    adm = [col(Admission.platform) == platform, col(Admission.group_id) == group_id]
    if user_id is not None:
        member.append(col(MemberIdentity.user_id) == user_id)
        adm.append(col(Admission.user_id) == user_id)
    async with db.session() as s:
        result = await s.execute(
            update(MemberIdentity)
            .where(*member, col(MemberIdentity.closed_at).is_(None))
            .values(closed_at=now, close_reason=reason[:32])
        )
        await s.execute(
            update(Admission)
            .where(*adm, col(Admission.kind) == "arrival", col(Admission.state).in_(ARRIVAL_OPEN))
            .values(state="left", due_at=None, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def set_card_state(
    binding_id: int,
    *,
    mismatch_since: datetime | None,
    reminded_at: datetime | None = None,
    db: Database | None = None,
) -> None:
    db = db or get_db()
    values: dict[str, Any] = {"card_mismatch_since": mismatch_since}
    if reminded_at is not None:
        values["card_reminded_at"] = reminded_at
    async with db.session() as s:
        await s.execute(update(MemberIdentity).where(col(MemberIdentity.id) == binding_id).values(**values))


# ---------------------------------------------------------------- review


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One line for the weekly review (§5). No personal data: ids only.

    kind: ``unverified`` (arrived, never identified; ``since`` = arrival), ``onboarding`` (an existing
    member the bot invited when it met the group; ``detail`` = the admission state), ``card`` (group card does
    not read as the real name; ``since`` = first seen), ``status`` (bound to a roster person whose status
    is no longer active, e.g. 调离; ``detail`` = the status), ``no_roster`` (admitted by an admin without
    a roster person).
    """

    kind: str
    platform: str
    group_id: str
    user_id: str
    since: datetime | None
    person_id: int | None = None
    detail: str = ""
    admission_id: int | None = None


async def review_items(platform: str, group_id: str, *, db: Database | None = None) -> list[ReviewItem]:
    """What the weekly review should list for one group about identities (SPEC §2, §5)."""
    db = db or get_db()
    items: list[ReviewItem] = []
    async with db.session() as s:
        arrivals = (
            await s.execute(
                select(Admission)
                .where(
                    col(Admission.platform) == platform,
                    col(Admission.group_id) == group_id,
                    col(Admission.kind) == "arrival",
                    col(Admission.state).in_(ARRIVAL_OPEN),
                )
                .order_by(col(Admission.id))
            )
        ).scalars()
        # An existing member onboarded by the campaign (flag "onboarding") is its own kind: inside
        # the grace (queued, invited, reminded, or waiting for an admin) nothing is proposed.
        items.extend(
            ReviewItem(
                "onboarding" if a.flag == "onboarding" else "unverified",
                platform,
                group_id,
                a.user_id,
                a.created_at,
                a.person_id,
                a.state,
                a.id,
            )
            for a in arrivals
        )
        rows: Sequence[Any] = (
            await s.execute(
                select(MemberIdentity, col(RosterPerson.status))
                .join(RosterPerson, col(RosterPerson.id) == col(MemberIdentity.person_id), isouter=True)
                .where(
                    col(MemberIdentity.platform) == platform,
                    col(MemberIdentity.group_id) == group_id,
                    col(MemberIdentity.closed_at).is_(None),
                )
                .order_by(col(MemberIdentity.id))
            )
        ).all()
    for b, status in rows:
        if b.person_id is None:
            items.append(
                ReviewItem("no_roster", platform, group_id, b.user_id, b.verified_at, None, b.method)
            )
        elif status is not None and status not in ACTIVE_STATUSES:
            items.append(ReviewItem("status", platform, group_id, b.user_id, None, b.person_id, status))
        if b.card_mismatch_since is not None:
            items.append(
                ReviewItem("card", platform, group_id, b.user_id, b.card_mismatch_since, b.person_id)
            )
    return items
