"""When a notice is to be posted: Chinese time phrases and recurrences (pure; time passed in).

Two kinds of phrase start a scheduled notice's text:

* a **moment** — 「明天 9:00」「12月8日 14:30」「下周一 上午」「后天下午3点半」「周五 16:00」
  「2026-12-08 14:30」「9点」 — parsed by :func:`parse_moment` against the time the command was
  sent;
* a **recurrence** — 「每周一 9:00」「每周一、三 8:30」「每个工作日 8:30」「每月1日 9:00」 — parsed by
  :func:`parse_recurrence`; :meth:`Recurrence.next_after` gives each occurrence from the work
  calendar.

What the phrases mean, where Chinese leaves room:

* A weekday alone (「周五」) is the next such day, today included when its time is still ahead;
  「本周五」 is this week's (an error once it has passed); 「下周五」 is next week's.
* A date without a year is this year's, or next year's once it has passed.
* A time alone (「9:00」「9点」) is today's, or tomorrow's once it has passed. A date or weekday
  without a time is the start of working hours on that day; 「上午」 is the start of working hours,
  「下午」 the end of the lunch break (14:00 without one), 「中午」 12:00, 「晚上」 19:00.
* 「下午3点」 is 15:00; a bare 1–6 点 with no part of the day is read as the afternoon only when the
  morning reading would be before working hours (「3点开会」 means 15:00, 「8点」 means 08:00).
* Recurrences post on working days only: 「每周一」 skips a Monday that is a holiday (that week has
  no post); 「每个工作日」 includes 调休 make-up working days; 「每月1日」 moves to the next working
  day when the 1st is a rest day (a monthly reminder should not be lost to a holiday), and
  「每月最后一天」 back to the month's last working day.

Whether a moment falls inside working hours is the caller's decision (it moves the notice to the
next working-hours start unless it is urgent); the parser only says what the author wrote.
"""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.calendar import TZ, WorkCalendar, to_local

__all__ = [
    "Moment",
    "Recurrence",
    "ScheduleError",
    "parse_moment",
    "parse_recurrence",
]

_MAX_AHEAD_DAYS = 400
"""A moment further ahead than this is refused (a typo such as 2062年 rather than a plan)."""


class ScheduleError(ValueError):
    """A phrase that looks like a time but cannot be used; the message is Chinese, for the author."""


# --- numbers ------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"[0-9０-９]{1,4}|[零〇一二两三四五六七八九十]{1,4}"


def _int(text: str) -> int:
    """「12」「１２」「十二」「二十三」「三十」 → int (0–99 for Chinese numerals)."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
        return value
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


_WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
for _i in range(7):
    _WEEKDAY_CHARS[str(_i + 1)] = _i
_WEEKDAY_NAMES = "一二三四五六日"

# --- the grammar --------------------------------------------------------------------------------

_SP = r"[\s\u3000]*"
_WEEK_WORD = r"(?:周|星期|礼拜)"
_PART = r"(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|今晚|明早)"
_CLOCK = (
    rf"(?P<hour>{_NUM})"
    rf"(?:(?:[:：](?P<minute>[0-9０-９]{{2}}))|(?:[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|"
    rf"(?P<cnmin>{_NUM})分?)?))"
)
_RELATIVE_DAY = r"(?P<rel>今天|今日|明天|明日|后天|大后天)"
_WEEKDAY = rf"(?P<weekpre>本|这|这个|下|下个)?{_WEEK_WORD}(?P<wd>[一二三四五六日天1-7])"
_DATE_CN = rf"(?:(?P<y>[0-9]{{4}})年)?(?P<m>{_NUM})月(?P<d>{_NUM})[日号]"
_DATE_ISO = r"(?:(?P<iy>[0-9]{4})[-/.])?(?P<im>[0-9]{1,2})[-/](?P<id>[0-9]{1,2})"

_DAY = rf"(?:{_RELATIVE_DAY}|{_WEEKDAY}|{_DATE_CN}|{_DATE_ISO})"
_MOMENT = re.compile(rf"^{_SP}(?:{_DAY})?{_SP}(?:{_PART})?{_SP}(?:{_CLOCK})?")
_AFTER = re.compile(r"^[\s\u3000,，:：、;；]*")


@dataclass(frozen=True, slots=True)
class Moment:
    """A one-off moment the author asked for, and the rest of their text (the notice)."""

    at: datetime  # timezone-aware, Asia/Shanghai
    phrase: str  # the words that named it, e.g. 「明天 9:00」
    rest: str


def _clock(m: re.Match[str], cal: WorkCalendar) -> time | None:
    """The time of day the phrase names (with its part of the day), or None when it names none."""
    part = m.group("part")
    hour_text = m.group("hour")
    hours = cal.hours
    if hour_text is None:
        if part is None:
            return None
        if part in ("凌晨", "早上", "早晨", "上午", "明早"):
            return hours.start
        if part == "中午":
            return time(12, 0)
        if part == "下午":
            return hours.lunch_end or time(14, 0)
        return time(19, 0)  # 傍晚, 晚上, 今晚: the caller moves it to the next working start
    hour = _int(hour_text)
    minute = 0
    if m.group("minute"):
        minute = _int(m.group("minute"))
    elif m.group("half"):
        minute = 30
    elif m.group("quarter"):
        minute = 15 if m.group("quarter") == "一刻" else 45
    elif m.group("cnmin"):
        minute = _int(m.group("cnmin"))
    if part in ("下午", "傍晚", "晚上", "今晚") and hour < 12:
        hour += 12
    elif part == "中午" and hour < 6:
        hour += 12
    elif part is None and 1 <= hour <= 6:
        # 「3点开会」: 03:00 is no office's meeting time; the afternoon is meant.
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ScheduleError(f"「{m.group(0).strip()}」不是有效的时间。")
    return time(hour, minute)


def _day(m: re.Match[str], today: date) -> tuple[date | None, bool]:
    """The day the phrase names and whether it was explicit about the year/week; None: no day."""
    rel = m.group("rel")
    if rel:
        offset = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}[rel]
        return today + timedelta(days=offset), True
    wd = m.group("wd")
    if wd:
        target = _WEEKDAY_CHARS[wd]
        pre = m.group("weekpre") or ""
        monday = today - timedelta(days=today.weekday())
        if pre.startswith("下"):
            return monday + timedelta(days=7 + target), True
        if pre:
            return monday + timedelta(days=target), True
        ahead = (target - today.weekday()) % 7
        return today + timedelta(days=ahead), False  # may roll a week on if its time has passed
    month_text = m.group("m") or m.group("im")
    if month_text:
        year_text = m.group("y") or m.group("iy")
        month, day = _int(month_text), _int(m.group("d") or m.group("id"))
        year = int(year_text) if year_text else today.year
        try:
            found = date(year, month, day)
        except ValueError:
            raise ScheduleError(f"「{m.group(0).strip()}」不是有效的日期。") from None
        if not year_text and found < today:
            try:
                found = date(year + 1, month, day)
            except ValueError:  # 2月29日 of a year that has none
                raise ScheduleError(f"「{m.group(0).strip()}」不是有效的日期。") from None
        return found, bool(year_text)
    return None, False


def parse_moment(text: str, now: datetime, cal: WorkCalendar) -> Moment | None:
    """The moment named at the start of ``text`` and the rest, or None when it names no moment.

    Raises :class:`ScheduleError` for a moment that is named but unusable (past, invalid, too far).
    """
    m = _MOMENT.match(text)
    if m is None or not m.group(0).strip():
        return None
    end = m.end()
    if end < len(text) and text[end - 1 : end].isdigit() and text[end].isdigit():
        return None  # 「2026年度…」-like text that only starts with digits
    local_now = to_local(now)
    day, explicit = _day(m, local_now.date())
    clock = _clock(m, cal)
    if day is None and clock is None:
        return None
    if day is None:
        assert clock is not None
        at = datetime.combine(local_now.date(), clock, TZ)
        if at <= local_now:
            at += timedelta(days=1)
    else:
        at = datetime.combine(day, clock or cal.hours.start, TZ)
        if at <= local_now:
            if m.group("wd") and not explicit:
                at += timedelta(days=7)
            else:
                raise ScheduleError(f"「{m.group(0).strip()}」已经过去了，请写一个将来的时间。")
    if at - local_now > timedelta(days=_MAX_AHEAD_DAYS):
        raise ScheduleError(f"「{m.group(0).strip()}」太远了：定时通知最多提前 {_MAX_AHEAD_DAYS} 天安排。")
    rest = _AFTER.sub("", text[end:], count=1)
    return Moment(at=at, phrase=m.group(0).strip(), rest=rest)


# --- recurrences --------------------------------------------------------------------------------

_REC_HEAD = re.compile(
    rf"^{_SP}(?:"
    rf"(?P<workdays>每个工作日|每工作日|工作日每天|每天|每日)"
    rf"|每(?:个)?{_WEEK_WORD}(?P<wds>[一二三四五六日天1-7](?:[、,，和及与/]?{_WEEK_WORD}?[一二三四五六日天1-7])*)"
    rf"|每(?:个)?月(?P<mday>{_NUM}|最后一天|月底|末)[日号]?"
    rf")"
)
_REC_CLOCK = re.compile(rf"^{_SP}(?:{_PART})?{_SP}(?:{_CLOCK})?")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """「每周一 9:00」 as data: which days (weekdays, every working day, or a day of the month) and
    the time of day. ``spec`` is the canonical text stored with the notice and parsed back by
    :meth:`from_spec`."""

    kind: str  # "weekly" | "workdays" | "monthly"
    at: time
    weekdays: tuple[int, ...] = ()  # 0 = Monday, for "weekly"
    month_day: int = 0  # 1–31, or -1 for the last day of the month, for "monthly"

    @property
    def spec(self) -> str:
        clock = f"{self.at:%H:%M}"
        if self.kind == "weekly":
            return f"weekly:{','.join(str(d) for d in self.weekdays)}@{clock}"
        if self.kind == "monthly":
            return f"monthly:{self.month_day}@{clock}"
        return f"workdays@{clock}"

    @classmethod
    def from_spec(cls, spec: str) -> Recurrence:
        head, _, clock = spec.partition("@")
        hour, minute = (int(x) for x in clock.split(":"))
        kind, _, arg = head.partition(":")
        if kind == "weekly":
            return cls("weekly", time(hour, minute), weekdays=tuple(int(d) for d in arg.split(",")))
        if kind == "monthly":
            return cls("monthly", time(hour, minute), month_day=int(arg))
        if kind == "workdays":
            return cls("workdays", time(hour, minute))
        raise ValueError(f"unknown recurrence spec {spec!r}")

    def describe(self) -> str:
        """「每周一、周三 09:00」「每个工作日 08:30」「每月1日 09:00」 (for replies and lists)."""
        clock = f"{self.at:%H:%M}"
        if self.kind == "weekly":
            return "每" + "、".join(f"周{_WEEKDAY_NAMES[d]}" for d in self.weekdays) + f" {clock}"
        if self.kind == "monthly":
            day = "最后一天" if self.month_day == -1 else f"{self.month_day}日"
            return f"每月{day} {clock}"
        return f"每个工作日 {clock}"

    def _matches(self, day: date, cal: WorkCalendar) -> bool:
        if self.kind == "workdays":
            return cal.is_working_day(day)
        return day.weekday() in self.weekdays and cal.is_working_day(day)

    def _monthly_day(self, year: int, month: int, cal: WorkCalendar) -> date:
        """This month's posting day: the named day (the last day for -1, or when the month is
        shorter), moved to the next working day when it is a rest day — or, for 「每月最后一天」, back
        to the month's last working day, so that month-end stays in its month."""
        last = _cal.monthrange(year, month)[1]
        day = date(year, month, last if self.month_day == -1 else min(self.month_day, last))
        step = timedelta(days=-1 if self.month_day == -1 else 1)
        for _ in range(_MAX_AHEAD_DAYS):
            if cal.is_working_day(day):
                return day
            day += step
        raise ValueError(f"no working day near {day.isoformat()}")

    def next_after(self, after: datetime, cal: WorkCalendar) -> datetime:
        """The first occurrence strictly after ``after`` (Asia/Shanghai). Bounded: a calendar with
        no matching working day for :data:`_MAX_AHEAD_DAYS` raises ValueError."""
        local = to_local(after)
        if self.kind == "monthly":
            # Start a month early: last month's day, moved past a holiday, may fall after ``after``.
            year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
            for _ in range(_MAX_AHEAD_DAYS // 28):
                moment = datetime.combine(self._monthly_day(year, month, cal), self.at, TZ)
                if moment > local:
                    return moment
                year, month = (year, month + 1) if month < 12 else (year + 1, 1)
            raise ValueError(f"no occurrence of {self.spec} within {_MAX_AHEAD_DAYS} days")
        day = local.date()
        for _ in range(_MAX_AHEAD_DAYS):
            if self._matches(day, cal):
                moment = datetime.combine(day, self.at, TZ)
                if moment > local:
                    return moment
            day += timedelta(days=1)
        raise ValueError(f"no occurrence of {self.spec} within {_MAX_AHEAD_DAYS} days")


@dataclass(frozen=True, slots=True)
class RecurrenceText:
    recurrence: Recurrence
    phrase: str
    rest: str


def parse_recurrence(text: str, cal: WorkCalendar) -> RecurrenceText | None:
    """The recurrence named at the start of ``text`` and the rest, or None when it names none.
    Without a time of day the recurrence posts at the start of working hours."""
    head = _REC_HEAD.match(text)
    if head is None:
        return None
    # (Pattern.match(text, pos) would not anchor ^ at pos: match the remainder.)
    clock_match = _REC_CLOCK.match(text[head.end() :])
    assert clock_match is not None  # everything in it is optional
    clock = _clock(clock_match, cal) or cal.hours.start
    if head.group("workdays"):
        rec = Recurrence("workdays", clock)
    elif head.group("wds"):
        days = sorted({_WEEKDAY_CHARS[ch] for ch in head.group("wds") if ch in _WEEKDAY_CHARS})
        rec = Recurrence("weekly", clock, weekdays=tuple(days))
    else:
        raw = head.group("mday")
        if raw in ("最后一天", "月底", "末"):
            month_day = -1
        else:
            month_day = _int(raw)
            if not 1 <= month_day <= 31:
                raise ScheduleError(f"「每月{raw}日」不是有效的日期。")
        rec = Recurrence("monthly", clock, month_day=month_day)
    end = head.end() + clock_match.end()
    rest = _AFTER.sub("", text[end:], count=1)
    return RecurrenceText(rec, text[:end].strip(), rest)
