"""Time phrases and recurrences of scheduled notices (bot.core.schedule): real phrasings, holidays,
调休 make-up days and the 2026 → 2027 boundary with an operator's override file."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.core.calendar import TZ, DayCalendar, WorkCalendar, WorkingHours, parse_overrides
from bot.core.schedule import Recurrence, ScheduleError, parse_moment, parse_recurrence


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(DayCalendar(), WorkingHours.parse("08:30-17:30", lunch="12:00-14:00"))


# A Wednesday afternoon, as an office worker would type on it.
NOW = at(2026, 12, 2, 15, 0)


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("明天 9:00 召开周例会", at(2026, 12, 3, 9, 0), "召开周例会"),
        ("明天上午9点 请各科室报送材料", at(2026, 12, 3, 9, 0), "请各科室报送材料"),
        ("明早 提醒大家带好材料", at(2026, 12, 3, 8, 30), "提醒大家带好材料"),
        ("12月8日 14:30 在三楼会议室开会", at(2026, 12, 8, 14, 30), "在三楼会议室开会"),
        ("12月8号下午两点半，学习会", at(2026, 12, 8, 14, 30), "学习会"),
        ("十二月八日 九点半 报送", at(2026, 12, 8, 9, 30), "报送"),
        ("下周一 上午 安全检查", at(2026, 12, 7, 8, 30), "安全检查"),
        ("下周一下午 安全检查", at(2026, 12, 7, 14, 0), "安全检查"),
        ("下星期五 16:00 总结", at(2026, 12, 11, 16, 0), "总结"),
        ("周五 16:00 提交周报", at(2026, 12, 4, 16, 0), "提交周报"),
        ("星期三 10:00 例会", at(2026, 12, 9, 10, 0), "例会"),  # today's 10:00 has passed
        ("后天下午3点半 座谈会", at(2026, 12, 4, 15, 30), "座谈会"),
        ("2026-12-08 14:30 报送", at(2026, 12, 8, 14, 30), "报送"),
        ("2027年1月4日 新年第一个工作日", at(2027, 1, 4, 8, 30), "新年第一个工作日"),
        ("1月5日 开会", at(2027, 1, 5, 8, 30), "开会"),  # January has passed this year
        ("12/8 检查", at(2026, 12, 8, 8, 30), "检查"),
        ("16:30 下班前报数", at(2026, 12, 2, 16, 30), "下班前报数"),
        ("9点 开会", at(2026, 12, 3, 9, 0), "开会"),  # 09:00 today has passed
        ("3点 开会", at(2026, 12, 3, 15, 0), "开会"),  # 03:00 is no meeting time
        ("今天下午4点：交材料", at(2026, 12, 2, 16, 0), "交材料"),
        ("明天 9：00 全角冒号", at(2026, 12, 3, 9, 0), "全角冒号"),
    ],
)
def test_moments(cal: WorkCalendar, text: str, expected: datetime, rest: str) -> None:
    found = parse_moment(text, NOW, cal)
    assert found is not None
    assert found.at == expected
    assert found.rest == rest


@pytest.mark.parametrize("text", ["请各科室报送材料", "关于2026年度考核的通知", "会议改期", ""])
def test_text_without_a_moment(cal: WorkCalendar, text: str) -> None:
    assert parse_moment(text, NOW, cal) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("今天 9:00 开会", "已经过去"),
        ("本周一 9:00 开会", "已经过去"),
        ("2月30日 开会", "不是有效的日期"),
        ("明天 25:00 开会", "不是有效的时间"),
        ("2030年1月1日 开会", "太远"),
    ],
)
def test_unusable_moments_are_explained(cal: WorkCalendar, text: str, why: str) -> None:
    with pytest.raises(ScheduleError, match=why):
        parse_moment(text, NOW, cal)


@pytest.mark.parametrize(
    ("text", "spec", "describe", "rest"),
    [
        ("每周一 9:00 周例会", "weekly:0@09:00", "每周一 09:00", "周例会"),
        ("每周一、三 8:30 晨会", "weekly:0,2@08:30", "每周一、周三 08:30", "晨会"),
        ("每星期五下午4点 报周报", "weekly:4@16:00", "每周五 16:00", "报周报"),
        ("每个工作日 8:30 请按时打卡", "workdays@08:30", "每个工作日 08:30", "请按时打卡"),
        ("每天 下午 报送日报", "workdays@14:00", "每个工作日 14:00", "报送日报"),
        ("每月1日 9:00 报送月报", "monthly:1@09:00", "每月1日 09:00", "报送月报"),
        ("每月最后一天 16:00 月度小结", "monthly:-1@16:00", "每月最后一天 16:00", "月度小结"),
        ("每周五 提交本周总结", "weekly:4@08:30", "每周五 08:30", "提交本周总结"),
    ],
)
def test_recurrences(cal: WorkCalendar, text: str, spec: str, describe: str, rest: str) -> None:
    found = parse_recurrence(text, cal)
    assert found is not None
    assert found.recurrence.spec == spec
    assert found.recurrence.describe() == describe
    assert found.rest == rest
    assert Recurrence.from_spec(spec) == found.recurrence


@pytest.mark.parametrize("text", ["每个人都要参加", "请各科室每周报送", "明天 9:00 开会"])
def test_text_without_a_recurrence(cal: WorkCalendar, text: str) -> None:
    assert parse_recurrence(text, cal) is None


def occurrences(rec: Recurrence, start: datetime, cal: WorkCalendar, n: int) -> list[datetime]:
    out, moment = [], start
    for _ in range(n):
        moment = rec.next_after(moment, cal)
        out.append(moment)
    return out


def test_weekly_skips_a_monday_holiday(cal: WorkCalendar) -> None:
    # National Day 2026: Monday 10-05 is a holiday; the series posts 09-28, then 10-12.
    monday = Recurrence("weekly", time(9, 0), weekdays=(0,))
    got = occurrences(monday, at(2026, 9, 25), cal, 3)
    assert got == [at(2026, 9, 28, 9), at(2026, 10, 12, 9), at(2026, 10, 19, 9)]


def test_workdays_follow_make_up_saturdays(cal: WorkCalendar) -> None:
    # 2026-10-10 (Saturday) is a 调休 working day; 10-01 … 10-07 are off.
    daily = Recurrence("workdays", time(8, 30))
    got = occurrences(daily, at(2026, 9, 30, 9), cal, 4)
    assert got == [
        at(2026, 10, 8, 8, 30),
        at(2026, 10, 9, 8, 30),
        at(2026, 10, 10, 8, 30),
        at(2026, 10, 12, 8, 30),
    ]


def test_monthly_moves_to_the_next_working_day(cal: WorkCalendar) -> None:
    first = Recurrence("monthly", time(9, 0), month_day=1)
    got = occurrences(first, at(2026, 9, 15), cal, 3)
    # 10-01 is National Day (off until 10-07); 11-01 is a Sunday; 12-01 is a Tuesday.
    assert got == [at(2026, 10, 8, 9), at(2026, 11, 2, 9), at(2026, 12, 1, 9)]


def test_monthly_last_day_and_short_months(cal: WorkCalendar) -> None:
    # 2027-02-28 is a Sunday: month-end stays in February, on Friday the 26th.
    assert Recurrence("monthly", time(16, 0), month_day=-1).next_after(at(2027, 2, 1), cal) == at(
        2027, 2, 26, 16
    )
    thirty_first = Recurrence("monthly", time(9, 0), month_day=31)
    # October 31st 2026 is a Saturday: that month's post moves to Monday 11-02 …
    assert thirty_first.next_after(at(2026, 10, 20), cal) == at(2026, 11, 2, 9)
    # … and 31 in a 30-day month is its last day: 2026-11-30 is a Monday.
    assert thirty_first.next_after(at(2026, 11, 3), cal) == at(2026, 11, 30, 9)


def test_the_year_boundary_with_an_override_file() -> None:
    """2027's schedule is not in the library yet: the operator's file names its days off and a
    make-up Sunday, and the recurrences follow it across New Year."""
    overrides = parse_overrides(
        """
        [2027]
        official = false
        holidays = ["2027-01-01", "2027-01-04"]
        workdays = ["2027-01-10"]
        """,
        "2027.toml",
    )
    cal = WorkCalendar(DayCalendar(overrides), WorkingHours.parse("08:30-17:30"))
    monday = Recurrence("weekly", time(9, 0), weekdays=(0,))
    assert occurrences(monday, at(2026, 12, 25), cal, 3) == [
        at(2026, 12, 28, 9),
        at(2027, 1, 11, 9),  # 01-04 is a holiday in the override file
        at(2027, 1, 18, 9),
    ]
    daily = Recurrence("workdays", time(8, 30))
    got = occurrences(daily, at(2026, 12, 31, 9), cal, 4)
    assert got == [at(2027, 1, 5, 8, 30), at(2027, 1, 6, 8, 30), at(2027, 1, 7, 8, 30), at(2027, 1, 8, 8, 30)]
    # The make-up Sunday 01-10 is a working day: every-working-day series post on it.
    assert daily.next_after(at(2027, 1, 8, 9), cal) == at(2027, 1, 10, 8, 30)
    first = Recurrence("monthly", time(9, 0), month_day=1)
    assert first.next_after(at(2026, 12, 15), cal) == at(2027, 1, 5, 9)


def test_a_rule_that_never_posts_is_bounded(cal: WorkCalendar) -> None:
    # Sundays are working days only as rare make-up days; none is known from 2027 on.
    sunday_only = Recurrence("weekly", time(9, 0), weekdays=(6,))
    with pytest.raises(ValueError, match="no occurrence"):
        sunday_only.next_after(at(2027, 1, 1), cal)
