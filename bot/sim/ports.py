"""Free-port discovery and a TCP readiness probe for processes started by the simulator."""

from __future__ import annotations

import asyncio
import contextlib
import socket

__all__ = ["free_port", "port_open"]


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago: the kernel's pick for ``bind(host, 0)``.

    Another process may grab it before the bot binds it; :class:`bot.sim.process.BotProcess`
    retries on that race.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


async def port_open(host: str, port: int, connect_timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port`` right now."""
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), connect_timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
