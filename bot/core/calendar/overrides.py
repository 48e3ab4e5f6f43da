"""Operator override files for the work calendar (``config/holidays/*.toml``).

The holidays library only knows a year's 调休 make-up workdays once the State Council has
published them (each November) and a new library release carries them. Until then an operator
writes the published schedule, or a local exception, into a TOML file. The format is described
in ``config/holidays/README.md``; in short::

    [2027]
    official = true                 # this table is the year's complete published schedule
    note = "国务院办公厅关于2027年部分节假日安排的通知"
    holidays = ["2027-01-01", "2027-10-01..2027-10-07"]
    workdays = ["2027-02-20"]

Parsing is strict on purpose: a typo such as ``workday =`` would otherwise silently leave the bot
counting deadlines on the wrong days, so every problem raises :class:`HolidayOverrideError` naming
the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "HolidayOverrideError",
    "OverrideYear",
    "load_overrides",
    "merge_overrides",
    "parse_overrides",
]

# The People's Republic's calendar starts in 1950 (the holidays library's China.start_year); the
# upper bound only catches typos such as 20277.
MIN_YEAR = 1950
MAX_YEAR = 2199

_ALLOWED_KEYS = ("official", "note", "holidays", "workdays")
_RANGE_SEPARATOR = ".."
# The longest official break is nine days; a range longer than this is almost surely a typo in
# one of its ends rather than an intended closure.
_MAX_RANGE_DAYS = 31


class HolidayOverrideError(ValueError):
    """An override file is unreadable or breaks the format; names the file, the key and why."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        super().__init__(f"{file}: {key}: {reason}")


@dataclass(frozen=True, slots=True)
class OverrideYear:
    """One ``[YYYY]`` table of an override file.

    ``official`` means the table is the year's complete schedule: it replaces the library's
    rule-generated guess for that year (weekdays work unless listed in ``holidays``, weekend days
    rest unless listed in ``workdays``). Without it the lists patch the library's days.
    """

    year: int
    file: str
    official: bool
    holidays: frozenset[date]
    workdays: frozenset[date]
    note: str = ""


def parse_overrides(text: str, file: str) -> dict[int, OverrideYear]:
    """Parse the text of one override file; ``file`` is only used to name it in errors."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayOverrideError(file, "(syntax)", f"not valid TOML: {exc}") from exc

    years: dict[int, OverrideYear] = {}
    for key, table in document.items():
        year = _parse_year_key(file, key)
        if not isinstance(table, dict):
            raise HolidayOverrideError(file, key, f"expected a table [{key}], got a {_kind(table)}")
        years[year] = _parse_year_table(file, year, table)
    return years


def load_overrides(directory: Path, *, missing_ok: bool = True) -> dict[int, OverrideYear]:
    """Read every ``*.toml`` in ``directory`` (sorted by name) into one mapping year → table.

    A year may be defined by one file only: two files for the same year would leave the reader
    guessing which one wins, so that is an error naming both.
    """
    if not directory.is_dir():
        if missing_ok:
            return {}
        raise HolidayOverrideError(str(directory), "(directory)", "no such directory")
    parsed = []
    for path in sorted(directory.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise HolidayOverrideError(str(path), "(file)", f"cannot be read as UTF-8 text: {exc}") from exc
        parsed.append(parse_overrides(text, str(path)))
    return merge_overrides(parsed)


def merge_overrides(parts: Iterable[dict[int, OverrideYear]]) -> dict[int, OverrideYear]:
    """Combine parsed files; the same year in two files is refused."""
    merged: dict[int, OverrideYear] = {}
    for part in parts:
        for year, entry in part.items():
            if year in merged:
                raise HolidayOverrideError(
                    entry.file, str(year), f"year {year} is already defined in {merged[year].file}"
                )
            merged[year] = entry
    return merged


def _parse_year_key(file: str, key: str) -> int:
    if not (len(key) == 4 and key.isascii() and key.isdigit()):
        raise HolidayOverrideError(file, key, "top-level keys must be years written as tables, e.g. [2027]")
    year = int(key)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise HolidayOverrideError(file, key, f"year out of range {MIN_YEAR}–{MAX_YEAR}")
    return year


def _parse_year_table(file: str, year: int, table: dict[str, object]) -> OverrideYear:
    for key in table:
        if key not in _ALLOWED_KEYS:
            raise HolidayOverrideError(
                file, f"{year}.{key}", f"unknown key; allowed keys are {', '.join(_ALLOWED_KEYS)}"
            )

    official = table.get("official", False)
    if not isinstance(official, bool):
        raise HolidayOverrideError(file, f"{year}.official", f"must be true or false, got {official!r}")
    note = table.get("note", "")
    if not isinstance(note, str):
        raise HolidayOverrideError(file, f"{year}.note", f"must be a string, got a {_kind(note)}")

    holidays = _parse_day_list(file, year, "holidays", table.get("holidays", []))
    workdays = _parse_day_list(file, year, "workdays", table.get("workdays", []))

    both = sorted(holidays & workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise HolidayOverrideError(file, f"{year}.workdays", f"{listed} also listed in holidays")
    if official and not holidays:
        # Every published schedule has holidays; an empty list with official = true would turn
        # the whole year into plain Monday–Friday weeks and hide the real gap.
        raise HolidayOverrideError(
            file, f"{year}.holidays", "official = true needs the year's complete holiday list"
        )
    return OverrideYear(year, file, official, frozenset(holidays), frozenset(workdays), note)


def _parse_day_list(file: str, year: int, name: str, value: object) -> set[date]:
    if not isinstance(value, list):
        raise HolidayOverrideError(file, f"{year}.{name}", f"must be a list of dates, got a {_kind(value)}")
    days: set[date] = set()
    for index, item in enumerate(value):
        key = f"{year}.{name}[{index}]"
        for day in _parse_day_item(file, key, item):
            if day.year != year:
                # Each table holds the days of its own year; a date of another year here is far
                # more often a typo than intent, and it has its own table to go in.
                raise HolidayOverrideError(file, key, f"{day.isoformat()} is not in {year}")
            days.add(day)
    return days


def _parse_day_item(file: str, key: str, item: object) -> list[date]:
    # TOML has native local dates (2027-01-01 without quotes); accept them beside strings.
    if isinstance(item, datetime):
        raise HolidayOverrideError(file, key, "expected a date, got a date-time")
    if isinstance(item, date):
        return [item]
    if not isinstance(item, str):
        raise HolidayOverrideError(file, key, f'expected a date such as "2027-01-01", got a {_kind(item)}')
    text = item.strip()
    if _RANGE_SEPARATOR not in text:
        return [_parse_iso(file, key, text)]
    first_text, _, last_text = text.partition(_RANGE_SEPARATOR)
    first = _parse_iso(file, key, first_text.strip())
    last = _parse_iso(file, key, last_text.strip())
    if last < first:
        raise HolidayOverrideError(file, key, f"range {text!r} ends before it starts")
    span = (last - first).days + 1
    if span > _MAX_RANGE_DAYS:
        raise HolidayOverrideError(file, key, f"range {text!r} spans {span} days (at most {_MAX_RANGE_DAYS})")
    return [first + timedelta(days=offset) for offset in range(span)]


def _parse_iso(file: str, key: str, text: str) -> date:
    try:
        # fromisoformat alone would also take "20270101"; insist on the written-out form.
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise HolidayOverrideError(file, key, f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _kind(value: object) -> str:
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "list",
        dict: "table",
    }.get(type(value), type(value).__name__)
