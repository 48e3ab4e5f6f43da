from collections.abc import AsyncIterator

import pytest

from bot.runtime import Runtime, get_runtime
from tests.utils import FakeGateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeGateway]:
    rt = get_runtime()
    gw = FakeGateway()
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


async def settle(rt: Runtime) -> None:
    """Wait until the outbound queue has sent everything."""
    import asyncio

    assert rt.queue is not None
    for _ in range(200):
        if not rt.queue.pending:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("outbound queue did not drain")
