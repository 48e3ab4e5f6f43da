"""Clock sanity: an event time far from the arrival time never backdates first sight, grace periods
or strikes; content rules keep the event's own time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.intake import clock
from bot.intake.clock import bookkeeping_time, skewed
from tests.utils import forget_groups, group_record

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def strict() -> Iterator[None]:
    clock.trust_event_time(False)
    yield
    clock.trust_event_time(True)


@pytest.mark.parametrize(
    ("offset", "expect_skew"),
    [
        (timedelta(0), False),
        (timedelta(minutes=-4), False),  # a little late: the event's time stands
        (timedelta(minutes=-6), True),  # delivered long after (a reconnect, a replay)
        (timedelta(days=-30), True),  # "22 working days overdue" at first sight: no more
        (timedelta(minutes=6), True),  # from the future
    ],
)
def test_bookkeeping_uses_arrival_time_when_the_event_time_is_off(
    strict: None, offset: timedelta, expect_skew: bool
) -> None:
    rec = dataclasses.replace(group_record("早上好"), time=NOW + offset, received=NOW)
    assert skewed(rec) is expect_skew
    assert bookkeeping_time(rec) == (NOW if expect_skew else NOW + offset)


async def test_an_old_first_message_does_not_backdate_the_group(strict: None) -> None:
    from bot.dispatch.router import handle_message
    from bot.intake.stats import stats
    from bot.runtime import get_runtime
    from bot.store import groups
    from bot.store.review import group_first_seen

    rt = get_runtime()
    before = stats.time_skewed
    old = dataclasses.replace(
        group_record("早上好", group_id="880001"), time=NOW - timedelta(days=30), received=NOW
    )
    groups.forget_cache()
    await handle_message(old, rt)
    try:
        assert stats.time_skewed == before + 1
        assert await group_first_seen("qq", "880001") == NOW
    finally:
        await forget_groups("880001")
