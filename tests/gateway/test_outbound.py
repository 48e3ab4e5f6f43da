import asyncio
import itertools
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


async def test_a_never_answered_action_does_not_hold_up_other_groups() -> None:
    """Attempts run off the workers: one worker, five stalled recalls, another group still served."""
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, workers=1, retries=0, timeout=30)
    never = asyncio.Event()

    async def stall() -> None:
        await never.wait()

    async def ok() -> str:
        return "ok"

    stalled = [
        q.submit(Action("recall", stall, group_id="A", priority=Priority.URGENT, timeout=30))
        for _ in range(5)
    ]
    q.start()
    t0 = time.monotonic()
    assert await asyncio.wait_for(q.submit(Action("send_group", ok, group_id="B")), 1) == "ok"
    assert time.monotonic() - t0 < 0.5
    assert not any(f.done() for f in stalled)
    await q.stop(drain=0)


async def test_retries_follow_the_backoff_schedule() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=3, backoff=0.1)
    q.start()
    stamps: list[float] = []

    async def failing() -> None:
        stamps.append(time.monotonic())
        raise GatewayError("recall", "boom", retcode=100)

    with pytest.raises(GatewayError):
        await asyncio.wait_for(q.submit(Action("recall", failing, group_id="G")), 3)
    await q.stop()
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert len(stamps) == 4
    for gap, want in zip(gaps, (0.1, 0.2, 0.4), strict=True):
        assert want - 0.01 <= gap <= want + 0.08, gaps


async def test_a_stalled_attempt_times_out_on_its_own_timeout() -> None:
    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, retries=1, backoff=0.05, timeout=30)
    q.start()
    stamps: list[float] = []

    async def stall() -> None:
        stamps.append(time.monotonic())
        await asyncio.sleep(60)

    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(q.submit(Action("mute", stall, group_id="G", timeout=0.2)), 3)
    await q.stop()
    assert len(stamps) == 2 and time.monotonic() - t0 < 2.0
    assert 0.2 + 0.05 - 0.02 <= stamps[1] - stamps[0] <= 0.2 + 0.05 + 0.5


async def test_an_action_is_held_while_offline_and_redone_after_the_reconnect() -> None:
    online = {"qq": False}
    q = OutboundQueue(
        rate_global=1000, rate_group=1000, burst=100, retries=1, backoff=0.01, is_online=online.__getitem__
    )
    failures: list[BaseException] = []

    async def listener(action: Action, err: BaseException) -> None:
        failures.append(err)

    q.on_failure(listener)
    q.start()
    tries = 0

    async def recall() -> str:
        nonlocal tries
        tries += 1
        if not online["qq"]:
            raise GatewayError("resolve", "no qq connection", retryable=True)
        return "done"

    fut = q.submit(Action("recall", recall, group_id="G", platform="qq", not_after=time.monotonic() + 5))
    for _ in range(100):
        if q.held:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    assert q.held == 1 and not fut.done() and tries == 1  # held, not retried against a closed connection
    online["qq"] = True
    assert q.resume("qq") == 1
    assert await asyncio.wait_for(fut, 1) == "done"
    assert not failures and q.held == 0
    await q.stop()


async def test_a_held_recall_gives_up_past_the_platform_window() -> None:
    from bot.gateway.outbound import Expired

    q = OutboundQueue(rate_global=1000, rate_group=1000, burst=100, is_online=lambda p: False)
    reported: list[BaseException] = []

    async def listener(action: Action, err: BaseException) -> None:
        reported.append(err)

    q.on_failure(listener)
    q.start()

    async def offline() -> None:
        raise GatewayError("resolve", "no qq connection")

    fut = q.submit(Action("recall", offline, group_id="G", platform="qq", not_after=time.monotonic() + 0.2))
    with pytest.raises(Expired):
        await asyncio.wait_for(fut, 2)
    assert len(reported) == 1 and q.held == 0
    await q.stop()


async def test_recalls_do_not_wait_behind_a_groups_warnings() -> None:
    """20 violations at once: 20 warnings in the group's paced lane, 20 recalls in their own."""
    q = OutboundQueue(rate_global=10, rate_group=1, burst=5, rate_recall=5, burst_recall=20)
    done: dict[str, float] = {}

    def rec(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            done[name] = time.monotonic()

        return run

    q.start()
    t0 = time.monotonic()
    for i in range(20):
        q.submit(Action("send_group", rec(f"w{i}"), group_id="G"))
        q.submit(Action("recall", rec(f"r{i}"), group_id="G", priority=Priority.URGENT))
    for _ in range(100):
        if sum(n.startswith("r") for n in done) == 20:
            break
        await asyncio.sleep(0.01)
    recalls = [t - t0 for n, t in done.items() if n.startswith("r")]
    warnings = [n for n in done if n.startswith("w")]
    assert len(recalls) == 20 and max(recalls) < 0.5
    assert len(warnings) <= 6  # the warnings keep their pace (burst 5, 1/s)
    await q.stop(drain=0)


async def test_stop_settles_what_is_still_held_so_nothing_waits_for_ever() -> None:
    """An event's task awaiting a held recall (NoneBot shields it from cancellation) must not keep a
    stopping process alive: stop() settles the futures of held and queued actions, without reports."""
    q = OutboundQueue(
        rate_global=1000, rate_group=1000, burst=100, retries=1, backoff=0.01, is_online=lambda _p: False
    )
    failures: list[BaseException] = []

    async def listener(action: Action, err: BaseException) -> None:
        failures.append(err)

    q.on_failure(listener)
    q.start()

    async def offline() -> None:
        raise GatewayError("resolve", "no qq connection", retryable=True)

    fut = q.submit(Action("recall", offline, group_id="G", platform="qq", not_after=time.monotonic() + 60))
    for _ in range(200):
        if q.held:
            break
        await asyncio.sleep(0.01)
    assert q.held == 1 and not fut.done()
    await asyncio.wait_for(q.stop(drain=0.1), 5)
    assert fut.done() and isinstance(fut.exception(), GatewayError)
    assert q.held == 0 and failures == []
    late = q.submit(Action("mute", offline, group_id="G", platform="qq"))  # an event still running
    assert late.done() and isinstance(late.exception(), GatewayError)
