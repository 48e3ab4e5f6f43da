"""Day one with a large group: how long until the first invitation, how fast the campaign goes.

Starts the real bot (`BotProcess`, day one on, a personal-data key) and a NapCat-like peer whose group
has N members (default 500: an owner, two admins, the rest unknown), sends the group's first message and
measures, per run:

* ``first_invitation_s``: from that message to the first private ``/实名`` invitation (member list fetched
  through the paced queue, roles stored, N admissions written, the first batch sent);
* ``first_batch_s``: until the whole first batch (10) has gone out;
* ``campaign_h``: when the last invitation is scheduled at the default pace (10 every 5 minutes inside
  working hours), computed from the bot's own schedule (``invitation_slots``) from a Monday 09:00.

Prints one JSON line per run and a summary line with medians. Usage:
    python bench/onboarding.py [-n 500] [-r 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.calendar import TZ, WorkCalendar
from bot.core.crypto import generate_key
from bot.core.onboarding import invitation_slots
from bot.sim.peer import OneBotV11Peer
from bot.sim.process import REPO_ROOT, BotProcess

GROUP, OWNER = 100, 40001
PRIVATE = ("send_private_msg", "send_msg")


def is_invitation(c: object) -> bool:
    return getattr(c, "action", "") in PRIVATE and "已启用工作群管家" in getattr(c, "text", "")


async def one_run(n: int, tmp: Path) -> dict[str, float]:
    members = [
        {"user_id": OWNER, "role": "owner"},
        {"user_id": 40002, "role": "admin"},
        {"user_id": 40003, "role": "admin"},
        *({"user_id": 50000 + i} for i in range(n - 3)),
    ]
    policy = tmp / "policy.toml"
    policy.write_text(
        (REPO_ROOT / "tests" / "data" / "policy.toml")
        .read_text(encoding="utf-8")
        .replace(
            'deputies = ["20003"]',
            # measure at any hour of the day
            'deputies = ["20003"]\noverrides = { onboarding_working_hours_only = false }',
        ),
        encoding="utf-8",
    )
    bot = BotProcess(
        superusers=["10001"],
        policy_file=policy,
        secret_key=generate_key(),
        data_dir=tmp / "bot",
        log_level="WARNING",
        env={"STEWARD_FIRST_SIGHT": "true", "STEWARD_TRUST_EVENT_TIME": "false"},
    )
    async with (
        bot,
        OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token, members={GROUP: members}) as peer,
    ):
        t0 = time.monotonic()
        await peer.send_group_message(GROUP, 50000, "大家好")
        first = await peer.wait_call(PRIVATE, is_invitation, timeout=120)
        deadline = time.monotonic() + 60
        while len(peer.calls_of(PRIVATE, is_invitation)) < 10 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        batch = peer.calls_of(PRIVATE, is_invitation)[:10]
        return {
            "first_invitation_s": round(first.time - t0, 3),
            "first_batch_s": round(batch[-1].time - t0, 3),
        }


def campaign_hours(n: int) -> float:
    cal = WorkCalendar()
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=TZ).astimezone(UTC)
    slots = invitation_slots(
        n - 3, monday, batch=10, pace=timedelta(minutes=5), next_open=cal.next_working_start
    )
    return round((slots[-1] - monday).total_seconds() / 3600, 2)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("-r", type=int, default=3)
    args = ap.parse_args()
    runs = []
    for i in range(args.r):
        with tempfile.TemporaryDirectory() as d:
            r = await one_run(args.n, Path(d))
        r |= {"run": i + 1, "members": args.n}
        print(json.dumps(r), flush=True)
        runs.append(r)
    print(
        json.dumps(
            {
                "summary": "onboarding",
                "members": args.n,
                "runs": args.r,
                "first_invitation_s_median": statistics.median(r["first_invitation_s"] for r in runs),
                "first_batch_s_median": statistics.median(r["first_batch_s"] for r in runs),
                "campaign_h_at_default_pace": campaign_hours(args.n),
                "note": "campaign hours: wall-clock from Monday 09:00, invitations in working hours only",
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main())
