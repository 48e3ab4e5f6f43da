"""/状态 lines of the register: this group's filing and its deadlines, or totals in private chat."""

from __future__ import annotations

from bot.dispatch import CommandContext
from bot.dispatch.hooks import status_line
from bot.models.register import DutyKind, FilingStatus
from bot.plugins.register.filing import STATUS_LABELS
from bot.plugins.register.scheduler import register_loop
from bot.plugins.register.texts import DUTY_LABELS, when
from bot.runtime import Runtime
from bot.store import cases
from bot.store import register as store


@status_line
async def register_status(rt: Runtime, ctx: CommandContext) -> list[str]:
    rec = ctx.record
    lines: list[str] = []
    if rec.is_group:
        filing = await store.get_filing(rec.platform, rec.group_id)
        status = (
            STATUS_LABELS.get(FilingStatus(filing.status), filing.status) if filing is not None else "未登记"
        )
        text = f"备案：{status}"
        for duty in await store.open_duties(platform=rec.platform, group_ids=[rec.group_id]):
            late = "，已逾期" if duty.due_at < rec.time else ""
            text += f"；{DUTY_LABELS[DutyKind(duty.kind)]}期限 {when(duty.due_at, rec.time)}{late}"
        lines.append(text)
        open_, overdue = await cases.count_open(rec.time, platform=rec.platform, group_ids=[rec.group_id])
    else:
        filings = await store.list_filings(platform=rec.platform)
        counts = {s: sum(1 for f in filings if f.status == s) for s in FilingStatus}
        duties = await store.open_duties(platform=rec.platform)
        overdue_duties = sum(1 for d in duties if d.due_at < rec.time)
        lines.append(
            f"登记备案：已备案 {counts[FilingStatus.FILED]}，未备案 {counts[FilingStatus.UNFILED]}，"
            f"已注销 {counts[FilingStatus.DEREGISTERED]}；待办 {len(duties)} 项（逾期 {overdue_duties}）"
        )
        open_, overdue = await cases.count_open(rec.time, platform=rec.platform)
    case_text = f"整改事项：未结 {open_} 件" + (f"（逾期 {overdue} 件）" if overdue else "")
    if not register_loop.running:
        case_text += "（⚠ 备案提醒未运行）"
    lines.append(case_text)
    return lines
