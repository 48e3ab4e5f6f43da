"""The WeChat member-list diff at scale: G groups × M members, the bot's own work per poll.

What one poll costs the bot besides the member-list calls themselves (which go through the paced
outbound queue, ``GROUP_PACE`` seconds apart, so a poll of 100 groups takes at least ~50 s of wall
time by design): per group, read the stored snapshot, compare it with the list just fetched
(:func:`bot.core.member_diff.diff`) and, when something changed, swap the new list in (compare-and-swap).
Three polls are measured on a fresh SQLite database migrated to head:

* ``baseline``: the first poll (every group's list stored);
* ``unchanged``: nobody came or went (read + compare only);
* ``changed``: one arrival and one departure in every group (read + compare + swap; the arrival and
  departure flows themselves are the admission flow's, measured elsewhere).

One JSON line per run (wall and CPU seconds per poll) and a summary of medians. Usage:
    python bench/member_diff.py [--groups 100] [--members 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.member_diff import diff
from bot.store import snapshots
from bot.store.db import Database

PLATFORM, SELF = "wechat", "wxid_bot"


async def timed(fn: Callable[[], Awaitable[int]]) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    changes = await fn()
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "changes": changes}


async def one_run(url: str, groups: int, members: int) -> dict[str, dict[str, float]]:
    db = Database(url)
    await db.prepare(auto_migrate=True)
    gids = [f"{10000000 + g}@chatroom" for g in range(groups)]
    lists = {g: frozenset(f"wxid_{g[:8]}_{m:04d}" for m in range(members)) for g in gids}
    now = datetime.now(UTC)

    async def poll(current: dict[str, frozenset[str]]) -> int:
        changes = 0
        for g in gids:
            old = await snapshots.get(PLATFORM, g, db=db)
            if old is None:
                await snapshots.swap(PLATFORM, g, SELF, None, current[g], now, db=db)
                continue
            d = diff(old.members, current[g], SELF)
            if d.arrived or d.left:
                changes += len(d.arrived) + len(d.left)
                await snapshots.swap(PLATFORM, g, SELF, old, current[g], now, db=db)
        return changes

    out = {"baseline": await timed(lambda: poll(lists)), "unchanged": await timed(lambda: poll(lists))}
    moved = {g: (ids - {min(ids)}) | {f"wxid_{g[:8]}_new"} for g, ids in lists.items()}
    out["changed"] = await timed(lambda: poll(moved))
    await db.engine.dispose()
    return out


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    results = []
    for r in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            res = await one_run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.groups, args.members)
        results.append(res)
        print(json.dumps({"run": r, "groups": args.groups, "members": args.members, **res}))
    summary = {
        poll: {k: round(statistics.median(x[poll][k] for x in results), 4) for k in ("wall_s", "cpu_s")}
        for poll in ("baseline", "unchanged", "changed")
    }
    print(
        json.dumps(
            {"summary": "median", "db": "sqlite", "groups": args.groups, "members": args.members, **summary}
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
