"""Chinese wording of the register: reminders, escalations, case notices (pure functions)."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.calendar import WorkCalendar, to_local
from bot.core.register import StepKind
from bot.models.register import Case, DutyKind, FilingDuty
from bot.policy import Preset

_WEEKDAYS = "一二三四五六日"

DUTY_LABELS = {DutyKind.FILE: "备案", DutyKind.REFILE: "变更备案", DutyKind.DISSOLVE: "解散并注销登记"}
CASE_FOR_DUTY = {
    DutyKind.FILE: "filing_overdue",
    DutyKind.REFILE: "refile_overdue",
    DutyKind.DISSOLVE: "dissolve_overdue",
}


def when(moment: datetime, reference: datetime | None = None) -> str:
    """「11月23日（周一）17:30」 in Shanghai time; with the year when it differs from ``reference``."""
    local = to_local(moment)
    text = f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）{local:%H:%M}"
    if reference is not None and to_local(reference).year != local.year:
        text = f"{local.year}年{text}"
    return text


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def limit_text(minutes: int) -> str:
    return f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"


def overdue_text(cal: WorkCalendar, due: datetime, now: datetime) -> str:
    """「已逾期 3 个工作日」 — whole working days elapsed since the deadline (a deadline of Wednesday
    17:30 seen early on the Thursday of the next week is 5 days overdue: that Thursday has not
    elapsed yet) — or hours and minutes within the first working day."""
    days = cal.working_days_between(due, now)
    today = to_local(now).date()
    if days >= 1 and cal.is_working_day(today) and now < cal.working_day_end(today):
        days -= 1  # today's working day has not elapsed yet
    if days >= 1:
        return f"已逾期 {days} 个工作日"
    minutes = max(1, int((now - due).total_seconds() // 60))
    return f"已逾期 {minutes // 60} 小时 {minutes % 60} 分钟" if minutes >= 60 else f"已逾期 {minutes} 分钟"


def duty_reminder(
    duty: FilingDuty,
    step: StepKind,
    *,
    group: str,
    preset: Preset,
    cal: WorkCalendar,
    now: datetime,
    end_date: date | None = None,
    kind_label: str = "临时",
    case_id: int | None = None,
) -> str:
    """The owner's reminder for one step of a duty."""
    due = when(duty.due_at, now)
    # A duty may begin already overdue (a group seen before an upgrade, an end date long past).
    first_due = f"{due}（{overdue_text(cal, duty.due_at, now)}）" if duty.due_at < now else due
    kind = DutyKind(duty.kind)
    if kind is DutyKind.FILE:
        rule = (
            f"{preset.cite('filing')}，工作群开通后须在 {preset.filing_days} 个工作日内备案"
            "（群组名称、归属科室、入群方式、群规群纪、成员规模、活跃程度、群主及联系方式等）"
        )
        todo = "请群主在群内或私聊机器人发送 /备案，按提示逐项填写；成员规模和活跃程度由机器人自动填写。"
        opening = f"您好！{group}尚未备案。{rule}，本群的期限是 {first_due}。{todo}"
    elif kind is DutyKind.REFILE:
        rule = f"{preset.cite('filing')}，工作群信息变更后须在 {preset.refiling_days} 个工作日内更新备案"
        todo = "备案信息无需改动的，请发送「/备案 确认」；需要修改的，发送「/备案 名称=新群名」等即可。"
        opening = f"您好！{group}的{duty.detail or '基本信息'}已变更。{rule}，期限是 {first_due}。{todo}"
    else:
        ended = f"结束日期为 {day_text(end_date)}" if end_date else "工作已结束"
        rule = (
            f"{preset.cite('temporary_group')}，临时工作群或专项工作群在完成工作后 "
            f"{preset.temporary_dissolve_days} 个工作日内解散并注销登记"
        )
        todo = (
            "工作已完成的，请群主解散本群，解散后机器人自动注销登记；"
            "工作延期的，请发送「/备案 结束=新日期」更新结束日期。"
        )
        opening = f"您好！{group}登记为{kind_label}工作群，{ended}。{rule}，本群的期限是 {first_due}。{todo}"
    what = DUTY_LABELS[kind]
    if step is StepKind.START:
        return opening
    if step is StepKind.BEFORE:
        return f"提醒：{group}的{what}期限是 {due}，即将到期。{rule}。{todo}"
    if step is StepKind.DUE:
        return f"提醒：今天是{group}{what}的最后期限（{due}）。{rule}。{todo}"
    case = f"，已登记为整改事项 #{case_id}" if case_id is not None else ""
    return (
        f"{group}未在期限 {due} 前完成{what}，{overdue_text(cal, duty.due_at, now)}"
        f"{case}，并已报告监管单位。{rule}。{todo}"
    )


def duty_escalation(
    duty: FilingDuty,
    *,
    group: str,
    unit: str,
    owner: str,
    preset: Preset,
    cal: WorkCalendar,
    now: datetime,
    case_id: int | None = None,
) -> str:
    """The supervisors' notice of an overdue duty."""
    kind = DutyKind(duty.kind)
    what = DUTY_LABELS[kind]
    rule_key = "temporary_group" if kind is DutyKind.DISSOLVE else "filing"
    detail = f"（变更：{duty.detail}）" if kind is DutyKind.REFILE and duty.detail else ""
    who = f"群主 QQ {owner}" if owner else "群主未知"
    case = f"整改事项 #{case_id}；" if case_id is not None else ""
    return (
        f"【逾期提醒】{unit} {group}未在期限 {when(duty.due_at, now)} 前完成{what}{detail}，"
        f"{overdue_text(cal, duty.due_at, now)}。{preset.cite(rule_key)}。"
        f"{case}已提醒{who} {duty.reminders + 1} 次，请督促办理。"
    )


def severity_label(severity: str) -> str:
    return "严重" if severity == "serious" else "一般"


def case_opened(case: Case, *, group: str, preset: Preset) -> str:
    when_received = "工作时间内" if case.in_working_time else "工作时间外或节假日"
    return (
        f"【整改通知】整改事项 #{case.id}：{group}出现{case.category}（{severity_label(case.severity)}问题）"
        + (f"：{case.summary}" if case.summary else "")
        + f"。{preset.cite('rectification')}，{when_received}收到整改通知的"
        f"{severity_label(case.severity)}问题须在 {limit_text(case.limit_minutes)}内完成整改，"
        f"期限 {when(case.due_at, case.received_at)}。处理完毕后请发送「/处理 {case.id} 处理说明」。"
    )


def case_escalation(
    case: Case, *, group: str, unit: str, preset: Preset, cal: WorkCalendar, now: datetime
) -> str:
    return (
        f"【整改逾期】{unit} {group}的整改事项 #{case.id}（{case.category}，"
        f"{severity_label(case.severity)}问题）期限 {when(case.due_at, now)}，"
        f"{overdue_text(cal, case.due_at, now)}，尚未处理。{preset.cite('rectification')}。"
        f"请督促群主处理；处理后发送「/处理 {case.id} 处理说明」结案。"
    )


def case_line(case: Case, now: datetime, group: str = "") -> str:
    """One line of /处理 列表."""
    state = (
        f"已结案（{when(case.closed_at, now)}{'，超期' if case.late else ''}）"
        if case.closed_at is not None
        else (f"期限 {when(case.due_at, now)}" + ("，已逾期" if case.due_at < now else ""))
    )
    where = f"{group} " if group else ""
    return f"#{case.id} {where}{case.category}（{severity_label(case.severity)}）｜{state}"
