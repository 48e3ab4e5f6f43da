"""The filing register: filings, duties with their reminder steps, history, activity, job runs.

Every state change that can race across bot processes is one conditional statement whose row count
says who won (as in :mod:`bot.store.notices`): inserting a filing or an open duty (unique constraints),
taking a reminder step (``… WHERE id = :id AND stage = :expected``), closing a duty, deregistering,
claiming a scheduled job (inserting its key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.core.calendar import to_local
from bot.core.crypto import PersonalDataCipher, PersonalDataCryptoError
from bot.core.identity import mask_mobile, mask_name, mask_other
from bot.core.register import ACTIVITY_WINDOW_DAYS, GroupKind, RegisterEntry, activity_label
from bot.models.group import ChatGroup
from bot.models.register import (
    DutyKind,
    DutyState,
    Filing,
    FilingDuty,
    FilingHistory,
    FilingStatus,
    GroupActivity,
    RegisterRun,
)
from bot.policy import Policy
from bot.store.db import Database, get_db

__all__ = [
    "CONTACT_CONTEXT",
    "NO_UNIT",
    "OWNER_CONTEXT",
    "NewDuty",
    "activity_totals",
    "add_activity",
    "add_history",
    "advance_duty",
    "build_entries",
    "chat_group",
    "claim_run",
    "close_duty",
    "deregister",
    "due_duties",
    "ensure_filing",
    "finish_run",
    "get_filing",
    "get_filing_by_id",
    "get_open_duty",
    "history",
    "last_messages",
    "list_filings",
    "masked_of",
    "note_observed",
    "open_duties",
    "open_duty",
    "personal_of",
    "prune_activity",
    "register_sheets",
    "reopen",
    "run_done",
    "set_duty_case",
    "unregistered_groups",
    "update_filing",
]


OWNER_CONTEXT = "filing.owner_name"
CONTACT_CONTEXT = "filing.contact"
"""Cipher contexts of the two personal-data columns (a token copied to the other column fails)."""
NO_UNIT = "未归属单位"


async def _rowcount(db: Database, stmt: Any) -> int:
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return int(result.rowcount or 0)


# --- filings ----------------------------------------------------------------------------------


async def get_filing(platform: str, group_id: str, *, db: Database | None = None) -> Filing | None:
    db = db or get_db()
    q = select(Filing).where(col(Filing.platform) == platform, col(Filing.group_id) == group_id)
    async with db.session() as s:
        return (await s.execute(q)).scalar_one_or_none()


async def get_filing_by_id(filing_id: int, *, db: Database | None = None) -> Filing | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(Filing, filing_id)


async def ensure_filing(
    platform: str, group_id: str, self_id: str, first_seen: datetime, *, db: Database | None = None
) -> tuple[Filing, bool]:
    """The group's filing row, created (unfiled, first seen at ``first_seen``) if missing.

    Returns ``(row, created)``; exactly one caller in any process gets ``created``.
    """
    db = db or get_db()
    existing = await get_filing(platform, group_id, db=db)
    if existing is not None:
        return existing, False
    row = Filing(platform=platform, group_id=group_id, self_id=self_id, first_seen=first_seen)
    try:
        async with db.session() as s:
            s.add(row)
    except IntegrityError:
        found = await get_filing(platform, group_id, db=db)
        assert found is not None
        return found, False
    return row, True


async def reopen(filing_id: int, first_seen: datetime, self_id: str, *, db: Database | None = None) -> bool:
    """A deregistered group is back (the bot was added again): unfiled again, counted from now.

    The filed values stay as a draft, so the owner only confirms them. False if it was not
    deregistered (another process reopened it).
    """
    db = db or get_db()
    stmt = (
        update(Filing)
        .where(col(Filing.id) == filing_id, col(Filing.status) == FilingStatus.DEREGISTERED)
        .values(
            status=FilingStatus.UNFILED,
            first_seen=first_seen,
            self_id=self_id,
            filed_at=None,
            dereg_at=None,
            dereg_kind="",
            dereg_reason="",
            sync_failures=0,
            dormant_noted_at=None,
        )
    )
    return await _rowcount(db, stmt) == 1


async def update_filing(
    filing_id: int,
    values: Mapping[str, Any],
    *,
    only_status: Iterable[str] | None = None,
    db: Database | None = None,
) -> bool:
    """Set ``values`` on a filing (optionally only while its status is one of ``only_status``)."""
    db = db or get_db()
    stmt = update(Filing).where(col(Filing.id) == filing_id)
    if only_status is not None:
        stmt = stmt.where(col(Filing.status).in_(list(only_status)))
    return await _rowcount(db, stmt.values(**values)) == 1


async def list_filings(
    *,
    platform: str | None = None,
    group_ids: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    db: Database | None = None,
) -> list[Filing]:
    db = db or get_db()
    q = select(Filing)
    if platform is not None:
        q = q.where(col(Filing.platform) == platform)
    if group_ids is not None:
        q = q.where(col(Filing.group_id).in_(list(group_ids)))
    if statuses is not None:
        q = q.where(col(Filing.status).in_(list(statuses)))
    q = q.order_by(col(Filing.platform), col(Filing.group_id))
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def note_observed(
    filing_id: int,
    *,
    at: datetime,
    name: str | None = None,
    member_count: int | None = None,
    owner_id: str | None = None,
    failed: bool = False,
    full: bool = True,
    db: Database | None = None,
) -> None:
    """Record what the platform said (values left None are unknown and kept as they were).

    ``full``: a whole sync (group info and member list), which sets ``synced_at``; a member list
    fetched for the owner alone does not.
    """
    db = db or get_db()
    values: dict[str, Any] = {}
    if full:
        values["synced_at"] = at
        values["sync_failures"] = Filing.sync_failures + 1 if failed else 0
    if name:
        values["observed_name"] = name[:200]
    if member_count is not None:
        values["member_count"] = member_count
    if owner_id:
        values["owner_id"] = owner_id[:64]
    if values:
        await _rowcount(db, update(Filing).where(col(Filing.id) == filing_id).values(**values))


async def deregister(
    platform: str, group_id: str, kind: str, reason: str, at: datetime, *, db: Database | None = None
) -> Filing | None:
    """Mark the group deregistered; returns the row as it was before, or None if there was nothing to
    do (no filing, or already deregistered — a disband notice delivered twice is handled once)."""
    db = db or get_db()
    row = await get_filing(platform, group_id, db=db)
    if row is None or row.status == FilingStatus.DEREGISTERED:
        return None
    stmt = (
        update(Filing)
        .where(col(Filing.id) == row.id, col(Filing.status) != FilingStatus.DEREGISTERED)
        .values(status=FilingStatus.DEREGISTERED, dereg_at=at, dereg_kind=kind, dereg_reason=reason[:200])
    )
    return row if await _rowcount(db, stmt) == 1 else None


async def chat_group(platform: str, group_id: str, *, db: Database | None = None) -> ChatGroup | None:
    """The router's record of the group (first and last message seen), if any."""
    db = db or get_db()
    q = select(ChatGroup).where(col(ChatGroup.platform) == platform, col(ChatGroup.group_id) == group_id)
    async with db.session() as s:
        return (await s.execute(q)).scalar_one_or_none()


async def unregistered_groups(*, db: Database | None = None) -> list[ChatGroup]:
    """Groups the router has seen that have no filing yet (their messages were all commands)."""
    db = db or get_db()
    same = and_(
        col(Filing.platform) == col(ChatGroup.platform), col(Filing.group_id) == col(ChatGroup.group_id)
    )
    q = select(ChatGroup).outerjoin(Filing, same).where(col(Filing.id).is_(None)).order_by(col(ChatGroup.id))
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def last_messages(*, db: Database | None = None) -> dict[tuple[str, str], datetime]:
    """When the bot last saw a message in each group (the router's record, 10-minute resolution)."""
    db = db or get_db()
    q = select(col(ChatGroup.platform), col(ChatGroup.group_id), col(ChatGroup.last_seen))
    async with db.session() as s:
        return {(p, g): t for p, g, t in (await s.execute(q)).all()}


# --- duties -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewDuty:
    platform: str
    group_id: str
    kind: DutyKind
    opened_at: datetime
    starts_at: datetime
    due_at: datetime
    detail: str = ""


async def get_open_duty(
    platform: str, group_id: str, kind: str, *, db: Database | None = None
) -> FilingDuty | None:
    db = db or get_db()
    q = select(FilingDuty).where(
        col(FilingDuty.platform) == platform,
        col(FilingDuty.group_id) == group_id,
        col(FilingDuty.kind) == kind,
        col(FilingDuty.state) == DutyState.OPEN,
    )
    async with db.session() as s:
        return (await s.execute(q)).scalars().first()


async def open_duty(new: NewDuty, *, db: Database | None = None) -> tuple[FilingDuty, bool]:
    """Open a duty unless one of that kind is already open for the group: ``(duty, created)``."""
    db = db or get_db()
    existing = await get_open_duty(new.platform, new.group_id, new.kind, db=db)
    if existing is not None:
        return existing, False
    row = FilingDuty(
        platform=new.platform,
        group_id=new.group_id,
        kind=new.kind,
        opened_at=new.opened_at,
        starts_at=new.starts_at,
        due_at=new.due_at,
        next_at=new.starts_at,
        detail=new.detail[:200],
    )
    try:
        async with db.session() as s:
            s.add(row)
    except IntegrityError:
        found = await get_open_duty(new.platform, new.group_id, new.kind, db=db)
        assert found is not None
        return found, False
    return row, True


async def open_duties(
    *,
    platform: str | None = None,
    group_ids: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    db: Database | None = None,
) -> list[FilingDuty]:
    db = db or get_db()
    q = select(FilingDuty).where(col(FilingDuty.state) == DutyState.OPEN)
    if platform is not None:
        q = q.where(col(FilingDuty.platform) == platform)
    if group_ids is not None:
        q = q.where(col(FilingDuty.group_id).in_(list(group_ids)))
    if kinds is not None:
        q = q.where(col(FilingDuty.kind).in_(list(kinds)))
    q = q.order_by(col(FilingDuty.due_at), col(FilingDuty.id))
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def due_duties(now: datetime, *, limit: int = 50, db: Database | None = None) -> list[FilingDuty]:
    """Open duties whose next reminder time has come, oldest first."""
    db = db or get_db()
    q = (
        select(FilingDuty)
        .where(col(FilingDuty.state) == DutyState.OPEN, col(FilingDuty.next_at) <= now)
        .order_by(col(FilingDuty.next_at), col(FilingDuty.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def advance_duty(
    duty_id: int,
    from_stage: int,
    to_stage: int,
    next_at: datetime | None,
    *,
    sent_at: datetime,
    sent: bool = True,
    escalated: bool = False,
    db: Database | None = None,
) -> bool:
    """Take the reminder step(s) ``from_stage`` → ``to_stage``: True for exactly one caller.

    The winner sends the reminder; a process that dies after winning loses that one reminder, never
    sends it twice, and the next step comes as planned.
    """
    db = db or get_db()
    values: dict[str, Any] = {"stage": to_stage, "next_at": next_at}
    if sent:
        values.update(
            last_sent_at=sent_at,
            reminders=FilingDuty.reminders + 1,
            escalations=FilingDuty.escalations + (1 if escalated else 0),
        )
    stmt = (
        update(FilingDuty)
        .where(
            col(FilingDuty.id) == duty_id,
            col(FilingDuty.state) == DutyState.OPEN,
            col(FilingDuty.stage) == from_stage,
        )
        .values(**values)
    )
    return await _rowcount(db, stmt) == 1


async def close_duty(
    platform: str,
    group_id: str,
    kind: str,
    state: DutyState,
    at: datetime,
    note: str = "",
    *,
    db: Database | None = None,
) -> FilingDuty | None:
    """Close the open duty of that kind (done or cancelled); returns it as closed, or None if none was
    open (or another process closed it first)."""
    if state is DutyState.OPEN:
        raise ValueError("close_duty closes; use open_duty to open")
    db = db or get_db()
    duty = await get_open_duty(platform, group_id, kind, db=db)
    if duty is None:
        return None
    late = state is DutyState.DONE and at > duty.due_at
    stmt = (
        update(FilingDuty)
        .where(col(FilingDuty.id) == duty.id, col(FilingDuty.state) == DutyState.OPEN)
        .values(state=state, open_slot=None, closed_at=at, close_note=note[:200], late=late, next_at=None)
    )
    if await _rowcount(db, stmt) != 1:
        return None
    duty.state, duty.open_slot, duty.closed_at, duty.close_note, duty.late = state, None, at, note[:200], late
    return duty


async def set_duty_case(duty_id: int, case_id: int, *, db: Database | None = None) -> None:
    db = db or get_db()
    await _rowcount(db, update(FilingDuty).where(col(FilingDuty.id) == duty_id).values(case_id=case_id))


# --- history ----------------------------------------------------------------------------------


async def add_history(
    filing_id: int,
    event: str,
    at: datetime,
    *,
    actor: str = "bot",
    changed: Iterable[str] = (),
    note: str = "",
    db: Database | None = None,
) -> None:
    db = db or get_db()
    async with db.session() as s:
        s.add(
            FilingHistory(
                filing_id=filing_id,
                at=at,
                event=event[:32],
                actor=actor[:64],
                changed="、".join(changed)[:200],
                note=note[:200],
            )
        )


async def history(filing_id: int, *, limit: int = 50, db: Database | None = None) -> list[FilingHistory]:
    db = db or get_db()
    q = (
        select(FilingHistory)
        .where(col(FilingHistory.filing_id) == filing_id)
        .order_by(col(FilingHistory.id).desc())
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


# --- activity ---------------------------------------------------------------------------------


async def add_activity(counts: Mapping[tuple[str, str, date], int], *, db: Database | None = None) -> None:
    """Add message counts per (platform, group, day); safe with several processes adding at once."""
    db = db or get_db()
    for (platform, group_id, day), n in counts.items():
        if n <= 0:
            continue
        match = (
            col(GroupActivity.platform) == platform,
            col(GroupActivity.group_id) == group_id,
            col(GroupActivity.day) == day,
        )
        stmt = update(GroupActivity).where(*match).values(messages=GroupActivity.messages + n)
        if await _rowcount(db, stmt) == 1:
            continue
        try:
            async with db.session() as s:
                s.add(GroupActivity(platform=platform, group_id=group_id, day=day, messages=n))
        except IntegrityError:  # another process inserted the day's row first
            await _rowcount(db, stmt)


async def activity_totals(
    since: date, *, platform: str | None = None, group_id: str | None = None, db: Database | None = None
) -> dict[tuple[str, str], int]:
    """Messages per (platform, group) from ``since`` (inclusive)."""
    db = db or get_db()
    q = select(
        col(GroupActivity.platform), col(GroupActivity.group_id), func.sum(col(GroupActivity.messages))
    ).where(col(GroupActivity.day) >= since)
    if platform is not None:
        q = q.where(col(GroupActivity.platform) == platform)
    if group_id is not None:
        q = q.where(col(GroupActivity.group_id) == group_id)
    q = q.group_by(col(GroupActivity.platform), col(GroupActivity.group_id))
    async with db.session() as s:
        return {(p, g): int(n or 0) for p, g, n in (await s.execute(q)).all()}


async def prune_activity(before: date, *, db: Database | None = None) -> int:
    db = db or get_db()
    return await _rowcount(db, delete(GroupActivity).where(col(GroupActivity.day) < before))


# --- scheduled job runs -----------------------------------------------------------------------


async def claim_run(key: str, worker: str, at: datetime, *, db: Database | None = None) -> bool:
    """Claim the scheduled job ``key`` (e.g. ``weekly:2026-W48:finance``): True for exactly one caller."""
    db = db or get_db()
    try:
        async with db.session() as s:
            s.add(RegisterRun(key=key[:120], worker=worker[:64], started_at=at))
    except IntegrityError:
        return False
    return True


async def finish_run(key: str, at: datetime, result: str = "", *, db: Database | None = None) -> None:
    db = db or get_db()
    stmt = (
        update(RegisterRun)
        .where(col(RegisterRun.key) == key[:120])
        .values(finished_at=at, result=result[:200])
    )
    await _rowcount(db, stmt)


async def run_done(key: str, *, db: Database | None = None) -> bool:
    db = db or get_db()
    q = select(func.count()).select_from(RegisterRun).where(col(RegisterRun.key) == key[:120])
    async with db.session() as s:
        return bool((await s.execute(q)).scalar())


# --- the register as rows of the 登记备案表 ------------------------------------------------------

_PLATFORM_LABEL = {"qq": "QQ", "wechat": "微信"}
_STATUS_LABEL = {
    FilingStatus.UNFILED: "未备案",
    FilingStatus.FILED: "已备案",
    FilingStatus.DEREGISTERED: "已注销",
}
_DUTY_LABEL = {DutyKind.FILE: "待备案", DutyKind.REFILE: "待变更备案", DutyKind.DISSOLVE: "待解散"}


def _day(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d") if moment is not None else ""


def _minute(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def build_entries(
    filings: Sequence[Filing],
    duties: Sequence[FilingDuty],
    activity: Callable[[Filing], str],
    *,
    unit_of: Callable[[str], str],
    owner_of: Callable[[Filing], tuple[str, str]],
    now: datetime,
) -> dict[str, list[RegisterEntry]]:
    """The 登记备案表 per unit name (units by name, groups without a unit last; groups by id).

    ``unit_of(group_id)`` names the unit; ``owner_of(filing)`` gives (owner, contact) ready to show —
    masked, or decrypted for an operator's full export; ``activity(filing)`` the 活跃程度.
    """
    by_group: dict[tuple[str, str], list[FilingDuty]] = {}
    for d in duties:
        by_group.setdefault((d.platform, d.group_id), []).append(d)
    sheets: dict[str, list[RegisterEntry]] = {}

    def order(f: Filing) -> tuple[bool, str, str, str]:
        unit = unit_of(f.group_id)
        return unit == NO_UNIT, unit, f.platform, f.group_id

    for f in sorted(filings, key=order):
        open_ = by_group.get((f.platform, f.group_id), [])
        due = "；".join(
            f"{_DUTY_LABEL.get(DutyKind(d.kind), d.kind)}，期限 {_minute(d.due_at)}"
            + ("（已逾期）" if d.due_at < now else "")
            for d in open_
        )
        kind = GroupKind(f.kind).label if f.kind else ""
        end = f.end_date.isoformat() if f.end_date else ("未定" if f.end_undecided else "")
        owner, contact = owner_of(f)
        dereg = ""
        if f.status == FilingStatus.DEREGISTERED:
            dereg = f"{_day(f.dereg_at)} {f.dereg_reason}".strip()
        unit = unit_of(f.group_id)
        sheets.setdefault(unit, []).append(
            RegisterEntry(
                unit=unit,
                name=f.name or f.observed_name,
                group_id=f.group_id,
                platform=_PLATFORM_LABEL.get(f.platform, f.platform),
                dept=f.dept,
                matter=f.matter,
                kind=kind,
                end_date=end if kind and GroupKind(f.kind).ends else "",
                entry=f.entry,
                rules=f.rules,
                members=f"{f.member_count} 人" if f.member_count is not None else "",
                activity=activity(f),
                owner=owner,
                contact=contact,
                status=_STATUS_LABEL.get(FilingStatus(f.status), f.status),
                filed_at=_day(f.filed_at),
                updated_at=_day(f.updated_at),
                due=due,
                first_seen=_day(f.first_seen),
                deregistered=dereg,
            )
        )
    return sheets


def personal_of(filing: Filing, cipher: PersonalDataCipher | None) -> tuple[str, str]:
    """The owner's name and contact in plain text ("" when absent or unreadable). Never log these."""
    if cipher is None:
        return "", ""
    out = []
    for token, context in ((filing.owner_name_enc, OWNER_CONTEXT), (filing.contact_enc, CONTACT_CONTEXT)):
        try:
            out.append(cipher.decrypt(token, context=context) if token else "")
        except PersonalDataCryptoError:
            out.append("")
    return out[0], out[1]


def _mask_contact(contact: str) -> str:
    """「138****5678」; a landline keeps its area code and last four digits: 「0559-***4567」."""
    if contact.startswith("1"):
        return mask_mobile(contact)
    area, sep, number = contact.partition("-")
    if sep and len(number) > 4:
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    return mask_other(contact)


def masked_of(filing: Filing, cipher: PersonalDataCipher | None) -> tuple[str, str]:
    """The owner's name and contact masked for display (「李*」「138****5678」)."""
    name, contact = personal_of(filing, cipher)
    unreadable = "（无法解密）"
    shown_name = mask_name(name) if name else (unreadable if filing.owner_name_enc else "")
    if contact:
        shown_contact = _mask_contact(contact)
    else:
        shown_contact = unreadable if filing.contact_enc else ""
    return shown_name, shown_contact


async def register_sheets(
    policy: Policy,
    cipher: PersonalDataCipher | None,
    now: datetime,
    *,
    masked: bool = True,
    units: Iterable[str] | None = None,
    platform: str | None = None,
    group_ids: Iterable[str] | None = None,
    db: Database | None = None,
) -> dict[str, list[RegisterEntry]]:
    """The register as 登记备案表 rows per unit name, for the command and the CLI.

    ``units``: only groups of these policy unit keys ("" = groups without a unit); None = all.
    ``group_ids``: only these groups (with ``units``, groups in both); None = all.
    ``masked``: personal data masked (always, except an operator's explicit full export).
    """
    db = db or get_db()
    wanted = set(units) if units is not None else None
    filings = [
        f
        for f in await list_filings(platform=platform, group_ids=group_ids, db=db)
        if wanted is None or (policy.for_group(f.group_id).unit_key or "") in wanted
    ]
    duties = await open_duties(platform=platform, group_ids=[f.group_id for f in filings], db=db)
    today = to_local(now).date()
    totals = await activity_totals(date.fromordinal(today.toordinal() - ACTIVITY_WINDOW_DAYS + 1), db=db)

    def activity(f: Filing) -> str:
        observed = (today - to_local(f.first_seen).date()).days + 1
        return activity_label(totals.get((f.platform, f.group_id), 0), observed)

    def owner(f: Filing) -> tuple[str, str]:
        return masked_of(f, cipher) if masked else personal_of(f, cipher)

    return build_entries(
        filings,
        duties,
        activity,
        unit_of=lambda gid: policy.for_group(gid).unit_name or NO_UNIT,
        owner_of=owner,
        now=now,
    )
