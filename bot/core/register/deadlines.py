"""Filing deadlines, the reminder and escalation cadence, and the periods of the scheduled reports.

All in working days of the group's :class:`~bot.core.calendar.WorkCalendar` (holidays skipped, 调休
make-up days counted), with the calendar's convention: the starting day is not counted and the
last day ends when its working hours end (民法典 第二百零一条、第二百零三条).

- **Filing** (huangshan 第十条: 7 working days; huangshi 第九条: 2): counted from the moment the
  bot first saw the group.
- **Refiling** after a change of name, owner or matter: counted from when the change was detected.
- **Dissolution** of a temporary or special group (huangshi 第九条: 「完成相关工作后，在2个工作日内
  解散并注销登记」): counted from the group's end date (that day not counted).

A duty's reminders follow one cadence (:func:`duty_steps`): a first notice when the duty starts,
one the working day before it is due, one on the due day, then — overdue — one on the next working
day and again every ``interval`` working days, each also to the unit's supervisors. Every step is at
the start of working hours, so nobody is messaged at night; a step missed while the bot was down is
not repeated: :func:`due_step` returns only the latest one that has come, once.

Pure: time is passed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.core.calendar import TZ, WorkCalendar, to_local

__all__ = [
    "REPORT_TIME",
    "SYNC_TIME",
    "Step",
    "StepKind",
    "case_escalation_at",
    "dissolve_deadline",
    "dissolve_starts",
    "due_case_escalation",
    "due_step",
    "duty_steps",
    "filing_deadline",
    "first_working_day",
    "previous_working_day",
    "quarter_bounds",
    "quarter_of",
    "quarterly_due",
    "quarterly_key",
    "sync_due",
    "weekly_due",
    "weekly_key",
    "working_start",
]

REPORT_TIME = time(9, 0)
"""Weekly and quarterly summaries go out at this time on the first working day of the period."""
SYNC_TIME = time(7, 0)
"""The daily group-info sync (change detection) runs from this time, before working hours."""


def working_start(cal: WorkCalendar, day: date) -> datetime:
    """Start of working hours on ``day`` (Asia/Shanghai)."""
    return datetime.combine(day, cal.hours.start, tzinfo=TZ)


def previous_working_day(cal: WorkCalendar, day: date) -> date:
    """The last working day strictly before ``day``."""
    current = day
    for _ in range(400):
        current -= timedelta(days=1)
        if cal.is_working_day(current):
            return current
    raise RuntimeError(f"no working day within 400 days before {day}: check overrides")


def nth_working_day_after(cal: WorkCalendar, day: date, n: int) -> date:
    """The n-th working day after ``day`` (``day`` itself not counted); n = 0 is ``day``."""
    return cal.nth_working_day_after(day, n)


def filing_deadline(first_seen: datetime, days: int, cal: WorkCalendar) -> datetime:
    """When a group first seen at ``first_seen`` must be filed (also: refiled after a change)."""
    return cal.add_working_days(first_seen, days)


def dissolve_deadline(end_date: date, days: int, cal: WorkCalendar) -> datetime:
    """When a temporary group whose work ends on ``end_date`` must be dissolved and deregistered."""
    return cal.add_working_days(datetime.combine(end_date, time(12, 0), tzinfo=TZ), days)


def dissolve_starts(end_date: date, cal: WorkCalendar) -> datetime:
    """The first reminder to dissolve: the start of the first working day after ``end_date``."""
    return working_start(cal, cal.next_working_day(end_date))


# --- the reminder cadence of a duty -----------------------------------------------------------


class StepKind(StrEnum):
    START = "start"  # the duty begins: tell the owner what and by when
    BEFORE = "before"  # the working day before it is due
    DUE = "due"  # the due day
    OVERDUE = "overdue"  # after the deadline: owner and supervisors, repeated


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    kind: StepKind
    at: datetime
    round: int = 0  # 1, 2, … for overdue steps

    @property
    def escalates(self) -> bool:
        """Overdue steps also go to the unit's supervisors."""
        return self.kind is StepKind.OVERDUE


def _pre_steps(start: datetime, due: datetime, cal: WorkCalendar) -> list[Step]:
    """START, then BEFORE and DUE where they come after the start and before the deadline."""
    steps = [Step(0, StepKind.START, start)]
    due_day = due.date()
    for kind, moment in (
        (StepKind.BEFORE, working_start(cal, previous_working_day(cal, due_day))),
        (StepKind.DUE, working_start(cal, due_day)),
    ):
        if moment > steps[-1].at and moment < due:
            steps.append(Step(len(steps), kind, moment))
    return steps


def _overdue_at(cal: WorkCalendar, due_day: date, interval: int, round_: int) -> datetime:
    return working_start(cal, nth_working_day_after(cal, due_day, 1 + (round_ - 1) * interval))


def _last_round_by(cal: WorkCalendar, due_day: date, interval: int, moment: datetime) -> int:
    """The last overdue round whose time is at or before ``moment`` (0: none) — computed, not
    walked: the cost does not grow with how long ago the duty fell due."""
    w = cal.working_days_between(due_day, to_local(moment).date())
    if w < 1:
        return 0
    round_ = (w - 1) // interval + 1
    while round_ >= 1 and _overdue_at(cal, due_day, interval, round_) > moment:
        round_ -= 1  # at most twice: only the time of day on the last day can be later
    return round_


def duty_steps(start: datetime, due: datetime, cal: WorkCalendar, interval_days: int) -> Iterator[Step]:
    """The reminders of a duty that starts at ``start`` and is due at ``due``, in order, without end.

    START at ``start``; BEFORE at the start of the working day before the due day and DUE at the
    start of the due day (each only if later than ``start``); then OVERDUE round k at the start of
    the (1 + (k-1)·interval)-th working day after the due day — skipping rounds that would come
    before ``start`` (a duty that begins already overdue starts with its next round).
    """
    if interval_days < 1:
        raise ValueError(f"interval_days must be at least 1, got {interval_days}")
    start, due = to_local(start), to_local(due)
    pre = _pre_steps(start, due, cal)
    yield from pre
    first = _last_round_by(cal, due.date(), interval_days, pre[-1].at) + 1
    round_ = first
    while True:
        at = _overdue_at(cal, due.date(), interval_days, round_)
        yield Step(pre[-1].index + round_ - first + 1, StepKind.OVERDUE, at, round_)
        round_ += 1


def due_step(
    start: datetime, due: datetime, cal: WorkCalendar, interval_days: int, done: int, now: datetime
) -> tuple[Step | None, Step]:
    """``(step to send now or None, the step after it)`` for a duty whose first ``done`` steps are done.

    Of the steps not yet done whose time has come, only the latest is returned: after a downtime the
    owner gets one reminder, not a backlog of them. The overdue rounds are computed, not walked, so
    a deadline years ago costs what a deadline yesterday does.
    """
    if interval_days < 1:
        raise ValueError(f"interval_days must be at least 1, got {interval_days}")
    start, due = to_local(start), to_local(due)
    due_day = due.date()
    pre = _pre_steps(start, due, cal)
    fire: Step | None = None
    for step in pre:
        if step.index < done:
            continue
        if step.at > now:
            return fire, step
        fire = step
    base = pre[-1].index
    first = _last_round_by(cal, due_day, interval_days, pre[-1].at) + 1

    def overdue(round_: int) -> Step:
        at = _overdue_at(cal, due_day, interval_days, round_)
        return Step(base + round_ - first + 1, StepKind.OVERDUE, at, round_)

    undone = max(first, first + done - base - 1)  # the first round whose index is not done
    latest = _last_round_by(cal, due_day, interval_days, now)
    if latest >= undone:
        return overdue(latest), overdue(latest + 1)
    return fire, overdue(undone)


# --- cases (kunming 第十五条) ------------------------------------------------------------------


def case_escalation_at(due: datetime, round_: int, cal: WorkCalendar, interval_days: int) -> datetime:
    """When an overdue case escalates for the ``round_``-th time (1-based).

    Round 1 at the deadline itself, whatever the hour (kunming 第十四条: 24-hour duty); later rounds at
    the start of every ``interval_days``-th working day after it.
    """
    if round_ < 1:
        raise ValueError(f"round must be at least 1, got {round_}")
    if round_ == 1:
        return to_local(due)
    return working_start(cal, nth_working_day_after(cal, to_local(due).date(), (round_ - 1) * interval_days))


def due_case_escalation(
    due: datetime, done: int, cal: WorkCalendar, interval_days: int, now: datetime
) -> tuple[int | None, datetime]:
    """``(round to send now or None, when the next round is due)`` after ``done`` escalations.

    As for duties, a backlog collapses to the latest round; the latest round is computed, not
    walked.
    """
    latest = 0
    if now >= due:
        w = cal.working_days_between(to_local(due).date(), to_local(now).date())
        latest = w // interval_days + 1
        while latest >= 2 and case_escalation_at(due, latest, cal, interval_days) > now:
            latest -= 1
    if latest >= done + 1:
        return latest, case_escalation_at(due, latest + 1, cal, interval_days)
    return None, case_escalation_at(due, done + 1, cal, interval_days)


# --- periods of the scheduled jobs ------------------------------------------------------------


def first_working_day(cal: WorkCalendar, first: date, last: date) -> date | None:
    """The first working day in ``[first, last]``, or None."""
    day = first
    while day <= last:
        if cal.is_working_day(day):
            return day
        day += timedelta(days=1)
    return None


def weekly_key(now: datetime) -> str:
    """「2026-W48」: the ISO week of ``now`` in Shanghai."""
    year, week, _ = to_local(now).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_due(cal: WorkCalendar, now: datetime) -> datetime | None:
    """When this week's summary is due: 09:00 on its first working day (None: no working day)."""
    local = to_local(now).date()
    monday = local - timedelta(days=local.weekday())
    day = first_working_day(cal, monday, monday + timedelta(days=6))
    return datetime.combine(day, REPORT_TIME, tzinfo=TZ) if day is not None else None


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """``[start, end)`` of a quarter in Shanghai time."""
    start = datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=TZ)
    end = (
        datetime(year + 1, 1, 1, tzinfo=TZ) if quarter == 4 else datetime(year, 3 * quarter + 1, 1, tzinfo=TZ)
    )
    return start, end


def quarterly_key(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def quarterly_due(cal: WorkCalendar, now: datetime) -> tuple[tuple[int, int], datetime]:
    """The quarter whose summary is due next or now (the previous one), and when: 09:00 on the first
    working day of the current quarter."""
    year, quarter = quarter_of(to_local(now).date())
    start, end = quarter_bounds(year, quarter)
    day = first_working_day(cal, start.date(), end.date() - timedelta(days=1)) or start.date()
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return previous, datetime.combine(day, REPORT_TIME, tzinfo=TZ)


def sync_due(now: datetime) -> tuple[str, datetime]:
    """Today's sync key and the time it is due."""
    local = to_local(now)
    return f"{local.date().isoformat()}", datetime.combine(local.date(), SYNC_TIME, tzinfo=TZ)
