"""rules/repeat_notice.py: the same notice again within the window — across authors and the unit's
groups — is a repeat; chat that recurs, corrections and old notices are not."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest

from bot.core.guard import ContentGuard, GuardInput, Repeat
from bot.core.guard.rules.repeat_notice import RepeatIndex
from bot.core.text.normalize import normalize
from tests.core.text.test_text_office_messages import office_messages
from tests.guard.conftest import T0, config

NOTICE = "各科室：请于11月25日（周三）下班前将年度工作总结报送至办公室邮箱，逾期视为未报。"
NEAR = "各科室：请于11月25日(周三)下班前，将年度工作总结报送至办公室邮箱！逾期视为未报"
EDITED = "各科室：请于11月25日（周三）下班前将年度工作总结报送至办公室邮箱，逾期视为未报，谢谢。"
OTHER = "各科室：请于11月27日前将第四季度安全生产检查情况报送至安监科，联系人王科长。"
CHAT = "好的，收到，我这边核对一下数据，稍后反馈给大家，辛苦各位了"  # long, recurring, not a notice


def guard_run(*messages: tuple[str, str, str, timedelta]) -> list[set[str]]:
    """Feed (group, user, text, offset) messages in order through one guard; kinds per message."""
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), flood=None)
    out = []
    for n, (group, user, text, offset) in enumerate(messages):
        msg = GuardInput(
            text, group_id=group, user_id=user, message_id=str(n), at=T0 + offset, scope="unit:a"
        )
        out.append({f.kind for f in guard.check(msg, cfg)})
    return out


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("second", "user", "group", "offset", "repeat"),
    [
        (NOTICE, "1", "g1", H, True),  # the same author again
        (NOTICE, "2", "g1", H, True),  # another author
        (NOTICE, "2", "g2", H, True),  # another group of the same unit
        (NEAR, "2", "g1", H, True),  # punctuation and brackets changed
        (EDITED, "2", "g1", H, True),  # a few words changed
        (f"【更正】{NOTICE}", "1", "g1", H, False),  # a correction marked as such
        (f"{NOTICE}（以此条为准）", "1", "g1", H, False),
        (
            f"【紧急】{NOTICE}",
            "1",
            "g1",
            H,
            False,
        ),  # its author marks it urgent (as the off-hours reminder asks)
        (f"【紧急】{NOTICE}", "2", "g1", H, True),  # someone else's urgent copy is still a repeat
        (OTHER, "1", "g1", H, False),  # another notice
        (NOTICE, "1", "g1", timedelta(days=8), False),  # outside the 7-day window
    ],
)
def test_repeats(second: str, user: str, group: str, offset: timedelta, repeat: bool) -> None:
    first, again = guard_run(("g1", "1", NOTICE, timedelta(0)), (group, user, second, offset))
    assert first == set()
    assert again == ({"repeat_notice"} if repeat else set())


def test_recurring_chat_is_not_a_notice() -> None:
    assert guard_run(("g1", "1", CHAT, timedelta(0)), ("g1", "2", CHAT, H)) == [set(), set()]


def test_short_messages_are_never_repeats() -> None:
    assert (
        guard_run(("g1", "1", "请各科室报送材料。", timedelta(0)), ("g1", "1", "请各科室报送材料。", H))[1]
        == set()
    )


def test_other_scopes_do_not_count() -> None:
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), flood=None)
    first = GuardInput(NOTICE, group_id="g1", user_id="1", at=T0, scope="group:g1")
    second = GuardInput(NOTICE, group_id="g9", user_id="1", at=T0 + H, scope="group:g9")
    assert guard.check(first, cfg) == [] and guard.check(second, cfg) == []


def test_the_finding_points_at_the_original() -> None:
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), flood=None)
    guard.check(GuardInput(NOTICE, group_id="g1", user_id="1", message_id="m1", at=T0, scope="u"), cfg)
    guard.check(GuardInput(NOTICE, group_id="g1", user_id="2", message_id="m2", at=T0 + H, scope="u"), cfg)
    [finding] = guard.check(
        GuardInput(NOTICE, group_id="g2", user_id="3", message_id="m3", at=T0 + 2 * H, scope="u"), cfg
    )
    assert isinstance(finding.ref, Repeat)
    assert (finding.ref.group_id, finding.ref.user_id, finding.ref.message_id, finding.ref.at) == (
        "g1",
        "1",
        "m1",
        T0,
    )
    assert finding.cite_key == "repeat_notice"


def test_exempt_senders_are_remembered_but_not_reported() -> None:
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), flood=None)
    admin = GuardInput(NOTICE, group_id="g1", user_id="admin", at=T0, scope="u")
    assert guard.check(admin, cfg, exempt=True) == []
    assert guard.check(dataclasses.replace(admin, at=T0 + H), cfg, exempt=True) == []
    member = GuardInput(NOTICE, group_id="g1", user_id="m", at=T0 + 2 * H, scope="u")
    assert [f.kind for f in guard.check(member, cfg)] == ["repeat_notice"]


def test_memory_is_bounded_and_expires() -> None:
    index = RepeatIndex(capacity=50)
    week = timedelta(days=7)
    rng = random.Random(5)
    chars = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 300))  # 300 CJK characters
    for n in range(200):  # 200 different messages
        text = "".join(rng.choice(chars) for _ in range(30))
        index.check(
            "s",
            group_id="g",
            user_id="u",
            message_id=str(n),
            normalized=text,
            at=T0,
            window=week,
            min_chars=20,
        )
    assert len(index) == 50
    later = normalize("完全不同的一条消息，内容与之前的任何通知都没有关系，仅用于触发过期清理")
    index.check(
        "s",
        group_id="g",
        user_id="u",
        message_id="x",
        normalized=later,
        at=T0 + 2 * week,
        window=week,
        min_chars=20,
    )
    assert len(index) == 1 and len(index._postings) == 3 and len(index._exact) == 1


def test_a_common_trigram_does_not_make_long_posting_lists() -> None:
    index = RepeatIndex()
    week = timedelta(days=7)
    lines = [line for line in office_messages() if len(line) > 12]
    for n, line in enumerate(lines):  # different messages that all share one phrase
        index.check(
            "s",
            group_id="g",
            user_id="u",
            message_id=str(n),
            normalized=normalize(f"大家注意一下{line}"),
            at=T0,
            window=week,
            min_chars=20,
        )
    assert len(index) == sum(len(normalize(f"大家注意一下{line}")) >= 20 for line in lines) > 150
    assert max(len(bucket) for bucket in index._postings.values()) <= 32


def test_a_huge_message_costs_no_more_than_its_start() -> None:
    guard = ContentGuard()
    cfg = dataclasses.replace(config(), flood=None)
    huge = NOTICE * 5000
    assert guard.check(GuardInput(huge, group_id="g", user_id="1", at=T0), cfg) == []
    assert {f.kind for f in guard.check(GuardInput(huge, group_id="g", user_id="2", at=T0 + H), cfg)} == {
        "repeat_notice"
    }
