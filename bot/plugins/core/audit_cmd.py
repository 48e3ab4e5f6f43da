"""/审计: recent audit rows; /审计 校验 checks the hash chain."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.dispatch import CommandContext, Role, UsageError, command
from bot.store import audit

_TZ = ZoneInfo("Asia/Shanghai")
_MAX_ROWS = 50


@command(
    "审计",
    aliases=("audit",),
    role=Role.ADMIN,
    summary="最近的审计记录；校验审计链是否完整",
    usage="/审计 [条数，默认10，最多50] | /审计 校验",
    order=80,
)
async def audit_(ctx: CommandContext) -> None:
    argv = ctx.argv
    if argv and argv[0] in ("校验", "verify"):
        report = await audit.verify()
        if report.ok:
            ctx.reply(f"审计链完整：共 {report.checked} 条记录，逐条校验通过。")
        else:
            ctx.reply(
                f"审计链在第 #{report.broken_id} 条处断开：{report.why}。已校验通过 {report.checked} 条。"
                "请立即联系运维人员保全数据库。"
            )
        return
    if len(argv) > 1 or (argv and not argv[0].isdigit()):
        raise UsageError("参数应为条数（数字）或「校验」。")
    n = min(int(argv[0]) if argv else 10, _MAX_ROWS)
    if n < 1:
        raise UsageError("条数至少为 1。")
    rec = ctx.record
    if not rec.is_group and ctx.role < Role.SUPERVISOR:
        ctx.refuse(
            "私聊中查看全部群的审计记录需要「监管单位」及以上权限；群管理员请在本群内发送 /审计。",
            why="私聊查看全部群需要「监管单位」及以上权限",
        )
        return
    rows = await audit.recent(n, group_id=rec.group_id if rec.is_group else None)
    if not rows:
        ctx.reply("暂无审计记录。")
        return
    lines = [f"最近 {len(rows)} 条审计记录（新→旧）："]
    for r in rows:
        when = r.at.astimezone(_TZ).strftime("%m-%d %H:%M")
        where = f"群{r.group_id} " if r.group_id and not rec.is_group else ""
        who = "机器人" if r.actor == "bot" else f"用户{r.actor}"
        target = f" → {r.target}" if r.target else ""
        lines.append(
            f"#{r.id} {when} {where}{who} {r.action}{target}" + (f"：{r.reason}" if r.reason else "")
        )
    ctx.reply("\n".join(lines))
