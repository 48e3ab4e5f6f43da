"""/状态 line of the content guard (in-memory counters: no database read)."""

from __future__ import annotations

from bot.dispatch import CommandContext
from bot.dispatch.hooks import status_line
from bot.plugins.guard.deep import deep
from bot.plugins.guard.state import state
from bot.runtime import Runtime


@status_line
async def guard_status(rt: Runtime, ctx: CommandContext) -> list[str]:
    c = state.counters
    line = f"内容巡查：本次运行检查 {c.checked} 条消息，发现 {c.flagged} 条，撤回 {c.recalled} 条"
    if c.observed:
        line += f"，观察模式记录 {c.observed} 条"
    if ctx.record.is_group and rt.policy.for_group(ctx.record.group_id).preset.guard.observe_only:
        line += "；本群为观察模式（只记录，不处理）"
    base = state.base_lexicon
    if base is not None:
        line += f"；默认词库 {base.word_count()} 个词"
    lines = [line]
    d = deep.counters
    if d.queued or d.dropped:
        more = (
            f"转发与图片：排队检查 {d.queued} 条（待查 {deep.pending}），读取聊天记录 {d.forwards} 次"
            f"（失败 {d.forward_failed}），图片 {d.images} 张（无法读取 {d.image_failed}），"
            f"识别二维码 {d.qr_codes} 个，文字识别 {d.ocr_done} 张，处理 {d.acted} 条"
        )
        skipped = d.dropped + d.ocr_dropped + d.stale + d.timed_out
        if skipped:
            more += f"；因繁忙或超时未查 {skipped} 项"
        lines.append(more)
    return lines
