"""Rectification deadlines of kunming 第十五条 (整改时限).

《昆明市党政群网站及新媒体管理办法》第十五条: a notice received 在 8 小时工作时间内 must be
rectified within 1 hour (general problem) or 30 minutes (serious problem); one received 在 8 小时
工作时间外及节假日 within 4 hours (general) or 2 hours (serious).

Both limits are wall-clock durations. The article chooses the limit by when the notice arrives,
not by how much working time follows: counting working hours inside hours would let a finding at
17:20 wait until the next morning — longer than the 4 hours a finding at 22:00 gets — which
inverts the article's intent of a faster answer during office hours. "Working time" is the
preset's working hours on working days, so with a lunch break configured a finding during the
break counts as outside working time, as the article's wording implies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .hours import WorkCalendar, to_local

__all__ = ["RECTIFICATION_LIMITS", "Rectification", "Severity", "rectification_deadline"]


class Severity(StrEnum):
    GENERAL = "general"  # 一般问题
    SERIOUS = "serious"  # 严重问题


# (received inside working time?, severity) → time allowed.
RECTIFICATION_LIMITS: dict[tuple[bool, Severity], timedelta] = {
    (True, Severity.GENERAL): timedelta(hours=1),
    (True, Severity.SERIOUS): timedelta(minutes=30),
    (False, Severity.GENERAL): timedelta(hours=4),
    (False, Severity.SERIOUS): timedelta(hours=2),
}


@dataclass(frozen=True, slots=True)
class Rectification:
    """A computed rectification deadline, with what it was computed from (for the case text)."""

    received_at: datetime
    severity: Severity
    in_working_time: bool
    limit: timedelta
    due: datetime


def rectification_deadline(
    received_at: datetime, severity: Severity | str, calendar: WorkCalendar
) -> Rectification:
    """Deadline for a finding that arrives at ``received_at`` with ``severity``.

    ``severity`` may be given as its value (``"general"`` / ``"serious"``); anything else is a
    ValueError. ``received_at`` must be aware; the result is in Asia/Shanghai.
    """
    level = Severity(severity)
    local = to_local(received_at)
    inside = calendar.is_working_time(local)
    limit = RECTIFICATION_LIMITS[(inside, level)]
    return Rectification(local, level, inside, limit, local + limit)
