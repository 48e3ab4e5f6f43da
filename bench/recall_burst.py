"""Recall latency under a burst (run by hand, not in CI). JSON lines on stdout, progress on stderr.

The real bot process with its default outbound pacing (10 actions/s overall, 1/s and burst 5 per
group for sends; recalls in their own lane, 5/s and burst 20 per group) and a NapCat-like peer
over a real reverse WebSocket. Each round sends ``--burst`` violating messages at once into one
group (from ``--members`` members, so strikes escalate to mutes as in a real flood) and measures,
for every message, the time from the peer sending it to the bot's ``delete_msg`` for it arriving
back. It also reports how the warnings and mutes of the same burst were paced. Each round uses a
new group, so one round's buckets do not carry over into the next.

    python bench/recall_burst.py                  # 5 rounds of 20 messages in one group
    python bench/recall_burst.py -r 9 --burst 30 --members 3

Target (issue: recalls must not wait behind warnings): p99 ≤ 1 s for 20 messages at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess

BENCH = "recall_burst"
TEXTS = ["澳门赌.场上线了，首充送彩金", "代开发票，加V详谈", "网上赌场日结高额返利", "出售银行卡四件套"]


def emit(**row: Any) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_round(peer: OneBotV11Peer, group: int, burst: int, members: int) -> dict[str, Any]:
    sent: dict[str, float] = {}
    # The group is known before the burst: the first messages of an unseen group race to register
    # it, which is measured by the burst test of unseen groups, not here.
    await peer.send_group_message(group, 51_998, "收到，谢谢")
    await asyncio.sleep(0.5)
    t0 = time.monotonic()
    for i in range(burst):
        ev = await peer.send_group_message(group, 52_000 + i % members, TEXTS[i % len(TEXTS)])
        sent[str(ev["message_id"])] = time.monotonic()
    latencies: list[float] = []
    for mid, at in sent.items():
        call = await peer.wait_call(
            "delete_msg", lambda c, m=mid: str(c.params.get("message_id")) == m, timeout=60
        )
        latencies.append((call.time - at) * 1000)
    # Warnings and mutes of this burst: how many arrived within the first second, and the last one.
    await asyncio.sleep(3)
    warn = [
        c.time - t0
        for c in peer.calls_of(("send_group_msg", "send_msg"), lambda c: c.group_id in (group, str(group)))
    ]
    mutes = [c.time - t0 for c in peer.calls_of("set_group_ban", lambda c: c.group_id in (group, str(group)))]
    return {
        "latencies": latencies,
        "warnings_first_s": sum(1 for t in warn if t <= 1.0),
        "warnings_3s": len(warn),
        "mutes": len(mutes),
    }


async def main_async(args: argparse.Namespace) -> None:
    emit(
        bench=BENCH,
        setup=True,
        machine=f"{platform.machine()} {os.cpu_count()} cores",
        python=platform.python_version(),
        burst=args.burst,
        members=args.members,
        rounds=args.rounds,
    )
    all_latencies: list[float] = []
    async with BotProcess(superusers=["10001"], log_level="WARNING", start_timeout=120) as bot:
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
            # Warm-up: the first message of a group and of the process pays for imports and caches.
            await peer.send_group_message(880_000, 51_999, TEXTS[0])
            await peer.wait_call("delete_msg", timeout=30)
            await asyncio.sleep(1)
            for r in range(args.rounds):
                print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
                res = await one_round(peer, 880_001 + r, args.burst, args.members)
                lat = res.pop("latencies")
                all_latencies += lat
                emit(
                    bench=BENCH,
                    round=r + 1,
                    median_ms=round(statistics.median(lat), 1),
                    p99_ms=round(pct(lat, 0.99), 1),
                    max_ms=round(max(lat), 1),
                    **res,
                )
                await asyncio.sleep(args.pause)
    emit(
        bench=BENCH,
        summary=True,
        messages=len(all_latencies),
        median_ms=round(statistics.median(all_latencies), 1),
        p99_ms=round(pct(all_latencies, 0.99), 1),
        max_ms=round(max(all_latencies), 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=20, help="violating messages at once, one group")
    parser.add_argument("--members", type=int, default=5, help="how many members send them")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between rounds")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
