"""One review run: fetch the member list, gather what the bot knows, list findings, store them,
and report privately to the owner (and the week's suggestions to the leaders)."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import datetime, timedelta

from loguru import logger

from bot.core.calendar import to_local
from bot.core.guard.categories import KIND_BY_KEY
from bot.core.review import (
    Finding,
    MemberView,
    ReportInput,
    ReviewSettings,
    departed_managers,
    onboarding_progress,
    render_report,
    report_sections,
    review_members,
    split_message,
)
from bot.dispatch.roles import Role, role_book
from bot.dispatch.roles import configured_role as _configured_role
from bot.gateway.base import Member
from bot.gateway.outbound import Priority
from bot.models.review import ReviewRun
from bot.policy.loader import GroupPolicy
from bot.runtime import Runtime
from bot.store import activity, audit
from bot.store import admission as admission_store
from bot.store import guard as guard_store
from bot.store import review as store
from bot.store import suggest as suggest_store
from bot.store.worktime import count_findings as offhours_count

WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}"
MEMBER_LIST_ATTEMPTS = 3
MEMBER_LIST_TIMEOUT = 15.0
RETRY_PAUSE = 2.0
REPORT_LIMIT = 1500


class MemberListError(Exception):
    """The member list could not be fetched (or came back empty: a stale or broken answer)."""


async def fetch_members(
    rt: Runtime, platform: str, group_id: str, *, pause: float | None = None
) -> list[Member]:
    """The group's member list through the gateway, retried; an empty list counts as a failure
    (implementations return one while they are still loading the group)."""
    pause = RETRY_PAUSE if pause is None else pause
    last: BaseException | None = None
    for attempt in range(MEMBER_LIST_ATTEMPTS):
        try:
            fut = rt.actions.member_list(platform, group_id)
            members = await asyncio.wait_for(asyncio.shield(fut), MEMBER_LIST_TIMEOUT)
            if members:
                return members
            last = MemberListError("成员列表为空")
        except Exception as e:  # network, timeout, gateway refusal
            last = e
        if attempt + 1 < MEMBER_LIST_ATTEMPTS:
            await asyncio.sleep(pause * (attempt + 1))
    raise MemberListError(f"无法获取群成员列表：{last}")


def settings_for(gp: GroupPolicy) -> ReviewSettings:
    p = gp.preset
    return ReviewSettings(
        grace=timedelta(hours=p.verify_grace_hours),
        inactive_days=p.inactive_days,
        card_required=p.card_must_be_real_name,
        remove_unverified=p.remove_unverified,
    )


def member_views(rt: Runtime, platform: str, group_id: str, members: list[Member]) -> list[MemberView]:
    """The member list with the roles the bot knows: the platform's, else those stored or named by an
    operator (WeChat member lists carry no roles)."""
    out = []
    for m in members:
        role = m.role
        if role not in ("owner", "admin"):
            known = role_book.role_in(platform, group_id, m.user_id)
            if known is Role.MEMBER:
                known = _configured_role(rt.policy.for_group(group_id), m.user_id)
            role = "owner" if known is Role.OWNER else "admin" if known is Role.ADMIN else "member"
        out.append(MemberView(m.user_id, m.card, m.nickname, role))
    return out


def managers_of(rt: Runtime, group_id: str) -> set[str]:
    """Never proposed for removal: operators, the unit's supervisors, the group's deputies and leaders."""
    gp = rt.policy.for_group(group_id)
    return set(rt.superusers) | set(gp.supervisors) | set(gp.deputies) | set(gp.leaders)


async def evaluate(
    rt: Runtime, platform: str, group_id: str, members: list[Member], now: datetime, self_id: str
) -> list[Finding]:
    """The findings for a member list, from the admission records and the bot's own activity log."""
    gp = rt.policy.for_group(group_id)
    views = member_views(rt, platform, group_id, members)
    return review_members(
        views,
        self_id=self_id,
        identities=await admission_store.review_items(platform, group_id),
        bound=await store.open_bindings(platform, group_id),
        invited=await store.invited_members(platform, group_id),
        last_seen=await activity.last_seen(platform, group_id),
        watching_since=await store.group_first_seen(platform, group_id),
        now=now,
        settings=settings_for(gp),
        managers=managers_of(rt, group_id),
    )


async def onboarding_lines(
    rt: Runtime, platform: str, group_id: str, members: list[Member], self_id: str
) -> tuple[str, list[str]]:
    """(「实名进度：已认证 X / Y」 or "", the owner's note on managers the roster says have left)."""
    views = member_views(rt, platform, group_id, members)
    facts = await admission_store.review_items(platform, group_id)
    progress = onboarding_progress(
        views, self_id=self_id, identities=facts, bound=await store.open_bindings(platform, group_id)
    )
    return progress, departed_managers(views, identities=facts, managers=managers_of(rt, group_id))


# ---------------------------------------------------------------- report sections


def _week_days(until: datetime) -> list[str]:
    end = to_local(until).date()
    return [(end - timedelta(days=n)).isoformat() for n in range(7)]


async def builtin_sections(
    rt: Runtime, platform: str, group_id: str, since: datetime, until: datetime
) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    kinds = await guard_store.count_by_kind(platform, group_id, since, until)
    if kinds:
        parts = [
            f"{KIND_BY_KEY[k].label if k in KIND_BY_KEY else k} {n} 条"
            for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
        ]
        sections.append(("近 7 天违规（按类别）", ["、".join(parts)]))
    else:
        sections.append(("近 7 天违规（按类别）", ["未发现违规内容。"]))
    off = await offhours_count(since=since, until=until, platform=platform, group_id=group_id)
    sections.append(("非工作时间发布的工作通知", [f"{off} 条"]))
    counts = await suggest_store.count_between(platform, group_id, since, until)
    total = sum(counts.values())
    sections.append(
        (
            "意见建议",
            [f"近 7 天记录 {total} 条，其中待报送 {counts.get('new', 0)} 条（管理员发送 /建议 列表 查看）。"],
        )
    )
    messages = await activity.day_counts(platform, group_id, _week_days(until))
    offtopic = kinds.get("offtopic", 0)
    share = f"{offtopic / messages:.1%}（{offtopic}/{messages} 条）" if messages else "本周无消息记录"
    sections.append(("与工作无关的消息占比", [share]))
    for provider in report_sections:
        try:
            extra = await provider(platform, group_id, since, until)
        except Exception:
            logger.exception(f"report section {getattr(provider, '__qualname__', provider)} failed")
            continue
        if extra:
            sections.append((extra[0], list(extra[1])))
    return sections


# ---------------------------------------------------------------- delivery


async def deliver_private(rt: Runtime, platform: str, self_id: str, user_id: str, parts: list[str]) -> bool:
    """Send every part privately, in order; False at the first part the platform refuses."""
    for part in parts:
        try:
            await rt.actions.send_private(platform, self_id, user_id, part, priority=Priority.BULK)
        except Exception as e:
            logger.warning(f"private message to {user_id} failed: {type(e).__name__}")
            return False
    return True


async def send_report(rt: Runtime, run: ReviewRun, members: list[Member], text: str) -> str:
    """Report to the owner privately; if that is impossible, to the unit's supervisors (or the
    operators). Returns who received it."""
    gp = rt.policy.for_group(run.group_id)
    parts = split_message(text, REPORT_LIMIT)
    owner = next((m.user_id for m in members if m.role == "owner"), "") or next(
        iter(role_book.owners(run.platform, run.group_id)), gp.owner
    )
    if owner and await deliver_private(rt, run.platform, run.self_id, owner, parts):
        return owner
    reason = "群主无法接收私聊消息（可能未添加机器人为好友）" if owner else "成员列表中没有群主"
    logger.warning(f"review #{run.id}: report for group {run.group_id} not delivered to the owner: {reason}")
    await audit.record(
        "review.report_undelivered",
        platform=run.platform,
        group_id=run.group_id,
        target=owner,
        rule="weekly_review",
        reason=f"巡查报告未能私聊送达群主：{reason}",
        detail={"run": run.id},
    )
    fallback = sorted(gp.supervisors) or sorted(rt.superusers)
    note = f"群 {run.group_id} 的{reason}，本周巡查报告转交您，请督促群主处理。\n"
    for who in fallback:
        if await deliver_private(
            rt, run.platform, run.self_id, who, split_message(note + text, REPORT_LIMIT)
        ):
            return who
    return ""


async def send_digest(rt: Runtime, platform: str, group_id: str, self_id: str, now: datetime) -> int:
    """The group's suggestions not yet sent, to its leaders privately; returns how many."""
    gp = rt.policy.for_group(group_id)
    if not gp.leaders or not gp.preset.suggestion_digest:
        return 0
    rows = await suggest_store.take_for_digest(platform, group_id, now)
    if not rows:
        return 0
    lines = [f"【意见建议周报】群 {group_id} 新记录 {len(rows)} 条（{gp.preset.cite('suggestions')}）："]
    for s in rows:
        local = to_local(s.at)
        who = f"{s.card}（{s.user_id}）" if s.card else s.user_id
        lines.append(f"#{s.id} {local.month}月{local.day}日 {who}：{s.text}")
    lines.append("群管理员可发送 /建议 已报送 编号 标记已报送，/建议 回复 编号 内容 把答复转达给提出人。")
    parts = split_message("\n".join(lines), REPORT_LIMIT)
    for leader in sorted(gp.leaders):
        if not await deliver_private(rt, platform, self_id, leader, parts):
            await audit.record(
                "suggest.digest_undelivered",
                platform=platform,
                group_id=group_id,
                target=leader,
                reason="意见建议周报未能私聊送达分管领导",
            )
    await audit.record(
        "suggest.digest",
        platform=platform,
        group_id=group_id,
        reason=f"意见建议周报 {len(rows)} 条发送给分管领导",
        detail={"ids": [s.id for s in rows]},
    )
    return len(rows)


# ---------------------------------------------------------------- the run


async def execute(rt: Runtime, run: ReviewRun, now: datetime, *, claimed: bool = False) -> bool:
    """Claim ``run`` (unless ``claimed`` already) and do it; False when another process claimed it
    or it failed."""
    assert run.id is not None
    if not claimed and not await store.claim_run(run.id, WORKER, now):
        return False
    if run.self_id:
        rt.registry.note_group(run.platform, run.group_id, run.self_id)
    gp = rt.policy.for_group(run.group_id)
    try:
        members = await fetch_members(rt, run.platform, run.group_id)
        self_id = rt.registry.for_group(run.platform, run.group_id).self_id
        findings = await evaluate(rt, run.platform, run.group_id, members, now, self_id)
        if not await store.finish_run(run.id, WORKER, now, members=len(members), findings=findings):
            return False
    except Exception as e:
        reason = str(e) if isinstance(e, MemberListError) else f"{type(e).__name__}"
        logger.warning(f"review #{run.id} of group {run.group_id} failed: {reason}")
        await store.fail_run(run.id, WORKER, now, reason)
        await audit.record(
            "review.failed", platform=run.platform, group_id=run.group_id, reason=f"巡查失败：{reason}"
        )
        if run.requested_by:
            rt.actions.send_group(
                run.platform, run.group_id, f"抱歉，本次巡查未能完成：{reason}。请稍后重试 /巡查。"
            )
        return False

    since = now - timedelta(days=7)
    progress, departed = await onboarding_lines(rt, run.platform, run.group_id, members, self_id)
    sections = await builtin_sections(rt, run.platform, run.group_id, since, now)
    if departed:
        sections.insert(0, ("需群主关注：管理人员的花名册状态", departed))
    text = render_report(
        ReportInput(
            group_id=run.group_id,
            group_name=rt.policy.spec.groups[run.group_id].name
            if run.group_id in rt.policy.spec.groups
            else "",
            at=now,
            members=len(members),
            findings=findings,
            citation=gp.preset.cite("weekly_review"),
            progress=progress,
            sections=sections,
        )
    )
    sent_to = await send_report(rt, run, members, text)
    await store.set_report_to(run.id, sent_to)
    removable = sum(1 for f in findings if f.removable)
    await audit.record(
        "review.done",
        actor=run.requested_by or "bot",
        platform=run.platform,
        group_id=run.group_id,
        rule="weekly_review",
        reason=f"每周巡查：成员 {len(members)} 人，需关注 {len(findings)} 人，建议移出 {removable} 人",
        detail={"run": run.id, "kind": run.kind, "report_to": sent_to},
    )
    if run.kind == "scheduled":
        await send_digest(rt, run.platform, run.group_id, run.self_id, now)
    if run.requested_by:
        where = (
            "已私聊发送给群主"
            if sent_to
            and sent_to in (_owner(members), *role_book.owners(run.platform, run.group_id), gp.owner)
            else "群主无法接收私聊，已转交监管人员"
        )
        if not sent_to:
            where = "但未能送达群主或监管人员，请检查机器人的好友关系"
        rt.actions.send_group(
            run.platform,
            run.group_id,
            f"巡查完成：成员 {len(members)} 人，需关注 {len(findings)} 人"
            f"（建议移出 {removable} 人），报告{where}。"
            + (" 群主可发送 /清理 编号 处理。" if findings else ""),
        )
    return True


def _owner(members: list[Member]) -> str:
    return next((m.user_id for m in members if m.role == "owner"), "")
