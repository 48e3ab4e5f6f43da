"""The off-hours rule (yichun 第十条: 非紧急任务原则上不在非工作时间发布工作信息).

A work notice (see :func:`bot.core.notice.classify_notice`) sent outside working hours without an
urgency mark gets a private reminder to its sender that cites the clause and offers /通知, and a
row in ``steward_offhours`` for the weekly report; where the preset says so it is also recalled.

Cost: the hook runs on every group message, so it first asks the calendar whether the message's
own timestamp is working time — a set lookup and two comparisons — and returns for most messages
before the classifier runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from loguru import logger

from bot.core.notice import NoticeVerdict, classify_notice, urgent_marker
from bot.dispatch import on_group_message
from bot.gateway.base import Capability, GatewayError
from bot.intake.record import MessageRecord
from bot.plugins.worktime.texts import hours_text, reason_labels, when, why_off_hours
from bot.runtime import Runtime
from bot.store import audit
from bot.store.worktime import NewFinding, record_finding

REMIND_EVERY = timedelta(minutes=10)
"""One private reminder per sender and group in this window (a notice sent in three parts gets
one); every message is still recorded. A recalled message always gets its reminder: the sender
needs the number to have it re-posted."""

# (platform, group, user) → event time of the last reminder. Bounded by the number of senders.
_last_reminder: dict[tuple[str, str, str], datetime] = {}
_RECALLABLE_ROLES = ("member", "")  # the bot (an admin) cannot recall the owner's or admins' messages


def group_name(rt: Runtime, group_id: str) -> str:
    spec = rt.policy.spec.groups.get(group_id)
    return f"「{spec.name}」" if spec is not None and spec.name else f"群 {group_id}"


def _can_recall(rt: Runtime, rec: MessageRecord) -> bool:
    if rec.sender_role not in _RECALLABLE_ROLES:
        return False
    try:
        gateway = rt.registry.for_group(rec.platform, rec.group_id)
    except GatewayError:
        return False
    return bool(gateway.capabilities & Capability.RECALL)


def reminder_text(
    rt: Runtime, rec: MessageRecord, verdict: NoticeVerdict, *, finding_id: int | None, recalled: bool
) -> str:
    preset = rt.policy.for_group(rec.group_id).preset
    cal = rt.calendar(rec.group_id)
    next_start = cal.next_working_start(rec.time)
    lines = [
        f"您好！您于 {when(rec.time)} 在{group_name(rt, rec.group_id)}发送的消息是一条工作通知"
        f"（判断依据：{reason_labels(verdict.reasons)}）。{why_off_hours(cal, rec.time)}，"
        f"不在本群的工作时间内（{hours_text(cal.hours)}）。",
        f"{preset.cite('off_hours')}，非紧急任务原则上不在非工作时间发布工作信息。",
    ]
    if recalled and finding_id is not None:
        lines.append(
            f"按本群规定，这条消息已撤回。如需在上班后发布，请发送「/通知 补发 {finding_id}」"
            f"（群内或私聊均可），机器人将于 {when(next_start, rec.time)} 自动发到群里。"
        )
    else:
        lines.append(
            "如非紧急，建议改用定时发布：在群内发送「/通知 通知内容」，"
            f"机器人会在 {when(next_start, rec.time)}（下一个工作时间开始）自动发出。"
        )
    lines.append("如确属紧急事项，请在消息开头注明【紧急】，机器人就不会提醒。")
    return "\n".join(lines)


@on_group_message
async def off_hours(rec: MessageRecord, rt: Runtime) -> None:
    """Remind (and record, and maybe recall) a work notice sent outside working hours."""
    if rt.calendar(rec.group_id).is_working_time(rec.time):
        return
    preset = rt.policy.for_group(rec.group_id).preset
    if not preset.off_hours_notice or rec.user_id == rec.self_id or not rec.text.strip():
        return
    verdict = classify_notice(rec.text, at_all=rec.at_all)
    if not verdict.is_notice or urgent_marker(rec.text, preset.urgent_words) is not None:
        return

    recall = preset.off_hours_recall and _can_recall(rt, rec)
    key = (rec.platform, rec.group_id, rec.user_id)
    last = _last_reminder.get(key)
    remind = recall or last is None or abs(rec.time - last) >= REMIND_EVERY
    if remind:
        _last_reminder[key] = rec.time
    finding = await record_finding(
        NewFinding(
            platform=rec.platform,
            group_id=rec.group_id,
            self_id=rec.self_id,
            user_id=rec.user_id,
            message_id=rec.message_id,
            at=rec.time,
            score=verdict.score,
            reasons=verdict.reasons,
            reminded=remind,
            recalled=recall,
            text=rec.text if recall else "",
        )
    )
    if recall:
        rt.actions.recall(rec.platform, rec.group_id, rec.message_id)
    if remind:
        text = reminder_text(rt, rec, verdict, finding_id=finding.id, recalled=recall)
        rt.actions.send_private(rec.platform, rec.self_id, rec.user_id, text)
    logger.info(
        f"off-hours notice in {rec.group_id} by {rec.user_id}: score {verdict.score} "
        f"({','.join(verdict.reasons)}), reminded={remind}, recalled={recall}"
    )
    await audit.record(
        "worktime.off_hours",
        platform=rec.platform,
        group_id=rec.group_id,
        target=rec.user_id,
        rule="off_hours",
        reason=f"非工作时间发布工作通知（{reason_labels(verdict.reasons)}）"
        + ("，已撤回" if recall else "")
        + ("，已私聊提醒" if remind else ""),
        detail={
            "finding": finding.id,
            "message_id": rec.message_id,
            "score": verdict.score,
            "reasons": list(verdict.reasons),
            "recalled": recall,
            "reminded": remind,
        },
    )
