"""Scale of the weekly review (SPEC §11): 1,000 groups × 500 members against a 100k-person roster.

A simulated gateway answers ``member_list`` (as the OneBot gateway does, with implementation junk in
``join_time`` / ``last_sent_time`` that the review ignores); the roster, bindings, arrivals and the
bot's activity record are generated in memory with a fixed seed. Per group the review does what a
run does after its queries: member views, :func:`bot.core.review.review_members`, the report and its
split. Prints JSON lines: the set-up, the review (seconds of compute, findings), and peak memory.

    python bench/review_scale.py [--groups 1000] [--members 500] [--roster 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.review import (
    MemberView,
    ReportInput,
    ReviewSettings,
    render_report,
    review_members,
    split_message,
)
from bot.gateway.base import Member

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
STATUSES = ["在岗"] * 95 + ["调离", "退休", "离职", "借调", "挂职"]


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    user_id: str
    since: datetime | None
    person_id: int | None
    detail: str = ""


class SimGateway:
    """member_list for generated groups: owner, two admins, the bot, members."""

    self_id = "999"

    def __init__(self, members: int, seed: int) -> None:
        self.members, self.seed = members, seed

    async def member_list(self, group_id: str) -> list[Member]:
        g = int(group_id)
        out = [Member(self.self_id, role="admin", last_sent_time=NOW)]
        for n in range(self.members - 1):
            uid = str(g * 1000 + n)
            role = "owner" if n == 0 else "admin" if n < 3 else "member"
            out.append(Member(uid, card=f"成员{n}-科室", role=role, join_time=None, last_sent_time=NOW))
        return out


def evidence(group: int, members: list[Member], roster: list[str], rng: random.Random):  # type: ignore[no-untyped-def]
    facts: list[Fact] = []
    bound: dict[str, int | None] = {}
    seen: dict[str, datetime] = {}
    invited: list[str] = []
    for m in members:
        r = rng.random()
        if r < 0.03:
            facts.append(Fact("unverified", m.user_id, NOW - timedelta(hours=rng.randint(1, 200)), None))
        elif r < 0.05:
            continue  # no record at all
        else:
            person = rng.randrange(len(roster))
            bound[m.user_id] = person
            if roster[person] not in ("在岗", "借调", "挂职"):
                facts.append(Fact("status", m.user_id, None, person, roster[person]))
        if rng.random() < 0.01:
            invited.append(m.user_id)
        if rng.random() < 0.9:
            seen[m.user_id] = NOW - timedelta(days=rng.randint(0, 60))
    return facts, bound, invited, seen


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--roster", type=int, default=100_000)
    args = ap.parse_args()

    tracemalloc.start()
    t0 = time.perf_counter()
    rng = random.Random(6)
    roster = [rng.choice(STATUSES) for _ in range(args.roster)]
    gw = SimGateway(args.members, 6)
    print(
        json.dumps({"phase": "setup", "roster": args.roster, "seconds": round(time.perf_counter() - t0, 3)})
    )

    settings = ReviewSettings(grace=timedelta(hours=24), inactive_days=30)
    t_fetch = t_review = t_report = 0.0
    findings = removable = messages = 0
    cpu0 = time.process_time()
    for g in range(1, args.groups + 1):
        a = time.perf_counter()
        members = await gw.member_list(str(g))
        facts, bound, invited, seen = evidence(g, members, roster, rng)
        b = time.perf_counter()
        views = [MemberView(m.user_id, m.card, m.nickname, m.role) for m in members]
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
        c = time.perf_counter()
        parts = split_message(
            render_report(ReportInput(str(g), f"工作群{g}", NOW, len(members), found)), 1500
        )
        d = time.perf_counter()
        t_fetch += b - a
        t_review += c - b
        t_report += d - c
        findings += len(found)
        removable += sum(1 for f in found if f.removable)
        messages += len(parts)
    cpu = time.process_time() - cpu0
    _, peak = tracemalloc.get_traced_memory()
    print(
        json.dumps(
            {
                "phase": "review",
                "groups": args.groups,
                "members_per_group": args.members,
                "members_total": args.groups * args.members,
                "findings": findings,
                "removable": removable,
                "report_messages": messages,
                "seconds_generate_and_fetch": round(t_fetch, 3),
                "seconds_review": round(t_review, 3),
                "seconds_report": round(t_report, 3),
                "cpu_seconds_total": round(cpu, 3),
                "per_group_ms": round((t_review + t_report) / args.groups * 1000, 3),
            }
        )
    )
    print(
        json.dumps(
            {
                "phase": "memory",
                "tracemalloc_peak_mb": round(peak / 2**20, 1),
                "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
