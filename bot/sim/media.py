"""The platform's picture CDN, as the simulator's: a small HTTP server that serves the bytes of
pictures the peer "sent", so the bot downloads them from a segment's ``url`` exactly as it does from
``multimedia.nt.qq.com.cn``. Records every request (tests assert what the bot fetched)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Self

from bot.sim.ports import free_port

__all__ = ["MediaServer"]


class MediaServer:
    """``put(data)`` returns a URL; GET on it answers the bytes (404 for anything else).
    ``delay`` holds every answer that many seconds (a slow CDN)."""

    def __init__(self, host: str = "127.0.0.1", *, delay: float = 0.0) -> None:
        self.host, self.delay = host, delay
        self.port = 0
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        self._server: asyncio.Server | None = None

    def put(self, data: bytes, *, content_type: str = "image/png", name: str | None = None) -> str:
        path = f"/download/{name or uuid.uuid4().hex}"
        self.files[path] = (data, content_type)
        return f"http://{self.host}:{self.port}{path}"

    async def start(self) -> None:
        self.port = free_port(self.host)
        self._server = await asyncio.start_server(self._handle, self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split(" ")
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
            self.requests.append(path)
            if self.delay:
                await asyncio.sleep(self.delay)
            found = self.files.get(path)
            if found is None:
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            else:
                data, ctype = found
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(data)}\r\n"
                    "Connection: close\r\n\r\n".encode("latin-1")
                    + data
                )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
