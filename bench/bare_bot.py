"""The benchmark's baseline: a bare NoneBot process with one trivial message matcher.

Same driver (FastAPI), same adapter (OneBot v11, reverse WebSocket) and same environment variables
as the real bot (HOST, PORT, ONEBOT_ACCESS_TOKEN, LOG_LEVEL), no plugins. It counts group and
private messages and answers ``/状态`` with ``已处理消息：N`` so that the benchmark can poll both
processes the same way. ``SPEC.md`` §11 asks the real bot to keep 70 % of this process's rate.

Run: ``python bench/bare_bot.py`` (or let ``bench/events_per_second.py`` start it).
"""

from __future__ import annotations

import nonebot
from nonebot import on_message
from nonebot.adapters.onebot.v11 import Adapter, MessageEvent

# No .env is read unless the working directory has one; the harness starts us in an empty temp dir.
nonebot.init(driver="~fastapi")
nonebot.get_driver().register_adapter(Adapter)

_processed = 0

counter = on_message(priority=1, block=True)


@counter.handle()
async def count_message(event: MessageEvent) -> None:
    global _processed
    _processed += 1
    if event.get_plaintext().strip() == "/状态":
        await counter.send(f"已处理消息：{_processed}")


if __name__ == "__main__":
    nonebot.run()
