"""/状态: version, connections, queue, intake counters, database, calendar data; capabilities add
their own lines with `status_line`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dispatch import CommandContext, Role, command
from bot.dispatch.hooks import status_line, status_providers
from bot.intake.stats import stats
from bot.runtime import Runtime

__all__ = ["calendar_warnings", "status", "status_line"]  # status_line: re-exported for older imports


def calendar_warnings(rt: Runtime, now: datetime) -> list[str]:
    """Years near `now` that have no published holiday schedule (so deadlines may be off by 调休)."""
    return [s.describe() for s in rt.calendar().unofficial_years_ahead(now)]


_PLATFORM_LABEL = {"qq": "QQ", "wechat": "微信"}


def _ago(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m = s // 60
    return (f"{d} 天 " if d else "") + (f"{h} 小时 " if h or d else "") + f"{m} 分钟"


@command(
    "状态",
    aliases=("status",),
    role=Role.ADMIN,
    summary="连接、发送队列、处理计数和版本",
    usage="/状态",
    order=90,
)
async def status(ctx: CommandContext) -> None:
    rt = ctx.runtime
    now = datetime.now(UTC)
    conns = rt.registry.connections()
    conn_text = (
        "；".join(
            f"{_PLATFORM_LABEL.get(c.gateway.platform, c.gateway.platform)} {c.gateway.self_id}"
            f"（已连接 {_ago(now - c.since)}）"
            for c in conns
        )
        or "无"
    )
    q = rt.queue
    queue_text = (
        f"待发 {q.pending}，完成 {q.stats.done}，重试 {q.stats.retried}，失败 {q.stats.failed}"
        + (f"，积压丢弃 {q.stats.dropped}" if q.stats.dropped else "")
        if q
        else "未启动"
    )
    unparsed = sum(stats.unparsed.values())
    unparsed_text = "、".join(f"{k} {v}" for k, v in stats.unparsed.most_common(5))
    lines = [
        f"工作群管家 {rt.version}",
        f"连接：{conn_text}",
        f"运行时长：{_ago(now - rt.started_at)}",
        f"已处理消息：{stats.messages}",
        f"收到事件：{sum(stats.events.values())}，无法解析：{unparsed}"
        + (f"（{unparsed_text}）" if unparsed else "")
        + (
            f"，时间偏差超过 5 分钟：{stats.time_skewed}（按接收时间计算首次发现、期限和违规记录）"
            if stats.time_skewed
            else ""
        ),
        f"发送队列：{queue_text}",
        f"数据库：{rt.db.dialect if rt.db else '-'}，结构版本 {rt.db_revision or '-'}",
        f"策略文件：{rt.policy.source}",
    ]
    if ctx.record.is_group:
        gp = rt.policy.for_group(ctx.record.group_id)
        lines.append(f"本群预设：{gp.preset.name}" + (f"（单位：{gp.unit_name}）" if gp.unit_name else ""))
    lines.extend(calendar_warnings(rt, now))
    for provider in status_providers:
        lines.extend(await provider(rt, ctx))
    ctx.reply("\n".join(lines))
