"""Work calendar: 2026's published schedule, overrides, working-time arithmetic, kunming 第十五条."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.core.calendar import (
    TZ,
    DataSource,
    DayCalendar,
    HolidayOverrideError,
    Severity,
    WorkCalendar,
    WorkingHours,
    library_official_years,
    load_overrides,
    parse_overrides,
    rectification_deadline,
)

REPO = Path(__file__).resolve().parents[2]
LUNCH = WorkingHours.parse("08:30-17:30", lunch="12:00-14:00")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(scope="module")
def days() -> DayCalendar:
    return DayCalendar()


@pytest.fixture(scope="module")
def cal(days: DayCalendar) -> WorkCalendar:
    return WorkCalendar(days)


@pytest.fixture(scope="module")
def lunch_cal(days: DayCalendar) -> WorkCalendar:
    return WorkCalendar(days, LUNCH)


# -- 2026: the State Council General Office's schedule of November 2025 (in holidays 0.109) --------

MAKE_UP_WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
WEEKDAY_HOLIDAYS_2026 = [
    "2026-01-01", "2026-01-02",                                             # 元旦
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",  # 春节
    "2026-04-06",                                                           # 清明
    "2026-05-01", "2026-05-04", "2026-05-05",                               # 劳动节
    "2026-06-19",                                                           # 端午
    "2026-09-25",                                                           # 中秋
    "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",   # 国庆
]  # fmt: skip
WEEKEND_DAYS_OFF_2026 = ["2026-01-03", "2026-02-15", "2026-02-21", "2026-02-22", "2026-10-03", "2026-10-04"]
ORDINARY_WORKDAYS_2026 = [
    "2025-12-31",
    "2026-01-05",
    "2026-02-13",
    "2026-02-24",
    "2026-03-09",
    "2026-10-08",
    "2026-12-31",
]


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS_2026)
def test_2026_make_up_weekend_days_are_working_days(cal: WorkCalendar, day: str) -> None:
    d = date.fromisoformat(day)
    assert d.weekday() >= 5
    assert cal.is_working_day(d)


@pytest.mark.parametrize("day", WEEKDAY_HOLIDAYS_2026 + WEEKEND_DAYS_OFF_2026)
def test_2026_holidays_are_not_working_days(cal: WorkCalendar, day: str) -> None:
    assert not cal.is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", ORDINARY_WORKDAYS_2026)
def test_2026_ordinary_weekdays_work(cal: WorkCalendar, day: str) -> None:
    assert cal.is_working_day(date.fromisoformat(day))


def test_2026_has_248_working_days(days: DayCalendar) -> None:
    # 261 weekdays − 19 weekday holidays + 6 make-up days.
    assert len(days.working_days(2026)) == 248


def test_year_cache_is_reused(days: DayCalendar) -> None:
    assert days.working_days(2026) is days.working_days(2026)


def test_day_calendar_refuses_datetimes(days: DayCalendar) -> None:
    # A datetime never equals a date: the set lookup would silently answer "not a working day".
    with pytest.raises(TypeError):
        days.is_working_day(at(2026, 3, 9, 10))


def test_datetime_counts_as_its_shanghai_date(cal: WorkCalendar) -> None:
    # 17:00 UTC on Friday 10-09 is 01:00 on Saturday 10-10 in Shanghai, a make-up workday.
    assert cal.is_working_day(datetime(2026, 10, 9, 17, 0, tzinfo=UTC))
    # 20:00 UTC on 09-30 is already 10-01 in Shanghai.
    assert not cal.is_working_day(datetime(2026, 9, 30, 20, 0, tzinfo=UTC))


# -- data status ---------------------------------------------------------------------------------


def test_official_data_status(cal: WorkCalendar) -> None:
    for year in (2025, 2026):
        status = cal.official_data_status(year)
        assert status.source is DataSource.LIBRARY
        assert status.official
    assert {2024, 2025, 2026} <= library_official_years()


@pytest.mark.skipif(2027 in library_official_years(), reason="the installed holidays release knows 2027")
def test_unpublished_year_is_estimated_without_make_up_days(cal: WorkCalendar, days: DayCalendar) -> None:
    status = cal.official_data_status(2027)
    assert status.source is DataSource.ESTIMATED
    assert not status.official
    assert "2027" in status.describe() and "config/holidays" in status.describe()
    # Rule-generated: festival days are known, but no weekend day is ever a working day.
    assert not cal.is_working_day(date(2027, 10, 1))
    assert all(d.weekday() < 5 for d in days.working_days(2027))


@pytest.mark.skipif(2027 in library_official_years(), reason="the installed holidays release knows 2027")
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 6, 1, 10), ()),  # mid-year: next year too far away to warn about
        (at(2026, 11, 15, 10), (2027,)),  # deadlines can now reach into 2027
        (at(2027, 3, 1, 10), (2027,)),  # running in an unpublished year
    ],
)
def test_unofficial_years_ahead(cal: WorkCalendar, now: datetime, expected: tuple[int, ...]) -> None:
    assert tuple(s.year for s in cal.unofficial_years_ahead(now)) == expected


# -- working time --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 3, 9, 8, 29), False),
        (at(2026, 3, 9, 8, 30), True),
        (at(2026, 3, 9, 11, 59), True),
        (at(2026, 3, 9, 12, 0), False),  # lunch break starts
        (at(2026, 3, 9, 13, 59), False),
        (at(2026, 3, 9, 14, 0), True),
        (at(2026, 3, 9, 17, 29), True),
        (at(2026, 3, 9, 17, 30), False),  # end is exclusive
        (at(2026, 10, 10, 10, 0), True),  # make-up Saturday
        (at(2026, 10, 1, 10, 0), False),  # National Day
        (at(2026, 3, 7, 10, 0), False),  # ordinary Saturday
    ],
)
def test_is_working_time_with_lunch_break(lunch_cal: WorkCalendar, moment: datetime, expected: bool) -> None:
    assert lunch_cal.is_working_time(moment) is expected


def test_lunch_break_is_working_time_without_one(cal: WorkCalendar) -> None:
    assert cal.is_working_time(at(2026, 3, 9, 12, 30))


def test_other_time_zones_are_converted(cal: WorkCalendar) -> None:
    moment = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert cal.is_working_time(moment)
    result = cal.next_working_start(moment)
    assert result == moment and result.tzinfo is TZ


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 22:40 on the Friday before 清明 (04-04..04-06) → Tuesday morning.
        (at(2026, 4, 3, 22, 40), at(2026, 4, 7, 8, 30)),
        # The evening before National Day → the first working day after it.
        (at(2026, 9, 30, 22, 40), at(2026, 10, 8, 8, 30)),
        # Friday night before the 春节 make-up Saturday → that Saturday.
        (at(2026, 2, 13, 22, 40), at(2026, 2, 14, 8, 30)),
        # Saturday 02-14 evening → after the whole Spring Festival.
        (at(2026, 2, 14, 18, 0), at(2026, 2, 24, 8, 30)),
        # New Year's Eve 2025 → the make-up Sunday 2026-01-04 (year boundary).
        (at(2025, 12, 31, 18, 0), at(2026, 1, 4, 8, 30)),
        # Early morning of a working day → its start; inside working time → unchanged.
        (at(2026, 3, 9, 6, 0), at(2026, 3, 9, 8, 30)),
        (at(2026, 3, 9, 10, 15), at(2026, 3, 9, 10, 15)),
        # The end of the day is not usable.
        (at(2026, 3, 9, 17, 30), at(2026, 3, 10, 8, 30)),
        # 2026 → 2027: 01-01 is a holiday, 01-02/03 a weekend.
        (at(2026, 12, 31, 20, 0), at(2027, 1, 4, 8, 30)),
    ],
)
def test_next_working_start(cal: WorkCalendar, moment: datetime, expected: datetime) -> None:
    assert cal.next_working_start(moment) == expected


def test_next_working_start_after_lunch(lunch_cal: WorkCalendar) -> None:
    assert lunch_cal.next_working_start(at(2026, 3, 9, 12, 10)) == at(2026, 3, 9, 14, 0)


# -- working days ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "n", "expected"),
    [
        # The start day is not counted; the n-th working day ends at 17:30.
        (at(2026, 3, 9, 10, 0), 1, at(2026, 3, 10, 17, 30)),
        (at(2026, 3, 9, 23, 0), 7, at(2026, 3, 18, 17, 30)),
        # Across National Day: 10-08 (1), 10-09 (2), make-up Saturday 10-10 (3).
        (at(2026, 9, 30, 10, 0), 3, at(2026, 10, 10, 17, 30)),
        (at(2026, 9, 30, 22, 40), 7, at(2026, 10, 15, 17, 30)),
        # The make-up Sunday 09-20 counts.
        (at(2026, 9, 18, 16, 0), 1, at(2026, 9, 20, 17, 30)),
        # Across Spring Festival: 02-14 (1) then 02-24 (2).
        (at(2026, 2, 13, 10, 0), 2, at(2026, 2, 24, 17, 30)),
        # Year boundary: 2025-12-31 → make-up Sunday 2026-01-04.
        (at(2025, 12, 31, 10, 0), 1, at(2026, 1, 4, 17, 30)),
        # huangshi's 2 working days, from a holiday.
        (at(2026, 10, 3, 12, 0), 2, at(2026, 10, 9, 17, 30)),
    ],
)
def test_add_working_days(cal: WorkCalendar, moment: datetime, n: int, expected: datetime) -> None:
    assert cal.add_working_days(moment, n) == expected


def test_add_working_days_ends_at_the_presets_end(days: DayCalendar) -> None:
    cal = WorkCalendar(days, WorkingHours.parse("09:00-17:00"))
    assert cal.add_working_days(at(2026, 3, 9, 10), 1) == at(2026, 3, 10, 17, 0)


@pytest.mark.parametrize("n", [0, -1])
def test_add_working_days_needs_a_positive_count(cal: WorkCalendar, n: int) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(at(2026, 3, 9, 10), n)


def test_next_working_day_and_count(cal: WorkCalendar) -> None:
    assert cal.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert cal.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert cal.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0


# -- working hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "hours", "expected"),
    [
        (at(2026, 3, 9, 11, 0), 2, at(2026, 3, 9, 15, 0)),  # 11–12, then 14–15
        (at(2026, 3, 9, 12, 30), 1, at(2026, 3, 9, 15, 0)),  # from inside the break
        (at(2026, 3, 9, 8, 30), 7, at(2026, 3, 9, 17, 30)),  # uses the day up exactly
        (at(2026, 3, 9, 16, 0), 3, at(2026, 3, 10, 10, 0)),  # 1.5 h today, 1.5 h tomorrow
        (at(2026, 4, 3, 17, 0), 1, at(2026, 4, 7, 9, 0)),  # over 清明
        (at(2026, 9, 30, 22, 40), 24, at(2026, 10, 12, 11, 30)),  # 7 + 7 + 7 (make-up Sat) + 3
        (at(2026, 3, 9, 20, 0), timedelta(minutes=90), at(2026, 3, 10, 10, 0)),
    ],
)
def test_add_working_hours_with_lunch(
    lunch_cal: WorkCalendar, moment: datetime, hours: float | timedelta, expected: datetime
) -> None:
    assert lunch_cal.add_working_hours(moment, hours) == expected


def test_add_working_hours_without_lunch(cal: WorkCalendar) -> None:
    assert cal.add_working_hours(at(2026, 3, 9, 8, 30), 9) == at(2026, 3, 9, 17, 30)
    assert cal.add_working_hours(at(2026, 9, 30, 22, 40), 10) == at(2026, 10, 9, 9, 30)
    assert cal.add_working_hours(at(2026, 3, 9, 20, 0), 0) == at(2026, 3, 9, 20, 0)
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2026, 3, 9, 20, 0), -1)


def test_working_hours_between(lunch_cal: WorkCalendar, cal: WorkCalendar) -> None:
    assert lunch_cal.working_hours_between(at(2026, 3, 9, 8), at(2026, 3, 9, 18)) == timedelta(hours=7)
    assert lunch_cal.working_hours_between(at(2026, 3, 9, 11), at(2026, 3, 9, 15)) == timedelta(hours=2)
    assert cal.working_hours_between(at(2026, 4, 3, 17), at(2026, 4, 7, 9)) == timedelta(hours=1)
    assert cal.working_hours_between(at(2026, 4, 7, 9), at(2026, 4, 3, 17)) == timedelta(hours=-1)
    assert cal.working_hours_between(at(2026, 10, 1), at(2026, 10, 8)) == timedelta(0)


def test_add_and_between_agree(lunch_cal: WorkCalendar) -> None:
    start = at(2026, 9, 28, 15, 17)
    for hours in (0.5, 3, 7, 11.25, 40):
        end = lunch_cal.add_working_hours(start, hours)
        assert lunch_cal.working_hours_between(start, end) == timedelta(hours=hours)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_working_time(datetime(2026, 3, 9, 10)),
        lambda c: c.next_working_start(datetime(2026, 3, 9, 10)),
        lambda c: c.add_working_days(datetime(2026, 3, 9, 10), 1),
        lambda c: c.add_working_hours(datetime(2026, 3, 9, 10), 1),
        lambda c: c.working_hours_between(datetime(2026, 3, 9, 10), at(2026, 3, 9, 12)),
        lambda c: c.is_working_day(datetime(2026, 3, 9, 10)),
        lambda c: rectification_deadline(datetime(2026, 3, 9, 10), Severity.GENERAL, c),
    ],
)
def test_naive_datetimes_are_refused(cal: WorkCalendar, call: Callable[[WorkCalendar], object]) -> None:
    with pytest.raises(ValueError, match="naive"):
        call(cal)


# -- working-hours presets ---------------------------------------------------------------------


def test_working_hours_parse_and_per_day() -> None:
    assert WorkingHours.parse() == WorkingHours()
    assert WorkingHours.parse("08:30-17:30", "") == WorkingHours()
    assert LUNCH.periods == ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
    assert LUNCH.per_day == timedelta(hours=7)
    assert WorkingHours().per_day == timedelta(hours=9)


@pytest.mark.parametrize(
    ("hours", "lunch"),
    [
        ("17:30-08:30", None),
        ("08:30-08:30", None),
        ("08:30-17:30", "07:00-08:00"),
        ("08:30-17:30", "14:00-12:00"),
        ("8.30-17.30", None),
        ("08:30", None),
        ("25:00-26:00", None),
    ],
)
def test_working_hours_rejects_nonsense(hours: str, lunch: str | None) -> None:
    with pytest.raises(ValueError):
        WorkingHours.parse(hours, lunch)


def test_working_hours_needs_both_lunch_ends() -> None:
    with pytest.raises(ValueError):
        WorkingHours(lunch_start=time(12, 0))


# -- kunming 第十五条 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "severity", "inside", "due"),
    [
        (at(2026, 3, 9, 10, 0), "general", True, at(2026, 3, 9, 11, 0)),
        (at(2026, 3, 9, 10, 0), "serious", True, at(2026, 3, 9, 10, 30)),
        # Wall-clock even when the hour runs past the end of the day.
        (at(2026, 3, 9, 17, 20), Severity.GENERAL, True, at(2026, 3, 9, 18, 20)),
        (at(2026, 3, 9, 17, 30), Severity.GENERAL, False, at(2026, 3, 9, 21, 30)),
        (at(2026, 3, 9, 22, 0), Severity.GENERAL, False, at(2026, 3, 10, 2, 0)),
        (at(2026, 3, 9, 22, 0), Severity.SERIOUS, False, at(2026, 3, 10, 0, 0)),
        # Holidays count as outside working time, even at 10:00.
        (at(2026, 10, 1, 10, 0), Severity.GENERAL, False, at(2026, 10, 1, 14, 0)),
        (at(2026, 10, 1, 10, 0), Severity.SERIOUS, False, at(2026, 10, 1, 12, 0)),
        # A make-up Saturday is a working day.
        (at(2026, 10, 10, 10, 0), Severity.SERIOUS, True, at(2026, 10, 10, 10, 30)),
    ],
)
def test_rectification_deadline(
    cal: WorkCalendar, received: datetime, severity: Severity | str, inside: bool, due: datetime
) -> None:
    result = rectification_deadline(received, severity, cal)
    assert result.in_working_time is inside
    assert result.due == due
    assert result.due - result.received_at == result.limit


def test_rectification_during_lunch_break_is_outside_working_time(lunch_cal: WorkCalendar) -> None:
    result = rectification_deadline(at(2026, 3, 9, 12, 30), Severity.GENERAL, lunch_cal)
    assert not result.in_working_time
    assert result.due == at(2026, 3, 9, 16, 30)


def test_rectification_rejects_unknown_severity(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        rectification_deadline(at(2026, 3, 9, 10), "critical", cal)


# -- override files ------------------------------------------------------------------------------

# A made-up schedule, deliberately unlike the library's rule-based guess for 2031.
OVERRIDE_2031 = """
[2031]
official = true
note = "test schedule"
holidays = ["2031-01-01", "2031-10-01..2031-10-07", 2031-05-02]
workdays = ["2031-09-28", "2031-10-11"]
"""


def test_override_only_year(tmp_path: Path) -> None:
    (tmp_path / "2031.toml").write_text(OVERRIDE_2031, encoding="utf-8")
    days = DayCalendar(load_overrides(tmp_path))
    cal = WorkCalendar(days)

    status = cal.official_data_status(2031)
    assert status.source is DataSource.OVERRIDE and status.official
    assert status.override_files == (str(tmp_path / "2031.toml"),)

    assert not cal.is_working_day(date(2031, 10, 1))
    assert not cal.is_working_day(date(2031, 10, 7))  # Tuesday inside the range
    assert not cal.is_working_day(date(2031, 5, 2))  # bare TOML date
    assert cal.is_working_day(date(2031, 9, 28))  # Sunday make-up day
    assert cal.is_working_day(date(2031, 10, 11))  # Saturday make-up day
    assert cal.is_working_day(date(2031, 10, 8))
    # The file replaces the library's guess: Spring Festival 2031 is not in the test file.
    assert cal.is_working_day(date(2031, 1, 23))
    assert {d for d in days.working_days(2031) if d.weekday() >= 5} == {date(2031, 9, 28), date(2031, 10, 11)}
    # 10-08 is the first working day after the break; 10-11 (Saturday) counts.
    assert cal.add_working_days(at(2031, 9, 30, 22, 40), 3) == at(2031, 10, 10, 17, 30)
    assert cal.add_working_days(at(2031, 9, 30, 22, 40), 4) == at(2031, 10, 11, 17, 30)
    assert cal.unofficial_years_ahead(at(2031, 3, 1)) == ()


def test_override_patch_on_a_library_year(tmp_path: Path) -> None:
    (tmp_path / "local.toml").write_text('[2026]\nholidays = ["2026-12-31"]\nworkdays = ["2026-03-07"]\n')
    cal = WorkCalendar(DayCalendar(load_overrides(tmp_path)))
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.is_working_day(date(2026, 3, 7))
    # Everything else still comes from the library.
    assert cal.is_working_day(date(2026, 10, 10)) and not cal.is_working_day(date(2026, 10, 1))
    status = cal.official_data_status(2026)
    assert status.source is DataSource.LIBRARY
    assert status.override_files == (str(tmp_path / "local.toml"),)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[2027\n", "(syntax)", "not valid TOML"),
        ('[2027]\nworkday = ["2027-01-02"]\n', "2027.workday", "unknown key"),
        ("[twenty]\nofficial = true\n", "twenty", "top-level keys must be years"),
        ("official = true\n", "official", "top-level keys must be years"),
        ("[1900]\n", "1900", "out of range"),
        ('[2027]\nholidays = "2027-01-01"\n', "2027.holidays", "must be a list"),
        ('[2027]\nholidays = ["2027-01-01", "2027-13-01"]\n', "2027.holidays[1]", "YYYY-MM-DD"),
        ('[2027]\nholidays = ["20270101"]\n', "2027.holidays[0]", "YYYY-MM-DD"),
        ("[2027]\nholidays = [20270101]\n", "2027.holidays[0]", "got a number"),
        ('[2027]\nholidays = ["2026-12-31"]\n', "2027.holidays[0]", "not in 2027"),
        ('[2027]\nholidays = ["2027-10-07..2027-10-01"]\n', "2027.holidays[0]", "ends before it starts"),
        ('[2027]\nholidays = ["2027-01-01..2027-03-01"]\n', "2027.holidays[0]", "spans 60 days"),
        ("[2027]\nholidays = [2027-01-01T08:00:00]\n", "2027.holidays[0]", "date-time"),
        (
            '[2027]\nholidays = ["2027-10-01..2027-10-07"]\nworkdays = ["2027-10-02"]\n',
            "2027.workdays",
            "also listed",
        ),
        ('[2027]\nofficial = "yes"\nholidays = ["2027-01-01"]\n', "2027.official", "true or false"),
        ("[2027]\nofficial = true\n", "2027.holidays", "complete holiday list"),
        ("[2027]\nnote = 5\n", "2027.note", "must be a string"),
    ],
)
def test_override_errors_name_file_key_and_reason(text: str, key: str, reason: str) -> None:
    with pytest.raises(HolidayOverrideError) as caught:
        parse_overrides(text, "config/holidays/2027.toml")
    error = caught.value
    assert (error.file, error.key) == ("config/holidays/2027.toml", key)
    assert reason in error.reason
    assert str(error).startswith(f"config/holidays/2027.toml: {key}: ")


def test_same_year_in_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[2027]\nholidays = ["2027-01-01"]\n')
    (tmp_path / "b.toml").write_text('[2027]\nworkdays = ["2027-01-02"]\n')
    with pytest.raises(HolidayOverrideError, match=r"already defined in .*a\.toml") as caught:
        load_overrides(tmp_path)
    assert caught.value.file.endswith("b.toml") and caught.value.key == "2027"


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe[2027]")
    with pytest.raises(HolidayOverrideError) as caught:
        load_overrides(tmp_path)
    assert caught.value.file.endswith("bad.toml")


def test_missing_directory(tmp_path: Path) -> None:
    assert load_overrides(tmp_path / "nowhere") == {}
    with pytest.raises(HolidayOverrideError):
        load_overrides(tmp_path / "nowhere", missing_ok=False)


def test_shipped_override_directory_loads() -> None:
    # Whatever the project ships in config/holidays must load, or the bot would not start.
    load_overrides(REPO / "config" / "holidays", missing_ok=False)


def test_readme_examples_parse() -> None:
    readme = (REPO / "config" / "holidays" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        assert parse_overrides(block, "README.md")
