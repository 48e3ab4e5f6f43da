"""One background polling loop per capability (deferred notices, grace periods, reviews, filings).

Due work lives in the database and is claimed atomically, so the loop itself only has to look often
enough, look at once when woken (an account connected, a command queued work), survive a failing
tick, and stop cleanly: the tick in progress may finish (no claim left behind), then the loop ends.
"""

from __future__ import annotations

import asyncio
import contextlib

from loguru import logger


class PollingLoop:
    """Subclasses implement `tick`; `setup` runs once before the first tick, `teardown` after the
    last (both optional)."""

    name = "steward-loop"

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, grace: float = 15.0) -> None:
        """Let the tick in progress finish (up to `grace` seconds), then end the loop."""
        task, self._task = self._task, None
        self._stopping = True
        self._wake.set()
        await self.before_stop()
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), grace)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            await self.teardown()
        except Exception:
            logger.exception(f"{self.name}: teardown failed")

    async def setup(self) -> None:
        """Once, before the first tick."""

    async def tick(self) -> None:
        raise NotImplementedError

    async def before_stop(self) -> None:
        """When asked to stop, before waiting for the tick in progress (cancel side tasks here)."""

    async def teardown(self) -> None:
        """After the loop has ended (flush buffers here)."""

    async def _run(self) -> None:
        try:
            await self.setup()
        except Exception:
            logger.exception(f"{self.name}: setup failed")
        while not self._stopping:
            try:
                await self.tick()
            except Exception:
                logger.exception(f"{self.name}: tick failed")
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
