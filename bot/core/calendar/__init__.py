"""The work calendar: working days, working hours and deadline arithmetic (pure; time passed in).

Typical use::

    days = DayCalendar(load_overrides(Path("config/holidays")))   # once, shared
    cal = WorkCalendar(days, WorkingHours.parse("08:30-17:30", lunch="12:00-14:00"))
    cal.is_working_time(event_time)
    cal.add_working_days(first_seen, 7)          # filing deadline
    rectification_deadline(found_at, Severity.SERIOUS, cal).due
"""

from .days import DataSource, DayCalendar, YearStatus, library_official_years
from .hours import TZ, WorkCalendar, WorkingHours, to_local
from .overrides import HolidayOverrideError, OverrideYear, load_overrides, merge_overrides, parse_overrides
from .rectification import RECTIFICATION_LIMITS, Rectification, Severity, rectification_deadline

__all__ = [
    "RECTIFICATION_LIMITS",
    "TZ",
    "DataSource",
    "DayCalendar",
    "HolidayOverrideError",
    "OverrideYear",
    "Rectification",
    "Severity",
    "WorkCalendar",
    "WorkingHours",
    "YearStatus",
    "library_official_years",
    "load_overrides",
    "merge_overrides",
    "parse_overrides",
    "rectification_deadline",
    "to_local",
]
