"""The border: no frame raises anything but BadFrame, and each costs time bounded by its size."""

import json
import time
from typing import Any

import msgpack
import pytest

from bot.intake import frames
from bot.intake.adapters import StewardV11Adapter, StewardV12Adapter, _frame_to_event
from bot.intake.stats import stats

GROUP_MESSAGE = {
    "time": 1763800000, "self_id": 999, "post_type": "message", "message_type": "group",
    "sub_type": "normal", "group_id": 100, "user_id": 30001, "message_id": 11, "font": 0,
    "raw_message": "你好", "message": [{"type": "text", "data": {"text": "你好"}}], "sender": {},
}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("[" * 100_000, "too-deep", id="brackets-100k"),
        pytest.param('{"a":' * 5_000, "too-deep", id="objects-5k"),
        pytest.param(
            json.dumps({**GROUP_MESSAGE, "message": []})[:-1] + ', "x": ' + "[" * 3000 + "]" * 3000 + "}",
            "too-deep",
            id="nested-3000-inside-event",
        ),
        pytest.param('{"a": ' + "[" * 40 + "1" + "]" * 40 + "}", "too-deep", id="deeper-than-max"),
        pytest.param("not json", "bad-json", id="text"),
        pytest.param('{"post_type": "message", ', "bad-json", id="truncated"),
        pytest.param("1" * 5000, "bad-json", id="int-5000-digits"),
        pytest.param("[1, 2]", "not-an-object", id="array"),
        pytest.param('"x"', "not-an-object", id="string"),
        pytest.param("x" * (frames.MAX_FRAME + 1), "too-large", id="huge"),
        pytest.param(json.dumps({"a": list(range(frames.MAX_NODES + 1))}), "too-large", id="many-nodes"),
        pytest.param(b"\xff\xfe\x00garbage", "bad-utf8", id="binary-v11"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(raw: str | bytes, reason: str) -> None:
    started = time.perf_counter()
    with pytest.raises(frames.BadFrame) as caught:
        frames.decode(raw, msgpack_binary=False)
    assert caught.value.reason == reason
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(bytes(range(256)) * 4, "bad-msgpack", id="random-bytes"),
        pytest.param(msgpack.packb(GROUP_MESSAGE)[:-7], "bad-msgpack", id="truncated"),
        pytest.param(msgpack.packb([1, 2, 3]), "not-an-object", id="array"),
        pytest.param(b"\x91" * 5000 + b"\x00", "bad-msgpack", id="deep"),
    ],
)
def test_bad_binary_frames_v12(raw: bytes, reason: str) -> None:
    with pytest.raises(frames.BadFrame) as caught:
        frames.decode(raw, msgpack_binary=True)
    assert caught.value.reason == reason


def test_repairs_keep_the_frame() -> None:
    before = stats.repaired["non-finite"], stats.repaired["surrogate"]
    raw = '{"a": NaN, "b": [Infinity, -Infinity, 1e400], "c": "x\\ud800y", "d": "好\\udfff"}'
    d = frames.decode(raw, msgpack_binary=False)
    assert d == {"a": None, "b": [None, None, None], "c": "x\ufffdy", "d": "好\ufffd"}
    assert stats.repaired["non-finite"] == before[0] + 4
    assert stats.repaired["surrogate"] == before[1] + 2
    packed = msgpack.packb({1: "a", b"k": msgpack.ExtType(5, b"x"), "t": [1.5, float("nan")]})
    assert frames.decode(packed, msgpack_binary=True) == {"1": "a", "k": None, "t": [1.5, None]}


@pytest.mark.parametrize(
    "over",
    [
        {"time": float("nan")}, {"time": float("inf")}, {"time": "inf"}, {"time": 1e20}, {"time": 0},
        {"message": 5}, {"sender": []}, {"font": "x"}, {"message": [{"type": "mface", "data": 5}]},
        {"message": None, "raw_message": None},
    ],
)  # fmt: skip
def test_v11_frames_of_the_issue_become_events(over: dict[str, Any]) -> None:
    raw = json.dumps({**GROUP_MESSAGE, **over})  # json.dumps writes NaN / Infinity as JS does
    event = _frame_to_event(StewardV11Adapter.json_to_event, raw, msgpack_binary=False)
    assert event is not None and event.get_type() == "message"


V12_MESSAGE = {
    "id": "e1", "time": 1763800000.5, "type": "message", "detail_type": "group", "sub_type": "",
    "message_id": "m1", "message": [{"type": "text", "data": {"text": "你好"}}], "alt_message": "你好",
    "user_id": "wxid_a", "group_id": "g1@chatroom", "self": {"platform": "wechat", "user_id": "wxid_bot"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("over", "typed"),
    [
        ({"message": None}, True),
        ({"message": None, "alt_message": None}, True),
        ({"time": "inf"}, True),
        ({"message": [{"type": "text", "data": 5}]}, True),
        ({"self": None}, False),
        ({"self": []}, False),
    ],
)
def test_v12_frames_of_the_issue(over: dict[str, Any], typed: bool) -> None:
    payload = {k: v for k, v in {**V12_MESSAGE, **over}.items() if v is not None or k != "self"}
    for raw in (json.dumps(payload), msgpack.packb(payload)):
        event = _frame_to_event(StewardV12Adapter.json_to_event, raw, msgpack_binary=True)
        assert (getattr(event, "detail_type", None) == "group") is typed


def test_unexpected_errors_are_counted_not_raised() -> None:
    def explode(data: dict[str, Any], received: float) -> None:
        raise KeyError("boom")

    before = stats.unparsed["internal:KeyError"]
    assert _frame_to_event(explode, "{}", msgpack_binary=False) is None
    assert stats.unparsed["internal:KeyError"] == before + 1


def test_duplicate_response_does_not_raise() -> None:
    StewardV11Adapter.json_to_event({"status": "ok", "retcode": 0, "echo": "9" * 5000})
    StewardV11Adapter.json_to_event({"status": "ok", "retcode": 0, "echo": ["x"]})


def test_rate_limited_log(monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[str] = []
    monkeypatch.setattr(frames.logger, "warning", lines.append)
    log = frames.RateLimitedLog(interval=60)
    for _ in range(1000):
        log.warning("k", "bad")
    assert lines == ["bad"]
    log.interval = 0
    log.warning("k", "bad")
    assert lines[-1] == "bad (and 999 more like it since the last report)"
