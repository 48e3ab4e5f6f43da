"""Chinese wording shared by the off-hours reminder, /通知 and the scheduler (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.calendar import WorkCalendar, WorkingHours, to_local
from bot.core.identity.redact import mask_in_text
from bot.core.notice import FEATURES
from bot.core.schedule import Recurrence
from bot.models.worktime import DeferredNotice, NoticeKind, NoticeState

_WEEKDAYS = "一二三四五六日"
PREVIEW_CHARS = 30

STATE_LABELS: dict[str, str] = {
    NoticeState.REVIEW: "待审核",
    NoticeState.QUEUED: "待发布",
    NoticeState.POSTING: "发布中",
    NoticeState.POSTED: "已发布",
    NoticeState.CANCELLED: "已取消",
    NoticeState.REJECTED: "未通过审核",
    NoticeState.FAILED: "发布失败",
    NoticeState.INTERRUPTED: "发布中断",
    NoticeState.ACTIVE: "周期发布中",
    NoticeState.PAUSED: "已暂停",
    NoticeState.DISPATCHED: "已群发",
}


def when(moment: datetime, reference: datetime | None = None) -> str:
    """「11月23日（周一）08:30」 in Shanghai time; with the year when it differs from ``reference``."""
    local = to_local(moment)
    text = f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）{local:%H:%M}"
    if reference is not None and to_local(reference).year != local.year:
        text = f"{local.year}年{text}"
    return text


def hours_text(hours: WorkingHours) -> str:
    """「工作日 08:30–17:30，12:00–14:00 午休」."""
    text = f"工作日 {hours.start:%H:%M}–{hours.end:%H:%M}"
    if hours.lunch_start is not None and hours.lunch_end is not None:
        text += f"，{hours.lunch_start:%H:%M}–{hours.lunch_end:%H:%M} 午休"
    return text


def why_off_hours(calendar: WorkCalendar, moment: datetime) -> str:
    """Why ``moment`` is outside working time: a rest day, before or after hours, or lunch."""
    local = to_local(moment)
    if not calendar.is_working_day(local):
        return "当天是休息日（周末或法定节假日）"
    hours = calendar.hours
    clock = local.time()
    if clock < hours.start:
        return "当时尚未上班"
    if clock >= hours.end:
        return "当时已经下班"
    return "当时是午休时间"


# The classifier's features that say best why a message is a notice, most telling first.
_TELLING = (
    "heading",
    "deadline",
    "meeting_arrangement",
    "at_all_schedule",
    "fields",
    "submission",
    "acknowledge",
    "closing",
    "change",
    "work_arrangement",
    "addressee",
    "directive",
    "meeting",
    "at_all",
    "notice_word",
)


def reason_labels(reasons: Iterable[str], limit: int = 3) -> str:
    """「会议安排、面向科室/单位/全体」: the most telling reasons of a verdict, in Chinese."""
    fired = set(reasons)
    labels = [FEATURES[name].label.split("（")[0] for name in _TELLING if name in fired]
    return "、".join(labels[:limit]) or "通知用语"


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def posted_text(notice: DeferredNotice, *, late: bool, reference: datetime) -> str:
    """The notice as the bot posts it in the group: the text, then who issued it (and any delay)."""
    lines = [notice.text.strip()]
    who = notice.author_name or f"用户{notice.author_id}"
    footer = f"——{who} 通过工作群管家发布"
    if notice.reviewer_id:
        footer += "（已审核）"
    lines.append(footer)
    if late and notice.due_at is not None:
        lines.append(f"（原定 {when(notice.due_at, reference)} 发布，因机器人离线或发送失败而延后）")
    return "\n".join(lines)


def notice_line(notice: DeferredNotice, reference: datetime) -> str:
    """One line of /通知 列表."""
    state = STATE_LABELS.get(notice.state, notice.state)
    if notice.state == NoticeState.QUEUED and notice.due_at is not None:
        state = f"{when(notice.due_at, reference)} 发布"
        if notice.retry_at is not None:
            state += f"（发送失败，{when(notice.retry_at, reference)} 重试）"
    if notice.kind == NoticeKind.RECURRING:
        every = Recurrence.from_spec(notice.recurrence).describe()
        if notice.state == NoticeState.ACTIVE and notice.due_at is not None:
            state = f"周期：{every}，下次 {when(notice.due_at, reference)}"
        else:
            state = f"周期：{every}，{state}"
    elif notice.kind == NoticeKind.BROADCAST:
        targets = len([g for g in notice.targets.split(",") if g])
        state = f"群发 {targets} 个群，{state}"
    who = notice.author_name or f"用户{notice.author_id}"
    urgent = "【紧急】" if notice.urgent else ""
    # A list shows numbers masked; the notice itself is posted whole.
    return f"#{notice.id} {state}｜{who}：{urgent}{preview(mask_in_text(notice.text))}"
