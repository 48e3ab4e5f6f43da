"""The filing-status section of the owner's report, from the filing register when it is there.

Other capabilities add their own sections with ``bot.core.review.report_section``; this one reads the
register's store (``bot.store.register.get_filing``) and adds nothing when the register is absent.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.calendar import to_local
from bot.core.review import report_section

_STATUS = {
    "unfiled": "未备案",
    "filed": "已备案",
    "deregistered": "已注销",
    "changed": "信息有变更待重新备案",
}


@report_section
async def filing_status(
    platform: str, group_id: str, since: datetime, until: datetime
) -> tuple[str, list[str]] | None:
    try:
        from bot.store.register import get_filing
    except ImportError:
        return None
    filing = await get_filing(platform, group_id)
    if filing is None:
        return ("备案情况", ["尚无备案记录，请群主按规定发送 /备案 登记。"])
    status = str(getattr(filing, "status", ""))
    line = f"状态：{_STATUS.get(status, status or '未知')}"
    filed_at = getattr(filing, "filed_at", None)
    if filed_at is not None:
        local = to_local(filed_at)
        line += f"（{local.year}年{local.month}月{local.day}日备案）"
    return ("备案情况", [line])
