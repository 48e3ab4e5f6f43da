"""Final failures are gathered into one report per incident, with counts."""

from __future__ import annotations

import asyncio

from bot.gateway.base import GatewayError
from bot.gateway.failures import FailureDigest, Incident
from bot.gateway.outbound import Action, Expired


def _action(kind: str, group: str = "100", *, report: bool = True) -> Action:
    async def run() -> None:
        return None

    return Action(kind, run, group_id=group, platform="qq", report=report)


async def test_a_burst_of_failures_is_one_report_with_counts() -> None:
    sent: list[Incident] = []

    async def report(inc: Incident) -> None:
        sent.append(inc)

    digest = FailureDigest(report, window=0.1)
    for _ in range(4):
        await digest(_action("recall"), GatewayError("delete_msg", "failed", retcode=100))
    await digest(_action("mute"), TimeoutError())
    await digest(_action("send_group"), TimeoutError())  # replies are not reported
    await digest(_action("kick", report=False), TimeoutError())
    await digest(_action("recall", "200"), Expired("recall", "offline"))
    await asyncio.sleep(0.3)
    assert len(sent) == 2
    by_group = {i.group_id: i for i in sent}
    first = by_group["100"]
    assert first.counts == {"recall": 4, "mute": 1} and first.total == 5
    text = first.describe("群 100")
    assert "5 项操作" in text and "撤回消息 4 次" in text and "禁言 1 次" in text
    assert "retcode 100" in text and "无应答" in text and "人工撤回" in text
    assert "时限" in by_group["200"].describe("群 200")
    # A later failure opens a new incident.
    await digest(_action("recall"), TimeoutError())
    await digest.flush()
    assert len(sent) == 3 and sent[-1].total == 1
