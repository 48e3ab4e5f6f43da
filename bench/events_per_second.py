"""Events per second: the full bot against a bare NoneBot process, side by side (SPEC.md §11).

Both processes are started with :class:`bot.sim.process.BotProcess` on their own free ports and
fed by a NapCat-like peer over a real reverse WebSocket. Each run sends N group messages (NapCat
shape) as fast as the socket takes them, then polls ``/状态`` until the reported count shows that all
N were processed. Runs alternate between the targets so that machine noise hits both alike, and the
CPU time each process used is read from ``/proc``. Output is JSON lines on stdout; progress goes to
stderr.

Two workloads (``--workload office|cold|both``):

* ``office`` — generated office chat (acknowledgements, progress, coordination; nothing a rule acts
  on) from 53 groups × 997 members, event times "now";
* ``cold`` — real text nobody here wrote: one comment a message from COLDataset's safe comments
  (``--corpus``, default ``../shared/data/corpus/cold-safe.txt`` beside the checkout; the file is
  github.com/thu-coai/COLDataset's rows labelled safe), unique lines in file order, 5 groups × 100
  members who have all spoken once before the measured runs, event times advancing one second per
  message from a working-day morning (``--base-time``). Some of these lines do trip rules (links,
  numbers, words): that cost is part of what users see.

    python bench/events_per_second.py                              # office, 5000 messages, 3 rounds
    python bench/events_per_second.py --workload both -n 2000 -r 5 # both workloads, alternating

Counting is independent of whether the bot counts the ``/状态`` message itself before replying:
every poll adds exactly one message, so once a baseline B is settled, the j-th poll after N
messages reports B + N + j when all N are done, under either convention.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Imported after the path fix above, so that the script runs from any directory.
from bot.sim import events as ev
from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import BotProcess

BENCH = "events_per_second"
# Relative to the repository root (BotProcess resolves it there), which keeps the output portable.
BARE_MODULE = "bench/bare_bot.py"
COUNT_RE = re.compile(r"已处理消息[：:]\s*(\d+)")
REPLY_ACTIONS = ("send_msg", "send_group_msg", "send_private_msg")
POLL_GROUP = 900001

# Ordinary work-group chat: acknowledgements, progress, coordination. Nothing a content rule should
# act on (no notices, deadlines, @全体成员, personal data or links), so the run measures the cost of
# looking at a message, not of punishing it.
_OPENERS = [
    "", "", "收到，", "好的，", "明白，", "已了解，", "辛苦了，", "谢谢提醒，", "王科长，", "李主任，",
]
_BODIES = [
    "我这边核对一下数据", "材料已经放在共享盘里了", "表格第三列的口径我再确认一下", "会议室已经预订好",
    "下午我去档案室调一下原件", "这份汇总我再校对一遍", "系统里的台账已经更新", "报销单据我明天送到财务",
    "调研提纲初稿写好了", "上次提到的问题已经整改完毕", "打印机没纸了，我去领一包", "车辆已经安排好",
    "附件的格式我统一调整了", "这个事项我跟对口处室沟通过了", "统计口径和去年保持一致",
    "走访名单我整理了一版",
    "数据接口今天联调通过了", "文件我已经登记编号", "值班表我核对过没有冲突", "培训签到表我来收",
]
_CLOSERS = ["", "", "。", "，有问题随时说。", "，稍后反馈。", "，请大家看一下。", "。谢谢！", "，辛苦各位。"]


def office_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        body = rng.choice(_BODIES)
        if rng.random() < 0.3:
            body += f"（第{i % 97 + 1}项）"
        texts.append(f"{rng.choice(_OPENERS)}{body}{rng.choice(_CLOSERS)}")
    return texts


DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "../shared/data/corpus/cold-safe.txt"
COLD_GROUPS, COLD_MEMBERS = 5, 100
DEFAULT_BASE_TIME = "2026-11-23T09:00:00+08:00"  # a Monday morning inside working hours


def cold_lines(path: Path, count: int, skip: int = 0) -> list[str]:
    """``count`` unique non-empty lines of the corpus after the first ``skip`` unique ones."""
    seen: set[str] = set()
    out: list[str] = []
    with open(path, encoding="utf-8") as corpus:
        for raw in corpus:
            line = raw.strip()
            if not line or line in seen:
                continue
            seen.add(line)
            if len(seen) <= skip:
                continue
            out.append(line)
            if len(out) == count:
                return out
    raise SystemExit(f"{path}: only {len(out)} unique lines after the first {skip}; need {count}")


class ColdWorkload:
    """The realistic workload: real comments, 5 groups × 100 members, one second between events."""

    def __init__(self, path: Path, base_time: float, self_id: int) -> None:
        self.path = path
        self.clock = base_time
        self.self_id = self_id
        self.used = 0

    def _frame(self, i: int, text: str) -> str:
        group_id = 710_000 + i % COLD_GROUPS
        user_id = 21_000_000 + (i // COLD_GROUPS) % COLD_MEMBERS
        self.clock += 1
        event = ev.group_message(
            group_id, user_id, text, card=f"同事{user_id % 1000}", self_id=self.self_id, time=self.clock
        )
        return json.dumps(event, ensure_ascii=False)

    def warm_up(self) -> list[str]:
        """One message from each of the 500 members (the groups and members are then known)."""
        n = COLD_GROUPS * COLD_MEMBERS
        lines = cold_lines(self.path, n, skip=self.used)
        self.used += n
        return [self._frame(i, text) for i, text in enumerate(lines)]

    def frames(self, count: int) -> list[str]:
        """The next ``count`` unique lines (every run sends text not sent before)."""
        lines = cold_lines(self.path, count, skip=self.used)
        self.used += count
        return [self._frame(i, text) for i, text in enumerate(lines)]


def encoded_messages(count: int, *, seed: int, self_id: int) -> list[str]:
    """Pre-encode the frames so that building them does not count against the bot."""
    frames = []
    for i, text in enumerate(office_texts(count, seed)):
        # 53 groups x 997 members: every (group, member) pair is distinct for the first 52,841
        # messages, so no flooding rule fires on a member posting 100 times in a second.
        group_id = 700_000 + i % 53
        user_id = 20_000_000 + i % 997
        event = ev.group_message(group_id, user_id, text, card=f"同事{user_id % 1000}", self_id=self_id)
        frames.append(json.dumps(event, ensure_ascii=False))
    return frames


@dataclass
class Target:
    name: str
    module: str
    process: BotProcess
    peer: OneBotV11Peer | None = None
    baseline: int = 0
    polls: int = 0
    results: dict[str, list[float]] = field(default_factory=dict)
    cpu_results: dict[str, list[float]] = field(default_factory=dict)
    cold: ColdWorkload | None = None


async def poll_count(target: Target, superuser: int, in_group: bool, limit: float) -> tuple[int, Call]:
    """Send ``/状态`` and return the processed-message count from the reply."""
    peer = target.peer
    assert peer is not None
    target.polls += 1
    if in_group:
        await peer.send_group_message(POLL_GROUP, superuser, "/状态", role="owner")
    else:
        await peer.send_private_message(superuser, "/状态")
    call = await peer.wait_call(REPLY_ACTIONS, lambda c: COUNT_RE.search(c.text) is not None, timeout=limit)
    match = COUNT_RE.search(call.text)
    assert match is not None
    return int(match.group(1)), call


async def settle(target: Target, args: argparse.Namespace) -> int:
    """Poll until two consecutive polls differ by exactly one (only the poll itself was counted)."""
    previous, _ = await poll_count(target, args.superuser, args.poll_in_group, args.timeout)
    while True:
        await asyncio.sleep(0.1)
        current, _ = await poll_count(target, args.superuser, args.poll_in_group, args.timeout)
        if current - previous == 1:
            return current
        previous = current


async def warm_up(target: Target, args: argparse.Namespace) -> None:
    peer = target.peer
    assert peer is not None
    frames = encoded_messages(args.warmup, seed=args.seed + 1, self_id=peer.self_id)
    if target.cold is not None:
        frames += target.cold.warm_up()
    for frame in frames:
        await peer.send_raw(frame)
    target.baseline = await settle(target, args)


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time the process has used (Linux ``/proc``; None elsewhere).

    Wall-clock rates swing with whatever else runs on the machine; CPU time per event does not, so
    both are reported.
    """
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | None, field: str = "VmRSS") -> float | None:
    """Resident memory (``VmRSS``), or its peak so far (``VmHWM``), in MB (Linux ``/proc``)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


async def run_once(
    target: Target, frames: Sequence[str], args: argparse.Namespace, round_no: int, workload: str
) -> dict[str, Any]:
    peer = target.peer
    assert peer is not None
    n = len(frames)
    cpu_before = cpu_seconds(target.process.pid)
    start = time.monotonic()
    for frame in frames:
        await peer.send_raw(frame)
    sent_at = time.monotonic()
    polls = 0
    while True:
        polls += 1
        count, call = await poll_count(target, args.superuser, args.poll_in_group, args.timeout)
        done = count - target.baseline - polls
        if done >= n:
            break
        if call.time - start > args.timeout:
            raise TimeoutError(f"{target.name}: only {done}/{n} processed after {args.timeout}s")
        # Sleep about as long as the rest should take at the rate seen so far, so that a slow bot is
        # not flooded with polls (each one is a message and a paced reply).
        rate = max(done, 1) / max(time.monotonic() - start, 1e-3)
        await asyncio.sleep(min(max((n - done) / rate * 0.8, 0.01), 1.0))
    elapsed = call.time - start
    cpu_after = cpu_seconds(target.process.pid)
    cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
    target.baseline = count
    rate = n / elapsed
    target.results.setdefault(workload, []).append(rate)
    if cpu:
        target.cpu_results.setdefault(workload, []).append(n / cpu)
    return {
        "bench": BENCH,
        "target": target.name,
        "module": target.module,
        "workload": workload,
        "round": round_no,
        "events": n,
        "elapsed_s": round(elapsed, 4),
        "send_s": round(sent_at - start, 4),
        "events_per_s": round(rate, 1),
        "cpu_s": round(cpu, 3) if cpu is not None else None,
        "events_per_cpu_s": round(n / cpu, 1) if cpu else None,
        "cpu_ms_per_event": round(cpu / n * 1000, 3) if cpu else None,
        "polls": polls,
        "overcount": done - n,
        "rss_mb": rss_mb(target.process.pid),
        "peak_rss_mb": rss_mb(target.process.pid, "VmHWM"),
    }


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_env(pairs: Sequence[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--env expects KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


async def main(args: argparse.Namespace) -> int:
    names = [t.strip() for t in args.targets.split(",") if t.strip()]
    modules = {"bare": args.bare_module, "bot": args.bot_module}
    unknown = [n for n in names if n not in modules]
    if unknown:
        raise SystemExit(f"unknown target(s): {', '.join(unknown)} (choose from bare, bot)")
    env = parse_env(args.env)
    targets = []
    scratch: list[Path] = []
    for name in names:
        data_dir = None
        if name == "bot" and args.lexicon:
            # An operator's lexicon: config/lexicons/ in the bot's working directory (its data dir).
            data_dir = Path(tempfile.mkdtemp(prefix="steward-bench-"))
            scratch.append(data_dir)
            folder = data_dir / "config" / "lexicons"
            folder.mkdir(parents=True)
            shutil.copyfile(args.lexicon, folder / "illegal.txt")
        targets.append(Target(name, modules[name], BotProcess(
            module=modules[name], access_token="bench-token", superusers=[str(args.superuser)],
            log_level=args.log_level, env=env, start_timeout=args.start_timeout, data_dir=data_dir,
        )))
    workloads = ["office", "cold"] if args.workload == "both" else [args.workload]
    if "cold" in workloads:
        corpus = Path(args.corpus)
        if not os.path.isfile(corpus):  # noqa: ASYNC240 - once, before anything runs
            raise SystemExit(f"--workload cold needs the corpus: {corpus} not found (see --corpus)")
        base = datetime.fromisoformat(args.base_time).timestamp() if args.base_time != "now" else time.time()
        for target in targets:
            # Every target gets the same lines in the same order.
            target.cold = ColdWorkload(corpus, base, ev.DEFAULT_SELF_ID)
    office = encoded_messages(args.events, seed=args.seed, self_id=ev.DEFAULT_SELF_ID)
    emit({"bench": BENCH, "config": True, "events": args.events, "rounds": args.rounds, "warmup": args.warmup,
          "workloads": workloads, "corpus": str(args.corpus) if "cold" in workloads else None,
          "base_time": args.base_time if "cold" in workloads else None,
          "log_level": args.log_level, "cpus": os.cpu_count(), "python": platform.python_version(),
          "machine": platform.machine(), "targets": {t.name: t.module for t in targets}})
    try:
        for target in targets:
            progress(f"starting {target.name} ({target.module}) …")
            await target.process.start()
            target.peer = OneBotV11Peer(target.process.ws_url_v11, access_token=target.process.access_token)
            await target.peer.connect()
            await warm_up(target, args)
            progress(f"  {target.name} listening on port {target.process.port}, warmed up")
        for round_no in range(1, args.rounds + 1):
            order = targets if round_no % 2 else list(reversed(targets))
            for workload in workloads:
                for target in order:
                    if workload == "cold":
                        assert target.cold is not None
                        frames = target.cold.frames(args.events)
                    else:
                        frames = office
                    record = await run_once(target, frames, args, round_no, workload)
                    emit(record)
                    progress(
                        f"  round {round_no} {workload} {target.name}: {record['events_per_s']} events/s, "
                        f"{record['cpu_ms_per_event']} ms CPU/event"
                    )
                    assert target.peer is not None
                    target.peer.clear()  # the call log would otherwise grow with every run
    finally:
        for target in targets:
            if target.peer is not None:
                await target.peer.close()
            await target.process.stop()
            target.process.remove_data_dir()
        for folder in scratch:
            shutil.rmtree(folder, ignore_errors=True)

    status = 0
    for workload in workloads:
        summary: dict[str, Any] = {"bench": BENCH, "summary": True, "workload": workload}
        for target in targets:
            runs = target.results.get(workload, [])
            summary[f"{target.name}_median"] = round(statistics.median(runs), 1)
            summary[f"{target.name}_runs"] = [round(r, 1) for r in runs]
            cpu_runs = target.cpu_results.get(workload, [])
            if cpu_runs:
                summary[f"{target.name}_cpu_median"] = round(statistics.median(cpu_runs), 1)
                summary[f"{target.name}_cpu_ms_per_event"] = round(1000 / statistics.median(cpu_runs), 3)
        if {"bare", "bot"} <= {t.name for t in targets}:
            ratio = summary["bot_median"] / summary["bare_median"]
            summary["ratio"] = round(ratio, 3)
            if "bot_cpu_median" in summary and "bare_cpu_median" in summary:
                summary["cpu_ratio"] = round(summary["bot_cpu_median"] / summary["bare_cpu_median"], 3)
            if args.min_ratio is not None:
                summary["min_ratio"] = args.min_ratio
                summary["pass"] = summary.get("cpu_ratio", ratio) >= args.min_ratio
                status = status or (0 if summary["pass"] else 1)
        emit(summary)
    return status


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--events", type=int, default=5000, help="messages per run (default 5000)")
    parser.add_argument("-r", "--rounds", type=int, default=3,
                        help="runs per target, alternating (default 3)")
    parser.add_argument("--warmup", type=int, default=200, help="messages before the first run (default 200)")
    parser.add_argument("--targets", default="bare,bot", help="comma-separated: bare, bot (default both)")
    parser.add_argument("--bot-module", default="bot", help="module or script of the full bot (default: bot)")
    parser.add_argument("--bare-module", default=BARE_MODULE, help="module or script of the baseline")
    parser.add_argument("--log-level", default="WARNING",
                        help="LOG_LEVEL for both processes (default WARNING: per-event INFO lines would "
                             "measure the logger)")
    parser.add_argument("--superuser", type=int, default=10001, help="user who sends /状态 (default 10001)")
    parser.add_argument("--poll-in-group", action="store_true",
                        help="poll /状态 in a group instead of a private chat")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for both processes (repeatable)")
    parser.add_argument("--workload", choices=("office", "cold", "both"), default="office",
                        help="office: generated office chat; cold: real comments (see --corpus); both")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS),
                        help="one message a line for the cold workload (COLDataset's safe comments)")
    parser.add_argument("--base-time", default=DEFAULT_BASE_TIME,
                        help="event time of the cold workload's first message (ISO with zone, or 'now')")
    parser.add_argument("--lexicon", type=Path, default=None,
                        help="a word list (one a line) the bot loads as an operator's lexicon, e.g. the "
                             "100k list of bench/make_lexicon.py")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per run")
    parser.add_argument("--start-timeout", type=float, default=60.0, help="seconds allowed for start-up")
    parser.add_argument("--min-ratio", type=float, default=None,
                        help="exit 1 if bot/bare (CPU ratio where known) falls below this (SPEC §11: 0.7)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse_args()
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main(options)))
    else:
        # The client shares the machine with the bot: keep its own overhead low.
        sys.exit(uvloop.run(main(options)))
