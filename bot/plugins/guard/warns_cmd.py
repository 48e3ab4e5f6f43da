"""/警告 (/warns): members' active strikes in this group, one member's record, clearing them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.guard.categories import kind_label
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.plugins.guard.texts import when
from bot.store import guard as store

USAGE = "/警告 ｜ /警告 @成员（或 QQ 号）｜ /警告 清除 @成员（或 QQ 号）"
_CLEAR = ("清除", "clear", "清零")


def _target(ctx: CommandContext, args: list[str]) -> str:
    mentioned = [m for m in ctx.record.mentions if m != ctx.record.self_id]
    if mentioned:
        return mentioned[0]
    if args and re.fullmatch(r"\w{3,64}", args[0]):
        return args[0]
    raise UsageError("请 @ 要查看的成员，或写出他的 QQ 号。")


@command(
    "警告",
    aliases=("warns",),
    role=Role.ADMIN,
    summary="查看或清除成员的违规提醒记录",
    usage=USAGE,
    scope="group",
    order=42,
)
async def warns(ctx: CommandContext) -> None:
    rec, rt = ctx.record, ctx.runtime
    now = datetime.now(UTC)
    days = rt.policy.for_group(rec.group_id).preset.strike_expiry_days
    argv = ctx.argv
    if not argv and not [m for m in rec.mentions if m != rec.self_id]:
        members = await store.members_with_strikes(rec.platform, rec.group_id, now)
        if not members:
            ctx.reply(f"本群近 {days} 天内没有成员有违规提醒记录。")
            return
        lines = [f"本群近 {days} 天内有违规提醒记录的成员（严重类别计 2 次）："]
        lines += [f"· {user}：{weight} 次" for user, weight in members]
        lines.append("发送「/警告 QQ号」查看某人的明细，「/警告 清除 QQ号」清除。")
        ctx.reply("\n".join(lines))
        return
    if argv and argv[0] in _CLEAR:
        user = _target(ctx, argv[1:])
        cleared = await store.clear_strikes(rec.platform, rec.group_id, user, by=rec.user_id, at=now)
        ctx.reply(
            f"已清除 {user} 的 {cleared} 条违规提醒记录（记录保留备查，不再累计）。"
            if cleared
            else f"{user} 在本群没有未过期的违规提醒记录。"
        )
        return
    user = _target(ctx, argv)
    strikes = await store.active_strikes(rec.platform, rec.group_id, user, now)
    if not strikes:
        ctx.reply(f"{user} 在本群近 {days} 天内没有违规提醒记录。")
        return
    total = sum(s.weight for s in strikes)
    lines = [f"{user} 在本群近 {days} 天内累计 {total} 次违规提醒："]
    for s in strikes:
        weight = "（严重，计 2 次）" if s.weight > 1 else ""
        lines.append(f"· {when(s.at)} {kind_label(s.kind)}{weight}，{when(s.expires_at)} 后不再累计")
    ctx.reply("\n".join(lines))
