"""What each dashboard page shows, gathered through the store functions (no SQL here) and scoped.

Pure of HTTP: the routes in :mod:`bot.web.app` render these; the benchmark calls them too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.calendar import to_local
from bot.core.calendar.hours import TZ
from bot.core.guard.categories import KIND_BY_KEY
from bot.core.register import HEADERS, RegisterEntry
from bot.models.register import Case, CaseState, DutyKind, Filing, FilingDuty, FilingStatus
from bot.models.review import ReviewRun, Suggestion
from bot.policy import Policy
from bot.store import activity, admission, cases, guard, notices, review
from bot.store import register as register_store
from bot.store import suggest as suggest_store
from bot.store.register import NO_UNIT
from bot.web.scope import Scope

STATUS_LABEL = {
    FilingStatus.UNFILED: "未备案",
    FilingStatus.FILED: "已备案",
    FilingStatus.DEREGISTERED: "已注销",
}
DUTY_LABEL = {DutyKind.FILE: "待备案", DutyKind.REFILE: "待变更备案", DutyKind.DISSOLVE: "待解散"}
PLATFORM_LABEL = {"qq": "QQ", "wechat": "微信"}
CHART_WEEKS = 8
LIST_LIMIT = 100  # closed cases and suggestions shown (the downloads hold them all)


def kind_label(kind: str) -> str:
    k = KIND_BY_KEY.get(kind)
    return k.label if k is not None else cases.CASE_LABELS.get(kind, kind)


def local_text(moment: datetime | None) -> str:
    return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment is not None else ""


def week_start(now: datetime) -> datetime:
    """Monday 00:00 (Asia/Shanghai) of the week holding ``now``, as an aware datetime."""
    day = to_local(now).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=TZ)


@dataclass
class Row:
    """One group on the overview."""

    filing: Filing
    unit: str
    name: str
    status: str
    duties: list[FilingDuty]
    overdue_duties: int
    open_cases: int
    overdue_cases: int
    last_review: ReviewRun | None
    violations: int


@dataclass
class Overview:
    units: dict[str, list[Row]]
    groups: int = 0
    unfiled: int = 0
    overdue_duties: list[tuple[Row, FilingDuty]] = field(default_factory=list)
    open_cases: int = 0
    overdue_cases: list[Case] = field(default_factory=list)
    violations: int = 0
    deregistered: int = 0
    names: dict[tuple[str, str], str] = field(default_factory=dict)


async def visible_filings(policy: Policy, scope: Scope, *, active_only: bool = False) -> list[Filing]:
    statuses = [FilingStatus.UNFILED, FilingStatus.FILED] if active_only else None
    return [
        f for f in await register_store.list_filings(statuses=statuses) if scope.allows(policy, f.group_id)
    ]


def group_name(f: Filing) -> str:
    return f.name or f.observed_name or f.group_id


async def overview(policy: Policy, scope: Scope, now: datetime) -> Overview:
    filings = await visible_filings(policy, scope)
    active = [f for f in filings if f.status != FilingStatus.DEREGISTERED]
    ids = None if scope.everything else [f.group_id for f in filings]
    duties_by: dict[tuple[str, str], list[FilingDuty]] = {}
    for d in await register_store.open_duties(group_ids=ids):
        duties_by.setdefault((d.platform, d.group_id), []).append(d)
    counts = await cases.open_counts_by_group(now, group_ids=ids)
    runs = await review.latest_runs(group_ids=ids)
    weekly = await guard.counts_by_group(week_start(now), now + timedelta(seconds=1), group_ids=ids)
    out = Overview(
        units={},
        deregistered=len(filings) - len(active),
        names={(f.platform, f.group_id): group_name(f) for f in filings},
    )

    def order(f: Filing) -> tuple[bool, str, str, str]:
        unit = policy.for_group(f.group_id).unit_name or NO_UNIT
        return unit == NO_UNIT, unit, f.platform, f.group_id

    for f in sorted(active, key=order):
        key = (f.platform, f.group_id)
        duties = duties_by.get(key, [])
        open_, overdue = counts.get(key, (0, 0))
        row = Row(
            filing=f,
            unit=policy.for_group(f.group_id).unit_name or NO_UNIT,
            name=group_name(f),
            status=STATUS_LABEL.get(FilingStatus(f.status), f.status),
            duties=duties,
            overdue_duties=sum(1 for d in duties if d.due_at < now),
            open_cases=open_,
            overdue_cases=overdue,
            last_review=runs.get(key),
            violations=weekly.get(key, 0),
        )
        out.units.setdefault(row.unit, []).append(row)
        out.groups += 1
        out.unfiled += f.status == FilingStatus.UNFILED
        out.overdue_duties += [(row, d) for d in duties if d.due_at < now]
        out.open_cases += open_
        out.violations += row.violations
    if any(r.overdue_cases for rows in out.units.values() for r in rows):
        open_rows = await cases.list_cases(group_ids=ids, states=(CaseState.OPEN,), limit=10_000)
        out.overdue_cases = [c for c in open_rows if c.due_at < now and scope.allows(policy, c.group_id)]
    out.overdue_duties.sort(key=lambda rd: rd[1].due_at)
    return out


@dataclass
class ChartBar:
    week: date
    counts: list[tuple[str, int]]  # (kind label, n), in legend order

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass
class GroupPage:
    filing: Filing
    name: str
    unit: str
    preset: str
    fields: list[tuple[str, str]]
    members: int | None
    verified: int
    pending_requests: int
    pending_arrivals: int
    runs: list[ReviewRun]
    findings: list[Any]
    strikes: list[tuple[str, int]]
    week_messages: int
    week_offtopic: int
    bars: list[ChartBar]
    legend: list[str]
    cases: list[Case]
    duties: list[FilingDuty]

    @property
    def offtopic_share(self) -> str:
        if not self.week_messages:
            return "近 7 天无消息记录"
        return (
            f"{self.week_offtopic / self.week_messages:.1%}（{self.week_offtopic}/{self.week_messages} 条）"
        )


def entry_fields(entry: RegisterEntry) -> list[tuple[str, str]]:
    return list(zip(HEADERS[1:], astuple(entry), strict=True))


def weekly_bars(
    times: list[tuple[datetime, str]], now: datetime, weeks: int = CHART_WEEKS
) -> tuple[list[ChartBar], list[str]]:
    """Findings by local week (Monday) and kind label, the last ``weeks`` weeks, oldest first."""
    first = (week_start(now) - timedelta(weeks=weeks - 1)).date()
    by_week: dict[date, Counter[str]] = {first + timedelta(weeks=i): Counter() for i in range(weeks)}
    totals: Counter[str] = Counter()
    for at, kind in times:
        day = to_local(at).date()
        monday = day - timedelta(days=day.weekday())
        if monday in by_week:
            label = kind_label(kind)
            by_week[monday][label] += 1
            totals[label] += 1
    legend = [k for k, _ in totals.most_common()]
    bars = [ChartBar(w, [(k, c[k]) for k in legend if c[k]]) for w, c in sorted(by_week.items())]
    return bars, legend


async def group_page(
    policy: Policy, scope: Scope, platform: str, group_id: str, now: datetime, cipher: Any
) -> GroupPage | None:
    """None when the group is unknown or outside the scope (the caller answers 404 either way)."""
    if not scope.allows(policy, group_id):
        return None
    filing = await register_store.get_filing(platform, group_id)
    if filing is None:
        return None
    sheets = await register_store.register_sheets(
        policy, cipher, now, platform=platform, group_ids=[group_id]
    )
    entries = [e for rows in sheets.values() for e in rows]
    gp = policy.for_group(group_id)
    runs = await review.recent_runs(platform, group_id, limit=5)
    findings = await review.findings_of(runs[0].id) if runs and runs[0].id is not None else []
    pending = await admission.pending(platform=platform, group_ids=[group_id])
    since = now - timedelta(days=7)
    kinds = await guard.count_by_kind(platform, group_id, since, now + timedelta(seconds=1))
    days = [(to_local(now).date() - timedelta(days=n)).isoformat() for n in range(7)]
    times = await guard.finding_times(platform, group_id, week_start(now) - timedelta(weeks=CHART_WEEKS - 1))
    bars, legend = weekly_bars(times, now)
    return GroupPage(
        filing=filing,
        name=group_name(filing),
        unit=gp.unit_name or NO_UNIT,
        preset=gp.preset.name,
        fields=entry_fields(entries[0]) if entries else [],
        members=filing.member_count,
        verified=len(await review.open_bindings(platform, group_id)),
        pending_requests=sum(1 for a in pending if a.kind == "request"),
        pending_arrivals=sum(1 for a in pending if a.kind == "arrival"),
        runs=runs,
        findings=findings,
        strikes=await guard.members_with_strikes(platform, group_id, now, limit=20),
        week_messages=await activity.day_counts(platform, group_id, days),
        week_offtopic=kinds.get("offtopic", 0),
        bars=bars,
        legend=legend,
        cases=await cases.list_cases(
            platform=platform, group_ids=[group_id], states=(CaseState.OPEN, CaseState.CLOSED), limit=10
        ),
        duties=await register_store.open_duties(platform=platform, group_ids=[group_id]),
    )


async def case_list(
    policy: Policy, scope: Scope, state: str, now: datetime, group_id: str | None
) -> list[Case]:
    ids = await _ids(policy, scope)
    if group_id is not None:
        if not scope.allows(policy, group_id):
            return []
        ids = [group_id]
    states = (CaseState.CLOSED,) if state == "closed" else (CaseState.OPEN,)
    # Every open case (they need acting on); the most recent closed ones.
    rows = await cases.list_cases(
        group_ids=ids, states=states, limit=LIST_LIMIT if state == "closed" else 10_000
    )
    rows = [c for c in rows if scope.allows(policy, c.group_id)]
    if state == "overdue":
        rows = [c for c in rows if c.due_at < now]
    return rows


async def _ids(policy: Policy, scope: Scope) -> list[str] | None:
    if scope.everything:
        return None
    return scope.group_ids(policy, [f.group_id for f in await register_store.list_filings()])


async def scoped_ids(policy: Policy, scope: Scope) -> list[str] | None:
    return await _ids(policy, scope)


async def visible_case(policy: Policy, scope: Scope, case_id: int) -> Case | None:
    case = await cases.get_case(case_id)
    return case if case is not None and scope.allows(policy, case.group_id) else None


async def suggestion_list(
    policy: Policy, scope: Scope, state: str | None, *, limit: int = LIST_LIMIT
) -> list[Suggestion]:
    ids = await _ids(policy, scope)
    rows = await suggest_store.list_for(ids, states=[state] if state else None, limit=limit)
    return [s for s in rows if scope.allows(policy, s.group_id)]


async def visible_suggestion(policy: Policy, scope: Scope, suggestion_id: int) -> Suggestion | None:
    row = await suggest_store.get(suggestion_id)
    return row if row is not None and scope.allows(policy, row.group_id) else None


async def group_names(policy: Policy, scope: Scope) -> dict[tuple[str, str], str]:
    return {(f.platform, f.group_id): group_name(f) for f in await visible_filings(policy, scope)}


async def notice_list(policy: Policy, scope: Scope) -> list[Any]:
    """Open notices (awaiting review, scheduled, recurring, broadcasts) of the visible groups; a
    broadcast is visible when any of its target groups is."""

    def visible(n: Any) -> bool:
        targets = [g for g in (n.targets or "").split(",") if g]
        return any(scope.allows(policy, g) for g in (n.group_id, *targets) if g)

    return [n for n in await notices.list_open(limit=1000) if visible(n)]
