"""Dashboard page weights and response times for a unit of 200 groups (SPEC §10).

Seeds a database (``bot/sim/dashboard.py``: 200 groups in one unit with filings, duties, cases,
eight weeks of guard findings, members' bindings, reviews, suggestions and audit rows, plus a second
unit of 20 groups the supervisor must not see), starts the real bot process on it, logs in over
HTTP as that unit's supervisor and GETs every page and download ``--runs`` times. Prints one JSON
line per page (median / min / max milliseconds of wall time, the bot process's mean CPU milliseconds
per request read from /proc, bytes) and a summary line.

    python bench/web_pages.py [--groups 200] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bot.sim.dashboard import Unit, policy_toml, seed
from bot.sim.process import BotProcess
from bot.store import web as web_store
from bot.store.db import Database
from bot.web import auth

PASSWORD = "bench-password-123"
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc), so that load from other work on the machine
    does not count."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    units = [
        Unit("big", "测试市大单位", [str(100_000 + n) for n in range(args.groups)]),
        Unit("other", "测试市其他单位", [str(200_000 + n) for n in range(20)]),
    ]
    with tempfile.TemporaryDirectory(prefix="steward-webbench-") as tmp:
        data = Path(tmp)
        policy = data / "bot.toml"
        policy.write_text(policy_toml(units), encoding="utf-8")
        url = f"sqlite+aiosqlite:///{data / 'steward.db'}"
        db = Database(url)
        t0 = time.perf_counter()
        await db.prepare(auto_migrate=True)
        await seed(db, units, datetime.now(UTC))
        await web_store.create_user(
            "bench", "supervisor", auth.hash_password(PASSWORD), datetime.now(UTC), units=["big"], db=db
        )
        await db.dispose()
        print(f"seeded {args.groups} + 20 groups in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        async with BotProcess(
            data_dir=data, database_url=url, policy_file=policy, log_level="WARNING"
        ) as proc:
            async with httpx.AsyncClient(base_url=f"{proc.base_url}/steward", timeout=120) as c:
                page = await c.get("/login")
                token = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert token
                r = await c.post(
                    "/login", data={"name": "bench", "password": PASSWORD, "csrf": token.group(1)}
                )
                assert r.status_code == 303, r.text
                first = units[0].groups[0]
                paths = [
                    "/",
                    f"/group/qq/{first}",
                    "/cases?state=open",
                    "/cases?state=overdue",
                    "/cases?state=closed",
                    "/suggestions",
                    "/audit",
                    "/downloads",
                    "/downloads/register.xlsx",
                    "/downloads/register.csv",
                    "/downloads/suggestions.xlsx",
                    "/downloads/audit.csv",
                    "/static/style.css",
                ]
                results = []
                for path in paths:
                    times, size = [], 0
                    assert proc.pid is not None
                    cpu0 = cpu_seconds(proc.pid)
                    for _ in range(args.runs):
                        t = time.perf_counter()
                        r = await c.get(path)
                        times.append((time.perf_counter() - t) * 1000)
                        assert r.status_code == 200, (path, r.status_code)
                        size = len(r.content)
                    cpu_ms = (cpu_seconds(proc.pid) - cpu0) * 1000 / args.runs
                    if path == "/":
                        assert units[1].groups[0] not in r.text  # the other unit stays out
                    row = {
                        "bench": "web_pages",
                        "path": path,
                        "groups": args.groups,
                        "runs": args.runs,
                        "median_ms": round(statistics.median(times), 1),
                        "min_ms": round(min(times), 1),
                        "max_ms": round(max(times), 1),
                        "bot_cpu_ms": round(cpu_ms, 1),
                        "bytes": size,
                    }
                    results.append(row)
                    print(json.dumps(row, ensure_ascii=False), flush=True)
        print(
            json.dumps(
                {
                    "bench": "web_pages",
                    "summary": True,
                    "groups": args.groups,
                    "cpus": os.cpu_count(),
                    "slowest_page": max(
                        (r for r in results if not r["path"].startswith("/downloads/")),
                        key=lambda r: r["median_ms"],
                    )["path"],
                    "overview_ms": results[0]["median_ms"],
                    "overview_bytes": results[0]["bytes"],
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
