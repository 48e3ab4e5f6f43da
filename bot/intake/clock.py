"""Clock sanity for bookkeeping: which time a record's first-seen, deadlines and strikes count from.

The border already replaces absurd event times (before 2000, far in the future, not a number) by the
arrival time. An event time that is merely *off* — a message delivered late after a reconnect, an
implementation's wrong clock, a replayed frame — must still never backdate a group's first sight, a
deadline or a strike: those count from the arrival time when the two are more than :data:`SKEW`
apart. Content and working-hour rules keep reading the event's own time (SPEC §4).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

SKEW = timedelta(minutes=5)


class Timed(Protocol):
    @property
    def time(self) -> datetime: ...
    @property
    def received(self) -> datetime: ...


_trust_event_time = False


def trust_event_time(on: bool) -> None:
    """The simulator moves time through event timestamps (``STEWARD_TRUST_EVENT_TIME``)."""
    global _trust_event_time
    _trust_event_time = on


def skewed(rec: Timed) -> bool:
    return not _trust_event_time and abs(rec.time - rec.received) > SKEW


def bookkeeping_time(rec: Timed) -> datetime:
    """The event's time, or the arrival time when the event's is more than :data:`SKEW` away from it."""
    return rec.received if skewed(rec) else rec.time
