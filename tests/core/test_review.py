"""The weekly review's findings, case by case, and the report's rendering and splitting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.review import (
    Finding,
    MemberView,
    Reason,
    ReportInput,
    ReviewSettings,
    render_report,
    review_members,
    split_message,
)

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
BOT = "999"


@dataclass(frozen=True)
class Fact:
    kind: str
    user_id: str
    since: datetime | None = None
    person_id: int | None = None
    detail: str = ""


def members(*ids: str, role: str = "member") -> list[MemberView]:
    return [MemberView(i, card=f"卡{i}", role=role) for i in ids]


def kinds_of(found: list[Finding]) -> dict[str, tuple[str, ...]]:
    return {f.user_id: f.kinds for f in found}


# (case, members, facts, bound, invited, last_seen, watching days, settings, expected user → kinds)
CASES = [
    ("verified and active: nothing", ["1"], [], {"1": 5}, [], {"1": NOW}, 60, ReviewSettings(), {}),
    (
        "unverified past the grace period",
        ["1"],
        [Fact("unverified", "1", NOW - timedelta(hours=30))],
        {},
        [],
        {"1": NOW},
        60,
        ReviewSettings(),
        {"1": ("unverified",)},
    ),
    (
        "unverified within the grace period: not yet",
        ["1"],
        [Fact("unverified", "1", NOW - timedelta(hours=3))],
        {},
        [],
        {"1": NOW},
        60,
        ReviewSettings(),
        {},
    ),
    ("no record at all", ["1"], [], {}, [], {"1": NOW}, 60, ReviewSettings(), {"1": ("no_identity",)}),
    (
        "roster status 调离",
        ["1"],
        [Fact("status", "1", None, 7, "调离")],
        {"1": 7},
        [],
        {"1": NOW},
        60,
        ReviewSettings(),
        {"1": ("status",)},
    ),
    (
        "admitted without a roster person",
        ["1"],
        [Fact("no_roster", "1", NOW, None, "admin")],
        {"1": None},
        [],
        {"1": NOW},
        60,
        ReviewSettings(),
        {"1": ("no_roster",)},
    ),
    (
        "card mismatch only where the preset requires it",
        ["1"],
        [Fact("card", "1", NOW, 5)],
        {"1": 5},
        [],
        {"1": NOW},
        60,
        ReviewSettings(card_required=False),
        {},
    ),
    (
        "card mismatch listed when required",
        ["1"],
        [Fact("card", "1", NOW, 5)],
        {"1": 5},
        [],
        {"1": NOW},
        60,
        ReviewSettings(card_required=True),
        {"1": ("card",)},
    ),
    (
        "two accounts of one person",
        ["1", "2"],
        [],
        {"1": 5, "2": 5},
        [],
        {"1": NOW, "2": NOW},
        60,
        ReviewSettings(),
        {"1": ("duplicate",), "2": ("duplicate",)},
    ),
    (
        "invited by a non-admin",
        ["1"],
        [],
        {"1": 5},
        ["1"],
        {"1": NOW},
        60,
        ReviewSettings(),
        {"1": ("invited",)},
    ),
    (
        "inactive for 40 days",
        ["1"],
        [],
        {"1": 5},
        [],
        {"1": NOW - timedelta(days=40)},
        60,
        ReviewSettings(inactive_days=30),
        {"1": ("inactive",)},
    ),
    (
        "never seen writing",
        ["1"],
        [],
        {"1": 5},
        [],
        {},
        60,
        ReviewSettings(inactive_days=30),
        {"1": ("inactive",)},
    ),
    (
        "never seen, but the bot has watched only 10 days",
        ["1"],
        [],
        {"1": 5},
        [],
        {},
        10,
        ReviewSettings(inactive_days=30),
        {},
    ),
    ("inactivity off", ["1"], [], {"1": 5}, [], {}, 60, ReviewSettings(inactive_days=0), {}),
    (
        "several reasons at once, serious first",
        ["1"],
        [Fact("status", "1", None, 7, "退休")],
        {"1": 7},
        ["1"],
        {},
        60,
        ReviewSettings(),
        {"1": ("status", "invited", "inactive")},
    ),
]


@pytest.mark.parametrize(
    ("case", "ids", "facts", "bound", "invited", "seen", "watched", "settings", "expected"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_findings_table(
    case: str,
    ids: list[str],
    facts: list[Fact],
    bound: dict[str, int | None],
    invited: list[str],
    seen: dict[str, datetime],
    watched: int,
    settings: ReviewSettings,
    expected: dict[str, tuple[str, ...]],
) -> None:
    found = review_members(
        members(*ids),
        self_id=BOT,
        identities=facts,
        bound=bound,
        invited=invited,
        last_seen=seen,
        watching_since=NOW - timedelta(days=watched),
        now=NOW,
        settings=settings,
    )
    assert kinds_of(found) == expected


def test_owner_admins_and_the_bot_are_never_listed() -> None:
    ms = [MemberView("1", role="owner"), MemberView("2", role="admin"), MemberView(BOT), MemberView("3")]
    found = review_members(
        ms, self_id=BOT, identities=[Fact("status", "1", None, 1, "调离")], bound={}, now=NOW
    )
    assert [f.user_id for f in found] == ["3"]


def test_order_puts_removable_findings_first() -> None:
    ms = members("a", "b", "c")
    found = review_members(
        ms,
        self_id=BOT,
        identities=[Fact("status", "c", None, 3, "调离")],
        bound={"a": 1, "c": 3},
        invited=["a"],
        last_seen={"a": NOW, "b": NOW, "c": NOW},
        now=NOW,
    )
    assert [f.user_id for f in found] == ["c", "b", "a"]
    assert [f.removable for f in found] == [True, True, False]


def test_implementation_timestamps_are_not_used() -> None:
    # MemberView has no join_time / last_sent_time at all: activity only comes from last_seen.
    assert not hasattr(MemberView("1"), "last_sent_time")


def test_report_numbers_findings_and_adds_sections() -> None:
    f1 = Finding("50004", "新成员丁", (Reason("unverified", "入群后未完成实名认证"),))
    f2 = Finding("30002", "赵六", (Reason("inactive", "已 40 天未发言"),))
    text = render_report(
        ReportInput(
            "1001",
            "办公室工作群",
            NOW,
            12,
            [f1, f2],
            "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十一条",
            [("意见建议", ["近 7 天记录 1 条"])],
        )
    )
    assert "1. 50004（新成员丁）：入群后未完成实名认证" in text
    assert "2. 30002（赵六）：已 40 天未发言" in text
    assert "建议移出 1 人" in text and "/清理" in text and "■ 意见建议" in text
    assert "11月23日" in text


def test_empty_report() -> None:
    text = render_report(ReportInput("1", "", NOW, 3, []))
    assert "未发现需要清理的人员" in text and "/清理" not in text


def test_long_reports_split_at_line_breaks() -> None:
    lines = [f"{n}. 用户{n}：入群后未完成实名认证（已超过 24 小时）" for n in range(1, 200)]
    text = "\n".join(lines)
    parts = split_message(text, 500)
    assert len(parts) > 5 and all(len(p) <= 500 for p in parts)
    assert parts[1].startswith(f"（续 2/{len(parts)}）")
    # No line is cut in two: every original line appears whole in one part.
    joined = "\n".join(p.split("\n", 1)[1] if p.startswith("（续") else p for p in parts)
    assert joined.split("\n") == lines


def test_a_line_longer_than_the_limit_is_cut() -> None:
    parts = split_message("x" * 1200, 500)
    assert all(len(p) <= 500 for p in parts) and sum(p.count("x") for p in parts) == 1200


def test_short_report_is_one_message() -> None:
    assert split_message("短", 500) == ["短"]


# ---------------------------------------------------------------- day one: existing members, managers

ONBOARDING_CASES = [
    # (state of the member's onboarding admission, 请出制?, expected kinds)
    ("queued", True, None),  # invitation not sent yet: inside the grace
    ("unverified", True, None),  # invited
    ("reminded", True, None),  # reminded once, grace not over
    ("needs_admin", True, None),  # /实名 did not match: an admin decides
    ("listed", True, ("unverified",)),  # past the grace under 请出制: proposed for removal
    ("listed", False, ("onboarding_late",)),  # past the grace without 请出制: informational only
]


@pytest.mark.parametrize(("state", "remove", "expected"), ONBOARDING_CASES)
def test_existing_members_inside_their_grace_are_not_proposed(
    state: str, remove: bool, expected: tuple[str, ...] | None
) -> None:
    found = review_members(
        members("1"),
        self_id=BOT,
        identities=[Fact("onboarding", "1", NOW - timedelta(days=20), detail=state)],
        bound={},
        now=NOW,
        settings=ReviewSettings(inactive_days=0, remove_unverified=remove),
    )
    assert kinds_of(found).get("1") == expected
    if expected:
        assert found[0].removable is remove


def test_managers_are_never_listed_and_a_departed_one_is_noted_for_the_owner() -> None:
    from bot.core.review import departed_managers, onboarding_progress

    views = [*members("1", "2", "3"), MemberView("4", role="admin"), MemberView(BOT)]
    facts = [
        Fact("status", "2", detail="调离"),
        Fact("status", "4", detail="退休"),
        Fact("onboarding", "3", detail="queued"),
    ]
    found = review_members(
        views,
        self_id=BOT,
        identities=facts,
        bound={"1": 1, "2": 2},
        now=NOW,
        managers={"2", "10001"},
        settings=ReviewSettings(inactive_days=0),
    )
    assert kinds_of(found) == {}  # 2 is a deputy (manager), 4 an admin, 3 inside the grace, 1 verified
    notes = departed_managers(views, identities=facts, managers={"2"})
    assert (
        len(notes) == 2
        and "「调离」" in notes[0]
        and "不会将其列入清理" in notes[0]
        and "「退休」" in notes[1]
    )
    assert (
        onboarding_progress(views, self_id=BOT, identities=facts, bound={"1": 1, "2": 2})
        == "实名进度：已认证 2 / 4"
    )
    assert onboarding_progress(views, self_id=BOT, identities=facts[:2], bound={}) == ""
    report = render_report(
        ReportInput("100", "办公室工作群", NOW, 5, found, progress="实名进度：已认证 2 / 4")
    )
    assert "实名进度：已认证 2 / 4" in report and "本周未发现需要清理的人员" in report
