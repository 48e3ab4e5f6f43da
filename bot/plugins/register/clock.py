"""The wall clock of the register capability, in one place so that tests can replace it.

Rules decide by the event's own timestamp; only the scheduler asks the clock (which reminders are
due, which reports). Unit tests monkeypatch :func:`now`. A bot process started by the simulator can be
given a frozen clock through ``STEWARD_REGISTER_NOW`` (an ISO time with its offset, e.g.
``2026-10-08T09:00:00+08:00``) — for end-to-end tests and demos only; never set it in production.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache

ENV = "STEWARD_REGISTER_NOW"


@lru_cache(maxsize=4)
def _frozen(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{ENV} must carry a UTC offset, got {value!r}")
    return moment.astimezone(UTC)


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    frozen = os.environ.get(ENV)
    if frozen:
        return _frozen(frozen)
    return datetime.now(UTC)
