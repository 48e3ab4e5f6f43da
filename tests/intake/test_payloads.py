"""Payloads as real implementations send them must reach typed events (NOTES: NapCat, Lagrange,
LLOneBot, go-cqhttp)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from nonebot.adapters.onebot import v11

from bot.intake.adapters import StewardV11Adapter, StewardV12Adapter
from bot.intake.payloads import RAW_MESSAGE_ID, event_kind, plausible_time, sanitize_v11
from bot.intake.record import from_event, notice_from_event, request_from_event
from bot.intake.stats import stats

BASE = {
    "time": 1763800000,
    "self_id": 999,
    "post_type": "message",
    "message_type": "group",
    "sub_type": "normal",
    "group_id": 100,
    "user_id": 30001,
    "message_id": 11,
    "font": 0,
    "raw_message": "/状态",
    "message": [{"type": "text", "data": {"text": "/状态"}}],
    "sender": {"user_id": 30001, "nickname": "小王", "card": "王五-办公室", "role": "admin"},
}


def napcat(**over: Any) -> dict[str, Any]:
    d = {**BASE, "message_seq": 11, "real_id": 11, "group_name": "办公室群", "message_format": "array"}
    d.update(over)
    return d


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(napcat(), id="napcat-plain"),
        pytest.param(napcat(sender={**BASE["sender"], "level": 3}), id="numeric-sender-level"),
        pytest.param(
            napcat(group_id="100", user_id="30001", self_id="999", message_id="11"), id="string-ids"
        ),
        pytest.param(
            napcat(sender={**BASE["sender"], "age": "", "sex": "", "area": ""}), id="lagrange-empty-age"
        ),
        pytest.param({k: v for k, v in napcat().items() if k != "font"}, id="missing-font"),
        pytest.param(napcat(time=1763800000.25), id="float-time"),
        pytest.param(napcat(message="/状态", raw_message="/状态"), id="gocq-cq-string"),
        pytest.param(napcat(message_id="AbC-xyz"), id="non-numeric-message-id"),
        pytest.param({k: v for k, v in napcat().items() if k != "raw_message"}, id="missing-raw-message"),
    ],
)
def test_real_payloads_become_group_message_events(payload: dict[str, Any]) -> None:
    before = sum(stats.unparsed.values())
    event = StewardV11Adapter.json_to_event(payload)
    assert isinstance(event, v11.GroupMessageEvent)
    assert sum(stats.unparsed.values()) == before
    rec = from_event(event)
    assert rec is not None
    assert (rec.group_id, rec.user_id, rec.text.strip(), rec.sender_role) == (
        "100",
        "30001",
        "/状态",
        "admin",
    )


def test_non_numeric_message_id_survives_for_recall() -> None:
    event = StewardV11Adapter.json_to_event(napcat(message_id="AbC-xyz"))
    rec = from_event(event)  # type: ignore[arg-type]
    assert rec is not None and rec.message_id == "AbC-xyz"
    assert sanitize_v11(napcat(message_id="AbC-xyz"))[RAW_MESSAGE_ID] == "AbC-xyz"


def test_self_sent_message_is_counted_not_handled() -> None:
    before = stats.self_sent
    assert StewardV11Adapter.json_to_event(napcat(post_type="message_sent", user_id=999)) is None
    assert stats.self_sent == before + 1


def test_unparseable_event_is_counted_and_skipped() -> None:
    before = stats.unparsed["message.group"]
    broken = napcat(group_id=[1, 2], message_type="group")
    assert not isinstance(StewardV11Adapter.json_to_event(broken), v11.GroupMessageEvent)
    assert stats.unparsed["message.group"] == before + 1


def test_no_fallback_to_the_base_event() -> None:
    # The base Event would reach handlers as an event without a message ("Event has no message!").
    assert StewardV11Adapter.json_to_event({"post_type": "message", "time": 1, "self_id": []}) is None


@pytest.mark.parametrize(
    "over",
    [
        pytest.param({"sender": "not-a-dict"}, id="sender-str"),
        pytest.param({"sender": []}, id="sender-list"),
        pytest.param({"font": "x"}, id="font-str"),
        pytest.param({"message": 5, "raw_message": None}, id="message-int"),
        pytest.param({"message": {"type": "text", "data": {"text": "5"}}}, id="message-lone-segment"),
        pytest.param(
            {"message": [{"type": "mface", "data": 5}, 7, {"data": {}}, {"type": "text", "data": {}}]},
            id="mface-data-int",
        ),
        pytest.param({"sub_type": 3}, id="sub-type-int"),
    ],
)
def test_wrong_types_are_repaired_not_lost(over: dict[str, Any]) -> None:
    event = StewardV11Adapter.json_to_event(napcat(**over))
    assert isinstance(event, v11.GroupMessageEvent)
    rec = from_event(event)
    assert rec is not None and rec.group_id == "100"
    assert all(isinstance(s.data, dict) for s in rec.segments)


def test_garbage_frames_are_ignored() -> None:
    assert StewardV11Adapter.json_to_event(["not", "a", "dict"]) is None
    before = stats.unparsed["message"]
    # No time, no self_id, no message_type: nothing typed can be made of it; counted, no crash.
    assert StewardV11Adapter.json_to_event({"post_type": "message"}) is None
    assert stats.unparsed["message"] == before + 1


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (
            {
                "notice_type": "group_decrease",
                "sub_type": "disband",
                "group_id": 100,
                "user_id": 0,
                "operator_id": 1,
            },
            "group_disbanded",
        ),
        ({"notice_type": "group_dismiss", "group_id": 100, "user_id": 1}, "group_disbanded"),
        (
            {
                "notice_type": "group_decrease",
                "sub_type": "kick_me",
                "group_id": 100,
                "user_id": 999,
                "operator_id": 1,
            },
            "bot_kicked",
        ),
        (
            {"notice_type": "group_decrease", "sub_type": "leave", "group_id": 100, "user_id": 5},
            "member_leave",
        ),
        (
            {
                "notice_type": "group_increase",
                "sub_type": "invite",
                "group_id": 100,
                "user_id": 5,
                "operator_id": "7",
            },
            "member_join",
        ),
        (
            {
                "notice_type": "group_upload",
                "group_id": 100,
                "user_id": 5,
                "file": {"id": "f", "name": "机密.docx", "size": 1, "busid": 102, "url": "http://x"},
            },
            "file_upload",
        ),
    ],
)
def test_notices_fold_implementation_variants(payload: dict[str, Any], kind: str) -> None:
    event = StewardV11Adapter.json_to_event(
        {"time": 1763800000, "self_id": 999, "post_type": "notice", **payload}
    )
    rec = notice_from_event(event)  # type: ignore[arg-type]
    assert rec is not None and rec.kind == kind and rec.group_id == "100"


@pytest.mark.parametrize(("invitor", "expected"), [(None, ""), (0, ""), ("0", ""), (12345, "12345")])
def test_join_request_invitor(invitor: Any, expected: str) -> None:
    payload = {
        "time": 1763800000,
        "self_id": 999,
        "post_type": "request",
        "request_type": "group",
        "sub_type": "add",
        "group_id": 100,
        "user_id": 5,
        "comment": "问题：姓名科室\n答案：张三 办公室",
        "flag": 987654321,
    }
    if invitor is not None:
        payload["invitor_id"] = invitor
    rec = request_from_event(StewardV11Adapter.json_to_event(payload))  # type: ignore[arg-type]
    assert (
        rec is not None and rec.invitor_id == expected and rec.flag == "987654321" and rec.kind == "group_add"
    )


def test_v12_group_message_with_numeric_ids() -> None:
    from nonebot.adapters.onebot import v12

    payload = {
        "id": "e1",
        "time": 1763800000.0,
        "type": "message",
        "detail_type": "group",
        "sub_type": "",
        "message_id": "m1",
        "message": [{"type": "text", "data": {"text": "/帮助"}}],
        "alt_message": "/帮助",
        "user_id": 123,
        "group_id": "g@chatroom",
        "self": {"platform": "wechat", "user_id": "wxid_bot"},
    }
    event = StewardV12Adapter.json_to_event(payload)
    assert isinstance(event, v12.GroupMessageEvent)
    rec = from_event(event)
    assert (
        rec is not None and rec.platform == "wechat" and rec.user_id == "123" and rec.group_id == "g@chatroom"
    )


def test_event_kind_labels() -> None:
    assert event_kind({"post_type": "notice", "notice_type": "group_dismiss"}) == "notice.group_dismiss"
    assert event_kind({"type": "message", "detail_type": "group"}) == "message.group"


@pytest.mark.parametrize(
    "raw_time",
    [float("nan"), float("inf"), -float("inf"), "inf", "NaN", 1e20, 10**30, 0, -5, "abc", None, True, [], {}],
)
def test_absurd_event_time_becomes_arrival_time(raw_time: Any) -> None:
    before = stats.time_replaced
    payload = napcat(time=raw_time)
    event = StewardV11Adapter.json_to_event(payload)
    assert isinstance(event, v11.GroupMessageEvent)
    rec = from_event(event)
    assert rec is not None and rec.time_replaced
    assert rec.time == rec.received.replace(microsecond=0)  # v11 times are whole seconds
    assert abs((rec.received - datetime.now(UTC)).total_seconds()) < 5
    assert stats.time_replaced == before + 1


def test_plausible_event_time_is_kept_and_arrival_recorded() -> None:
    rec = from_event(StewardV11Adapter.json_to_event(napcat(time=1763800000)))  # type: ignore[arg-type]
    assert rec is not None and not rec.time_replaced
    assert rec.time == datetime.fromtimestamp(1763800000, UTC)
    assert rec.received > rec.time


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (1763800000, True),
        ("1763800000.5", True),
        ("2025-11-22T08:00:00+08:00", True),
        ("2025-11-22T08:00:00", False),  # naive: names no instant
        (946684799, False),
        (1763800000 + 30 * 86400, True),  # days ahead: kept for the rules (simulators, replays)
        (1763800000 + 401 * 86400, False),
        ("1e400", False),
        ("x" * 10_000, False),
    ],
)
def test_plausible_time(value: Any, ok: bool) -> None:
    assert (plausible_time(value, received=1763800000.0) is not None) is ok


def test_v12_absurd_time_becomes_arrival_time() -> None:
    payload = {
        "id": "e1", "time": 0, "type": "message", "detail_type": "group", "sub_type": "",
        "message_id": "m1", "message": [{"type": "text", "data": {"text": "你好"}}], "alt_message": "你好",
        "user_id": "wxid_a", "group_id": "g1@chatroom", "self": {"platform": "wechat", "user_id": "wxid_bot"},
    }  # fmt: skip
    rec = from_event(StewardV12Adapter.json_to_event(payload))  # type: ignore[arg-type]
    assert rec is not None and rec.time_replaced and rec.time == rec.received


def test_event_repr_names_ids_not_content() -> None:
    """NoneBot formats repr(event) into a trace line for every event: ours carries no message text."""
    secret = "我的手机号13912345678，身份证110101199003071234"
    event = StewardV11Adapter.json_to_event(napcat(message=[{"type": "text", "data": {"text": secret}}]))
    text = repr(event)
    assert "13912345678" not in text and "手机号" not in text
    assert text.startswith("QuietV11GroupMessage(") and "group_id=" in text and "user_id=" in text
