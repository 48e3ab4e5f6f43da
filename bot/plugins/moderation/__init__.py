"""Manual moderation (SPEC §8, §12): /禁言 /解禁 /撤回 /移出 for admins and deputies (分管).

The bot acts with its own rights, so a deputy without QQ admin rights can moderate. Every action has a
reason and an audit row; /移出 asks for ``/移出 确认`` first. The owner, operators and the bot itself are
never targets, and nobody acts on a manager of their own rank or above. Where the platform lacks the
action (WeChat over OneBot v12: no mute, no recall), the caller is told so and nothing happens.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from nonebot.plugin import PluginMetadata

from bot.dispatch import CommandContext, Role, UsageError, command
from bot.dispatch.roles import resolve_role, role_book
from bot.gateway.base import CAPABILITY_LABELS, Capability, GatewayError
from bot.store import audit

__plugin_meta__ = PluginMetadata(
    name="手动处置",
    description="群管理员和分管管理员手动禁言、解除禁言、撤回消息、移出成员（需确认），均记录理由和审计",
    usage="/禁言 @成员 时长 [理由]  /解禁 @成员  /撤回（回复要撤回的消息）  /移出 @成员 [理由]",
)

MUTE_USAGE = "/禁言 @成员 时长 [理由]（时长如 10分钟、2小时、1天，最长 30 天）"
UNMUTE_USAGE = "/解禁 @成员"
RECALL_USAGE = "/撤回 [理由]（回复要撤回的那条消息发送）"
KICK_USAGE = "/移出 @成员 [理由]，再发送 /移出 确认（2 分钟内有效）；/移出 取消"
MAX_MUTE = 30 * 24 * 3600
CONFIRM_SECONDS = 120.0
_UNITS = {
    "秒": 1,
    "s": 1,
    "分": 60,
    "分钟": 60,
    "m": 60,
    "min": 60,
    "小时": 3600,
    "时": 3600,
    "h": 3600,
    "天": 86400,
    "日": 86400,
    "d": 86400,
}
_DURATION = re.compile(r"^(\d{1,6})(秒|s|分钟|分|min|m|小时|时|h|天|日|d)?$", re.IGNORECASE)


def parse_duration(text: str) -> int | None:
    """「10分钟」「2小时」「1天」「30」(minutes) → seconds; None when it is not a duration."""
    m = _DURATION.match(text.strip().lower())
    if not m:
        return None
    return int(m.group(1)) * _UNITS.get(m.group(2) or "分钟", 60)


def _duration_text(seconds: int) -> str:
    for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} 秒"


def _target(ctx: CommandContext) -> str:
    mentioned = list(dict.fromkeys(ctx.record.mentions))
    if len(mentioned) != 1:
        raise UsageError("请 @ 一位成员。" if not mentioned else "一次只能处置一位成员。")
    return mentioned[0]


def _reason(words: list[str]) -> str:
    return " ".join(w for w in words if not w.startswith("@")).strip()[:100]


def _can(ctx: CommandContext, cap: Capability) -> bool:
    """True when the platform here has the action; otherwise the caller is told (and False)."""
    rec = ctx.record
    try:
        ok = ctx.runtime.registry.for_group(rec.platform, rec.group_id).can(cap)
    except GatewayError:
        ok = rec.platform == "qq"  # not connected right now: the queue retries
    if not ok:
        platform = "微信" if rec.platform == "wechat" else rec.platform
        what = CAPABILITY_LABELS.get(cap, "执行此操作")
        ctx.reply(f"抱歉，{platform}平台不支持由机器人{what}，本次未做任何操作。")
    return ok


def _protected(ctx: CommandContext, target: str) -> str:
    """Why ``target`` may not be acted on by the caller ("" when it may)."""
    rec, rt = ctx.record, ctx.runtime
    if target == rec.self_id:
        return "不能对机器人自身执行此操作。"
    if target == rec.user_id:
        return "不能对自己执行此操作。"
    role = resolve_role(
        target,
        group_id=rec.group_id,
        platform=rec.platform,
        platform_role="",
        policy=rt.policy,
        superusers=rt.superusers,
        book=role_book,
    )
    if role >= Role.OWNER:
        return f"{target} 是{role.label}，不能被处置。"
    if role > Role.MEMBER and role >= ctx.role:
        return f"{target} 是{role.label}，您（{ctx.role.label}）无权处置。"
    return ""


async def _audit(
    ctx: CommandContext, action: str, target: str, reason: str, detail: dict[str, object]
) -> None:
    rec = ctx.record
    await audit.record(
        action,
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        target=target,
        reason=f"{ctx.role.label}手动处置：{reason or '未说明理由'}",
        detail=detail,
        at=rec.received,
    )


@command(
    "禁言",
    aliases=("mute",),
    role=Role.DEPUTY,
    summary="禁言一位成员（写明时长和理由）",
    usage=MUTE_USAGE,
    scope="group",
    order=70,
)
async def mute(ctx: CommandContext) -> None:
    target = _target(ctx)
    words = [w for w in ctx.argv if not w.startswith("@")]
    if not words:
        raise UsageError("缺少禁言时长。")
    seconds = parse_duration(words[0])
    if seconds is None or seconds <= 0:
        raise UsageError(f"「{words[0]}」不是时长。")
    if seconds > MAX_MUTE:
        raise UsageError("禁言最长 30 天。")
    why = _protected(ctx, target)
    if why:
        ctx.reply(why)
        return
    if not _can(ctx, Capability.MUTE):
        return
    reason = _reason(words[1:])
    rec = ctx.record
    ctx.runtime.actions.mute(rec.platform, rec.group_id, target, seconds)
    await _audit(ctx, "moderation.mute", target, reason, {"seconds": seconds})
    ctx.reply(f"已禁言 {target} {_duration_text(seconds)}" + (f"，理由：{reason}" if reason else "") + "。")


@command(
    "解禁",
    aliases=("unmute",),
    role=Role.DEPUTY,
    summary="解除一位成员的禁言",
    usage=UNMUTE_USAGE,
    scope="group",
    order=71,
)
async def unmute(ctx: CommandContext) -> None:
    target = _target(ctx)
    if not _can(ctx, Capability.MUTE):
        return
    rec = ctx.record
    ctx.runtime.actions.mute(rec.platform, rec.group_id, target, 0)
    await _audit(ctx, "moderation.unmute", target, _reason(ctx.argv), {})
    ctx.reply(f"已解除 {target} 的禁言。")


@command(
    "撤回",
    aliases=("recall",),
    role=Role.DEPUTY,
    summary="撤回所回复的那条消息",
    usage=RECALL_USAGE,
    scope="group",
    order=72,
)
async def recall(ctx: CommandContext) -> None:
    rec = ctx.record
    replied = next((str(s.data.get("id") or "") for s in rec.segments if s.type == "reply"), "")
    if not replied:
        raise UsageError("请回复要撤回的那条消息再发送 /撤回。")
    if not _can(ctx, Capability.RECALL):
        return
    reason = _reason(ctx.argv)
    ctx.runtime.actions.recall(rec.platform, rec.group_id, replied)
    await _audit(ctx, "moderation.recall", "", reason, {"message_id": replied})
    ctx.reply("已撤回该消息" + (f"，理由：{reason}" if reason else "") + "。")


@dataclass
class _Pending:
    target: str
    reason: str
    at: float


_pending_kicks: dict[tuple[str, str, str], _Pending] = {}


@command(
    "移出",
    aliases=("kick",),
    role=Role.DEPUTY,
    summary="将一位成员移出本群（需再次确认）",
    usage=KICK_USAGE,
    scope="group",
    order=73,
)
async def kick(ctx: CommandContext) -> None:
    rec = ctx.record
    key = (rec.platform, rec.group_id, rec.user_id)
    argv = ctx.argv
    if argv[:1] in (["确认"], ["confirm"]):
        pending = _pending_kicks.pop(key, None)
        if pending is None or time.monotonic() - pending.at > CONFIRM_SECONDS:
            ctx.reply("没有待确认的移出操作（或已超过 2 分钟）。请重新发送 /移出 @成员 理由。")
            return
        why = _protected(ctx, pending.target)
        if why:
            ctx.reply(why)
            return
        if not _can(ctx, Capability.KICK):
            return
        ctx.runtime.actions.kick(rec.platform, rec.group_id, pending.target)
        await _audit(ctx, "moderation.kick", pending.target, pending.reason, {})
        ctx.reply(
            f"已将 {pending.target} 移出本群" + (f"，理由：{pending.reason}" if pending.reason else "") + "。"
        )
        return
    if argv[:1] in (["取消"], ["cancel"]):
        ctx.reply("已取消移出操作。" if _pending_kicks.pop(key, None) else "没有待确认的移出操作。")
        return
    target = _target(ctx)
    why = _protected(ctx, target)
    if why:
        ctx.reply(why)
        return
    if not _can(ctx, Capability.KICK):
        return
    reason = _reason(argv)
    _pending_kicks[key] = _Pending(target, reason, time.monotonic())
    ctx.reply(
        f"确认将 {target} 移出本群吗？"
        + (f"理由：{reason}。" if reason else "（未写理由）")
        + "请在 2 分钟内发送 /移出 确认，或 /移出 取消。"
    )
