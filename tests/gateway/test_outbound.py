import asyncio
import time

import pytest

from bot.gateway.base import GatewayError
from bot.gateway.outbound import Action, OutboundQueue, Priority, TokenBucket


def _timed(log: list[tuple[str, float]], name: str):  # type: ignore[no-untyped-def]
    async def run() -> str:
        log.append((name, time.monotonic()))
        return name

    return run


async def test_per_group_rate_limit_holds_under_a_burst() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=20, burst=2, workers=4)
    q.start()
    log: list[tuple[str, float]] = []
    t0 = time.monotonic()
    futs = [q.submit(Action("send_group", _timed(log, f"a{i}"), group_id="A")) for i in range(12)]
    futs += [q.submit(Action("send_group", _timed(log, f"b{i}"), group_id="B")) for i in range(2)]
    await asyncio.gather(*futs)
    await q.stop()
    a_times = sorted(t for n, t in log if n.startswith("a"))
    # 2 from the burst, then 10 more at 20/s → at least 0.5 s for group A …
    assert a_times[-1] - t0 >= 0.45
    # … and never more than burst + rate × elapsed in any prefix.
    for i, t in enumerate(a_times):
        assert i + 1 <= 2 + 20 * (t - t0) + 1e-6 + 1
    # Group B is not held up behind group A.
    b_times = [t for n, t in log if n.startswith("b")]
    assert max(b_times) - t0 < 0.2


async def test_global_rate_limit_holds_across_groups() -> None:
    q = OutboundQueue(rate_global=20, rate_group=1000, burst=1, workers=4)
    q.start()
    log: list[tuple[str, float]] = []
    t0 = time.monotonic()
    await asyncio.gather(
        *(q.submit(Action("send_group", _timed(log, str(i)), group_id=str(i))) for i in range(8))
    )
    await q.stop()
    assert max(t for _, t in log) - t0 >= 7 / 20 - 0.02


async def test_failing_action_is_retried_then_reported() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=2, backoff=0.01)
    reported: list[tuple[str, BaseException]] = []

    async def listener(action: Action, err: BaseException) -> None:
        reported.append((action.kind, err))

    q.on_failure(listener)
    q.start()
    attempts = 0

    async def always_fails() -> None:
        nonlocal attempts
        attempts += 1
        raise GatewayError("kick", "denied", retcode=100)

    fut = q.submit(Action("kick", always_fails, group_id="G", target="42"))
    with pytest.raises(GatewayError):
        await asyncio.wait_for(fut, 2)
    await q.stop()
    assert attempts == 3  # first try + 2 retries
    assert q.stats.retried == 2 and q.stats.failed == 1
    assert [k for k, _ in reported] == ["kick"]


async def test_transient_failure_then_success() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=3, backoff=0.01)
    q.start()
    n = 0

    async def flaky() -> str:
        nonlocal n
        n += 1
        if n < 3:
            raise TimeoutError
        return "ok"

    assert await asyncio.wait_for(q.submit(Action("send_group", flaky, group_id="G")), 2) == "ok"
    await q.stop()
    assert q.stats.done == 1 and q.stats.failed == 0 and q.stats.retried == 2


async def test_timeout_counts_as_failure() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=0, timeout=0.05)
    q.start()

    async def hangs() -> None:
        await asyncio.sleep(10)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(q.submit(Action("send_group", hangs, group_id="G")), 2)
    await q.stop()
    assert q.stats.failed == 1


async def test_unretryable_error_is_not_retried() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=5, backoff=0.01)
    q.start()
    n = 0

    async def unsupported() -> None:
        nonlocal n
        n += 1
        raise GatewayError("recall", "not supported", retryable=False)

    with pytest.raises(GatewayError):
        await asyncio.wait_for(q.submit(Action("recall", unsupported)), 2)
    await q.stop()
    assert n == 1


async def test_recall_jumps_the_line() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, workers=1)
    order: list[str] = []

    def rec(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            order.append(name)

        return run

    futs = [q.submit(Action("kick", rec(f"kick{i}"), priority=Priority.BULK)) for i in range(3)]
    futs.append(q.submit(Action("recall", rec("recall"), priority=Priority.URGENT)))
    q.start()
    await asyncio.gather(*futs)
    await q.stop()
    assert order[0] == "recall"


def test_token_bucket_refills() -> None:
    now = [0.0]
    b = TokenBucket(rate=2, burst=2, clock=lambda: now[0])
    assert b.wait_time() == 0
    b.take()
    b.take()
    assert b.wait_time() == pytest.approx(0.5)
    now[0] = 0.5
    assert b.wait_time() == 0


def test_late_disconnect_does_not_remove_a_reconnected_account() -> None:
    from bot.gateway.registry import GatewayRegistry
    from tests.utils import FakeGateway

    reg = GatewayRegistry()
    old, new = FakeGateway("999"), FakeGateway("999")
    reg.add(old)
    reg.add(new)  # NapCat reconnected before the old socket's close was processed
    reg.remove("qq", "999", old)
    assert reg.for_group("qq", "100") is new
    reg.remove("qq", "999", new)
    assert reg.find("qq", "999") is None


async def test_backlog_is_bounded_per_group_but_recalls_always_pass() -> None:
    """A flood of violations must not pile up warnings without bound (memory, and late spam)."""
    from bot.gateway.outbound import Backlogged

    q = OutboundQueue(rate_global=1000, rate_group=0.5, burst=1, max_pending=5)
    ran: list[str] = []

    def rec(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            ran.append(name)

        return run

    warnings = [q.submit(Action("send_group", rec(f"w{i}"), group_id="G")) for i in range(20)]
    recall = q.submit(Action("recall", rec("recall"), group_id="G", priority=Priority.URGENT))
    refused = [f for f in warnings if f.done() and isinstance(f.exception(), Backlogged)]
    assert len(refused) == 15 and q.stats.dropped == 15
    assert not recall.done()  # accepted beyond the cap
    other = q.submit(Action("send_group", rec("other"), group_id="H"))  # another group is unaffected
    q.start()
    await asyncio.wait_for(asyncio.gather(recall, other), 3)
    await q.stop(drain=0)
    assert "recall" in ran and "other" in ran
