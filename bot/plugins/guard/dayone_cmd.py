"""/规则 subcommands of day one: the first days in observe-only mode (end them, see what they would have
done) and the owner / admins named by an operator (WeChat member lists carry no roles)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.calendar import to_local
from bot.core.guard import Act, kind_label
from bot.dispatch import CommandContext, Role, UsageError, rolestore
from bot.store import audit, sight
from bot.store import guard as store

OBSERVED_LIMIT = 15


async def end_first_days(ctx: CommandContext) -> str:
    """``/规则 观察 关`` also ends a new group's first observe-only days; the sentence to add."""
    rec = ctx.record
    if await sight.end_observe(rec.platform, rec.group_id, rec.user_id):
        await audit.record(
            "group.observe_end",
            actor=rec.user_id,
            platform=rec.platform,
            group_id=rec.group_id,
            reason="结束机器人入群后的观察期",
        )
        return "机器人入群后的观察期已提前结束。"
    return ""


async def observed_log(ctx: CommandContext) -> None:
    """``/规则 观察 记录``: what observe mode would have done, newest first. Excerpts are stored masked
    (and empty for secret markings and personal data), so nothing secret is repeated here."""
    rec = ctx.record
    rows = [
        f for f in await store.recent_findings(rec.group_id, limit=200) if f.outcome == "observed" and f.cited
    ][:OBSERVED_LIMIT]
    until = sight.observe_until(rec.platform, rec.group_id)
    head = (
        f"观察期至 {to_local(until):%m月%d日 %H:%M}。"
        if until is not None and datetime.now(UTC) < until
        else ""
    )
    if not rows:
        ctx.reply(f"{head}观察模式下暂无记录：没有发现需要处理的消息。")
        return
    lines = [f"{head}观察模式下最近 {len(rows)} 条记录（未做任何处理）："]
    for f in rows:
        acts = (
            "、".join(Act(a).label for a in f.intended.split(",") if a in Act._value2member_map_) or "仅记录"
        )
        excerpt = f"「{f.excerpt}」" if f.excerpt else "（内容涉密或含个人信息，不予显示）"
        lines.append(
            f"{to_local(f.at):%m-%d %H:%M} {f.user_id} {kind_label(f.kind)} {excerpt} → 本应：{acts}"
        )
    lines.append("结束观察、正常处理：/规则 观察 关")
    ctx.reply("\n".join(lines))


def _target(ctx: CommandContext, rest: list[str]) -> str:
    mentioned = [m for m in ctx.record.mentions if m != ctx.record.self_id]
    if mentioned:
        return mentioned[0]
    ids = [a for a in rest if a.strip("@").isalnum() or "@" in a.strip("@") or a.startswith("wxid_")]
    if not ids:
        raise UsageError("请 @ 该成员，或写出其账号。")
    return ids[-1].lstrip("@")


async def name_roles(ctx: CommandContext, sub: str, rest: list[str]) -> None:
    """``/规则 群主 @x`` · ``/规则 管理员 添加|移除 @x`` — operators and supervisors only, audited."""
    rec = ctx.record
    if ctx.role < Role.SUPERVISOR:
        ctx.reply(
            f"抱歉，指定群主、管理员需要「{Role.SUPERVISOR.label}」及以上权限，您当前为「{ctx.role.label}」，"
            "本次未做任何操作。"
        )
        return
    now = datetime.now(UTC)
    if sub in ("群主", "owner"):
        who = _target(ctx, rest)
        before = await rolestore.name_role(rec.platform, rec.group_id, who, "owner", by=rec.user_id, now=now)
        reason = f"指定 {who} 为群主" + (f"（原群主 {'、'.join(before)}）" if before else "")
        reply = f"已指定 {who} 为本群群主。" + (
            f"原指定的群主 {'、'.join(before)} 不再是群主。" if before else ""
        )
    else:
        if not rest or rest[0] not in ("添加", "移除", "add", "remove"):
            raise UsageError("请写「添加」或「移除」。")
        who = _target(ctx, rest[1:])
        add = rest[0] in ("添加", "add")
        await rolestore.name_role(
            rec.platform, rec.group_id, who, "admin" if add else None, by=rec.user_id, now=now
        )
        reason = f"{'指定' if add else '取消'} {who} 为管理员"
        reply = f"已{'指定' if add else '取消'} {who} {'为' if add else '的'}本群管理员。"
    await audit.record(
        "role.named",
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        target=who,
        reason=reason,
    )
    ctx.reply(reply + "该设置保存在数据库中，重启后和私聊中同样有效。")
