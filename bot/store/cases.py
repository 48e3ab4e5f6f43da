"""Rectification cases (整改, SPEC §9): the public API that capabilities call for serious findings.

A case gets its deadline from kunming 第十五条 (:func:`bot.core.calendar.rectification_deadline`):
received inside working hours — general 1 h, serious 30 min; outside working hours or on a holiday —
general 4 h, serious 2 h. The register plugin's scheduler tells the group's owner about each new case,
escalates overdue ones to the unit's supervisors, and sends the quarterly summary (kunming 第十九条);
``/处理`` lists and closes them.

Calling it from another capability (e.g. the content guard, for a secret-marked message)::

    from bot.core.calendar import Severity
    from bot.store import cases

    case, created = await cases.open_case(
        platform=rec.platform, group_id=rec.group_id, self_id=rec.self_id,
        kind="secret", category="涉密标识", severity=Severity.SERIOUS, rule="secret",
        summary="消息含涉密标识，已撤回", user_id=rec.user_id, message_id=rec.message_id,
        received_at=rec.time, calendar=rt.calendar(rec.group_id), source="guard",
        dedup_key=f"guard:{rec.platform}:{rec.group_id}:{rec.message_id}:secret",
    )

``summary`` must describe the finding without repeating it: no message text, no personal data.
``dedup_key`` makes the call idempotent (a redelivered event opens no second case). The call writes
the case and an audit row; it sends nothing itself, so it is safe on the message path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.core.calendar import Severity, WorkCalendar, rectification_deadline
from bot.models.register import Case, CaseState
from bot.store import audit
from bot.store.db import Database, get_db

__all__ = [
    "CASE_LABELS",
    "advance_escalation",
    "cases_between",
    "category_of",
    "close_case",
    "close_open_cases",
    "count_open",
    "due_escalations",
    "get_case",
    "list_cases",
    "mark_notified",
    "open_case",
    "open_counts_by_group",
    "to_notify",
]

CASE_LABELS: dict[str, str] = {
    "secret": "涉密标识",
    "file_secret": "涉密文件",
    "privacy": "个人信息",
    "id_number": "身份证号码",
    "bank_card": "银行卡号",
    "mobile": "手机号码",
    "prohibited": "违规内容",
    "political": "反动/政治有害",
    "porn": "色情",
    "gambling": "赌博",
    "violence": "暴力恐怖",
    "drugs": "毒品",
    "fraud": "病毒链接/诈骗",
    "illegal": "违法侵权",
    "rumor": "谣言",
    "filing_overdue": "逾期未备案",
    "refile_overdue": "逾期未变更备案",
    "dissolve_overdue": "临时群逾期未解散",
}


def _severity_label(severity: str) -> str:
    return "严重" if severity == Severity.SERIOUS else "一般"


def category_of(kind: str, category: str = "") -> str:
    """The label a case is shown and counted under."""
    return category or CASE_LABELS.get(kind, kind)


async def _rowcount(db: Database, stmt: Any) -> int:
    async with db.session() as s:
        result: CursorResult[Any] = await s.execute(stmt)  # type: ignore[assignment]
        return int(result.rowcount or 0)


async def get_case(case_id: int, *, db: Database | None = None) -> Case | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(Case, case_id)


async def _by_dedup(key: str, db: Database) -> Case | None:
    async with db.session() as s:
        return (await s.execute(select(Case).where(col(Case.dedup_key) == key))).scalar_one_or_none()


async def open_case(
    *,
    platform: str,
    group_id: str,
    kind: str,
    severity: Severity | str,
    received_at: datetime,
    calendar: WorkCalendar,
    self_id: str = "",
    category: str = "",
    rule: str = "",
    summary: str = "",
    user_id: str = "",
    message_id: str = "",
    source: str = "",
    ref: str = "",
    dedup_key: str | None = None,
    notify: bool = True,
    escalate: bool = True,
    actor: str = "bot",
    db: Database | None = None,
) -> tuple[Case, bool]:
    """Open a rectification case; returns ``(case, created)``.

    The deadline is kunming 第十五条's for ``severity`` (``"general"`` / ``"serious"``) received at
    ``received_at`` (the event's time), in ``calendar``'s working hours (``rt.calendar(group_id)``).
    With ``dedup_key`` a second call returns the first case and ``created`` False. ``notify``: the
    scheduler tells the group's owner; ``escalate``: overdue cases go to the unit's supervisors.
    """
    db = db or get_db()
    if dedup_key is not None:
        existing = await _by_dedup(dedup_key[:200], db)
        if existing is not None:
            return existing, False
    deadline = rectification_deadline(received_at, severity, calendar)
    row = Case(
        platform=platform,
        group_id=group_id,
        self_id=self_id,
        kind=kind[:32],
        category=category_of(kind, category)[:32],
        severity=deadline.severity,
        rule=rule[:32],
        summary=summary[:300],
        user_id=user_id[:64],
        message_id=message_id[:64],
        source=source[:16],
        ref=ref[:64],
        dedup_key=dedup_key[:200] if dedup_key is not None else None,
        received_at=received_at,
        in_working_time=deadline.in_working_time,
        limit_minutes=int(deadline.limit.total_seconds() // 60),
        due_at=deadline.due,
        notify=notify,
        escalate=escalate,
        next_escalation_at=deadline.due if escalate else None,
    )
    try:
        async with db.session() as s:
            s.add(row)
    except IntegrityError:
        if dedup_key is None:
            raise
        found = await _by_dedup(dedup_key[:200], db)
        assert found is not None
        return found, False
    await audit.record(
        "case.opened",
        actor=actor,
        platform=platform,
        group_id=group_id,
        target=user_id,
        rule=rule or "rectification",
        reason=f"整改事项 #{row.id}：{row.category}（{_severity_label(row.severity)}问题）",
        detail={
            "case": row.id,
            "kind": kind,
            "severity": str(row.severity),
            "due_at": row.due_at.isoformat(),
            "in_working_time": row.in_working_time,
            "source": source,
            "ref": ref,
        },
        db=db,
    )
    return row, True


async def close_case(
    case_id: int, by: str, note: str, at: datetime, *, db: Database | None = None
) -> Case | None:
    """Close an open case with a note; returns the closed case, or None if it was not open."""
    db = db or get_db()
    case = await get_case(case_id, db=db)
    if case is None or case.state != CaseState.OPEN:
        return None
    late = at > case.due_at
    stmt = (
        update(Case)
        .where(col(Case.id) == case_id, col(Case.state) == CaseState.OPEN)
        .values(
            state=CaseState.CLOSED,
            closed_at=at,
            closed_by=by[:64],
            close_note=note[:300],
            late=late,
            next_escalation_at=None,
        )
    )
    if await _rowcount(db, stmt) != 1:
        return None
    case.state, case.closed_at, case.closed_by, case.close_note, case.late = (
        CaseState.CLOSED,
        at,
        by[:64],
        note[:300],
        late,
    )
    return case


async def close_open_cases(
    platform: str,
    group_id: str,
    by: str,
    note: str,
    at: datetime,
    *,
    ref: str | None = None,
    db: Database | None = None,
) -> list[Case]:
    """Close every open case of a group (or only the one with ``ref``); returns those this call closed."""
    db = db or get_db()
    q = select(Case).where(
        col(Case.platform) == platform, col(Case.group_id) == group_id, col(Case.state) == CaseState.OPEN
    )
    if ref is not None:
        q = q.where(col(Case.ref) == ref)
    async with db.session() as s:
        rows = list((await s.execute(q)).scalars())
    closed = []
    for row in rows:
        assert row.id is not None
        done = await close_case(row.id, by, note, at, db=db)
        if done is not None:
            closed.append(done)
    return closed


async def list_cases(
    *,
    platform: str | None = None,
    group_ids: Iterable[str] | None = None,
    states: Iterable[str] = (CaseState.OPEN,),
    limit: int = 50,
    db: Database | None = None,
) -> list[Case]:
    """Cases, open ones by deadline; closed ones most recent first."""
    db = db or get_db()
    wanted = list(states)
    q = select(Case).where(col(Case.state).in_(wanted))
    if platform is not None:
        q = q.where(col(Case.platform) == platform)
    if group_ids is not None:
        q = q.where(col(Case.group_id).in_(list(group_ids)))
    if wanted == [CaseState.OPEN]:
        q = q.order_by(col(Case.due_at), col(Case.id))
    else:
        q = q.order_by(col(Case.id).desc())
    async with db.session() as s:
        return list((await s.execute(q.limit(limit))).scalars())


async def count_open(
    now: datetime,
    *,
    platform: str | None = None,
    group_ids: Iterable[str] | None = None,
    db: Database | None = None,
) -> tuple[int, int]:
    """``(open cases, of which overdue at now)``."""
    db = db or get_db()
    overdue_flag = sql_case((col(Case.due_at) < now, 1), else_=0)
    q = select(func.count(), func.sum(overdue_flag)).where(col(Case.state) == CaseState.OPEN)
    if platform is not None:
        q = q.where(col(Case.platform) == platform)
    if group_ids is not None:
        q = q.where(col(Case.group_id).in_(list(group_ids)))
    async with db.session() as s:
        total, overdue = (await s.execute(q)).one()
    return int(total or 0), int(overdue or 0)


async def open_counts_by_group(
    now: datetime, *, group_ids: Iterable[str] | None = None, db: Database | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """``(platform, group_id) → (open cases, of which overdue at now)`` (for the dashboard)."""
    db = db or get_db()
    overdue_flag = sql_case((col(Case.due_at) < now, 1), else_=0)
    q = select(col(Case.platform), col(Case.group_id), func.count(), func.sum(overdue_flag)).where(
        col(Case.state) == CaseState.OPEN
    )
    if group_ids is not None:
        q = q.where(col(Case.group_id).in_(list(group_ids)))
    q = q.group_by(col(Case.platform), col(Case.group_id))
    async with db.session() as s:
        return {(p, g): (int(n or 0), int(o or 0)) for p, g, n, o in (await s.execute(q)).all()}


async def cases_between(start: datetime, end: datetime, *, db: Database | None = None) -> list[Case]:
    """Cases received in ``[start, end)`` (for the quarterly summary)."""
    db = db or get_db()
    q = select(Case).where(col(Case.received_at) >= start, col(Case.received_at) < end).order_by(col(Case.id))
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


# --- the scheduler's side ---------------------------------------------------------------------


async def to_notify(*, limit: int = 50, db: Database | None = None) -> list[Case]:
    """Open cases whose owner has not been told yet."""
    db = db or get_db()
    q = (
        select(Case)
        .where(col(Case.state) == CaseState.OPEN, col(Case.notify).is_(True), col(Case.notified_at).is_(None))
        .order_by(col(Case.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def mark_notified(case_id: int, at: datetime, *, db: Database | None = None) -> bool:
    """Claim the opening notice of a case: True for exactly one caller."""
    db = db or get_db()
    stmt = update(Case).where(col(Case.id) == case_id, col(Case.notified_at).is_(None)).values(notified_at=at)
    return await _rowcount(db, stmt) == 1


async def due_escalations(now: datetime, *, limit: int = 50, db: Database | None = None) -> list[Case]:
    """Open cases past their deadline whose next escalation time has come."""
    db = db or get_db()
    q = (
        select(Case)
        .where(
            col(Case.state) == CaseState.OPEN,
            col(Case.escalate).is_(True),
            col(Case.next_escalation_at) <= now,
        )
        .order_by(col(Case.next_escalation_at), col(Case.id))
        .limit(limit)
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def advance_escalation(
    case_id: int, from_count: int, to_count: int, next_at: datetime, *, db: Database | None = None
) -> bool:
    """Take an escalation round: True for exactly one caller, who sends it."""
    db = db or get_db()
    stmt = (
        update(Case)
        .where(
            col(Case.id) == case_id, col(Case.state) == CaseState.OPEN, col(Case.escalations) == from_count
        )
        .values(escalations=to_count, next_escalation_at=next_at)
    )
    return await _rowcount(db, stmt) == 1
