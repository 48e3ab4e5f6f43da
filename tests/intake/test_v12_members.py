"""v12 member notices as the OneBot 12 spec defines them (ComWeChatBotClient sends none; other v12
implementations do) become the same notice records as QQ's, the bot's own removal included."""

from __future__ import annotations

import pytest

from bot.core.member_diff import diff
from bot.intake.adapters import StewardV12Adapter
from bot.intake.record import notice_from_event
from bot.sim.peer_v12 import v12_group_member_decrease as dec
from bot.sim.peer_v12 import v12_group_member_increase as inc

SELF, G = "wxid_bot", "g@chatroom"


@pytest.mark.parametrize(
    ("payload", "kind", "sub_type", "user"),
    [
        (inc(G, "wxid_a", sub_type="join", self_id=SELF), "member_join", "join", "wxid_a"),
        (inc(G, "wxid_a", sub_type="invite", operator_id="wxid_b", self_id=SELF),
         "member_join", "invite", "wxid_a"),
        (dec(G, "wxid_a", sub_type="leave", self_id=SELF), "member_leave", "leave", "wxid_a"),
        (dec(G, "wxid_a", sub_type="kick", operator_id="wxid_b", self_id=SELF),
         "member_kicked", "kick", "wxid_a"),
        (dec(G, SELF, sub_type="kick", operator_id="wxid_b", self_id=SELF),
         "bot_kicked", "kick", SELF),
        (dec(G, SELF, sub_type="kick_me", self_id=SELF), "bot_kicked", "kick_me", SELF),
    ],
)  # fmt: skip
def test_v12_member_notices(payload: dict[str, object], kind: str, sub_type: str, user: str) -> None:
    event = StewardV12Adapter.json_to_event(payload)
    assert event is not None
    rec = notice_from_event(event)
    assert rec is not None
    assert (rec.platform, rec.kind, rec.sub_type, rec.group_id, rec.user_id, rec.self_id) == (
        "wechat", kind, sub_type, G, user, SELF,
    )  # fmt: skip
    assert rec.operator_id == str(payload["operator_id"])


def test_a_member_notice_without_a_member_is_dropped() -> None:
    event = StewardV12Adapter.json_to_event(inc(G, "", self_id=SELF))
    assert event is None or notice_from_event(event) is None


def test_diff_ignores_the_bot() -> None:
    d = diff(frozenset({"a", "b", SELF}), frozenset({"b", "c"}), SELF)
    assert (d.arrived, d.left) == ({"c"}, {"a"})
