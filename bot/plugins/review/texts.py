"""Texts of the review capability (Chinese, polite, specific)."""

from __future__ import annotations

from datetime import datetime

from bot.core.calendar import to_local

REVIEW_USAGE = "/巡查（立即检查本群成员，报告私聊发送给群主）"
CLEANUP_USAGE = (
    "/清理 编号…（如 /清理 1 3 5，编号见最近一次巡查报告）| /清理 全部（建议移出的全部人员）"
    " | /清理 确认 | /清理 取消"
)
CONFIRM_MINUTES = 10


def day(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.month}月{local.day}日"


def minute(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def group_name(name: str, group_id: str) -> str:
    return f"{name}（{group_id}）" if name else f"群 {group_id}"
