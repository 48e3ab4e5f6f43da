"""End-to-end tests: the real bot process on a free port, and the simulator as its OneBot peer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
async def bot_process() -> AsyncIterator[BotProcess]:
    """One bot per test module (starting a process costs a couple of seconds)."""
    async with BotProcess(superusers=["10001"], policy_file=POLICY_FILE, log_level="INFO") as proc:
        yield proc
