"""A OneBot implementation's HTTP API, for HTTP mode (`ONEBOT_V11_API_ROOTS`): the bot POSTs each
action to ``<root>/<action>`` and reads the answer from the response.

It answers with a simulator peer's logic (`OneBotV11Peer` without a WebSocket): the calls land in
the peer's `calls`, so `peer.wait_call` works as over WebSocket. A request without the right
``Authorization: Bearer <token>`` is refused with 401 and counted in `refused`. Stdlib asyncio only:
a handful of small JSON requests, HTTP/1.1 with keep-alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from types import TracebackType
from typing import Any

from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.ports import free_port

__all__ = ["OneBotHTTPAPI"]


class OneBotHTTPAPI:
    def __init__(self, peer: OneBotV11Peer, *, access_token: str | None, host: str = "127.0.0.1") -> None:
        self.peer = peer
        self.access_token = access_token
        self.host = host
        self.port = 0
        self.refused = 0
        self._server: asyncio.Server | None = None

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> OneBotHTTPAPI:
        self.port = free_port(self.host)
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, path, _version = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, answer = await self._handle(path, headers, body)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Unauthorized'}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if self.access_token is not None and headers.get("authorization") != f"Bearer {self.access_token}":
            self.refused += 1
            return 401, {"status": "failed", "retcode": 1403, "data": None, "message": "token"}
        action = path.strip("/").split("?", 1)[0]
        params = json.loads(body or b"{}")
        call = Call(action=action, params=params, echo=None, time=time.monotonic())
        self.peer.calls.append(call)
        await self.peer._answer(call)  # the peer's own answering logic; no WebSocket to reply on
        assert call.response is not None
        return 200, call.response
