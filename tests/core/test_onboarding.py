"""Onboarding decisions, as a table: who is left alone, bound from the roster, or invited."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.calendar import WorkCalendar
from bot.core.onboarding import MemberFacts, decide, invitation_slots

M = MemberFacts

CASES = [
    # (member, bound, open admission, roster account, expected bucket)
    (M("9000"), False, False, None, "skipped"),  # the bot itself
    (M("10001"), False, False, None, "skipped"),  # an operator
    (M("1", "owner"), False, False, None, "skipped"),
    (M("2", "admin"), False, False, 7, "skipped"),  # admins are never invited, even if on the roster
    (M("3"), True, False, 7, "known"),  # already bound
    (M("4"), False, True, None, "known"),  # already asked (a join or an earlier campaign)
    (M("5"), False, False, 7, "bind"),  # the roster's QQ column holds the account
    (M("6"), False, False, None, "invite"),
    (M(""), False, False, None, None),  # malformed: ignored
]


@pytest.mark.parametrize(("member", "bound", "asked", "account", "bucket"), CASES)
def test_decide_one_member(
    member: MemberFacts, bound: bool, asked: bool, account: int | None, bucket: str | None
) -> None:
    d = decide(
        [member],
        self_id="9000",
        operators={"10001"},
        bound={member.user_id} if bound else set(),
        open_admissions={member.user_id} if asked else set(),
        roster_accounts={member.user_id: account} if account is not None else {},
    )
    got = {
        "skipped": d.skipped,
        "known": d.known,
        "bind": tuple(d.bind),
        "invite": d.invite,
    }
    for name, users in got.items():
        assert (member.user_id in users) == (name == bucket), name


def test_decide_counts_a_populated_group_once_each() -> None:
    members = [M("1", "owner"), M("2", "admin"), M("3", "admin"), *(M(str(100 + i)) for i in range(25))]
    members.append(M("100"))  # listed twice by a flaky implementation
    d = decide(
        members,
        self_id="9000",
        operators=set(),
        bound=set(),
        open_admissions=set(),
        roster_accounts={str(100 + i): i for i in range(5)},
    )
    assert len(d.skipped) == 3 and len(d.bind) == 5 and len(d.invite) == 20


def test_slots_are_paced_in_batches_inside_working_hours() -> None:
    cal = WorkCalendar()
    # Tuesday 2026-12-01 17:20 China time (09:20 UTC): the first batch at once, the second after
    # 17:30 moves to Wednesday 08:30.
    start = datetime(2026, 12, 1, 9, 20, tzinfo=UTC)
    slots = invitation_slots(
        25, start, batch=10, pace=timedelta(minutes=15), next_open=cal.next_working_start
    )
    assert len(slots) == 25
    assert slots[:10] == [start] * 10
    assert slots[10] == datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    assert slots[20] == slots[10] + timedelta(minutes=15)
    assert all(cal.is_working_time(s) for s in slots)


def test_slots_outside_working_hours_wait_for_the_morning() -> None:
    cal = WorkCalendar()
    saturday_night = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # 22:00 China time
    slots = invitation_slots(
        3, saturday_night, batch=10, pace=timedelta(minutes=5), next_open=cal.next_working_start
    )
    assert slots == [datetime(2026, 12, 7, 0, 30, tzinfo=UTC)] * 3  # Monday 08:30
