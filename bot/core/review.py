"""The weekly review (SPEC §5, huangshan 第十一条), pure: who should not be in the group, and why.

Inputs are plain data — the member list as the gateway returned it, what the admission capability
knows about identities, the bot's own record of who wrote when — and the time is passed in. Nothing
here reads the clock, the database or the network, so the table of cases in
``tests/core/test_review.py`` is the specification.

Activity comes only from the messages the bot itself saw: OneBot implementations fill
``last_sent_time`` / ``join_time`` with 0 (LLOneBot) or "now" (NapCat), so neither is read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.calendar import to_local

__all__ = [
    "KINDS",
    "Finding",
    "IdentityFact",
    "Kind",
    "MemberView",
    "Reason",
    "ReportInput",
    "ReportSection",
    "ReviewSettings",
    "departed_managers",
    "onboarding_progress",
    "render_report",
    "report_section",
    "report_sections",
    "review_members",
    "split_message",
]


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    label: str
    removable: bool  # counted by /清理 全部; informational kinds are cleaned only when picked by number
    rank: int  # order in the report: removable and serious first


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("status", "花名册状态已非在岗", True, 0),
        Kind("unverified", "逾期未实名认证", True, 1),
        Kind("no_identity", "无实名认证记录", True, 2),
        Kind("no_roster", "不在本单位花名册", True, 3),
        Kind("onboarding_late", "宽限期后仍未实名（本群未实行请出制）", False, 4),
        Kind("duplicate", "一人多号", False, 4),
        Kind("invited", "由非管理员邀请入群", False, 5),
        Kind("card", "群名片与实名不符", False, 6),
        Kind("inactive", "长期未发言", False, 7),
    )
}
PROTECTED_ROLES = frozenset({"owner", "admin"})


class IdentityFact(Protocol):
    """One line of what the admission capability knows (``bot.store.admission.ReviewItem``)."""

    @property
    def kind(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def since(self) -> datetime | None: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def detail(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MemberView:
    user_id: str
    card: str = ""
    nickname: str = ""
    role: str = "member"  # owner | admin | member

    @property
    def shown(self) -> str:
        return self.card or self.nickname


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    grace: timedelta = timedelta(hours=24)  # time to identify after arriving
    inactive_days: int = 30  # 0 = do not list silent members
    card_required: bool = False
    remove_unverified: bool = False  # 请出制: an existing member past the onboarding grace may be removed


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    user_id: str
    shown: str
    reasons: tuple[Reason, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.reasons)

    @property
    def removable(self) -> bool:
        return any(KINDS[r.kind].removable for r in self.reasons)

    @property
    def rank(self) -> int:
        return min(KINDS[r.kind].rank for r in self.reasons)

    def line(self, number: int) -> str:
        who = f"{self.user_id}（{self.shown}）" if self.shown else self.user_id
        return f"{number}. {who}：{'；'.join(r.text for r in self.reasons)}"


def _day(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.month}月{local.day}日"


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours // 24} 天" if hours >= 48 else f"{max(hours, 0)} 小时"


def review_members(
    members: Sequence[MemberView],
    *,
    self_id: str,
    identities: Iterable[IdentityFact],
    bound: Mapping[str, int | None],
    invited: Iterable[str] = (),
    last_seen: Mapping[str, datetime] | None = None,
    watching_since: datetime | None = None,
    now: datetime,
    settings: ReviewSettings = ReviewSettings(),
    managers: Collection[str] = (),
) -> list[Finding]:
    """Members that should be looked at, most serious first, each with every reason.

    ``bound`` maps each member with an open identity binding to its roster person (None: admitted by
    an admin without one). Owner, admins, the bot itself and ``managers`` (operators, supervisors,
    deputies, leaders: see :func:`departed_managers` for the owner's separate note) are never listed.
    Existing members the bot invited when it met the group (``onboarding`` facts) are not listed while
    inside their grace; after it, they are proposed for removal only under 请出制.
    """
    managers = set(managers)
    last_seen = last_seen or {}
    facts: dict[str, list[IdentityFact]] = defaultdict(list)
    for fact in identities:
        facts[fact.user_id].append(fact)
    invited_set = set(invited)
    present = {m.user_id for m in members}
    accounts: dict[int, list[str]] = defaultdict(list)
    for uid, person in bound.items():
        if person is not None and uid in present:
            accounts[person].append(uid)
    watched = now - watching_since if watching_since is not None else None
    inactive_after = timedelta(days=settings.inactive_days)

    found: list[Finding] = []
    for m in members:
        if m.user_id == self_id or m.role in PROTECTED_ROLES or m.user_id in managers:
            continue
        reasons: list[Reason] = []
        mine = facts.get(m.user_id, [])
        arrival = next((f for f in mine if f.kind == "unverified"), None)
        onboarding = next((f for f in mine if f.kind == "onboarding"), None)
        if onboarding is not None:
            if onboarding.detail == "listed":
                if settings.remove_unverified:
                    reasons.append(
                        Reason("unverified", "机器人入群时已在群内，邀请和提醒后宽限期内仍未实名认证")
                    )
                else:
                    reasons.append(
                        Reason(
                            "onboarding_late",
                            "机器人入群时已在群内，宽限期内未实名认证（本群未实行请出制，仅供跟进）",
                        )
                    )
            # otherwise still inside the grace (or waiting for an admin): nothing to propose
        elif arrival is not None:
            waited = now - arrival.since if arrival.since is not None else None
            if waited is None or waited >= settings.grace:
                since = f"，{_day(arrival.since)}入群" if arrival.since is not None else ""
                reasons.append(
                    Reason("unverified", f"入群后未完成实名认证（已超过 {_span(settings.grace)}{since}）")
                )
        elif m.user_id not in bound:
            reasons.append(
                Reason("no_identity", "没有实名认证记录（机器人未见其认证，可能在机器人入群前加入）")
            )
        for f in mine:
            if f.kind == "status":
                reasons.append(Reason("status", f"花名册状态为「{f.detail or '非在岗'}」，已不在岗"))
            elif f.kind == "no_roster":
                reasons.append(Reason("no_roster", "不在本单位花名册（由管理员放行入群）"))
            elif f.kind == "card" and settings.card_required:
                reasons.append(Reason("card", "群名片与实名不符"))
        person = bound.get(m.user_id)
        if person is not None and len(accounts.get(person, ())) > 1:
            others = "、".join(u for u in sorted(accounts[person]) if u != m.user_id)
            reasons.append(Reason("duplicate", f"与 {others} 绑定同一人（一人多号，请保留一个）"))
        if m.user_id in invited_set:
            reasons.append(Reason("invited", "由非管理员邀请入群"))
        if settings.inactive_days > 0:
            # Seen writing long ago and not since: the bot was there then, so the silence is real.
            # Never seen: only once the bot itself has watched the group long enough.
            last = last_seen.get(m.user_id)
            if last is not None and now - last >= inactive_after:
                reasons.append(
                    Reason("inactive", f"已 {(now - last).days} 天未发言（最后一次 {_day(last)}）")
                )
            elif last is None and watched is not None and watched >= inactive_after:
                reasons.append(Reason("inactive", f"机器人记录的 {watched.days} 天内未见发言"))
        if reasons:
            found.append(Finding(m.user_id, m.shown, tuple(reasons)))
    found.sort(key=lambda f: (f.rank, f.user_id))
    return found


def departed_managers(
    members: Sequence[MemberView], *, identities: Iterable[IdentityFact], managers: Collection[str]
) -> list[str]:
    """Lines for the owner about admins, deputies, leaders or supervisors whom the roster no longer has
    in post (调离 …): never proposed for removal, told to the owner separately."""
    status = {f.user_id: f.detail for f in identities if f.kind == "status"}
    lines = []
    for m in members:
        if m.user_id in status and (m.role in PROTECTED_ROLES or m.user_id in managers):
            who = f"{m.user_id}（{m.shown}）" if m.shown else m.user_id
            lines.append(
                f"{who}：花名册状态为「{status[m.user_id] or '非在岗'}」。其在本群担任管理职务，"
                "机器人不会将其列入清理；如确已离岗，请先调整其职务，再决定是否移出。"
            )
    return lines


def onboarding_progress(
    members: Sequence[MemberView],
    *,
    self_id: str,
    identities: Iterable[IdentityFact],
    bound: Mapping[str, int | None],
) -> str:
    """「实名进度：已认证 X / Y」 while the group's existing members are being onboarded, else ""."""
    if not any(f.kind == "onboarding" for f in identities):
        return ""
    people = [m for m in members if m.user_id != self_id]
    done = sum(1 for m in people if m.user_id in bound)
    return f"实名进度：已认证 {done} / {len(people)}"


# ---------------------------------------------------------------- the owner's report


@dataclass(frozen=True, slots=True)
class ReportInput:
    group_id: str
    group_name: str
    at: datetime
    members: int
    findings: Sequence[Finding]
    citation: str = ""  # 「依据《…》第十一条」
    sections: Sequence[tuple[str, Sequence[str]]] = field(default_factory=tuple)  # (title, lines)
    progress: str = ""  # 「实名进度：已认证 X / Y」 during onboarding


def render_report(r: ReportInput) -> str:
    """The owner's weekly report: numbered findings with reasons, then the other sections."""
    local = to_local(r.at)
    name = f"{r.group_name}（{r.group_id}）" if r.group_name else f"群 {r.group_id}"
    lines = [f"【每周成员巡查】{name} {local.year}年{local.month}月{local.day}日"]
    if r.citation:
        lines.append(f"{r.citation}：每周检查群组成员，对不应加入人员予以剔除出群。")
    removable = sum(1 for f in r.findings if f.removable)
    if r.progress:
        lines.append(f"{r.progress}（现有成员已分批私聊邀请实名，宽限期内的成员不会被建议移出）")
    if r.findings:
        lines.append(f"成员 {r.members} 人，需关注 {len(r.findings)} 人（其中建议移出 {removable} 人）：")
        lines.extend(f.line(n) for n, f in enumerate(r.findings, 1))
        lines.append(
            "如需清理，请在群内发送 /清理 编号（如 /清理 1 2）或 /清理 全部（仅含建议移出的人员），"
            "机器人会先列出名单请您确认。群主、管理员、分管人员和机器人不会被列入。"
        )
    else:
        lines.append(f"成员 {r.members} 人，本周未发现需要清理的人员。")
    for title, body in r.sections:
        lines.append("")
        lines.append(f"■ {title}")
        lines.extend(body or ["（无）"])
    return "\n".join(lines)


def split_message(text: str, limit: int = 1500) -> list[str]:
    """Split a long report into messages of at most ``limit`` characters, at line breaks (a line
    longer than the limit is cut), each after the first marked 「（续 n/m）」."""
    if len(text) <= limit:
        return [text]
    budget = limit - 12  # room for the continuation mark
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > budget:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:budget])
            line = line[budget:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > budget:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    total = len(parts)
    return [p if i == 0 else f"（续 {i + 1}/{total}）\n{p}" for i, p in enumerate(parts)]


# ---------------------------------------------------------------- report sections of other capabilities

ReportSection = Callable[[str, str, datetime, datetime], Awaitable["tuple[str, list[str]] | None"]]
"""``(platform, group_id, since, until) → (title, lines)`` or None to add nothing."""

report_sections: list[ReportSection] = []
"""Extra sections of the owner's weekly report. A capability adds its own (e.g. the filing register's
status and deadlines) with :func:`report_section`; kept here, outside the plugin packages, because
NoneBot forbids importing one plugin from another before it is loaded."""


def report_section(provider: ReportSection) -> ReportSection:
    report_sections.append(provider)
    return provider
