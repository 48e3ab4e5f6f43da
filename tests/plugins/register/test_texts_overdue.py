"""Overdue counts are whole working days elapsed since the deadline."""

from datetime import UTC, datetime

from bot.core.calendar import TZ, WorkCalendar


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def test_a_wednesday_deadline_seen_early_on_the_next_weeks_thursday_is_five_days_overdue() -> None:
    from bot.plugins.register.texts import overdue_text

    cal = WorkCalendar()
    due = at(11, 25, 17, 30)  # Wednesday
    assert overdue_text(cal, due, at(12, 3, 7, 0)) == "已逾期 5 个工作日"  # Thursday early: not 6
    assert overdue_text(cal, due, at(12, 3, 18, 0)) == "已逾期 6 个工作日"  # once Thursday has elapsed
    assert overdue_text(cal, due, at(11, 26, 8, 30)) == "已逾期 15 小时 0 分钟"
    assert overdue_text(cal, due, at(11, 25, 17, 45)) == "已逾期 15 分钟"
