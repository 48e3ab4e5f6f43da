"""/状态 lines of the working-hours capability."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.core.calendar import TZ, to_local
from bot.dispatch import CommandContext
from bot.dispatch.hooks import status_line
from bot.models.worktime import NoticeState
from bot.plugins.worktime.scheduler import notice_loop
from bot.plugins.worktime.texts import hours_text, when
from bot.runtime import Runtime
from bot.store import notices
from bot.store.worktime import count_findings


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 (Shanghai) of the week of ``moment``."""
    local = to_local(moment)
    return datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=TZ)


@status_line
async def worktime_status(rt: Runtime, ctx: CommandContext) -> list[str]:
    rec = ctx.record
    in_group = rec.is_group
    lines: list[str] = []
    if in_group:
        preset = rt.policy.for_group(rec.group_id).preset
        rule = "未启用"
        if preset.off_hours_notice:
            rule = "私聊提醒并撤回" if preset.off_hours_recall else "私聊提醒发送人"
        lines.append(
            f"工作时间：{hours_text(rt.calendar(rec.group_id).hours)}；非工作时间发工作通知：{rule}"
            + ("；/通知 须先审后发" if preset.notice_review else "")
        )
        since = week_start(rec.time)
        found = await count_findings(since=since, until=since + timedelta(days=7), group_id=rec.group_id)
        lines.append(f"本周非工作时间工作通知：{found} 条")
    counts = await notices.count_open(
        platform=rec.platform if in_group else None, group_id=rec.group_id if in_group else None
    )
    queued_n, review_n = counts.get(NoticeState.QUEUED, 0), counts.get(NoticeState.REVIEW, 0)
    text = f"定时通知：待发布 {queued_n} 条，待审核 {review_n} 条"
    if counts.get(NoticeState.POSTING):
        text += f"，发布中 {counts[NoticeState.POSTING]} 条"
    queued = await notices.list_open(
        platform=rec.platform if in_group else None,
        group_id=rec.group_id if in_group else None,
        states=(NoticeState.QUEUED,),
        limit=1,
    )
    if queued and queued[0].due_at is not None:
        text += f"；下一条 {when(queued[0].due_at, rec.time)}"
    if not notice_loop.running:
        text += "（⚠ 定时发布未运行）"
    lines.append(text)
    return lines
