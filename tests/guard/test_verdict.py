"""verdict.py: the strongest act wins with its citation; observe-only, exemptions, platform limits;
the strike ladder."""

from __future__ import annotations

import pytest

from bot.core.guard import Act, Finding, Ladder, decide, escalate, plan
from tests.guard.conftest import config

ACTIONS = config().actions
SERIOUS = config().serious


def verdict(*kinds: str):  # type: ignore[no-untyped-def]
    v = decide([Finding(k) for k in kinds], ACTIONS, SERIOUS)
    assert v is not None
    return v


@pytest.mark.parametrize(
    ("kinds", "primary", "cite"),
    [
        (("offtopic",), "offtopic", "off_topic"),
        (("offtopic", "gambling"), "gambling", "prohibited"),  # recall beats a private reminder
        (("formalism", "rumor"), "rumor", "rumor"),
        (("ads", "political"), "political", "prohibited"),  # same acts: the serious kind first
        (("id_number", "secret"), "secret", "secret"),
        (("link_unknown", "repeat_notice"), "repeat_notice", "repeat_notice"),
        (("flood", "ads"), "flood", "off_topic"),  # mute is the strongest act
    ],
)
def test_primary_and_citation(kinds: tuple[str, ...], primary: str, cite: str) -> None:
    v = verdict(*kinds)
    assert v.primary.kind == primary and v.cite_key == cite


def test_no_findings_no_verdict() -> None:
    assert decide([], ACTIONS, SERIOUS) is None


def test_acts_are_the_union_and_serious_notifies() -> None:
    v = verdict("offtopic", "gambling")
    assert v.acts == {Act.WARN_PRIVATE, Act.RECALL, Act.WARN} and not v.serious
    v = verdict("political")
    assert Act.NOTIFY in v.acts and v.serious


def test_plan_enforced() -> None:
    p = plan(verdict("gambling"))
    assert (p.outcome, p.recall, p.warn_group, p.warn_private, p.strike_weight) == (
        "enforced",
        True,
        True,
        False,
        1,
    )
    assert plan(verdict("secret")).strike_weight == 2  # serious
    p = plan(verdict("offtopic"))
    assert (p.warn_group, p.warn_private, p.strike_weight) == (False, True, 0)
    p = plan(verdict("formalism"))
    assert (p.warn_group, p.warn_private, p.notify_owner, p.strike_weight) == (False, False, True, 0)
    p = plan(verdict("link_unknown"))
    assert p.done == () and p.outcome == "enforced"
    assert plan(verdict("flood"), mute_seconds=300).mute_seconds == 300


def test_plan_observe_only_does_nothing() -> None:
    p = plan(verdict("secret"), observe=True)
    assert p.outcome == "observed" and p.done == () and Act.RECALL in p.intended


def test_plan_exempt_sender() -> None:
    assert plan(verdict("gambling"), exempt=True).done == ()
    p = plan(verdict("id_number"), exempt=True)  # personal data: still a private reminder
    assert p.outcome == "exempt" and p.done == ("warn_private",) and p.strike_weight == 0


def test_plan_without_recall_or_mute_degrades_to_warnings() -> None:
    p = plan(verdict("secret"), can_recall=False, can_mute=False)
    assert not p.recall and p.warn_group and p.cannot == ("recall",)
    p = plan(verdict("flood"), can_recall=False, can_mute=False)
    assert p.mute_seconds == 0 and p.warn_group and p.notify_owner and p.cannot == ("mute",)
    p = plan(verdict("offtopic"), can_recall=False)
    assert p.cannot == () and p.warn_private


LADDER = Ladder(mute_after=3, mute_seconds=600, notify_after=4, propose_removal_after=5)


@pytest.mark.parametrize(
    ("before", "weight_kind", "mute", "notify", "propose", "total"),
    [
        (0, "gambling", 0, False, False, 1),
        (1, "gambling", 0, False, False, 2),
        (2, "gambling", 600, False, False, 3),
        (3, "gambling", 1200, True, False, 4),
        (4, "gambling", 2400, True, True, 5),
        (5, "gambling", 4800, False, False, 6),  # removal was proposed once already
        (30, "gambling", 86400, False, False, 31),  # capped at a day
        (2, "secret", 1200, True, False, 4),  # serious: two strikes, and the owner is told anyway
        (3, "offtopic", 0, False, False, 3),  # a private reminder is no strike
    ],
)
def test_ladder(before: int, weight_kind: str, mute: int, notify: bool, propose: bool, total: int) -> None:
    p = escalate(plan(verdict(weight_kind)), before, LADDER)
    assert p.strikes_total == total and p.mute_seconds == mute and p.propose_removal is propose
    assert p.notify_owner is (notify or weight_kind == "secret")


def test_ladder_without_mute_tells_the_owner() -> None:
    p = escalate(plan(verdict("gambling"), can_mute=False), 2, LADDER, can_mute=False)
    assert p.mute_seconds == 0 and p.notify_owner and "mute" in p.cannot


def test_ladder_leaves_observed_and_exempt_alone() -> None:
    for p in (plan(verdict("gambling"), observe=True), plan(verdict("gambling"), exempt=True)):
        after = escalate(p, 10, LADDER)
        assert after.mute_seconds == 0 and not after.propose_removal and after.strikes_total == 10
