"""A running bot says so: a small status file per process under ``<data dir>/run/``.

The operator CLI runs in another process (``review run``, ``doctor``): it reads these files to tell
whether a bot process is running on this data directory and which OneBot accounts it has connected.
A file is *live* while its process exists and it was rewritten within ``STALE_AFTER`` seconds; files
of processes that died without cleaning up are ignored (and removed when found).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loguru import logger

INTERVAL = 5.0
STALE_AFTER = 30.0


def run_dir(data_dir: Path) -> Path:
    return data_dir / "run"


@dataclass(frozen=True)
class Account:
    platform: str
    self_id: str
    since: str


@dataclass(frozen=True)
class Beat:
    pid: int
    version: str
    started_at: datetime
    updated_at: datetime
    accounts: tuple[Account, ...]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


def live_beats(data_dir: Path, *, now: datetime | None = None) -> list[Beat]:
    """The bot processes running on this data directory (newest first)."""
    now = now or datetime.now(UTC)
    out: list[Beat] = []
    folder = run_dir(data_dir)
    if not folder.is_dir():
        return out
    for path in folder.glob("steward-*.json"):
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            beat = Beat(
                pid=int(raw["pid"]),
                version=str(raw.get("version", "")),
                started_at=datetime.fromisoformat(raw["started_at"]),
                updated_at=datetime.fromisoformat(raw["updated_at"]),
                accounts=tuple(Account(**a) for a in raw.get("accounts", [])),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written, or not ours
        if not _pid_alive(beat.pid):
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        if (now - beat.updated_at).total_seconds() > STALE_AFTER:
            continue
        out.append(beat)
    return sorted(out, key=lambda b: b.started_at, reverse=True)


class Heartbeat:
    """Rewrites this process's status file every `INTERVAL` seconds while the runtime runs."""

    def __init__(self, data_dir: Path, version: str, accounts: Any, interval: float = INTERVAL) -> None:
        self.path = run_dir(data_dir) / f"steward-{os.getpid()}.json"
        self.version = version
        self.accounts = accounts  # callable → list[Account]
        self.interval = interval
        self.started_at = datetime.now(UTC)
        self._task: asyncio.Task[None] | None = None

    def write(self) -> None:
        payload = {
            "pid": os.getpid(),
            "version": self.version,
            "started_at": self.started_at.isoformat(),
            "updated_at": datetime.now(UTC).isoformat(),
            "accounts": [a.__dict__ for a in self.accounts()],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.path)
        except OSError as e:  # a read-only data dir must not stop the bot
            logger.warning(f"heartbeat: cannot write {self.path.name}: {type(e).__name__}")

    async def _run(self) -> None:
        while True:
            self.write()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="steward-heartbeat")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(OSError):
            self.path.unlink()
