"""Working hours and working-time arithmetic on top of the working days.

Every public function takes and returns timezone-aware datetimes. Naive datetimes are refused:
the bot reads times from OneBot events (Unix timestamps) and from the database, and guessing the
zone of a naive value is exactly the kind of silent error that moves a deadline by eight hours.
Results are always in Asia/Shanghai, the zone the regulations' working hours are written in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .days import DayCalendar, YearStatus

__all__ = ["TZ", "WorkCalendar", "WorkingHours", "to_local"]

TZ = ZoneInfo("Asia/Shanghai")

# A calendar in which no working day turns up for this long is misconfigured (e.g. an override
# listing a whole year as holidays); stop instead of looping for ever.
_MAX_IDLE_DAYS = 400


def to_local(moment: datetime) -> datetime:
    """``moment`` in Asia/Shanghai; refuses naive datetimes (see the module docstring)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware datetime")
    return moment.astimezone(TZ)


def _local_date(day: date) -> date:
    # datetime is a subclass of date: take a datetime's date in Shanghai, not in its own zone.
    if isinstance(day, datetime):
        return to_local(day).date()
    if not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")
    return day


def _parse_clock(text: str, what: str) -> time:
    try:
        hour_text, minute_text = text.strip().split(":")
        return time(int(hour_text), int(minute_text))
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a time of day such as 08:30") from None


def _parse_span(text: str, what: str) -> tuple[time, time]:
    start, sep, end = text.replace("–", "-").replace("~", "-").partition("-")
    if not sep:
        raise ValueError(f"{what}: {text!r} is not a span such as 08:30-17:30")
    return _parse_clock(start, what), _parse_clock(end, what)


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Daily working hours of a preset: ``start``–``end`` minus an optional lunch break.

    Intervals are half-open: 08:30 is working time, 17:30 is not, and the lunch break starts at
    ``lunch_start`` (not working) and working time resumes at ``lunch_end``.
    """

    start: time = time(8, 30)
    end: time = time(17, 30)
    lunch_start: time | None = None
    lunch_end: time | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "lunch_start", "lunch_end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is not None:
                raise ValueError(f"{name} must be a local time of day without tzinfo")
        if not self.start < self.end:
            raise ValueError(f"working hours start {self.start} must be before end {self.end}")
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValueError("give both lunch_start and lunch_end, or neither")
        if self.lunch_start is not None and self.lunch_end is not None:
            if not self.start < self.lunch_start < self.lunch_end < self.end:
                raise ValueError(
                    f"lunch break {self.lunch_start}–{self.lunch_end} must lie inside {self.start}–{self.end}"
                )

    @classmethod
    def parse(cls, hours: str = "08:30-17:30", lunch: str | None = None) -> WorkingHours:
        """From preset strings: ``parse("08:30-17:30", lunch="12:00-14:00")``."""
        start, end = _parse_span(hours, "working hours")
        if lunch is None or not lunch.strip():
            return cls(start, end)
        lunch_start, lunch_end = _parse_span(lunch, "lunch break")
        return cls(start, end, lunch_start, lunch_end)

    @property
    def periods(self) -> tuple[tuple[time, time], ...]:
        """The working periods of one working day, in order."""
        if self.lunch_start is None or self.lunch_end is None:
            return ((self.start, self.end),)
        return ((self.start, self.lunch_start), (self.lunch_end, self.end))

    @property
    def per_day(self) -> timedelta:
        """Working time in one working day."""
        total = timedelta()
        for start, end in self.periods:
            total += datetime.combine(date.min, end) - datetime.combine(date.min, start)
        return total


class WorkCalendar:
    """Working days (:class:`DayCalendar`) combined with a preset's :class:`WorkingHours`.

    Cheap to create: share one :class:`DayCalendar` (it holds the per-year caches) between the
    calendars of all presets.
    """

    def __init__(self, days: DayCalendar | None = None, hours: WorkingHours | None = None) -> None:
        self._days = days if days is not None else DayCalendar()
        self._hours = hours if hours is not None else WorkingHours()

    @property
    def days(self) -> DayCalendar:
        return self._days

    @property
    def hours(self) -> WorkingHours:
        return self._hours

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (statutory holidays off, 调休 make-up days on).

        A datetime is taken as its date in Asia/Shanghai.
        """
        return self._days.is_working_day(_local_date(day))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        current = _local_date(day)
        for _ in range(_MAX_IDLE_DAYS):
            current += timedelta(days=1)
            if self._days.is_working_day(current):
                return current
        raise RuntimeError(f"no working day within {_MAX_IDLE_DAYS} days after {day}: check overrides")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]`` — e.g. how many working days a deadline is overdue.

        Negative when ``end`` is before ``start``. Cost: one bisection per calendar year spanned,
        never a walk per day (an event time decades off must not stall the bot).
        """
        first, last = _local_date(start), _local_date(end)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        for year in range(first.year, last.year + 1):
            days = self._days.sorted_working_days(year)
            lo = bisect_right(days, first) if year == first.year else 0
            hi = bisect_right(days, last) if year == last.year else len(days)
            count += hi - lo
        return count

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted); n = 0 is ``day``.

        One bisection per calendar year stepped over, like :meth:`working_days_between`.
        """
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        current = _local_date(day)
        if n == 0:
            return current
        year = current.year
        days = self._days.sorted_working_days(year)
        index = bisect_right(days, current)  # days[index] is the first working day after `current`
        idle = 0
        while index + n > len(days):
            n -= len(days) - index
            idle = idle + 1 if not days else 0
            if idle * 366 > _MAX_IDLE_DAYS:
                raise RuntimeError(f"no working day within {_MAX_IDLE_DAYS} days after {day}: check overrides")  # noqa: E501
            year += 1
            days = self._days.sorted_working_days(year)
            index = 0
        return days[index + n - 1]

    # -- time of day ------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside working hours on a working day (lunch break excluded)."""
        local = to_local(moment)
        return any(start <= local < end for start, end in self._periods_on(local.date()))

    def next_working_start(self, moment: datetime) -> datetime:
        """The earliest moment at or after ``moment`` that is working time.

        Inside working time that is ``moment`` itself (so "post now or queue until then" is one
        call); otherwise the start of the next working period — after the lunch break, the next
        morning, or the first working day after a holiday (22:40 on the Friday before National
        Day → 08:30 on the first working day after it). The end of the day is not usable: at
        17:30 sharp the answer is the next working morning.
        """
        local = to_local(moment)
        for start, _end in self._periods_from(local):
            # _periods_from only yields periods that end after ``local``.
            return max(start, local)
        raise AssertionError("unreachable: _periods_from never ends without raising")

    def working_day_end(self, day: date) -> datetime:
        """End of working hours on ``day`` (whether or not it is a working day)."""
        return datetime.combine(_local_date(day), self._hours.end, tzinfo=TZ)

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """Deadline for "within ``days`` working days" counted from ``moment``.

        The day of ``moment`` is not counted and the n-th working day after it ends when its
        working hours end (民法典 第二百零一条: the starting day is not counted; 第二百零三条: on
        the last day the period ends when business stops). So a group first seen on Friday
        22:40 with a 7-working-day filing deadline is due at 17:30 on the 7th working day after
        that Friday, with holidays skipped and 调休 Saturdays counted.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {type(days).__name__}")
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        current = to_local(moment).date()
        for _ in range(days):
            current = self.next_working_day(current)
        return self.working_day_end(current)

    def add_working_hours(self, moment: datetime, hours: float | timedelta) -> datetime:
        """The moment at which ``hours`` of working time have passed since ``moment``.

        Only working time counts (nights, non-working days and the lunch break are skipped);
        outside working time counting starts at the next working start. A deadline that uses up
        a period exactly ends at that period's end (08:30 + 9 h → 17:30 the same day, not the
        next morning). Zero hours returns ``moment`` unchanged.
        """
        remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if remaining < timedelta(0):
            raise ValueError(f"hours must not be negative, got {hours}")
        local = to_local(moment)
        if not remaining:
            return local
        for start, end in self._periods_from(local):
            begin = max(start, local)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _periods_from never ends without raising")

    def working_hours_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; negative when ``end`` is before ``start``."""
        first, last = to_local(start), to_local(end)
        if last < first:
            return -self.working_hours_between(last, first)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            for period_start, period_end in self._periods_on(day):
                overlap = min(period_end, last) - max(period_start, first)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    # -- data quality -----------------------------------------------------------------------

    def official_data_status(self, year: int) -> YearStatus:
        """Whether the calendar has the published schedule for ``year`` (see :class:`YearStatus`)."""
        return self._days.status(year)

    def unofficial_years_ahead(
        self, now: datetime, horizon: timedelta = timedelta(days=60)
    ) -> tuple[YearStatus, ...]:
        """Years between ``now`` and ``now + horizon`` that lack published data — warn about these.

        The horizon keeps the warning quiet for next year until deadlines can reach into it: the
        State Council publishes next year's schedule in late October or November, and a 7-working-
        day deadline set in late December already ends in January.
        """
        local = to_local(now)
        years = range(local.year, (local + horizon).year + 1)
        statuses = (self._days.status(year) for year in years)
        return tuple(status for status in statuses if not status.official)

    # -- internals --------------------------------------------------------------------------

    def _periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self._days.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, tzinfo=TZ), datetime.combine(day, end, tzinfo=TZ))
            for start, end in self._hours.periods
        ]

    def _periods_from(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods that end after ``local``, in order, without end."""
        day = local.date()
        idle = 0
        while True:
            periods = self._periods_on(day)
            idle = 0 if periods else idle + 1
            if idle > _MAX_IDLE_DAYS:
                raise RuntimeError(
                    f"no working day within {_MAX_IDLE_DAYS} days after {local}: check overrides"
                )
            for start, end in periods:
                if end > local:
                    yield start, end
            day += timedelta(days=1)
