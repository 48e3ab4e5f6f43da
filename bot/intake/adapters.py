"""OneBot adapters with a repairing, counting event parser.

We subclass rather than monkeypatch: the app registers these classes instead of the stock ones.
An event that still cannot be understood is logged with its type and the failing fields — never its
content, which may carry personal data — and counted for /状态.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import time
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any, cast

from loguru import logger
from nonebot.adapters import Message as BaseMessage
from nonebot.adapters.onebot import v11, v12
from nonebot.adapters.onebot.utils import get_auth_bearer
from nonebot.adapters.onebot.v11 import Adapter as V11Adapter
from nonebot.adapters.onebot.v11 import Bot as V11Bot
from nonebot.adapters.onebot.v11 import Event as V11Event
from nonebot.adapters.onebot.v11.adapter import DEFAULT_MODELS as V11_MODELS
from nonebot.adapters.onebot.v12 import Adapter as V12Adapter
from nonebot.adapters.onebot.v12 import Bot as V12Bot
from nonebot.adapters.onebot.v12 import ConnectMetaEvent, MetaEvent, StatusUpdateMetaEvent
from nonebot.adapters.onebot.v12 import Event as V12Event
from nonebot.adapters.onebot.v12.adapter import DEFAULT_MODELS as V12_MODELS
from nonebot.adapters.onebot.v12.utils import flattened_to_nested
from nonebot.compat import type_validate_python
from nonebot.drivers import HTTPServerSetup, Request, Response, WebSocket
from nonebot.exception import NoLogException, WebSocketClosed
from pydantic import BaseModel, ValidationError, model_validator

from bot.intake import frames
from bot.intake.payloads import TIME_REPLACED, event_kind, sanitize_v11, sanitize_v12
from bot.intake.stats import stats
from bot.settings import OneBotCredentials, onebot_credentials, onebot_secret, onebot_token


def _why(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['type']}" for err in e.errors()[:3])
    return type(e).__name__


def _validate(model: type, data: dict[str, Any]) -> Any:
    # nonebot.compat.type_validate_python builds a pydantic TypeAdapter (schema and validator) on
    # every call; an event model is a BaseModel with its validator built once, with the class.
    if issubclass(model, BaseModel):
        return model.model_validate(data)
    return type_validate_python(model, data)


def _prebuilt(data: dict[str, Any], message: type[Any], segment: type[Any]) -> dict[str, Any]:
    """``data`` with its array message built as a ``Message`` of segments. NoneBot's validator builds
    a pydantic TypeAdapter for every segment, twice per event (``original_message`` is a deep copy
    validated again): most of an event's parsing cost. A built message passes it as is. Anything
    that is not a list of ``{type: str, data: dict}`` is left to NoneBot's validator (and its errors)."""
    segments = data.get("message")
    if not isinstance(segments, list):
        return data
    built = []
    for seg in segments:
        if (
            not isinstance(seg, dict)
            or not isinstance(seg.get("type"), str)
            or not isinstance(seg.get("data"), dict)
        ):
            return data
        built.append(segment(seg["type"], seg["data"]))
    return {**data, "message": message(built)}


_V11_KEYS = ("post_type", "message_type", "notice_type", "request_type", "meta_event_type", "sub_type")
_v11_model_cache: dict[tuple[Any, ...], list[type]] = {}


def _v11_models(adapter: type[V11Adapter], data: dict[str, Any]) -> Iterable[type]:
    """The adapter's candidate models for ``data``, most specific first. NoneBot walks a trie for
    every event; the answer depends only on the type fields (and the registered models)."""
    key = (len(adapter.event_models.models), *(data.get(k) for k in _V11_KEYS))
    try:
        models = _v11_model_cache.get(key)
    except TypeError:  # an unhashable type field: let the adapter decide (and fail) as it would
        return adapter.get_event_model(data)
    if models is None:
        try:
            models = list(adapter.get_event_model(data))
        except Exception:  # a payload the lookup rejects: _parse counts it as the adapter would
            return adapter.get_event_model(data)
        if len(_v11_model_cache) < 256:  # type fields come from a small set; garbage is not cached
            _v11_model_cache[key] = models
    return models


def _parse(models: Iterable[type], base: type, data: dict[str, Any]) -> Any:
    """Try the models from most to least specific. An event that fits none of them is skipped and
    counted: NoneBot's base `Event` fallback would reach handlers as an event that has no message,
    no group and no sender (each a traceback further on), and nothing here can act on it."""
    first_error: Exception | None = None
    chosen: Any = None
    try:
        # The base Event (or a quiet subclass of it adding nothing) is no fallback; see above.
        fields = base.model_fields.keys()  # type: ignore[attr-defined]
        models = [m for m in models if m.model_fields.keys() != fields]  # type: ignore[attr-defined]
    except Exception as e:  # the model lookup itself rejects payloads lacking their type keys
        models, first_error = [], e
    for model in models:
        try:
            chosen = _validate(model, data)
            break
        except Exception as e:
            first_error = first_error or e  # the most specific model's error says the most
    kind = event_kind(data)
    stats.events[kind] += 1
    if first_error is not None:
        # A generic model (e.g. NoticeEvent for an unknown notice) may still have matched.
        frames.skipped(kind, _why(first_error)) if chosen is None else _unfit(kind, first_error)
    return chosen


def _unfit(kind: str, error: Exception) -> None:
    stats.unparsed[kind] += 1
    frames.log.warning(kind, f"OneBot event {kind} only fits a generic model: {_why(error)}")


# NoneBot renders every event's log line (the whole message text) before any log filter runs.
# Message text may carry personal data and must not reach the logs, and rendering it is measurable
# cost on every message; these models opt out at the source. Intake logs types and counters only.
_ADAPTER = "OneBot"
_REPR_FIELDS = ("message_id", "group_id", "user_id", "flag")


def _with_original(values: Any) -> Any:
    """The message models keep an ``original_message`` beside ``message`` (which NoneBot's Bot may
    trim: a leading @bot, a reply). The stock validator deep-copies the raw message, which is then
    validated a second time; a message built by :func:`_prebuilt` is copied segment by segment."""
    if not isinstance(values, dict) or "message" not in values:
        return values
    message = values["message"]
    if isinstance(message, BaseMessage):
        copied = type(message)(type(seg)(seg.type, dict(seg.data)) for seg in message)
    else:
        copied = deepcopy(message)
    return {**values, "original_message": copied}


class _Quiet:
    """NoneBot's matcher formats ``repr(event)`` into a trace line for every event it runs, whatever
    the log level: pydantic's repr renders every field (the whole message, a join request's comment)
    and was a measurable share of a message's cost. Ours names the event and its ids only."""

    def get_log_string(self) -> str:
        raise NoLogException(_ADAPTER)

    def __repr__(self) -> str:
        ids = ", ".join(f"{k}={v!r}" for k in _REPR_FIELDS if (v := getattr(self, k, None)) is not None)
        return f"{type(self).__name__}({ids})"


class QuietV11GroupMessage(_Quiet, v11.GroupMessageEvent):
    @model_validator(mode="before")
    @classmethod
    def check_message(cls, values: Any) -> Any:
        return _with_original(values)


class QuietV11PrivateMessage(_Quiet, v11.PrivateMessageEvent):
    @model_validator(mode="before")
    @classmethod
    def check_message(cls, values: Any) -> Any:
        return _with_original(values)


class QuietV11GroupRequest(_Quiet, v11.GroupRequestEvent):
    """A join request's comment holds the applicant's name, department, sometimes a phone."""


class QuietV12GroupMessage(_Quiet, v12.GroupMessageEvent):
    @model_validator(mode="before")
    @classmethod
    def check_message(cls, values: Any) -> Any:
        return _with_original(values)


class QuietV12PrivateMessage(_Quiet, v12.PrivateMessageEvent):
    @model_validator(mode="before")
    @classmethod
    def check_message(cls, values: Any) -> Any:
        return _with_original(values)


# --- authentication --------------------------------------------------------------------------
# Every route that takes events checks credentials (SPEC §11). NoneBot's stock checks fall short:
# the v11 HTTP POST route checks only ONEBOT_SECRET (no secret → anyone may post events), a token
# of spaces counts as a token, and tokens are compared in non-constant time. The HTTP POST
# intake is served only in HTTP mode (ONEBOT_V11_API_ROOTS / ONEBOT_V12_API_ROOTS set): without API
# roots the bot could not answer over HTTP anyway, and the route would only be a way to inject
# events for an account connected over WebSocket.


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.strip().encode(), expected.encode())


def _refused(status: int, why: str, route: str) -> Response:
    logger.warning(f"refused a OneBot {route} request: {why}")
    return Response(status, content=why)


def _token_check(expected: str | None, given: str | None, route: str) -> Response | None:
    if expected is None:
        return None  # no token configured: loopback only (bot.settings.check_listen_security)
    if _same(given, expected):
        return None
    why = "Authorization Header is invalid" if given else "Missing Authorization Header"
    return _refused(403, why, route)


class _Credentials:
    @functools.cached_property
    def credentials(self) -> OneBotCredentials:
        """Tokens and secret as the stock adapter reads its config (environment included)."""
        return onebot_credentials()


class StewardV11Adapter(_Credentials, V11Adapter):
    def setup_http_server(self, setup: HTTPServerSetup) -> None:
        if self.onebot_config.onebot_api_roots:  # HTTP mode; otherwise no HTTP POST intake at all
            super().setup_http_server(setup)

    def _check_access_token(self, request: Request) -> Response | None:
        given = get_auth_bearer(request.headers.get("authorization"))
        return _token_check(onebot_token(self.credentials, "v11"), given, "v11")

    def _check_signature(self, request: Request) -> Response | None:
        """HTTP POST: the ONEBOT_SECRET signature or the access token (NapCat sends the token,
        go-cqhttp the signature). A signature that is present must be right."""
        secret = onebot_secret(self.credentials)
        signature = request.headers.get("x-signature")
        if secret is not None and signature:
            body = request.content or b""
            body = body if isinstance(body, bytes) else body.encode("utf-8")
            expected = "sha1=" + hmac.new(secret.encode("utf-8"), body, "sha1").hexdigest()
            if hmac.compare_digest(signature.strip().encode(), expected.encode()):
                return None
            return _refused(403, "Signature is invalid", "v11 HTTP")
        if onebot_token(self.credentials, "v11") is not None:
            return self._check_access_token(request)
        if secret is not None:
            return _refused(401, "Missing Signature", "v11 HTTP")
        return None

    async def _handle_http(self, request: Request) -> Response:
        self_id = request.headers.get("x-self-id")
        if not self_id:
            return _refused(400, "Missing X-Self-ID Header", "v11 HTTP")
        denied = self._check_signature(request)
        if denied is not None:
            return denied
        # Only the accounts the bot calls over HTTP post over HTTP: events for an account that is
        # connected over WebSocket arrive there, never here.
        if self_id not in {str(k) for k in self.onebot_config.onebot_api_roots}:
            return _refused(403, "X-Self-ID is not an HTTP account", "v11 HTTP")
        received = time.time()
        try:
            json_data = frames.decode(request.content or b"", msgpack_binary=False)
        except frames.BadFrame as e:
            frames.skipped(f"frame:{e.reason}", "v11 HTTP")
            return _refused(400, "Invalid request body", "v11 HTTP")
        if event := _safely(self.json_to_event, json_data, received=received):
            bot = cast(V11Bot | None, self.bots.get(self_id))
            if bot is None:
                bot = V11Bot(self, self_id)
                self.bot_connect(bot)
            task = asyncio.create_task(bot.handle_event(event))
            task.add_done_callback(self.tasks.discard)
            self.tasks.add(task)
        return Response(204)

    async def _handle_ws(self, websocket: WebSocket) -> None:
        """The stock loop, except that each frame is decoded once, defensively, and one that cannot be
        understood is skipped and counted instead of closing the connection (NapCat would
        reconnect, but events in flight would be lost)."""
        self_id = websocket.request.headers.get("x-self-id")
        if not self_id:
            await websocket.close(1008, "Missing X-Self-ID Header")
            return
        if self_id in self.bots:
            logger.warning(f"a second connection for account {self_id} was refused")
            await websocket.close(1008, "Duplicate X-Self-ID")
            return
        response = self._check_access_token(websocket.request)
        if response is not None:
            await websocket.close(1008, cast(str, response.content))
            return
        await websocket.accept()
        bot = V11Bot(self, self_id)
        self.bot_connect(bot)
        self.connections[self_id] = websocket
        try:
            while True:
                data = await websocket.receive()
                if event := _frame_to_event(self.json_to_event, data, msgpack_binary=False):
                    task = asyncio.create_task(bot.handle_event(event))
                    task.add_done_callback(self.tasks.discard)
                    self.tasks.add(task)
        except WebSocketClosed:
            logger.warning(f"OneBot v11 connection of account {self_id} closed by the implementation")
        except Exception as e:
            logger.error(f"OneBot v11 connection of account {self_id} failed: {type(e).__name__}: {e}")
        finally:
            with contextlib.suppress(Exception):
                await websocket.close()
            self.connections.pop(self_id, None)
            self.bot_disconnect(bot)

    @classmethod
    def json_to_event(cls, json_data: Any, received: float | None = None) -> V11Event | None:  # type: ignore[override]
        if not isinstance(json_data, dict):
            return None
        if "post_type" not in json_data:
            _add_result(cls._result_store, json_data)
            return None
        data = sanitize_v11(json_data, received)
        if TIME_REPLACED in data and data.get("post_type") != "meta_event":
            stats.time_replaced += 1
        if data.get("post_type") == "message_sent":
            stats.self_sent += 1  # NapCat reports the bot's own messages; nothing to act on
            return None
        return _parse(_v11_models(cls, data), V11Event, _prebuilt(data, v11.Message, v11.MessageSegment))


class StewardV12Adapter(_Credentials, V12Adapter):
    def setup_http_server(self, setup: HTTPServerSetup) -> None:
        if self.onebot_config.onebot_api_roots:  # HTTP (webhook) mode only
            super().setup_http_server(setup)

    def _check_access_token(self, request: Request) -> Response | None:
        given = get_auth_bearer(request.headers.get("authorization"))
        if given is None:
            given = request.url.query.get("access_token")  # OneBot 12 allows the query parameter
        return _token_check(onebot_token(self.credentials, "v12"), given, "v12")

    async def _handle_ws(self, websocket: WebSocket) -> None:
        """The stock v12 loop (connect handshake, status updates, one NoneBot bot per account), except
        that each frame — text JSON or binary msgpack — is decoded once, defensively, and one that
        cannot be understood, or an event that names no account (`self`), is skipped and counted
        instead of closing the connection."""
        response = self._check_access_token(websocket.request)
        if response is not None:
            await websocket.close(1008, cast(str, response.content))
            return
        await websocket.accept()
        bots: dict[str, V12Bot] = {}
        try:
            first = _frame_to_event(self.json_to_event, await websocket.receive(), msgpack_binary=True)
            if not isinstance(first, ConnectMetaEvent):
                logger.warning("a OneBot v12 connection did not start with meta.connect; closed")
                await websocket.close(1008, "Missing connect meta event")
                return
            impl = first.version.impl
            to_event = functools.partial(self.json_to_event, impl=impl)
            while True:
                event = _frame_to_event(to_event, await websocket.receive(), msgpack_binary=True)
                if event is None:
                    continue
                if isinstance(event, StatusUpdateMetaEvent):
                    _safely(self._handle_status_update, event, impl, bots, websocket)
                if isinstance(event, MetaEvent):
                    for each in bots.values():
                        self._spawn(each, event)
                    continue
                self_ = getattr(event, "self", None)
                self_id = getattr(self_, "user_id", None)
                if not isinstance(self_id, str) or not self_id:
                    frames.skipped(f"{event_kind_of(event)}:no-self")
                    continue
                bot = bots.get(self_id)
                if bot is None:
                    bot = V12Bot(self, self_id, impl, self_.platform)  # type: ignore[union-attr]
                    self.bot_connect(bot)
                    bots[self_id] = bot
                    self.connections[self_id] = websocket
                    logger.info(f"OneBot v12 account {self_id} connected")
                self._spawn(bot, event)
        except WebSocketClosed:
            logger.warning(f"OneBot v12 connection of {', '.join(bots) or '-'} closed by the peer")
        except Exception as e:
            logger.error(f"OneBot v12 connection of {', '.join(bots) or '-'} failed: {type(e).__name__}")
        finally:
            with contextlib.suppress(Exception):
                await websocket.close()
            for self_id, bot in bots.items():
                self.connections.pop(self_id, None)
                self.bot_disconnect(bot)

    def _spawn(self, bot: V12Bot, event: V12Event) -> None:
        task = asyncio.create_task(bot.handle_event(event))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    @classmethod
    def json_to_event(  # type: ignore[override]
        cls, json_data: Any, impl: str | None = None, received: float | None = None
    ) -> V12Event | None:
        if not isinstance(json_data, dict):
            return None
        data = flattened_to_nested(json_data)
        if "type" not in data:
            _add_result(cls._result_store, data)
            return None
        data = sanitize_v12(data, received)
        if TIME_REPLACED in data and data.get("type") != "meta":
            stats.time_replaced += 1
        data = _prebuilt(data, v12.Message, v12.MessageSegment)
        return _parse(cls.get_event_model(data, impl), V12Event, data)


def event_kind_of(event: Any) -> str:
    return ".".join(str(getattr(event, a, "?")) for a in ("type", "detail_type"))


def _add_result(store: Any, data: dict[str, Any]) -> None:
    # A response whose echo is a duplicate (future already done) or absurd must not end the loop.
    try:
        store.add_result(data)
    except Exception as e:
        frames.skipped("response:invalid", type(e).__name__)


def _safely(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a step of frame handling; anything it raises is counted and logged (rate-limited, by
    exception type only: the frame may carry personal data), never a traceback, never the end of
    the connection."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:
        frames.skipped(f"internal:{type(e).__name__}", getattr(fn, "__qualname__", ""))
        return None


def _frame_to_event(to_event: Callable[..., Any], raw: str | bytes, *, msgpack_binary: bool) -> Any:
    """Decode one frame (once) and build its event; None when it is not an event or is skipped."""
    received = time.time()
    try:
        data = frames.decode(raw, msgpack_binary=msgpack_binary)
    except frames.BadFrame as e:
        frames.skipped(f"frame:{e.reason}")
        return None
    return _safely(to_event, data, received=received)


StewardV11Adapter.add_custom_model(QuietV11GroupMessage, QuietV11PrivateMessage, QuietV11GroupRequest)
StewardV12Adapter.add_custom_model(QuietV12GroupMessage, QuietV12PrivateMessage)


def _no_log(self: Any) -> str:
    raise NoLogException(_ADAPTER)


def _quiet(model: type) -> type:
    return type(f"Quiet{model.__name__}", (model,), {"get_log_string": _no_log, "__module__": __name__})


# Every other model too: NoneBot's generic models (NoticeEvent, RequestEvent, the base Event …) log
# the whole payload — a friend request's comment with name and phone, a card change, an unknown
# notice's text. No OneBot event reaches the log through NoneBot; bot/logs.py filters the sink too.
_QUIET_ALREADY = (v11.GroupMessageEvent, v11.PrivateMessageEvent, v11.GroupRequestEvent)
_QUIET_ALREADY_V12 = (v12.GroupMessageEvent, v12.PrivateMessageEvent)
# (NoneBot's model lists grow with add_custom_model: skip our own models.)
_LOUD_V11 = [m for m in V11_MODELS if m not in _QUIET_ALREADY and m.__module__ != __name__]
_LOUD_V12 = [m for m in V12_MODELS if m not in _QUIET_ALREADY_V12 and m.__module__ != __name__]
StewardV11Adapter.add_custom_model(*(_quiet(m) for m in _LOUD_V11))
StewardV12Adapter.add_custom_model(*(_quiet(m) for m in _LOUD_V12))
