"""Weekly review scaled out: N groups on PostgreSQL shared by several bot processes.

Each worker is a separate OS process doing what a bot process's review scheduler does, through the
real store: it creates the week's scheduled run of every group (``create_scheduled_many``: the
unique (platform, group, week) makes each exist once, whichever process is first), then claims due
runs in batches (``claim_due_runs``: ``FOR UPDATE SKIP LOCKED``, so the workers split the runs
instead of racing for the same ones), reviews each group — member list
from a simulated gateway, :func:`bot.core.review.review_members`, the report — and stores the
findings (``finish_run``). The parent creates a fresh database, starts the workers together, and
checks afterwards that every group was reviewed exactly once. JSON lines: one per worker (runs it
did, wall and CPU seconds), then the summary.

    python bench/review_scale_pg.py --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/test \
        [--groups 10000] [--members 500] [--workers 2]

The roster (100k people by default) and the members' evidence are generated in memory with a fixed
seed, as in ``bench/review_scale.py``; the database carries the runs and the findings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_scale import NOW, STATUSES, SimGateway, evidence
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.review import (
    MemberView,
    ReportInput,
    ReviewSettings,
    render_report,
    review_members,
    split_message,
)
from bot.models.review import ReviewRun
from bot.store import review as store
from bot.store.db import Database

BENCH = "review_scale_pg"
SLOT = "2026-W48"
BATCH = 50


async def worker(url: str, name: str, groups: int, members: int, roster_size: int) -> dict[str, object]:
    db = Database(url)
    rng = random.Random(6)
    roster = [rng.choice(STATUSES) for _ in range(roster_size)]
    gw = SimGateway(members, 6)
    settings = ReviewSettings(grace=timedelta(hours=24), inactive_days=30)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    reviewed = lost_claims = findings = 0
    try:
        rows = [("qq", str(g), "999") for g in range(1, groups + 1)]
        created = await store.create_scheduled_many(rows, SLOT, NOW, db=db)
        t_created = time.perf_counter() - wall0
        while True:
            claimed = await store.claim_due_runs(NOW, name, limit=BATCH, db=db)
            if not claimed:
                break
            for run in claimed:
                assert run.id is not None
                g = int(run.group_id)
                group_rng = random.Random(g)  # the same evidence whichever worker reviews it
                member_list = await gw.member_list(run.group_id)
                facts, bound, invited, seen = evidence(g, member_list, roster, group_rng)
                views = [MemberView(m.user_id, m.card, m.nickname, m.role) for m in member_list]
                found = review_members(
                    views,
                    self_id=gw.self_id,
                    identities=facts,
                    bound=bound,
                    invited=invited,
                    last_seen=seen,
                    watching_since=NOW - timedelta(days=90),
                    now=NOW,
                    settings=settings,
                )
                split_message(
                    render_report(ReportInput(run.group_id, f"工作群{g}", NOW, len(views), found)), 1500
                )
                if await store.finish_run(run.id, name, NOW, members=len(views), findings=found, db=db):
                    reviewed += 1
                    findings += len(found)
    finally:
        await db.dispose()
    return {
        "bench": BENCH,
        "worker": name,
        "pid": os.getpid(),
        "runs_created": created,
        "runs_reviewed": reviewed,
        "claims_lost": lost_claims,
        "findings": findings,
        "seconds_creating_runs": round(t_created, 2),
        "wall_s": round(time.perf_counter() - wall0, 2),
        "cpu_s": round(time.process_time() - cpu0, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


async def fresh_database(base: str) -> tuple[str, str]:
    name = f"steward_bench_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    await db.prepare(auto_migrate=True)
    await db.dispose()
    return name, url


async def drop_database(base: str, name: str) -> None:
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def check(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        async with db.session() as s:
            runs = (await s.execute(select(func.count()).select_from(ReviewRun))).scalar_one()
            done = (
                await s.execute(select(func.count()).select_from(ReviewRun).where(ReviewRun.state == "done"))  # type: ignore[arg-type]
            ).scalar_one()
            groups = (await s.execute(select(func.count(func.distinct(ReviewRun.group_id))))).scalar_one()
    finally:
        await db.dispose()
    return {"runs": runs, "done": done, "distinct_groups": groups}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--postgres-url",
        default=os.environ.get("STEWARD_TEST_POSTGRES_URL"),
        help="server to create the bench database on (default: $STEWARD_TEST_POSTGRES_URL)",
    )
    ap.add_argument("--groups", type=int, default=10_000)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--roster", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run one worker against this URL
    ap.add_argument("--name", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(worker(args.worker, args.name, args.groups, args.members, args.roster))))
        return 0
    if not args.postgres_url:
        raise SystemExit("needs --postgres-url (or STEWARD_TEST_POSTGRES_URL)")
    name, url = asyncio.run(fresh_database(args.postgres_url))
    print(
        json.dumps(
            {
                "bench": BENCH,
                "config": True,
                "groups": args.groups,
                "members": args.members,
                "roster": args.roster,
                "workers": args.workers,
                "cpus": os.cpu_count(),
            }
        ),
        flush=True,
    )
    try:
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    url,
                    "--name",
                    f"w{i}",
                    "--groups",
                    str(args.groups),
                    "--members",
                    str(args.members),
                    "--roster",
                    str(args.roster),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(args.workers)
        ]
        results = []
        for p in procs:
            out, _ = p.communicate()
            line = out.strip().splitlines()[-1]
            results.append(json.loads(line))
            print(line, flush=True)
        wall = time.perf_counter() - t0
        totals = asyncio.run(check(url))
    finally:
        asyncio.run(drop_database(args.postgres_url, name))
    reviewed = sum(int(r["runs_reviewed"]) for r in results)
    summary = {
        "bench": BENCH,
        "summary": True,
        "groups": args.groups,
        "wall_s": round(wall, 2),
        "cpu_s_per_worker": [r["cpu_s"] for r in results],
        "reviewed_per_worker": [r["runs_reviewed"] for r in results],
        **totals,
        "exactly_once": totals["runs"]
        == args.groups
        == totals["done"]
        == reviewed
        == totals["distinct_groups"],
    }
    print(json.dumps(summary), flush=True)
    return 0 if summary["exactly_once"] else 1


if __name__ == "__main__":
    sys.exit(main())
