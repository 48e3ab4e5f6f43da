"""Suggestions (SPEC §7): record, list, mark reported, reply, and the leaders' weekly digest.

The text is stored as written (it may name colleagues): it is shown to managers and leaders, and
never written to the log or the audit trail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.core.calendar import to_local
from bot.models.review import Suggestion, SuggestionState
from bot.store.db import Database, get_db

STATE_LABELS = {
    SuggestionState.NEW: "待报送",
    SuggestionState.REPORTED: "已报送",
    SuggestionState.REPLIED: "已答复",
}
EXPORT_COLUMNS = (
    "编号",
    "群号",
    "提出人账号",
    "群名片",
    "时间",
    "来源",
    "内容",
    "状态",
    "报送时间",
    "答复",
    "答复时间",
)

__all__ = [
    "EXPORT_COLUMNS",
    "STATE_LABELS",
    "NewSuggestion",
    "count_between",
    "export_rows",
    "get",
    "list_for",
    "mark_reported",
    "record",
    "set_reply",
    "take_for_digest",
    "when",
    "write_csv",
    "write_xlsx",
]


@dataclass(frozen=True, slots=True)
class NewSuggestion:
    platform: str
    group_id: str
    self_id: str
    user_id: str
    card: str
    message_id: str
    at: datetime
    text: str
    source: str = "auto"  # auto | command
    score: int = 0


async def record(new: NewSuggestion, *, db: Database | None = None) -> Suggestion | None:
    """Insert; None when this message was recorded already (an event delivered twice)."""
    db = db or get_db()
    row = Suggestion(
        platform=new.platform,
        group_id=new.group_id,
        self_id=new.self_id,
        user_id=new.user_id,
        card=new.card[:64],
        message_id=new.message_id[:64],
        at=new.at,
        text=new.text,
        source=new.source,
        score=new.score,
    )
    try:
        async with db.session() as s:
            s.add(row)
            await s.flush()
    except IntegrityError:
        return None
    return row


async def get(suggestion_id: int, *, db: Database | None = None) -> Suggestion | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(Suggestion, suggestion_id)


async def list_for(
    group_ids: Sequence[str] | None = None,
    *,
    platform: str | None = None,
    states: Sequence[str] | None = None,
    since: datetime | None = None,
    limit: int = 50,
    db: Database | None = None,
) -> list[Suggestion]:
    """Suggestions, newest first (of some groups, or all)."""
    db = db or get_db()
    q: Any = select(Suggestion)
    if group_ids is not None:
        q = q.where(col(Suggestion.group_id).in_(list(group_ids)))
    if platform is not None:
        q = q.where(col(Suggestion.platform) == platform)
    if states is not None:
        q = q.where(col(Suggestion.state).in_(list(states)))
    if since is not None:
        q = q.where(col(Suggestion.at) >= since)
    q = q.order_by(col(Suggestion.id).desc()).limit(limit)
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def mark_reported(suggestion_id: int, by: str, now: datetime, *, db: Database | None = None) -> bool:
    """``new → reported``; False when it was reported (or answered) already."""
    db = db or get_db()
    stmt = (
        update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id, col(Suggestion.state) == SuggestionState.NEW)
        .values(state=SuggestionState.REPORTED, reported_by=by, reported_at=now)
    )
    async with db.session() as s:
        return (await s.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]


async def set_reply(
    suggestion_id: int, reply: str, by: str, now: datetime, *, db: Database | None = None
) -> bool:
    db = db or get_db()
    stmt = (
        update(Suggestion)
        .where(col(Suggestion.id) == suggestion_id)
        .values(state=SuggestionState.REPLIED, reply=reply, replied_by=by, replied_at=now)
    )
    async with db.session() as s:
        return (await s.execute(stmt)).rowcount == 1  # type: ignore[attr-defined]


async def take_for_digest(
    platform: str, group_id: str, now: datetime, *, db: Database | None = None
) -> list[Suggestion]:
    """The group's suggestions not yet in a digest, marked as digested in the same transaction.

    Called from a claimed review run (or /建议 周报), so one process takes them."""
    db = db or get_db()
    async with db.session() as s:
        ids = list(
            (
                await s.execute(
                    select(col(Suggestion.id)).where(
                        col(Suggestion.platform) == platform,
                        col(Suggestion.group_id) == group_id,
                        col(Suggestion.digested_at).is_(None),
                    )
                )
            ).scalars()
        )
        if not ids:
            return []
        await s.execute(
            update(Suggestion)
            .where(col(Suggestion.id).in_(ids), col(Suggestion.digested_at).is_(None))
            .values(digested_at=now)
        )
        q = select(Suggestion).where(col(Suggestion.id).in_(ids)).order_by(col(Suggestion.id))
        return list((await s.execute(q)).scalars())


async def count_between(
    platform: str, group_id: str, since: datetime, until: datetime, *, db: Database | None = None
) -> dict[str, int]:
    """Suggestions recorded in ``[since, until)`` by state."""
    db = db or get_db()
    q = (
        select(col(Suggestion.state), func.count())
        .where(
            col(Suggestion.platform) == platform,
            col(Suggestion.group_id) == group_id,
            col(Suggestion.at) >= since,
            col(Suggestion.at) < until,
        )
        .group_by(col(Suggestion.state))
    )
    async with db.session() as s:
        return {k: int(n) for k, n in (await s.execute(q)).all()}


# ---------------------------------------------------------------- export (CSV, XLSX)


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = to_local(moment)
    return f"{local:%Y-%m-%d %H:%M}"


def export_rows(rows: list[Suggestion]) -> list[list[str]]:
    return [
        [
            str(s.id),
            s.group_id,
            s.user_id,
            s.card,
            when(s.at),
            "命令" if s.source == "command" else "自动识别",
            s.text,
            STATE_LABELS.get(SuggestionState(s.state), s.state),
            when(s.reported_at),
            s.reply,
            when(s.replied_at),
        ]
        for s in rows
    ]


def write_csv(rows: list[Suggestion], path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_COLUMNS)
    w.writerows(export_rows(rows))
    path.write_text(buf.getvalue(), encoding="utf-8-sig")


def write_xlsx(rows: list[Suggestion], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "意见建议"
    ws.append(list(EXPORT_COLUMNS))
    for r in export_rows(rows):
        ws.append(r)
    wb.save(path)
