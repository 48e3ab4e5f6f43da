"""The register's background work: reminders and escalations of duties, case notices and case
escalations, the daily group-info sync, the weekly and quarterly summaries.

A loop (started on driver start-up, stopped on shutdown) polls every few seconds — and at once when
an account connects or a duty is opened. Everything due is read from the database, so deadlines
survive restarts, and each piece of work is claimed with a conditional UPDATE (a reminder step, a
case notice, an escalation round) or by inserting a unique key (a scheduled job) before it is done:
with several processes on one database each happens once. A step missed while the bot was down is
done once when it is back (only the latest one; see :func:`bot.core.register.due_step`).

Work waits while no account that can list members and read group info is connected.
"""

from __future__ import annotations

from datetime import datetime

from loguru import logger

from bot.core.calendar import Severity
from bot.core.register import StepKind, due_case_escalation, due_step, sync_due
from bot.models.register import Case, DutyKind, DutyState, Filing, FilingDuty, FilingStatus
from bot.plugins.register import clock, lifecycle, reports
from bot.plugins.register.common import (
    filing_label,
    find_owner,
    group_ready,
    ready_platforms,
    tell_owner,
    tell_supervisors,
    unit_name,
)
from bot.plugins.register.filing import kind_of
from bot.plugins.register.texts import (
    CASE_FOR_DUTY,
    DUTY_LABELS,
    case_escalation,
    case_opened,
    duty_escalation,
    duty_reminder,
    when,
)
from bot.polling import PollingLoop
from bot.runtime import Runtime, get_runtime
from bot.store import audit, cases
from bot.store import register as store

POLL_SECONDS = 5.0
BATCH = 50
WORKER = reports.WORKER


# --- duties -----------------------------------------------------------------------------------


async def remind(rt: Runtime, duty: FilingDuty, now: datetime) -> bool:
    """Send the duty's due reminder step (claimed first); True when this call sent it."""
    assert duty.id is not None
    preset = rt.policy.for_group(duty.group_id).preset
    cal = rt.calendar(duty.group_id)
    fire, after = due_step(duty.starts_at, duty.due_at, cal, preset.escalation_interval_days, duty.stage, now)
    if fire is None:  # next_at no longer matches the cadence (e.g. the preset changed): move it
        await store.advance_duty(duty.id, duty.stage, duty.stage, after.at, sent_at=now, sent=False)
        return False
    if not await store.advance_duty(
        duty.id, duty.stage, fire.index + 1, after.at, sent_at=now, escalated=fire.escalates
    ):
        return False
    filing = await store.get_filing(duty.platform, duty.group_id)
    if filing is None or filing.status == FilingStatus.DEREGISTERED:
        await store.close_duty(
            duty.platform, duty.group_id, duty.kind, DutyState.CANCELLED, now, note="群已注销"
        )
        return False
    kind = DutyKind(duty.kind)
    if fire.kind is StepKind.START and filing.synced_at is None:
        await lifecycle.sync_group(rt, filing, now)  # the group's name and owner for the first notice
    owner = await find_owner(rt, filing, now, refresh=fire.kind is StepKind.START and not filing.owner_id)
    label = filing_label(rt, filing)
    case_id = duty.case_id
    if fire.escalates and case_id is None:
        case, _ = await cases.open_case(
            platform=duty.platform,
            group_id=duty.group_id,
            self_id=filing.self_id,
            kind=CASE_FOR_DUTY[kind],
            severity=Severity.GENERAL,
            received_at=now,
            calendar=cal,
            rule="temporary_group" if kind is DutyKind.DISSOLVE else "filing",
            summary=f"{DUTY_LABELS[kind]}期限 {when(duty.due_at, now)} 已过",
            user_id=owner,
            source="register",
            ref=f"duty:{duty.id}",
            dedup_key=f"register:duty:{duty.id}",
            notify=False,  # this reminder says it
            escalate=False,  # the duty's own cadence escalates it
        )
        assert case.id is not None
        await store.set_duty_case(duty.id, case.id)
        case_id = case.id
    group_kind = kind_of(filing)
    kind_label = group_kind.label if group_kind is not None else "临时"
    text = duty_reminder(
        duty,
        fire.kind,
        group=label,
        preset=preset,
        cal=cal,
        now=now,
        end_date=filing.end_date,
        kind_label=kind_label,
        case_id=case_id,
    )
    told = tell_owner(rt, filing, owner, text)
    supervisors: list[str] = []
    if fire.escalates:
        supervisors = tell_supervisors(
            rt,
            filing,
            duty_escalation(
                duty,
                group=label,
                unit=unit_name(rt, duty.group_id),
                owner=owner,
                preset=preset,
                cal=cal,
                now=now,
                case_id=case_id,
            ),
        )
    await audit.record(
        "register.escalated" if fire.escalates else "register.reminded",
        platform=duty.platform,
        group_id=duty.group_id,
        target=owner,
        rule="temporary_group" if kind is DutyKind.DISSOLVE else "filing",
        reason=f"{DUTY_LABELS[kind]}提醒（{_STEP_LABELS[fire.kind]}"
        + (f"，第 {fire.round} 次逾期提醒" if fire.round else "")
        + f"），期限 {when(duty.due_at, now)}",
        detail={
            "duty": duty.id,
            "step": str(fire.kind),
            "round": fire.round,
            "told": told,
            "supervisors": supervisors,
            "case": case_id,
        },
    )
    return True


_STEP_LABELS = {
    StepKind.START: "首次提醒",
    StepKind.BEFORE: "到期前一个工作日",
    StepKind.DUE: "到期当日",
    StepKind.OVERDUE: "已逾期",
}


async def remind_due(rt: Runtime, now: datetime) -> int:
    ready = ready_platforms(rt)
    sent = 0
    for duty in await store.due_duties(now, limit=BATCH):
        if duty.platform in ready and group_ready(rt, duty.platform, duty.group_id):
            sent += await remind(rt, duty, now)
    return sent


# --- cases ------------------------------------------------------------------------------------


async def _case_filing(rt: Runtime, case: Case) -> Filing:
    filing = await store.get_filing(case.platform, case.group_id)
    if filing is None:
        filing = await lifecycle.first_sight(rt, case.platform, case.group_id, case.self_id, case.received_at)
    return filing


async def notify_cases(rt: Runtime, now: datetime) -> int:
    """Tell the owner of each new case what is to be done and by when."""
    ready = ready_platforms(rt)
    sent = 0
    for case in await cases.to_notify(limit=BATCH):
        assert case.id is not None
        if case.platform not in ready or not group_ready(rt, case.platform, case.group_id):
            continue
        if not await cases.mark_notified(case.id, now):
            continue
        filing = await _case_filing(rt, case)
        owner = await find_owner(rt, filing, now)
        preset = rt.policy.for_group(case.group_id).preset
        told = tell_owner(rt, filing, owner, case_opened(case, group=filing_label(rt, filing), preset=preset))
        await audit.record(
            "case.notified",
            platform=case.platform,
            group_id=case.group_id,
            target=owner,
            rule="rectification",
            reason=f"整改通知 #{case.id}，期限 {when(case.due_at, now)}",
            detail={"case": case.id, "told": told},
        )
        sent += 1
    return sent


async def escalate_cases(rt: Runtime, now: datetime) -> int:
    """Overdue cases to the unit's supervisors (and the owner again), on the preset's cadence."""
    ready = ready_platforms(rt)
    sent = 0
    for case in await cases.due_escalations(now, limit=BATCH):
        assert case.id is not None
        if case.platform not in ready or not group_ready(rt, case.platform, case.group_id):
            continue
        preset = rt.policy.for_group(case.group_id).preset
        cal = rt.calendar(case.group_id)
        fire, next_at = due_case_escalation(
            case.due_at, case.escalations, cal, preset.case_escalation_days, now
        )
        if fire is None:
            await cases.advance_escalation(case.id, case.escalations, case.escalations, next_at)
            continue
        if not await cases.advance_escalation(case.id, case.escalations, fire, next_at):
            continue
        filing = await _case_filing(rt, case)
        owner = await find_owner(rt, filing, now)
        label = filing_label(rt, filing)
        text = case_escalation(
            case, group=label, unit=unit_name(rt, case.group_id), preset=preset, cal=cal, now=now
        )
        supervisors = tell_supervisors(rt, filing, text)
        if owner and owner not in supervisors:
            tell_owner(rt, filing, owner, text)
        await audit.record(
            "case.escalated",
            platform=case.platform,
            group_id=case.group_id,
            target=owner,
            rule="rectification",
            reason=f"整改事项 #{case.id} 逾期未处理，第 {fire} 次报告监管单位",
            detail={"case": case.id, "round": fire, "supervisors": supervisors},
        )
        sent += 1
    return sent


# --- scheduled jobs ---------------------------------------------------------------------------


async def daily_sync(rt: Runtime, now: datetime) -> bool:
    """Today's group-info sync, once across processes, from 07:00 (and on return from a downtime)."""
    if not ready_platforms(rt):
        return False
    day, due = sync_due(now)
    key = f"sync:{day}"
    if now < due or await store.run_done(key) or not await store.claim_run(key, WORKER, now):
        return False
    synced = await lifecycle.sync_all(rt, now)
    await store.finish_run(key, now, f"{synced} 个群")
    return True


async def run_due(rt: Runtime, now: datetime) -> None:
    """One poll: everything due at ``now``."""
    try:
        await lifecycle.flush_activity()
    except Exception:
        logger.exception("register: writing message counts failed")
    if not ready_platforms(rt):
        return
    await remind_due(rt, now)
    await notify_cases(rt, now)
    await escalate_cases(rt, now)
    await daily_sync(rt, now)
    await reports.weekly(rt, now)
    await reports.quarterly(rt, now)


class Scheduler(PollingLoop):
    """The polling loop. ``wake()`` makes it look now (an account connected, a duty was opened)."""

    name = "steward-register-scheduler"

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(poll_seconds)

    async def setup(self) -> None:
        await lifecycle.remember_owners()

    async def tick(self) -> None:
        await run_due(get_runtime(), clock.now())

    async def teardown(self) -> None:
        await lifecycle.flush_activity()


register_loop = Scheduler()
"""This process's scheduler (started and stopped by the plugin's driver hooks)."""
lifecycle._wake.append(register_loop.wake)
