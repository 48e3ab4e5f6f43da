"""The wall clock of the working-hours capability, in one place so that tests can replace it.

Rules decide by the event's own timestamp (``MessageRecord.time``); only the scheduler asks the
clock — which queued notices are due, and when a claim is stale. Tests monkeypatch :func:`now`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)
