"""A misbehaving OneBot implementation against the real bot process: recalls answered with
``retcode`` 100, recalls never answered, and an outage while a recall is in flight.

Short timings through settings keep the test quick: backoff base 0.5 s (retries 0.5, 1, 2 s after
each failure), 1 s per recall attempt, failures gathered for 1 s into one report. The outage lasts
30 s (``STEWARD_TEST_OUTAGE`` to change it), well inside QQ's 2-minute recall window.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import AsyncIterator

import pytest

from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

REPLY = ("send_group_msg", "send_msg")
PRIVATE = ("send_private_msg", "send_msg")
GROUP, OWNER = 100, 40001
BAD = "澳门赌.场上线了，首充送彩金"
BACKOFF = 0.5
OUTAGE = float(os.environ.get("STEWARD_TEST_OUTAGE", "30"))
ENV = {
    "STEWARD_ACTION_RETRIES": "3",
    "STEWARD_ACTION_BACKOFF": str(BACKOFF),
    "STEWARD_URGENT_TIMEOUT": "1",
    "STEWARD_ACTION_TIMEOUT": "2",
    "STEWARD_FAILURE_REPORT_WINDOW": "1",
}
_members = itertools.count(31_000)


@pytest.fixture(scope="module")
async def bot() -> AsyncIterator[BotProcess]:
    async with BotProcess(superusers=["10001"], policy_file=POLICY_FILE, env=ENV, start_timeout=90) as proc:
        yield proc


async def _peer(bot: BotProcess) -> OneBotV11Peer:
    peer = OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token)
    await peer.connect()
    peer.set_members(GROUP, [{"user_id": OWNER, "role": "owner"}])
    # Groups known before the faults (first messages of unseen groups are another test's subject).
    for g in (GROUP, 101, 102, 201, 202):
        await peer.send_group_message(g, 30_999, "收到")
    await asyncio.sleep(0.5)
    return peer


def _is_recall_of(message_id: object):  # type: ignore[no-untyped-def]
    return lambda c: str(c.params.get("message_id")) == str(message_id)


async def _help(peer: OneBotV11Peer, group: int) -> float:
    t0 = time.monotonic()
    await peer.send_group_message(group, next(_members), "/帮助")
    call = await peer.wait_call(
        REPLY, lambda c: c.group_id in (group, str(group)) and "可用命令" in c.text, timeout=20
    )
    return call.time - t0


async def _help_answered_within(peer: OneBotV11Peer, group: int, seconds: float) -> float:
    """Answered within `seconds` of its ordinary latency (measured just before, on this machine:
    a loaded CI runner is slow for everyone, which is not what this checks)."""
    ordinary = await _help(peer, group + 100)
    took = await _help(peer, group)
    assert took < ordinary + seconds, (
        f"/帮助 in group {group} took {took:.2f}s (ordinarily {ordinary:.2f}s) while another "
        "group's actions failed"
    )
    return took


async def test_retcode_100_is_retried_on_schedule_and_reported_once(bot: BotProcess) -> None:
    peer = await _peer(bot)
    try:
        peer.fail("delete_msg", times=4, retcode=100)
        sent = await peer.send_group_message(GROUP, next(_members), BAD)
        await _help_answered_within(peer, 101, 1.0)
        tries: list[Call] = []
        for _ in range(4):
            tries.append(await peer.wait_call("delete_msg", _is_recall_of(sent["message_id"]), timeout=10))
        gaps = [b.time - a.time for a, b in itertools.pairwise(tries)]
        for gap, want in zip(gaps, (BACKOFF, 2 * BACKOFF, 4 * BACKOFF), strict=True):
            assert want - 0.05 <= gap <= want + 0.6, gaps
        warning = await peer.wait_call(REPLY, lambda c: "未能撤回" in c.text, timeout=10)
        assert "已被撤回" not in warning.text and c_group(warning) == GROUP
        report = await peer.wait_call(PRIVATE, lambda c: "【操作失败】" in c.text, timeout=10)
        assert str(report.user_id) == str(OWNER)
        assert "撤回消息 1 次" in report.text and "retcode 100" in report.text
        await peer.wait_no_call(PRIVATE, lambda c: "【操作失败】" in c.text, within=2.5)  # once
    finally:
        await peer.close()


def c_group(call: Call) -> int:
    return int(call.group_id)


async def test_never_answered_recalls_hold_up_no_other_group_and_are_reported(bot: BotProcess) -> None:
    peer = await _peer(bot)
    try:
        peer.stall("delete_msg", times=None)
        for _ in range(5):
            await peer.send_group_message(GROUP, next(_members), BAD)
        for _ in range(5):
            await peer.wait_call("delete_msg", timeout=5)  # all five in flight, none answered
        await _help_answered_within(peer, 102, 1.0)
        # 4 tries of 1 s each with 0.5 + 1 + 2 s between them, then the 1 s gathering window.
        report = await peer.wait_call(PRIVATE, lambda c: "【操作失败】" in c.text, timeout=20)
        assert "撤回消息 5 次" in report.text and "无应答" in report.text
        assert str(report.user_id) == str(OWNER)
        peer.clear_faults()
    finally:
        await peer.close()


async def test_a_recall_in_flight_during_an_outage_is_redone_after_the_reconnect(bot: BotProcess) -> None:
    peer = await _peer(bot)
    try:
        peer.stall("delete_msg", times=1)
        sent = await peer.send_group_message(GROUP, next(_members), BAD)
        await peer.wait_call("delete_msg", _is_recall_of(sent["message_id"]), timeout=5)  # in flight
        await peer.close()
        await asyncio.sleep(OUTAGE)
        await peer.connect(retry_for=5)
        redone = await peer.wait_call("delete_msg", _is_recall_of(sent["message_id"]), timeout=10)
        assert redone.outcome == "ok"
        warning = await peer.wait_call(REPLY, lambda c: "已被撤回" in c.text, timeout=10)
        assert c_group(warning) == GROUP
        await peer.wait_no_call(PRIVATE, lambda c: "【操作失败】" in c.text, within=2)
    finally:
        await peer.close()
