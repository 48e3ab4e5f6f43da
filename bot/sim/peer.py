"""A OneBot v11 implementation as the bot sees it: a reverse-WebSocket client (like NapCat).

The peer connects to the bot, pushes events, and answers every action frame the bot sends
(``{action, params, echo}``) with ``{status, retcode, data, echo}``, returning ``echo`` exactly as
received (the adapter only matches a response whose echo is the same decimal string). Every call
is recorded so that tests can wait for what the bot did, or assert what it did not do.

The answering and recording machinery lives in :class:`ActionPeer` and is shared with the v12 peer.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bot.sim import events as ev

JSON = dict[str, Any]
Predicate = Callable[["Call"], bool]
# A responder gets the params and returns the response ``data`` (or raises ActionError to fail).
Responder = Callable[[JSON], Any | Awaitable[Any]]
ActionFilter = str | Collection[str] | None

__all__ = [
    "ActionError",
    "ActionPeer",
    "Call",
    "OneBotV11Peer",
    "PeerConnectError",
    "message_text",
]


class PeerConnectError(ConnectionError):
    """The bot refused the WebSocket handshake (``status`` is the HTTP status, e.g. 403)."""

    def __init__(self, url: str, status: int | None, reason: str = "") -> None:
        self.url = url
        self.status = status
        self.reason = reason
        super().__init__(f"WebSocket connection to {url} refused: HTTP {status} {reason}".rstrip())


class ActionError(Exception):
    """Raised by a custom responder to answer with ``status: failed``."""

    def __init__(self, retcode: int = 100, message: str = "failed", data: Any = None) -> None:
        super().__init__(message)
        self.retcode = retcode
        self.message = message
        self.data = data


def message_text(message: Any) -> str:
    """The plain text of a message parameter: a string (CQ codes kept) or a list of segments."""
    if message is None:
        return ""
    if isinstance(message, str):
        return message
    if isinstance(message, Mapping):
        message = [message]
    parts: list[str] = []
    for seg in message:
        if isinstance(seg, Mapping) and seg.get("type") == "text":
            parts.append(str((seg.get("data") or {}).get("text", "")))
    return "".join(parts)


@dataclass
class Call:
    """One action frame the bot sent, and how the peer answered it."""

    action: str
    params: JSON
    echo: Any
    time: float  # time.monotonic() when the frame arrived
    response: JSON | None = None  # None while pending, and for stalled calls
    outcome: str = "pending"  # "ok" | "failed" | "stalled" | "pending"

    @property
    def text(self) -> str:
        """Plain text of ``params["message"]`` (v11 and v12 alike)."""
        return message_text(self.params.get("message"))

    @property
    def group_id(self) -> Any:
        return self.params.get("group_id")

    @property
    def user_id(self) -> Any:
        return self.params.get("user_id")

    def __repr__(self) -> str:
        shown = self.text or json.dumps(self.params, ensure_ascii=False)[:160]
        return f"Call({self.action!r}, {shown!r}, outcome={self.outcome!r})"


@dataclass
class _Fault:
    kind: str  # "fail" | "stall"
    remaining: int | None  # None = until cleared
    retcode: int = 100
    message: str = "injected failure"
    data: Any = None


@dataclass
class _Waiter:
    matches: Callable[[Call], bool]
    future: asyncio.Future[Call] = field(repr=False)


def _action_matcher(action: ActionFilter, predicate: Predicate | None) -> Callable[[Call], bool]:
    if action is None:
        actions: Collection[str] | None = None
    elif isinstance(action, str):
        actions = (action,)
    else:
        actions = action

    def matches(call: Call) -> bool:
        if actions is not None and call.action not in actions:
            return False
        return predicate is None or bool(predicate(call))

    return matches


class ActionPeer:
    """Protocol-neutral part of a OneBot peer: socket, reader, responders, faults, call log."""

    #: retcode for an action the peer does not know (v11 convention; v12 overrides)
    unsupported_retcode = 1404
    #: retcode for params a responder cannot use (a missing or malformed field)
    bad_request_retcode = 1400

    def __init__(self, url: str, *, access_token: str | None = None, open_timeout: float = 10.0) -> None:
        self.url = url
        self.access_token = access_token
        self.open_timeout = open_timeout
        self.calls: list[Call] = []
        self.sent_events: list[JSON] = []
        self.last_sent_at: float | None = None
        self._consumed: set[int] = set()  # ids of Call objects returned by wait_call/drain
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._waiters: list[_Waiter] = []
        self._responders: dict[str, Responder] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._message_ids = itertools.count(1)
        self._closed_event = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason: str | None = None

    # --- connection ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.access_token is not None:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return headers

    async def _after_connect(self) -> None:
        """Hook for the first frames an implementation sends once connected."""

    async def connect(self, retry_for: float = 0.0) -> None:
        """Open the reverse WebSocket; raise :class:`PeerConnectError` if the bot refuses it.

        ``retry_for`` keeps retrying a refused TCP connection (not an HTTP refusal) for that many
        seconds, as implementations do while the bot restarts. Recorded calls survive a reconnect.
        """
        if self._ws is not None:
            raise RuntimeError("peer is already connected")
        deadline = time.monotonic() + retry_for
        while True:
            try:
                await self._open()
                break
            except PeerConnectError as exc:
                if exc.status is not None or time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.1)
        self._closed_event.clear()
        self._reader = asyncio.create_task(self._read_loop(), name=f"onebot-sim-reader {self.url}")
        await self._after_connect()

    async def _open(self) -> None:
        try:
            self._ws = await connect(
                self.url,
                additional_headers=self._headers(),
                user_agent_header="OneBotSim/1.0",
                # Real implementations do not compress; deflate would also skew the benchmark.
                compression=None,
                # Never route the loopback connection through a proxy from the environment.
                proxy=None,
                open_timeout=self.open_timeout,
                ping_interval=None,
                max_size=None,
                max_queue=None,
            )
        except InvalidStatus as exc:
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            status = exc.response.status_code
            raise PeerConnectError(self.url, status, body or exc.response.reason_phrase) from exc
        except (OSError, TimeoutError) as exc:
            raise PeerConnectError(self.url, None, str(exc) or type(exc).__name__) from exc

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._closed_event.is_set()

    async def close(self) -> None:
        """Close the socket and stop answering; recorded calls stay for inspection."""
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
            self._reader = None
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self._closed_event.set()

    async def wait_closed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - test-facing API
        """Wait until the bot closes the connection (e.g. when it shuts down)."""
        await asyncio.wait_for(self._closed_event.wait(), timeout)

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- sending -------------------------------------------------------------------------------

    def _require_ws(self) -> ClientConnection:
        if self._ws is None:
            raise RuntimeError("peer is not connected")
        return self._ws

    async def send_raw(self, frame: str | bytes) -> None:
        """Send a frame verbatim (malformed input tests, pre-encoded benchmark events)."""
        await self._require_ws().send(frame)
        self.last_sent_at = time.monotonic()

    async def send_event(self, event: JSON) -> JSON:
        """Send one event (a dict from :mod:`bot.sim.events`); returns it for chaining."""
        await self.send_raw(json.dumps(event, ensure_ascii=False))
        self.sent_events.append(event)
        return event

    # --- answering -----------------------------------------------------------------------------

    def on(self, action: str, responder: Responder) -> None:
        """Answer ``action`` with ``responder(params)`` (sync or async) instead of the default."""
        self._responders[action] = responder

    def fail(
        self,
        action: str,
        times: int | None = 1,
        *,
        retcode: int = 100,
        message: str = "injected failure",
        data: Any = None,
    ) -> None:
        """Answer the next ``times`` calls of ``action`` with ``status: failed`` (None = until cleared)."""
        self._faults.setdefault(action, []).append(_Fault("fail", times, retcode, message, data))

    def stall(self, action: str, times: int | None = 1) -> None:
        """Never answer the next ``times`` calls of ``action``, so the bot's call times out."""
        self._faults.setdefault(action, []).append(_Fault("stall", times))

    def clear_faults(self, action: str | None = None) -> None:
        if action is None:
            self._faults.clear()
        else:
            self._faults.pop(action, None)

    def _take_fault(self, action: str) -> _Fault | None:
        faults = self._faults.get(action)
        if not faults:
            return None
        fault = faults[0]
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.pop(0)
        return fault

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def default_response(self, action: str, params: JSON) -> Any:
        """Data for ``action`` when no custom responder is set; raise ActionError for unknown ones."""
        raise ActionError(self.unsupported_retcode, f"unsupported action: {action}")

    def _envelope(self, *, ok: bool, retcode: int, data: Any, message: str, echo: Any) -> JSON:
        frame: JSON = {
            "status": "ok" if ok else "failed",
            "retcode": retcode,
            "data": data,
            "message": message,
            "wording": message,
        }
        if echo is not None:
            frame["echo"] = echo
        return frame

    async def _answer(self, call: Call) -> None:
        fault = self._take_fault(call.action)
        if fault is not None and fault.kind == "stall":
            call.outcome = "stalled"
            self._notify(call)
            return
        if fault is not None:
            response = self._envelope(
                ok=False, retcode=fault.retcode, data=fault.data, message=fault.message, echo=call.echo
            )
        else:
            try:
                responder = self._responders.get(call.action)
                if responder is not None:
                    data = responder(call.params)
                    if inspect.isawaitable(data):
                        data = await data
                else:
                    data = self.default_response(call.action, call.params)
                response = self._envelope(ok=True, retcode=0, data=data, message="", echo=call.echo)
            except ActionError as exc:
                response = self._envelope(
                    ok=False, retcode=exc.retcode, data=exc.data, message=exc.message, echo=call.echo
                )
            except Exception as exc:
                # Params the responder cannot use (e.g. no group_id) are the bot's bug to see, not a
                # reason for the simulator's reader to die: answer as an implementation would.
                response = self._envelope(
                    ok=False,
                    retcode=self.bad_request_retcode,
                    data=None,
                    message=f"bad request: {exc!r}",
                    echo=call.echo,
                )
        call.response = response
        call.outcome = response["status"]
        # Record and wake waiters before the bot sees the answer, so a test that waits for the call
        # is never later than the bot's own reaction to it.
        self._notify(call)
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps(response, ensure_ascii=False))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_loop(self) -> None:
        ws = self._require_ws()
        try:
            async for frame in ws:
                try:
                    data = json.loads(frame)
                except ValueError:
                    continue
                if not isinstance(data, dict) or "action" not in data:
                    continue
                params = data.get("params")
                call = Call(
                    action=str(data["action"]),
                    params=params if isinstance(params, dict) else {},
                    echo=data.get("echo"),
                    time=time.monotonic(),
                )
                self.calls.append(call)
                if call.action in self._responders:
                    # Custom responders may await (e.g. to delay an answer): keep the reader free.
                    self._spawn(self._answer(call))
                else:
                    await self._answer(call)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = ws.close_code
            self.close_reason = ws.close_reason
            if self._ws is ws:
                self._ws = None  # so that connect() can be called again after the bot hung up
            self._closed_event.set()
            for waiter in self._waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(ConnectionError("OneBot connection closed"))
            self._waiters.clear()

    # --- waiting and inspecting ----------------------------------------------------------------

    def _notify(self, call: Call) -> None:
        for waiter in list(self._waiters):
            if waiter.future.done() or id(call) in self._consumed:
                continue
            if waiter.matches(call):
                self._consumed.add(id(call))
                waiter.future.set_result(call)
                self._waiters.remove(waiter)

    def pending_calls(self, action: ActionFilter = None, predicate: Predicate | None = None) -> list[Call]:
        """Answered-or-stalled calls not yet returned by :meth:`wait_call` / :meth:`drain`."""
        matches = _action_matcher(action, predicate)
        return [
            c for c in self.calls if c.outcome != "pending" and id(c) not in self._consumed and matches(c)
        ]

    def calls_of(self, action: ActionFilter = None, predicate: Predicate | None = None) -> list[Call]:
        """Every recorded call of ``action`` (consumed or not)."""
        matches = _action_matcher(action, predicate)
        return [c for c in self.calls if matches(c)]

    async def wait_call(
        self,
        action: ActionFilter = None,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - test-facing API
    ) -> Call:
        """Return the earliest call of ``action`` (a name, several names, or None for any) that
        satisfies ``predicate`` and was not returned before; wait up to ``timeout`` seconds for it.

        Each call is returned once, so waiting twice for ``send_msg`` yields two different replies.
        """
        existing = self.pending_calls(action, predicate)
        if existing:
            self._consumed.add(id(existing[0]))
            return existing[0]
        if self._closed_event.is_set():
            raise ConnectionError("OneBot connection closed")
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(_action_matcher(action, predicate), future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recent = ", ".join(repr(c) for c in self.calls[-5:]) or "none"
            raise AssertionError(
                f"no {action or 'action'} call matching within {timeout}s; last calls: {recent}"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    async def wait_no_call(
        self, action: ActionFilter = None, predicate: Predicate | None = None, within: float = 1.0
    ) -> None:
        """Assert that no (unconsumed) matching call arrives within ``within`` seconds."""
        try:
            call = await self.wait_call(action, predicate, timeout=within)
        except AssertionError:
            return
        raise AssertionError(f"unexpected call: {call!r}")

    async def drain(self, quiet: float = 0.2, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until no new call arrives for ``quiet`` seconds, then return and consume the rest."""
        deadline = time.monotonic() + timeout
        seen = -1
        while len(self.calls) != seen and time.monotonic() < deadline:
            seen = len(self.calls)
            await asyncio.sleep(quiet)
        rest = self.pending_calls()
        self._consumed.update(id(c) for c in rest)
        return rest

    def clear(self) -> None:
        """Forget every recorded call and sent event (faults and responders stay)."""
        self.calls.clear()
        self._consumed.clear()
        self.sent_events.clear()


class OneBotV11Peer(ActionPeer):
    """A NapCat-like OneBot v11 implementation connected to ``ws://…/onebot/v11/ws``.

    ``groups`` maps a group id to its info (``group_name`` …) and ``members`` a group id to member
    dicts (any subset of :func:`bot.sim.events.member_info` fields); the default responders answer
    ``get_group_info`` / ``get_group_member_list`` / ``get_group_member_info`` from them.
    ``report_self_message`` echoes every message the bot sends back as a ``message_sent`` event,
    as NapCat does with its "report self message" option.
    """

    def __init__(
        self,
        url: str,
        *,
        self_id: int = ev.DEFAULT_SELF_ID,
        access_token: str | None = None,
        impl: ev.Impl = "napcat",
        nickname: str = "工作群管家",
        groups: Mapping[int, Mapping[str, Any]] | None = None,
        members: Mapping[int, Iterable[Mapping[str, Any]]] | None = None,
        lifecycle_on_connect: bool = True,
        report_self_message: bool = False,
        open_timeout: float = 10.0,
    ) -> None:
        super().__init__(url, access_token=access_token, open_timeout=open_timeout)
        self.self_id = self_id
        self.report_self_message = report_self_message
        self.impl = impl
        self.nickname = nickname
        self.lifecycle_on_connect = lifecycle_on_connect
        self.groups: dict[int, dict[str, Any]] = {int(g): dict(info) for g, info in (groups or {}).items()}
        self.members: dict[int, list[dict[str, Any]]] = {}
        for gid, entries in (members or {}).items():
            self.set_members(gid, entries)
        self._message_ids = itertools.count(ev.next_message_id() + 5_000_000)
        self._heartbeat: asyncio.Task[None] | None = None
        # Forwarded records (合并转发) the peer knows: id → messages (see ``events.forward_node``).
        self.forwards: dict[str, list[JSON]] = {}

    def _headers(self) -> dict[str, str]:
        # NapCat's reverse-WS client sends both; the adapter requires X-Self-ID.
        return {**super()._headers(), "X-Self-ID": str(self.self_id), "X-Client-Role": "Universal"}

    async def _after_connect(self) -> None:
        if self.lifecycle_on_connect:
            await self.send_lifecycle_connect()

    async def send_lifecycle_connect(self) -> JSON:
        return await self.send_event(ev.lifecycle("connect", self_id=self.self_id))

    async def send_heartbeat(self, interval_ms: int = 30_000) -> JSON:
        return await self.send_event(ev.heartbeat(interval_ms=interval_ms, self_id=self.self_id))

    def start_heartbeat(self, interval: float = 30.0) -> None:
        """Send a heartbeat meta event every ``interval`` seconds until :meth:`close`."""

        async def beat() -> None:
            while self.connected:
                await self.send_heartbeat(int(interval * 1000))
                await asyncio.sleep(interval)

        self._heartbeat = asyncio.create_task(beat())
        self._tasks.add(self._heartbeat)
        self._heartbeat.add_done_callback(self._tasks.discard)

    # --- convenience: build with this peer's self_id and impl, then send -------------------------

    async def send_group_message(
        self, group_id: int, user_id: int, message: ev.MessageLike, **kwargs: Any
    ) -> JSON:
        """Build :func:`bot.sim.events.group_message` for this peer and send it."""
        kwargs.setdefault("impl", self.impl)
        kwargs.setdefault("group_name", self.groups.get(group_id, {}).get("group_name"))
        return await self.send_event(
            ev.group_message(group_id, user_id, message, self_id=self.self_id, **kwargs)
        )

    async def send_private_message(self, user_id: int, message: ev.MessageLike, **kwargs: Any) -> JSON:
        kwargs.setdefault("impl", self.impl)
        return await self.send_event(ev.private_message(user_id, message, self_id=self.self_id, **kwargs))

    # --- state ---------------------------------------------------------------------------------

    def set_members(self, group_id: int, entries: Iterable[Mapping[str, Any]]) -> None:
        """Replace a group's member list; missing fields are filled as ``impl`` would fill them."""
        full = []
        for entry in entries:
            base = ev.member_info(group_id, int(entry["user_id"]), impl=self.impl)
            base.update(entry)
            full.append(base)
        self.members[int(group_id)] = full

    def add_member(self, group_id: int, user_id: int, **fields: Any) -> None:
        self.members.setdefault(int(group_id), []).append(
            {**ev.member_info(group_id, user_id, impl=self.impl), **fields}
        )

    def remove_member(self, group_id: int, user_id: int) -> None:
        self.members[int(group_id)] = [
            m for m in self.members.get(int(group_id), []) if int(m["user_id"]) != int(user_id)
        ]

    async def _report_self_message(self, action: str, params: JSON, message_id: int) -> None:
        await asyncio.sleep(0)  # let the action's answer go out first, as NapCat orders them
        if action == "send_msg":
            # send_msg without message_type goes to the group when a group_id is given (OneBot v11).
            kind = params.get("message_type") or ("group" if "group_id" in params else "private")
            group = kind == "group"
        else:
            group = action == "send_group_msg"
        message = params.get("message")
        segments = message if isinstance(message, list) else ev.to_segments(str(message or ""))
        event = ev.self_sent_message(
            segments,
            group_id=int(params["group_id"]) if group else None,
            target_id=None if group else int(params["user_id"]),
            impl=self.impl,
            message_id=message_id,
            self_id=self.self_id,
        )
        with contextlib.suppress(ConnectionClosed, RuntimeError):
            await self.send_event(event)

    def _group_info(self, group_id: int) -> JSON:
        info: JSON = {
            "group_id": group_id,
            "group_name": f"工作群{group_id}",
            "group_memo": "",
            "group_create_time": 0,
            "member_count": len(self.members.get(group_id, [])),
            "max_member_count": 500,
        }
        info.update(self.groups.get(group_id, {}))
        return info

    def _sent_message(self, message_id: int) -> JSON | None:
        for event in reversed(self.sent_events):
            if event.get("post_type") in ("message", "message_sent") and str(event.get("message_id")) == str(
                message_id
            ):
                return event
        return None

    def default_response(self, action: str, params: JSON) -> Any:
        def gid() -> int:
            return int(params["group_id"])

        match action:
            case "send_msg" | "send_group_msg" | "send_private_msg":
                message_id = self.next_message_id()
                if self.report_self_message:
                    self._spawn(self._report_self_message(action, params, message_id))
                return {"message_id": message_id}
            case "send_group_forward_msg" | "send_private_forward_msg":
                return {"message_id": self.next_message_id()}
            case (
                "delete_msg"
                | "set_group_ban"
                | "set_group_whole_ban"
                | "set_group_add_request"
                | "set_friend_add_request"
                | "set_group_card"
                | "set_group_name"
                | "set_group_leave"
                | "set_group_admin"
                | "set_group_special_title"
                | "set_essence_msg"
                | "mark_msg_as_read"
            ):
                return None
            case "set_group_kick":
                self.remove_member(gid(), int(params["user_id"]))
                return None
            case "get_login_info":
                return {"user_id": self.self_id, "nickname": self.nickname}
            case "get_status":
                return {"online": True, "good": True, "stat": {}}
            case "get_version_info":
                names = {
                    "napcat": "NapCat.Onebot",
                    "lagrange": "Lagrange.OneBot",
                    "llonebot": "LLOneBot",
                    "gocq": "go-cqhttp",
                }
                return {"app_name": names[self.impl], "app_version": "sim", "protocol_version": "v11"}
            case "get_group_list":
                ids = sorted(set(self.groups) | set(self.members))
                return [self._group_info(g) for g in ids]
            case "get_group_info":
                return self._group_info(gid())
            case "get_group_member_list":
                return [dict(m) for m in self.members.get(gid(), [])]
            case "get_group_member_info":
                uid = int(params["user_id"])
                for member in self.members.get(gid(), []):
                    if int(member["user_id"]) == uid:
                        return dict(member)
                if gid() in self.members:
                    raise ActionError(100, "不存在该群成员")
                return ev.member_info(gid(), uid, impl=self.impl)
            case "get_stranger_info":
                uid = int(params["user_id"])
                return {"user_id": uid, "nickname": f"用户{uid}", "sex": "unknown", "age": 0}
            case "get_friend_list":
                return []
            case "get_msg":
                event = self._sent_message(int(params["message_id"]))
                if event is None:
                    raise ActionError(100, "消息不存在")
                reply: dict[str, Any] = {
                    k: event[k]
                    for k in ("time", "message_type", "message_id", "sender", "message")
                    if k in event
                }
                reply["real_id"] = event.get("real_id", event["message_id"])
                return reply
            case "can_send_image" | "can_send_record":
                return {"yes": True}
            case "get_forward_msg":
                fid = str(params.get("message_id") or params.get("id") or "")
                if fid not in self.forwards:
                    raise ActionError(100, "消息不存在")
                return {"messages": [dict(m) for m in self.forwards[fid]]}
            case _:
                return super().default_response(action, params)
