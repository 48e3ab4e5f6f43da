"""Content guard store: findings (no message text), strikes, lexicon changes, group settings.

Only the violation path writes here; a clean message never touches the database. Lexicon changes
and group settings are loaded once at start-up and kept in memory by the plugin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from bot.models.guard import GuardFinding, GuardSetting, GuardStrike, GuardWord
from bot.store.db import Database, get_db

__all__ = [
    "FindingRow",
    "Violation",
    "active_strike_weight",
    "active_strikes",
    "add_word",
    "add_words",
    "clear_strikes",
    "count_findings",
    "delete_setting",
    "delete_word",
    "load_settings",
    "load_words",
    "members_with_strikes",
    "recent_findings",
    "record_violation",
    "save_setting",
    "words_of",
]


@dataclass(frozen=True, slots=True)
class FindingRow:
    """What is stored of one finding (``excerpt`` already safe: masked, or empty)."""

    kind: str
    rule: str
    cite_key: str
    excerpt: str = ""
    detail: str = ""
    cited: bool = False


@dataclass(frozen=True, slots=True)
class Violation:
    """One message's (or upload's) findings and what was done about them."""

    platform: str
    group_id: str
    user_id: str
    message_id: str
    at: datetime
    findings: Sequence[FindingRow]
    outcome: str  # enforced | observed | exempt
    intended: Sequence[str]
    done: Sequence[str]
    source: str = "message"
    strike_weight: int = 0
    strike_kind: str = ""
    strike_expires: datetime | None = None


async def record_violation(v: Violation, *, db: Database | None = None) -> list[int]:
    """Store the findings (and the strike, if any) in one transaction; the finding ids."""
    db = db or get_db()
    rows = [
        GuardFinding(
            platform=v.platform,
            group_id=v.group_id,
            user_id=v.user_id,
            message_id=v.message_id,
            at=v.at,
            source=v.source,
            kind=f.kind,
            rule=f.rule,
            cite_key=f.cite_key,
            excerpt=f.excerpt[:200],
            detail=f.detail[:200],
            cited=f.cited,
            outcome=v.outcome,
            intended=",".join(v.intended)[:100],
            done=",".join(v.done)[:100],
        )
        for f in v.findings
    ]
    async with db.session() as s:
        s.add_all(rows)
        await s.flush()
        if v.strike_weight and v.strike_expires is not None:
            cited = next((r.id for r, f in zip(rows, v.findings, strict=True) if f.cited), rows[0].id)
            s.add(
                GuardStrike(
                    platform=v.platform,
                    group_id=v.group_id,
                    user_id=v.user_id,
                    at=v.at,
                    expires_at=v.strike_expires,
                    weight=v.strike_weight,
                    kind=v.strike_kind,
                    finding_id=cited,
                )
            )
    return [r.id for r in rows if r.id is not None]


def _active(platform: str, group_id: str, user_id: str, now: datetime) -> Any:
    return (
        (col(GuardStrike.platform) == platform)
        & (col(GuardStrike.group_id) == group_id)
        & (col(GuardStrike.user_id) == user_id)
        & (col(GuardStrike.expires_at) > now)
        & (col(GuardStrike.cleared_at).is_(None))  # type: ignore[union-attr]
    )


async def active_strike_weight(
    platform: str, group_id: str, user_id: str, now: datetime, *, db: Database | None = None
) -> int:
    """The sum of the member's strikes that have not expired or been cleared at ``now``."""
    db = db or get_db()
    q = select(func.coalesce(func.sum(col(GuardStrike.weight)), 0)).where(
        _active(platform, group_id, user_id, now)
    )
    async with db.session() as s:
        return int((await s.execute(q)).scalar_one())


async def active_strikes(
    platform: str, group_id: str, user_id: str, now: datetime, *, db: Database | None = None
) -> list[GuardStrike]:
    db = db or get_db()
    q = select(GuardStrike).where(_active(platform, group_id, user_id, now)).order_by(col(GuardStrike.at))
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def members_with_strikes(
    platform: str, group_id: str, now: datetime, *, limit: int = 20, db: Database | None = None
) -> list[tuple[str, int]]:
    """``(user_id, active weight)`` of the group's members with active strikes, most first."""
    db = db or get_db()
    total = func.sum(col(GuardStrike.weight))
    q = (
        select(col(GuardStrike.user_id), total)
        .where(
            (col(GuardStrike.platform) == platform)
            & (col(GuardStrike.group_id) == group_id)
            & (col(GuardStrike.expires_at) > now)
            & (col(GuardStrike.cleared_at).is_(None))  # type: ignore[union-attr]
        )
        .group_by(col(GuardStrike.user_id))
        .order_by(total.desc(), GuardStrike.user_id)
        .limit(limit)
    )
    async with db.session() as s:
        return [(u, int(w)) for u, w in (await s.execute(q)).all()]


async def clear_strikes(
    platform: str, group_id: str, user_id: str, *, by: str, at: datetime, db: Database | None = None
) -> int:
    """Clear the member's active strikes (kept for the record, no longer counted); how many."""
    db = db or get_db()
    stmt = (
        update(GuardStrike)
        .where(_active(platform, group_id, user_id, at))
        .values(cleared_at=at, cleared_by=by)
    )
    async with db.session() as s:
        result = await s.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def recent_findings(
    group_id: str, *, user_id: str | None = None, limit: int = 10, db: Database | None = None
) -> list[GuardFinding]:
    db = db or get_db()
    q = select(GuardFinding).where(col(GuardFinding.group_id) == group_id)
    if user_id is not None:
        q = q.where(col(GuardFinding.user_id) == user_id)
    q = q.order_by(col(GuardFinding.id).desc()).limit(limit)  # type: ignore[union-attr]
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def count_findings(
    since: datetime, *, group_id: str | None = None, db: Database | None = None
) -> dict[str, int]:
    """Findings per outcome since ``since`` (all groups, or one)."""
    db = db or get_db()
    q = select(col(GuardFinding.outcome), func.count()).where(col(GuardFinding.at) >= since)
    if group_id is not None:
        q = q.where(col(GuardFinding.group_id) == group_id)
    async with db.session() as s:
        return {o: int(n) for o, n in (await s.execute(q.group_by(col(GuardFinding.outcome)))).all()}


# --- lexicon changes -----------------------------------------------------------------------------


async def load_words(*, db: Database | None = None) -> list[GuardWord]:
    db = db or get_db()
    async with db.session() as s:
        return list((await s.execute(select(GuardWord).order_by(col(GuardWord.id)))).scalars())


async def words_of(scope: str, scope_id: str, *, db: Database | None = None) -> list[GuardWord]:
    db = db or get_db()
    q = (
        select(GuardWord)
        .where(col(GuardWord.scope) == scope, col(GuardWord.scope_id) == scope_id)
        .order_by(col(GuardWord.id))
    )
    async with db.session() as s:
        return list((await s.execute(q)).scalars())


async def add_word(
    scope: str,
    scope_id: str,
    category: str,
    word: str,
    *,
    op: str = "add",
    tier: str = "act",
    by: str = "",
    at: datetime,
    db: Database | None = None,
) -> bool:
    """Add (or switch the op or tier of) one entry; False when it was already there like this."""
    db = db or get_db()
    key = (col(GuardWord.scope) == scope) & (col(GuardWord.scope_id) == scope_id)
    key &= (col(GuardWord.category) == category) & (col(GuardWord.word) == word)
    async with db.session() as s:
        row = (await s.execute(select(GuardWord).where(key))).scalar_one_or_none()
        if row is not None and row.op == op and row.tier == tier:
            return False
        if row is None:
            s.add(
                GuardWord(
                    scope=scope,
                    scope_id=scope_id,
                    category=category,
                    word=word,
                    op=op,
                    tier=tier,
                    added_by=by,
                    at=at,
                )
            )
        else:
            row.op, row.tier, row.added_by, row.at = op, tier, by, at
    return True


async def add_words(
    scope: str,
    scope_id: str,
    entries: Sequence[tuple[str, str]],
    *,
    by: str = "",
    at: datetime,
    db: Database | None = None,
) -> int:
    """Add many ``(category, word)`` entries in one transaction (an imported list); how many were new."""
    db = db or get_db()
    async with db.session() as s:
        q = select(col(GuardWord.category), col(GuardWord.word)).where(
            col(GuardWord.scope) == scope, col(GuardWord.scope_id) == scope_id
        )
        seen = {(c, w) for c, w in (await s.execute(q)).all()}
        new = [e for e in dict.fromkeys(entries) if e not in seen]
        s.add_all(
            GuardWord(scope=scope, scope_id=scope_id, category=c, word=w, op="add", added_by=by, at=at)
            for c, w in new
        )
    return len(new)


async def delete_word(
    scope: str, scope_id: str, category: str, word: str, *, db: Database | None = None
) -> bool:
    db = db or get_db()
    stmt = delete(GuardWord).where(
        (col(GuardWord.scope) == scope)
        & (col(GuardWord.scope_id) == scope_id)
        & (col(GuardWord.category) == category)
        & (col(GuardWord.word) == word)
    )
    async with db.session() as s:
        result = await s.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- group settings (/规则) ----------------------------------------------------------------------


async def load_settings(*, db: Database | None = None) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """``{group_id: (preset or None, overrides)}`` of every group with runtime settings."""
    db = db or get_db()
    async with db.session() as s:
        rows = list((await s.execute(select(GuardSetting))).scalars())
    return {r.group_id: (r.preset or None, json.loads(r.overrides or "{}")) for r in rows}


async def save_setting(
    group_id: str,
    preset: str | None,
    overrides: dict[str, Any],
    *,
    by: str,
    at: datetime,
    db: Database | None = None,
) -> None:
    db = db or get_db()
    text = json.dumps(overrides, ensure_ascii=False, sort_keys=True)
    async with db.session() as s:
        row = (
            await s.execute(select(GuardSetting).where(col(GuardSetting.group_id) == group_id))
        ).scalar_one_or_none()
        if row is None:
            s.add(
                GuardSetting(
                    group_id=group_id, preset=preset or "", overrides=text, updated_by=by, updated_at=at
                )
            )
        else:
            row.preset, row.overrides, row.updated_by, row.updated_at = preset or "", text, by, at


async def delete_setting(group_id: str, *, db: Database | None = None) -> bool:
    db = db or get_db()
    async with db.session() as s:
        result = await s.execute(delete(GuardSetting).where(col(GuardSetting.group_id) == group_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count_by_kind(
    platform: str, group_id: str, since: datetime, until: datetime, *, db: Database | None = None
) -> dict[str, int]:
    """Findings in ``[since, until)`` by kind, exempt senders left out (for the weekly report)."""
    db = db or get_db()
    q = (
        select(col(GuardFinding.kind), func.count())
        .where(
            col(GuardFinding.platform) == platform,
            col(GuardFinding.group_id) == group_id,
            col(GuardFinding.at) >= since,
            col(GuardFinding.at) < until,
            col(GuardFinding.outcome) != "exempt",
        )
        .group_by(col(GuardFinding.kind))
    )
    async with db.session() as s:
        return {k: int(n) for k, n in (await s.execute(q)).all()}


async def counts_by_group(
    since: datetime, until: datetime, *, group_ids: Iterable[str] | None = None, db: Database | None = None
) -> dict[tuple[str, str], int]:
    """Findings in ``[since, until)`` per ``(platform, group_id)``, exempt senders left out."""
    db = db or get_db()
    q = select(col(GuardFinding.platform), col(GuardFinding.group_id), func.count()).where(
        col(GuardFinding.at) >= since, col(GuardFinding.at) < until, col(GuardFinding.outcome) != "exempt"
    )
    if group_ids is not None:
        q = q.where(col(GuardFinding.group_id).in_(list(group_ids)))
    q = q.group_by(col(GuardFinding.platform), col(GuardFinding.group_id))
    async with db.session() as s:
        return {(p, g): int(n) for p, g, n in (await s.execute(q)).all()}


async def finding_times(
    platform: str, group_id: str, since: datetime, *, db: Database | None = None
) -> list[tuple[datetime, str]]:
    """``(time, kind)`` of the group's findings since ``since``, exempt senders left out (the
    dashboard's weekly chart buckets them by local week)."""
    db = db or get_db()
    q = (
        select(col(GuardFinding.at), col(GuardFinding.kind))
        .where(
            col(GuardFinding.platform) == platform,
            col(GuardFinding.group_id) == group_id,
            col(GuardFinding.at) >= since,
            col(GuardFinding.outcome) != "exempt",
        )
        .order_by(col(GuardFinding.at))
    )
    async with db.session() as s:
        return [(at, k) for at, k in (await s.execute(q)).all()]
