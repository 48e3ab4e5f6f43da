"""Removals confirmed with /清理 确认: one at a time, at a safe pace, each exactly once.

For each confirmed finding:

1. the member list is fetched (once per batch) and the group reviewed again: a finding that is no
   longer true — the member left, became an admin, identified meanwhile, is back 在岗 — is skipped;
2. the removal is claimed (``confirmed → kicking``) *before* the kick is sent, so another process
   (or this one after a restart) never sends it again;
3. the kick goes through the outbound queue (``Priority.BULK``); its outcome closes the claim
   (``removed`` / ``failed``); when the outcome is unknown (timeout, lost connection), the member
   list decides;
4. a claim left behind by a process that died mid-kick (older than :data:`STALE_KICK`) is checked
   against the member list: gone → ``removed``; still there → back to ``confirmed`` and kicked
   once, in order.

Each result is audited, and the group gets the list of results at the end of the batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from loguru import logger

from bot.core.review import KINDS, Finding
from bot.models.review import FindingState, ReviewFinding
from bot.plugins.review import clock
from bot.plugins.review.runner import (
    WORKER,
    MemberListError,
    evaluate,
    fetch_members,
    managers_of,
    member_views,
)
from bot.runtime import Runtime
from bot.store import admission as admission_store
from bot.store import audit
from bot.store import review as store

STALE_KICK = timedelta(minutes=3)
"""Longer than a kick with the outbound queue's retries; an older claim's process has died."""

_IDENTITY = {"unverified", "no_identity"}


def still_true(item: ReviewFinding, fresh: Finding | None) -> bool:
    """Whether the reasons the owner confirmed still hold in a fresh review of the member."""
    if fresh is None:
        return False
    kinds = set(item.kinds.split(","))
    if item.removable:
        kinds = {k for k in kinds if KINDS.get(k) and KINDS[k].removable}
    now = set(fresh.kinds)
    if kinds & _IDENTITY:
        kinds |= _IDENTITY
    return bool(kinds & now)


def _label(item: ReviewFinding) -> str:
    return f"{item.number}. {item.user_id}" + (f"（{item.card}）" if item.card else "")


async def process_group(
    rt: Runtime,
    platform: str,
    group_id: str,
    *,
    pace: float | None = None,
    now: Callable[[], datetime] | None = None,
) -> list[str]:
    """Work through the group's confirmed removals; returns one result line per finding handled."""
    now = now or clock.now
    items = await store.cleanup_items(platform, group_id)
    if not items:
        return []
    gp = rt.policy.for_group(group_id)
    pace = gp.preset.cleanup_pace_seconds if pace is None else pace
    try:
        members = await fetch_members(rt, platform, group_id)
    except MemberListError as e:
        logger.warning(f"cleanup of group {group_id} waits: {e}")
        return []
    present = {m.user_id: m for m in members}
    results: list[str] = []

    # Claims of processes that died mid-kick: the member list says whether the kick happened.
    for item in items:
        if item.state != FindingState.KICKING:
            continue
        assert item.id is not None
        if item.claimed_at is not None and now() - item.claimed_at < STALE_KICK:
            continue  # being kicked right now by a live process
        if item.user_id not in present:
            if await store.finish_kick(
                item.id, FindingState.REMOVED, "中断后核对成员列表：已不在群内", now()
            ):
                await _audit_removed(item, "中断后核对成员列表确认已移出")
                results.append(f"{_label(item)}：已移出（中断后核对确认）")
        else:
            await store.requeue_kick(item.id)

    items = await store.cleanup_items(platform, group_id, (FindingState.CONFIRMED,))
    if not items:
        return results
    self_id = rt.registry.for_group(platform, group_id).self_id
    fresh = {f.user_id: f for f in await evaluate(rt, platform, group_id, members, now(), self_id)}
    # Roles as the bot knows them (WeChat lists carry none): the platform's, stored, named or configured.
    known_role = {v.user_id: v.role for v in member_views(rt, platform, group_id, members)}
    protected = managers_of(rt, group_id) | {self_id}
    first = True
    for item in items:
        assert item.id is not None
        member = present.get(item.user_id)
        skip = ""
        if member is None:
            skip = "已不在群内"
        elif member.role in ("owner", "admin") or known_role.get(item.user_id) in ("owner", "admin"):
            skip = "已成为群主或管理员"
        elif item.user_id in protected or item.user_id == item.confirmed_by:
            skip = "机器人本身、运维人员、监管人员和确认清理的人不会被移出"
        elif not still_true(item, fresh.get(item.user_id)):
            skip = "情况已变化（如已完成实名认证或恢复在岗）"
        if skip:
            if await store.finish_kick(item.id, FindingState.SKIPPED, skip, now()):
                results.append(f"{_label(item)}：未移出，{skip}")
                await audit.record(
                    "review.skipped",
                    actor=item.confirmed_by,
                    platform=platform,
                    group_id=group_id,
                    target=item.user_id,
                    rule="weekly_review",
                    reason=f"清理时跳过：{skip}",
                    detail={"run": item.run_id, "number": item.number},
                )
            continue
        if not first and pace > 0:
            await asyncio.sleep(pace)
        if not await store.claim_kick(item.id, WORKER, now()):
            continue  # another process has it
        first = False
        results.append(await _kick(rt, item))
    return results


async def _kick(rt: Runtime, item: ReviewFinding) -> str:
    assert item.id is not None
    try:
        await rt.actions.kick(item.platform, item.group_id, item.user_id)
    except Exception as e:
        # The outcome is unknown (a timeout may have hidden a kick that happened): ask the list.
        error = f"{type(e).__name__}"
        try:
            gone = item.user_id not in {
                m.user_id for m in await fetch_members(rt, item.platform, item.group_id, pause=0.5)
            }
        except MemberListError:
            gone = False
        if not gone:
            await store.finish_kick(item.id, FindingState.FAILED, f"平台拒绝或超时（{error}）", clock.now())
            await audit.record(
                "review.remove_failed",
                actor=item.confirmed_by,
                platform=item.platform,
                group_id=item.group_id,
                target=item.user_id,
                rule="weekly_review",
                reason=f"移出失败：{error}",
                detail={"run": item.run_id, "number": item.number},
            )
            return f"{_label(item)}：移出失败（{error}），可稍后再次 /清理 {item.number}"
    await store.finish_kick(item.id, FindingState.REMOVED, "已移出", clock.now())
    await admission_store.close_bindings(
        item.platform, item.group_id, item.user_id, reason="review_removed", now=clock.now()
    )
    await _audit_removed(item, "每周巡查清理")
    return f"{_label(item)}：已移出"


async def _audit_removed(item: ReviewFinding, how: str) -> None:
    labels = "、".join(KINDS[k].label for k in item.kinds.split(",") if k in KINDS)
    await audit.record(
        "review.removed",
        actor=item.confirmed_by or "bot",
        platform=item.platform,
        group_id=item.group_id,
        target=item.user_id,
        rule="weekly_review",
        reason=f"{how}：{labels}",
        detail={"run": item.run_id, "number": item.number},
    )
