"""Scheduled summaries for supervisors, per unit: the weekly register summary (filing status, overdue
duties, duplicate and dormant groups, cases) and the quarterly rectification summary (kunming 第十九条:
units with high error rates are notified every quarter).

Each (period, unit) is claimed by inserting its key, so it is sent once across processes; a summary
missed while the bot was down is sent when it is back within the same period.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.core.register import (
    GroupFacts,
    GroupKind,
    dormant_groups,
    duplicate_groups,
    quarter_bounds,
    quarterly_due,
    quarterly_key,
    weekly_due,
    weekly_key,
)
from bot.models.register import Case, DutyKind, Filing, FilingStatus
from bot.plugins.register.common import filing_label, group_label, group_ready, tell
from bot.plugins.register.texts import DUTY_LABELS, overdue_text, when
from bot.runtime import Runtime
from bot.store import audit, cases
from bot.store import register as store
from bot.store.register import NO_UNIT

WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}"
HIGH_OVERDUE_SHARE = 0.2
"""A unit whose cases ran over their deadline this often is flagged in the quarterly summary."""
MAX_LINES = 30
UNREACHABLE_AFTER = 3
"""Daily syncs failed in a row after which a group is listed as unreachable in the weekly summary."""


def _unit_key(rt: Runtime, group_id: str) -> str:
    return rt.policy.for_group(group_id).unit_key or ""


def _unit_label(rt: Runtime, unit: str) -> str:
    spec = rt.policy.spec.units.get(unit)
    return spec.name if spec is not None else NO_UNIT


def _recipients(rt: Runtime, unit: str) -> list[str]:
    spec = rt.policy.spec.units.get(unit)
    return sorted(spec.supervisors) if spec is not None and spec.supervisors else sorted(rt.superusers)


def _sender(rt: Runtime, filings: Iterable[Filing]) -> Filing | None:
    """A filing whose group's account can send now (summaries go out through that account)."""
    return next((f for f in filings if group_ready(rt, f.platform, f.group_id)), None)


def _chunks(lines: list[str], limit: int = 1500) -> list[str]:
    out, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


async def _send(rt: Runtime, via: Filing, unit: str, lines: list[str]) -> list[str]:
    targets = _recipients(rt, unit)
    for text in _chunks(lines):
        for user in targets:
            tell(rt, via, user, text)
    return targets


# --- weekly -----------------------------------------------------------------------------------


async def weekly_text(rt: Runtime, unit: str, filings: list[Filing], now: datetime) -> list[str]:
    preset = rt.policy.for_group(filings[0].group_id).preset
    cal = rt.calendar(filings[0].group_id)
    week_start = now - timedelta(days=7)
    live = [f for f in filings if f.status != FilingStatus.DEREGISTERED]
    gone = [
        f
        for f in filings
        if f.status == FilingStatus.DEREGISTERED and f.dereg_at and f.dereg_at >= week_start
    ]
    counts = Counter(f.status for f in live)
    lines = [
        f"【工作群登记备案周报】{_unit_label(rt, unit)}（{weekly_key(now)}，截至 {when(now)}）",
        f"共 {len(live)} 个工作群：已备案 {counts.get(FilingStatus.FILED, 0)}，"
        f"未备案 {counts.get(FilingStatus.UNFILED, 0)}；本周注销 {len(gone)}。",
    ]
    ids = [f.group_id for f in live]
    by_id = {(f.platform, f.group_id): f for f in live}
    duties = await store.open_duties(group_ids=ids) if ids else []
    overdue = [d for d in duties if d.due_at < now]
    lines.append(f"待办 {len(duties)} 项，其中逾期 {len(overdue)} 项" + ("：" if duties else "。"))
    for n, d in enumerate(duties[:MAX_LINES], start=1):
        f = by_id.get((d.platform, d.group_id))
        label = filing_label(rt, f) if f is not None else group_label(rt, d.platform, d.group_id)
        state = overdue_text(cal, d.due_at, now) if d.due_at < now else "未到期"
        lines.append(f"{n}. {label}{DUTY_LABELS[DutyKind(d.kind)]}期限 {when(d.due_at, now)}，{state}")
    last = await store.last_messages()
    facts = [
        GroupFacts(
            platform=f.platform,
            group_id=f.group_id,
            unit=unit,
            name=f.name or f.observed_name,
            matter=f.matter,
            temporary=bool(f.kind) and GroupKind(f.kind).ends,
            filed=f.status == FilingStatus.FILED,
            last_message=last.get((f.platform, f.group_id)),
            first_seen=f.first_seen,
        )
        for f in live
    ]
    dupes = duplicate_groups(facts)
    if dupes:
        lines.append(f"重复建群：{preset.cite('duplicate_group')}，同一单位、同类事项原则上只建一个工作群：")
        for matter, groups in dupes:
            names = "、".join(group_label(rt, g.platform, g.group_id, g.name) for g in groups)
            lines.append(f"- 事项「{matter}」：{names}")
    limits = {f.group_id: rt.policy.for_group(f.group_id).preset.dormant_days for f in live}
    dormant = dormant_groups(facts, now, limits)
    if dormant:
        lines.append(f"休眠群：{preset.cite('dormant')}，「休眠」「僵尸」工作群应当关停，建议解散：")
        for g, idle in dormant[:MAX_LINES]:
            lines.append(f"- {group_label(rt, g.platform, g.group_id, g.name)}已 {idle} 天没有消息")
    unreachable = [f for f in live if f.sync_failures >= UNREACHABLE_AFTER]
    if unreachable:
        lines.append(
            "无法获取群信息（机器人可能已被移出或群已解散；核实后可发送「/备案 群 群号 注销 原因」）："
        )
        for f in unreachable[:MAX_LINES]:
            lines.append(f"- {filing_label(rt, f)}：连续 {f.sync_failures} 天")
    open_cases, late_cases = await cases.count_open(now, group_ids=ids) if ids else (0, 0)
    recent = [c for c in await cases.cases_between(week_start, now) if c.group_id in set(ids)]
    lines.append(f"整改事项：未结 {open_cases} 件（其中逾期 {late_cases} 件），本周新开 {len(recent)} 件。")
    lines.append("发送 /备案 列表 查看各群备案，/备案 导出 获取登记备案表，/处理 查看整改事项。")
    return lines


async def weekly(rt: Runtime, now: datetime) -> int:
    """Send this week's summary to each unit's supervisors, once; returns how many were sent."""
    due = weekly_due(rt.calendar(), now)
    if due is None or now < due:
        return 0
    week = weekly_key(now)
    by_unit: dict[str, list[Filing]] = {}
    for f in await store.list_filings():
        by_unit.setdefault(_unit_key(rt, f.group_id), []).append(f)
    # A unit none of whose groups the bot knew when the summary was due has missed nothing: its first
    # summary comes next week (a bot installed on a Wednesday does not report the week before it).
    by_unit = {unit: fs for unit, fs in by_unit.items() if any(f.first_seen <= due for f in fs)}
    sent = 0
    for unit, filings in sorted(by_unit.items()):
        key = f"weekly:{week}:{unit or '-'}"
        via = _sender(rt, filings)
        if via is None or await store.run_done(key) or not await store.claim_run(key, WORKER, now):
            continue
        targets = await _send(rt, via, unit, await weekly_text(rt, unit, filings, now))
        await store.finish_run(key, now, f"{len(filings)} 个群")
        await audit.record(
            "register.weekly_summary",
            rule="filing",
            reason=f"{_unit_label(rt, unit)}登记备案周报（{week}）",
            detail={"unit": unit, "recipients": targets, "groups": len(filings)},
        )
        sent += 1
    return sent


# --- quarterly --------------------------------------------------------------------------------


def quarterly_text(
    rt: Runtime, unit: str, year: int, quarter: int, rows: list[Case], now: datetime
) -> list[str]:
    preset = rt.policy.for_group(rows[0].group_id).preset
    on_time = sum(1 for c in rows if c.closed_at is not None and not c.late)
    late = sum(1 for c in rows if c.closed_at is not None and c.late)
    open_late = sum(1 for c in rows if c.closed_at is None and c.due_at < now)
    pending = len(rows) - on_time - late - open_late
    share = (late + open_late) / len(rows)
    lines = [
        f"【整改情况季度汇总】{_unit_label(rt, unit)}（{year}年第{quarter}季度）",
        f"{preset.cite('quarterly')}，每季度通报整改情况。",
        f"整改事项 {len(rows)} 件：按期完成 {on_time}，超期完成 {late}，逾期未结 {open_late}"
        + (f"，未到期 {pending}" if pending else "")
        + f"；超期率 {share:.0%}。",
    ]
    by_category = Counter(c.category for c in rows)
    lines.append("按问题类别：" + "，".join(f"{k} {v}" for k, v in by_category.most_common()))
    by_group = Counter((c.platform, c.group_id) for c in rows)
    lines.append(
        "按群：" + "，".join(f"{group_label(rt, p, g)} {n} 件" for (p, g), n in by_group.most_common(5))
    )
    if share >= HIGH_OVERDUE_SHARE:
        lines.append(f"⚠ 超期率较高（{share:.0%}），请督促相关群主落实整改时限。")
    return lines


async def quarterly(rt: Runtime, now: datetime) -> int:
    """Send the last quarter's rectification summary to each unit's supervisors, once."""
    (year, quarter), due = quarterly_due(rt.calendar(), now)
    if now < due:
        return 0
    start, end = quarter_bounds(year, quarter)
    by_unit: dict[str, list[Case]] = {}
    for c in await cases.cases_between(start, end):
        by_unit.setdefault(_unit_key(rt, c.group_id), []).append(c)
    filings = await store.list_filings()
    sent = 0
    for unit, rows in sorted(by_unit.items()):
        key = f"quarterly:{quarterly_key(year, quarter)}:{unit or '-'}"
        via = _sender(rt, [f for f in filings if _unit_key(rt, f.group_id) == unit])
        if via is None or await store.run_done(key) or not await store.claim_run(key, WORKER, now):
            continue
        targets = await _send(rt, via, unit, quarterly_text(rt, unit, year, quarter, rows, now))
        await store.finish_run(key, now, f"{len(rows)} 件")
        await audit.record(
            "register.quarterly_summary",
            rule="quarterly",
            reason=f"{_unit_label(rt, unit)}{year}年第{quarter}季度整改情况汇总",
            detail={"unit": unit, "recipients": targets, "cases": len(rows)},
        )
        sent += 1
    return sent
