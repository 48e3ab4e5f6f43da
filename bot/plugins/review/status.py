"""/状态 line of the review capability."""

from __future__ import annotations

from bot.dispatch import CommandContext
from bot.dispatch.hooks import status_line
from bot.plugins.review.scheduler import review_loop
from bot.plugins.review.texts import minute
from bot.runtime import Runtime
from bot.store import review as store


@status_line
async def review_status(rt: Runtime, ctx: CommandContext) -> list[str]:
    rec = ctx.record
    if not rec.is_group:
        return []
    run = await store.latest_run(rec.platform, rec.group_id)
    text = (
        "成员巡查：尚未进行"
        if run is None
        else (f"成员巡查：最近一次 {minute(run.finished_at or run.due_at)}，需关注 {run.findings} 人")
    )
    if not review_loop.running:
        text += "（⚠ 定时巡查未运行）"
    return [text]
