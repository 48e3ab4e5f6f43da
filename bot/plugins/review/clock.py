"""The wall clock of the review capability, in one place so that tests can replace it.

Only the scheduler and the cleanup ask it (which runs are due, when a claim is stale); commands use
the event's own time. Tests monkeypatch :func:`now`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)
