"""Tests of the OneBot simulator itself.

A tiny in-process websockets server plays the bot: it accepts the peer's reverse connection, sends
action frames and reads the answers. The event builders are checked against NoneBot's own OneBot
models, so that "the shape NapCat sends" also means "the shape the adapter parses (or rejects)".
Only the last tests start a process (the bare NoneBot of the benchmark), to check the harness.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from bot.sim import events as ev
from bot.sim.peer import ActionError, OneBotV11Peer, PeerConnectError, message_text
from bot.sim.peer_v12 import OneBotV12Peer, v12_group_message, v12_mention_seg
from bot.sim.process import REPO_ROOT, BotProcess, BotStartError

TOKEN = "sim-token"


@dataclass
class FakeBot:
    """The bot's side of the socket, driven by the test."""

    server: Server
    connections: asyncio.Queue[ServerConnection] = field(default_factory=asyncio.Queue)
    headers: list[Headers] = field(default_factory=list)

    @property
    def url(self) -> str:
        port = next(iter(self.server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/onebot/v11/ws"

    async def accept(self) -> Connection:
        return Connection(await asyncio.wait_for(self.connections.get(), 5))


@dataclass
class Connection:
    ws: ServerConnection
    events: list[dict[str, Any]] = field(default_factory=list)
    _seq: int = 0

    async def frame(self) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), 5))

    async def next_event(self) -> dict[str, Any]:
        while True:
            data = await self.frame()
            if "echo" not in data:
                self.events.append(data)
                return data

    async def call(self, action: str, echo: str | None = None, **params: Any) -> dict[str, Any]:
        """Send an action as the adapter does (echo a decimal string) and return the answer."""
        self._seq += 1
        echo = echo if echo is not None else str(self._seq)
        await self.ws.send(json.dumps({"action": action, "params": params, "echo": echo}))
        return await self.answer_for(echo)

    async def answer_for(self, echo: str, within: float = 5) -> dict[str, Any]:
        async with asyncio.timeout(within):
            while True:
                data = await self.frame()
                if "echo" not in data:
                    self.events.append(data)
                elif data["echo"] == echo:
                    return data


@pytest.fixture
async def fake_bot() -> AsyncIterator[FakeBot]:
    holder: list[FakeBot] = []

    def check_token(connection: ServerConnection, request: Request) -> Response | None:
        holder[0].headers.append(request.headers)
        # As the OneBot adapter does: a wrong or missing bearer token is refused with 403.
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return connection.respond(HTTPStatus.FORBIDDEN, "Authorization Header is invalid")
        return None

    async def handler(ws: ServerConnection) -> None:
        await holder[0].connections.put(ws)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=check_token, compression=None) as server:
        holder.append(FakeBot(server))
        yield holder[0]


async def connected_v11(fake_bot: FakeBot, **kwargs: Any) -> tuple[OneBotV11Peer, Connection]:
    peer = OneBotV11Peer(fake_bot.url, access_token=TOKEN, **kwargs)
    await peer.connect()
    return peer, await fake_bot.accept()


# --- handshake ---------------------------------------------------------------------------------


async def test_v11_handshake_headers_and_lifecycle(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot, self_id=123456)
    try:
        headers = fake_bot.headers[-1]
        assert headers["X-Self-ID"] == "123456"
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        first = await conn.next_event()
        assert first["post_type"] == "meta_event"
        assert first["meta_event_type"] == "lifecycle" and first["sub_type"] == "connect"
        assert first["self_id"] == 123456
    finally:
        await peer.close()


async def test_refused_handshake_carries_status(fake_bot: FakeBot) -> None:
    peer = OneBotV11Peer(fake_bot.url, access_token="wrong")
    with pytest.raises(PeerConnectError) as info:
        await peer.connect()
    assert info.value.status == 403
    assert "403" in str(info.value)
    with pytest.raises(PeerConnectError) as missing:
        await OneBotV11Peer(fake_bot.url).connect()
    assert missing.value.status == 403


async def test_connection_refused_without_server() -> None:
    with pytest.raises(PeerConnectError) as info:
        await OneBotV11Peer("ws://127.0.0.1:9/onebot/v11/ws", open_timeout=2).connect()
    assert info.value.status is None


# --- answering ---------------------------------------------------------------------------------


async def test_echo_returned_exactly_and_calls_recorded(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        message = [{"type": "text", "data": {"text": "已处理消息：3"}}]
        answer = await conn.call("send_msg", echo="42", message_type="group", group_id=1, message=message)
        assert answer["echo"] == "42" and isinstance(answer["echo"], str)
        assert answer["status"] == "ok" and answer["retcode"] == 0
        first_id = answer["data"]["message_id"]
        answer = await conn.call("send_group_msg", echo="0043", group_id=1, message="hi")
        assert answer["echo"] == "0043"
        assert answer["data"]["message_id"] == first_id + 1

        call = await peer.wait_call("send_msg")
        assert call.text == "已处理消息：3" and call.group_id == 1 and call.echo == "42"
        assert call.outcome == "ok" and call.response is not None
        # each call is handed out once: the next wait sees the next reply
        call2 = await peer.wait_call(("send_msg", "send_group_msg"))
        assert call2.action == "send_group_msg" and call2.text == "hi"
        assert [c.action for c in peer.calls] == ["send_msg", "send_group_msg"]
    finally:
        await peer.close()


async def test_wait_call_waits_for_future_call_with_predicate(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        waiter = asyncio.create_task(peer.wait_call("send_msg", lambda c: "第二" in c.text, timeout=3))
        await conn.call("send_msg", message="第一条")
        await conn.call("send_msg", message="第二条")
        assert (await waiter).text == "第二条"
        assert [c.text for c in peer.pending_calls("send_msg")] == ["第一条"]
        await peer.wait_no_call("set_group_kick", within=0.1)
        with pytest.raises(AssertionError):
            await peer.wait_no_call("send_msg", within=0.1)  # 第一条 is still unconsumed
        with pytest.raises(AssertionError, match="no delete_msg"):
            await peer.wait_call("delete_msg", timeout=0.1)
    finally:
        await peer.close()


async def test_default_responders_from_configured_state(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(
        fake_bot,
        self_id=99,
        groups={7: {"group_name": "办公室工作群"}},
        members={7: [{"user_id": 1, "role": "owner", "card": "张三-办公室"}, {"user_id": 2}]},
    )
    try:
        info = (await conn.call("get_group_info", group_id=7))["data"]
        assert info["group_name"] == "办公室工作群" and info["member_count"] == 2
        members = (await conn.call("get_group_member_list", group_id=7))["data"]
        assert [m["user_id"] for m in members] == [1, 2]
        assert members[0]["role"] == "owner" and members[1]["role"] == "member"
        assert {"join_time", "last_sent_time", "level", "card"} <= members[1].keys()
        member = (await conn.call("get_group_member_info", group_id=7, user_id=1))["data"]
        assert member["card"] == "张三-办公室"
        missing = await conn.call("get_group_member_info", group_id=7, user_id=3)
        assert missing["status"] == "failed"
        assert (await conn.call("set_group_kick", group_id=7, user_id=2))["status"] == "ok"
        assert [m["user_id"] for m in peer.members[7]] == [1]
        assert (await conn.call("get_login_info"))["data"]["user_id"] == 99
        assert (await conn.call("get_status"))["data"]["online"] is True
        assert (await conn.call("get_version_info"))["data"]["protocol_version"] == "v11"
        for action in ("delete_msg", "set_group_ban", "set_group_add_request"):
            assert (await conn.call(action))["status"] == "ok"
        unknown = await conn.call("no_such_action")
        assert unknown["status"] == "failed" and unknown["retcode"] == 1404
        malformed = await conn.call("get_group_info")  # no group_id: answered, the reader survives
        assert malformed["status"] == "failed" and malformed["retcode"] == 1400
        assert (await conn.call("get_login_info"))["status"] == "ok"
    finally:
        await peer.close()


async def test_get_msg_answers_from_sent_events(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        sent = await peer.send_group_message(5, 6, "原消息")
        got = await conn.call("get_msg", message_id=sent["message_id"])
        assert got["data"]["message_id"] == sent["message_id"]
        assert message_text(got["data"]["message"]) == "原消息"
        assert (await conn.call("get_msg", message_id=1))["status"] == "failed"
    finally:
        await peer.close()


async def test_custom_responders_sync_async_and_errors(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        peer.on("get_group_list", lambda params: [{"group_id": 1, "group_name": "甲"}])

        async def slow_info(params: dict[str, Any]) -> dict[str, Any]:
            await asyncio.sleep(0.05)
            return {"group_id": params["group_id"], "group_name": "慢"}

        def refuse(params: dict[str, Any]) -> None:
            raise ActionError(102, "权限不足")

        peer.on("get_group_info", slow_info)
        peer.on("set_group_ban", refuse)
        assert (await conn.call("get_group_list"))["data"][0]["group_name"] == "甲"
        assert (await conn.call("get_group_info", group_id=3))["data"]["group_name"] == "慢"
        refused = await conn.call("set_group_ban", group_id=1, user_id=2, duration=60)
        assert refused["status"] == "failed" and refused["retcode"] == 102
        assert (await peer.wait_call("set_group_ban")).outcome == "failed"
    finally:
        await peer.close()


async def test_fail_injection_then_recovery(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        peer.fail("delete_msg", times=2, retcode=1200, message="撤回失败")
        for _ in range(2):
            answer = await conn.call("delete_msg", message_id=1)
            assert answer["status"] == "failed" and answer["retcode"] == 1200
            assert answer["message"] == "撤回失败"
        assert (await conn.call("delete_msg", message_id=1))["status"] == "ok"
        assert [c.outcome for c in peer.calls_of("delete_msg")] == ["failed", "failed", "ok"]

        peer.fail("send_msg", times=None)
        for _ in range(3):
            assert (await conn.call("send_msg", message="x"))["status"] == "failed"
        peer.clear_faults("send_msg")
        assert (await conn.call("send_msg", message="x"))["status"] == "ok"
    finally:
        await peer.close()


async def test_stall_never_answers(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        peer.stall("set_group_kick", times=1)
        await conn.ws.send(json.dumps({"action": "set_group_kick", "params": {"group_id": 1, "user_id": 2},
                                       "echo": "1"}))
        with pytest.raises(TimeoutError):
            await conn.answer_for("1", within=0.3)
        stalled = await peer.wait_call("set_group_kick")
        assert stalled.outcome == "stalled" and stalled.response is None
        # the stall is used up: the retry is answered
        assert (await conn.call("set_group_kick", echo="2", group_id=1, user_id=2))["status"] == "ok"
    finally:
        await peer.close()


async def test_drain_and_clear(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    try:
        for i in range(3):
            await conn.call("send_msg", message=f"m{i}")
        first = await peer.wait_call("send_msg")
        assert first.text == "m0"
        rest = await peer.drain(quiet=0.05)
        assert [c.text for c in rest] == ["m1", "m2"]
        assert peer.pending_calls() == []
        peer.clear()
        assert peer.calls == [] and peer.sent_events == []
    finally:
        await peer.close()


async def test_bot_closing_the_socket_is_noticed(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    waiter = asyncio.create_task(peer.wait_call("send_msg", timeout=5))
    await asyncio.sleep(0)
    await conn.ws.close()
    await peer.wait_closed(timeout=2)
    assert not peer.connected
    with pytest.raises(ConnectionError):
        await waiter
    await peer.close()


async def test_reconnect_after_the_bot_hung_up(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot)
    await conn.call("send_msg", message="before")
    await conn.ws.close()
    await peer.wait_closed(timeout=2)
    await peer.connect(retry_for=2)
    conn2 = await fake_bot.accept()
    try:
        assert (await conn2.next_event())["meta_event_type"] == "lifecycle"
        await conn2.call("send_msg", message="after")
        assert [c.text for c in peer.calls] == ["before", "after"]
    finally:
        await peer.close()


async def test_report_self_message_echoes_sent_messages(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot, report_self_message=True)
    try:
        await conn.next_event()  # lifecycle
        answer = await conn.call("send_msg", message_type="group", group_id=8, user_id=9,
                                 message=[{"type": "text", "data": {"text": "提醒"}}])
        echoed = await conn.next_event()
        assert echoed["post_type"] == "message_sent" and echoed["group_id"] == 8
        assert echoed["message_id"] == answer["data"]["message_id"]
        await conn.call("send_private_msg", user_id=9, message="私聊")
        private = await conn.next_event()
        assert private["message_type"] == "private" and private["target_id"] == 9
    finally:
        await peer.close()


async def test_send_event_and_raw(fake_bot: FakeBot) -> None:
    peer, conn = await connected_v11(fake_bot, lifecycle_on_connect=False)
    try:
        await peer.send_group_message(100, 200, "你好", role="admin")
        event = await conn.next_event()
        assert event["group_id"] == 100 and event["sender"]["role"] == "admin"
        assert event["self_id"] == peer.self_id
        await peer.send_raw("{not json")
        assert await conn.ws.recv() == "{not json"
        assert peer.last_sent_at is not None
    finally:
        await peer.close()


# --- v12 peer ----------------------------------------------------------------------------------


async def test_v12_connect_sequence_and_actions(fake_bot: FakeBot) -> None:
    url = fake_bot.url.replace("v11", "v12")
    peer = OneBotV12Peer(url, access_token=TOKEN, groups={"123@chatroom": {"group_name": "科室群"}},
                         members={"123@chatroom": [{"user_id": "wxid_a", "user_name": "张三"},
                                                   {"user_id": "wxid_b"}]})
    await peer.connect()
    conn = await fake_bot.accept()
    try:
        connect = await conn.next_event()
        assert (connect["type"], connect["detail_type"]) == ("meta", "connect")
        assert connect["version"]["onebot_version"] == "12"
        status = await conn.next_event()
        assert status["detail_type"] == "status_update"
        assert status["status"]["bots"][0]["self"] == {"platform": "wechat", "user_id": "wxid_bot"}

        sent = await conn.call("send_message", detail_type="group", group_id="123@chatroom",
                               message=[{"type": "text", "data": {"text": "请实名"}}])
        assert sent["status"] == "ok" and {"status", "retcode", "data", "message", "echo"} <= sent.keys()
        assert isinstance(sent["data"]["message_id"], str)
        assert (await peer.wait_call("send_message")).text == "请实名"

        assert (await conn.call("get_self_info"))["data"]["user_id"] == "wxid_bot"
        assert (await conn.call("get_group_info", group_id="123@chatroom"))["data"]["group_name"] == "科室群"
        members = (await conn.call("get_group_member_list", group_id="123@chatroom"))["data"]
        assert [m["user_id"] for m in members] == ["wxid_a", "wxid_b"]
        recall = await conn.call("delete_message", message_id="1")
        assert recall["status"] == "failed" and recall["retcode"] == 10002
        kicked = await conn.call("wx.delete_groupmember", group_id="123@chatroom", user_list=["wxid_b"])
        assert kicked["status"] == "ok"
        assert [m["user_id"] for m in peer.members["123@chatroom"]] == ["wxid_a"]
        assert (await conn.call("get_version"))["data"]["onebot_version"] == "12"

        await peer.send_group_message("123@chatroom", "wxid_a", [v12_mention_seg("wxid_bot")])
        event = await conn.next_event()
        assert event["group_id"] == "123@chatroom" and event["self"]["user_id"] == "wxid_bot"
        assert event["alt_message"] == "@wxid_bot"
    finally:
        await peer.close()


# --- event builders against NoneBot's models ---------------------------------------------------


def parse_v11(event: dict[str, Any]) -> Any:
    from nonebot.adapters.onebot.v11 import Adapter

    return Adapter.json_to_event(json.loads(json.dumps(event, ensure_ascii=False)))


@pytest.mark.parametrize("impl", ev.IMPLS)
def test_group_message_shapes_parse_as_group_messages(impl: ev.Impl) -> None:
    from nonebot.adapters.onebot.v11 import GroupMessageEvent

    event = ev.group_message(20001, 10002, "各位好", role="admin", card="李四-财务科", impl=impl, at_all=True)
    parsed = parse_v11(event)
    assert isinstance(parsed, GroupMessageEvent)
    assert parsed.get_plaintext().strip() == "各位好"
    assert parsed.message[0].type == "at" and parsed.message[0].data["qq"] == "all"
    assert parsed.sender.role == "admin" and parsed.sender.card == "李四-财务科"
    if impl == "gocq":
        assert isinstance(event["message"], str) and event["message"].startswith("[CQ:at,qq=all]")
    else:
        assert isinstance(event["message"], list)
    if impl == "napcat":
        assert {"message_seq", "real_id", "group_name", "message_format"} <= event.keys()


def test_string_ids_are_coerced_but_numeric_level_is_rejected() -> None:
    from nonebot.adapters.onebot.v11 import Event, GroupMessageEvent, MessageEvent

    stringy = ev.group_message(20001, 10002, "x", string_ids=True)
    assert stringy["group_id"] == "20001" and stringy["sender"]["user_id"] == "10002"
    assert isinstance(parse_v11(stringy), GroupMessageEvent)
    # NapCat's numeric sender.level fails the typed model: the adapter falls back to the base Event.
    leveled = parse_v11(ev.group_message(20001, 10002, "x", level=3))
    assert isinstance(leveled, Event) and not isinstance(leveled, MessageEvent)


def test_message_ids_increase_and_times_are_seconds() -> None:
    a, b = ev.group_message(1, 2, "a"), ev.private_message(2, "b")
    assert b["message_id"] > a["message_id"]
    assert isinstance(a["time"], int) and a["time"] > 1_600_000_000
    from datetime import datetime

    assert ev.group_message(1, 2, "c", time=datetime(2026, 3, 2, 20, 0))["time"] == int(
        datetime(2026, 3, 2, 20, 0).timestamp()
    )


def test_cq_string_escapes() -> None:
    segs = [ev.text_seg("a[1]&b,c"), ev.at_seg(5), ev.face_seg(1)]
    assert ev.to_cq_string(segs) == "a&#91;1&#93;&amp;b,c[CQ:at,qq=5][CQ:face,id=1]"


def test_private_and_self_sent() -> None:
    from nonebot.adapters.onebot.v11 import PrivateMessageEvent

    assert isinstance(parse_v11(ev.private_message(10001, "/实名 张三 办公室")), PrivateMessageEvent)
    own = ev.self_sent_message("通知已发送", group_id=20001)
    assert own["post_type"] == "message_sent" and own["user_id"] == own["self_id"]
    assert own["group_id"] == 20001


def test_request_and_notice_shapes() -> None:
    from nonebot.adapters.onebot.v11 import (
        GroupDecreaseNoticeEvent,
        GroupIncreaseNoticeEvent,
        GroupRecallNoticeEvent,
        GroupRequestEvent,
        GroupUploadNoticeEvent,
    )

    request = ev.group_request_add(20001, 30001, "张三 办公室", "flag-1")
    assert isinstance(parse_v11(request), GroupRequestEvent)
    assert "invitor_id" not in request and request["flag"] == "flag-1"
    assert ev.group_request_add(1, 2, "c", impl="llonebot")["invitor_id"] == 0
    assert ev.group_request_add(1, 2, "c", invitor_id=9, impl="lagrange")["invitor_id"] == 9
    assert isinstance(parse_v11(ev.group_request_add(1, 2, "c", impl="llonebot")), GroupRequestEvent)

    increase = ev.group_increase(20001, 30001, sub_type="invite", operator_id=10002)
    assert isinstance(parse_v11(increase), GroupIncreaseNoticeEvent)
    for sub_type in ("leave", "kick", "kick_me", "disband"):
        decrease = ev.group_decrease(20001, 30001, sub_type=sub_type)
        assert isinstance(parse_v11(decrease), GroupDecreaseNoticeEvent)
    assert ev.group_decrease(1, 2)["operator_id"] == 2

    dismiss = ev.group_dismiss(20001, 10001)
    assert dismiss["notice_type"] == "group_dismiss" and dismiss["group_id"] == 20001

    upload = ev.group_upload(20001, 10002, "机密-会议纪要.docx", 2048, impl="lagrange")
    assert isinstance(parse_v11(upload), GroupUploadNoticeEvent)
    assert upload["file"]["url"].startswith("https://")
    assert "url" not in ev.group_upload(1, 2, "a.txt")["file"]

    recall = ev.group_recall(20001, 10002, 555, operator_id=10001)
    assert isinstance(parse_v11(recall), GroupRecallNoticeEvent)


def test_v12_group_message_parses() -> None:
    from nonebot.adapters.onebot.v12 import Adapter, GroupMessageEvent

    event = v12_group_message("123@chatroom", "wxid_a", "收到", mention_all=True)
    parsed = Adapter.json_to_event(json.loads(json.dumps(event)), "ComWechat")
    assert isinstance(parsed, GroupMessageEvent)
    assert parsed.group_id == "123@chatroom" and parsed.message[0].type == "mention_all"


# --- process harness (starts the benchmark's bare NoneBot, not the steward bot) ----------------


async def test_bot_process_start_failure_reports_log_tail(tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text("import sys\nprint('boom: missing config')\nsys.exit(3)\n", "utf-8")
    process = BotProcess(module=str(script), data_dir=tmp_path / "data", start_timeout=10)
    with pytest.raises(BotStartError, match="boom: missing config"):
        await process.start()
    assert not process.running


async def test_bot_process_never_listening_times_out(tmp_path: Path) -> None:
    script = tmp_path / "idle.py"
    script.write_text("import time\ntime.sleep(60)\n", "utf-8")
    process = BotProcess(module=str(script), data_dir=tmp_path / "data", start_timeout=0.5, stop_grace=1)
    with pytest.raises(BotStartError, match="did not listen"):
        await process.start()
    assert not process.running


def test_bot_process_environment_is_clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ONEBOT_ACCESS_TOKEN", "leaked")
    monkeypatch.setenv("STEWARD_POLICY_FILE", "leaked.toml")
    process = BotProcess(access_token=None, superusers=["1", 2], data_dir=tmp_path, env={"EXTRA": "1"})
    env = process.environment()
    assert "ONEBOT_ACCESS_TOKEN" not in env and "STEWARD_POLICY_FILE" not in env
    assert json.loads(env["SUPERUSERS"]) == ["1", "2"]
    assert env["DATABASE_URL"] == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'steward.db'}"
    assert env["STEWARD_DATA_DIR"] == str(tmp_path.resolve()) and env["EXTRA"] == "1"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(REPO_ROOT)
    assert process.command() == [sys.executable, "-m", "bot"]
    assert BotProcess(module="bench/bare_bot.py", data_dir=tmp_path).command()[1].endswith("bare_bot.py")


@pytest.mark.e2e
async def test_bot_process_runs_bare_nonebot_end_to_end() -> None:
    async with BotProcess(module="bench/bare_bot.py", log_level="INFO") as process:
        with pytest.raises(PeerConnectError) as refused:
            await OneBotV11Peer(process.ws_url_v11, access_token="wrong").connect()
        assert refused.value.status == 403
        async with OneBotV11Peer(process.ws_url_v11, access_token=process.access_token) as peer:
            await peer.send_group_message(20001, 10002, "收到")
            await peer.send_group_message(20001, 10001, "/状态", role="owner")
            reply = await peer.wait_call("send_msg", timeout=10)
            assert reply.text == "已处理消息：2" and reply.params["message_type"] == "group"
        await process.wait_log("connected")
        code = await process.stop()
        assert process.stopped_cleanly, code
        data_dir = process.data_dir
    assert not data_dir.exists()
