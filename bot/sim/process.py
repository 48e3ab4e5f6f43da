"""Run the bot (or any NoneBot entry point) as a real child process on a free loopback port.

The end-to-end tests, the demo and the benchmark all talk to the bot the way NapCat would: over a
real socket to a real process. This harness owns that process: it picks a free port, gives the
bot a private data directory and a clean environment (so a developer's ``.env`` or shell exports
cannot leak into a test), waits until the port accepts connections, and stops it with SIGTERM,
then SIGKILL.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from bot.sim.ports import free_port, port_open

__all__ = ["REPO_ROOT", "BotProcess", "BotStartError"]

#: the repository root (or, installed, the site-packages folder), so that ``import bot`` works
#: whatever the child's working directory
REPO_ROOT = Path(__file__).resolve().parents[2]

# Variables that NoneBot or the bot read from the environment. They are removed from the inherited
# environment so that only what the harness sets (plus ``env=``) reaches the child.
_SCRUBBED_PREFIXES = ("ONEBOT_", "STEWARD_")
_SCRUBBED_NAMES = frozenset({
    "HOST", "PORT", "SUPERUSERS", "DATABASE_URL", "DRIVER", "ENVIRONMENT", "LOG_LEVEL", "NICKNAME",
    "COMMAND_START", "COMMAND_SEP", "API_TIMEOUT",
})

_running_pids: set[int] = set()


@atexit.register
def _kill_leftovers() -> None:
    # A test run that dies without stopping its bots must not leave servers bound to ports.
    for pid in list(_running_pids):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


class BotStartError(RuntimeError):
    """The bot process exited or never opened its port; the message carries its log tail."""


class BotProcess:
    """An async context manager around one bot process.

    >>> async with BotProcess(superusers=["10001"]) as bot:          # doctest: +SKIP
    ...     async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token) as peer:
    ...         ...

    ``module`` is a module name run with ``python -m`` (default ``bot``) or a path to a script
    (a relative path is looked up from the current directory, then from the repository root).
    """

    def __init__(
        self,
        *,
        access_token: str | None = "test-token",
        superusers: Sequence[str | int] = ("10001",),
        env: Mapping[str, str] | None = None,
        database_url: str | None = None,
        policy_file: str | os.PathLike[str] | None = None,
        secret_key: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        module: str = "bot",
        log_level: str = "INFO",
        host: str = "127.0.0.1",
        port: int | None = None,
        start_timeout: float = 30.0,
        stop_grace: float = 10.0,
        keep_data_dir: bool = False,
    ) -> None:
        self.access_token = access_token
        self.superusers = [str(s) for s in superusers]
        self.extra_env = dict(env or {})
        self.policy_file = Path(policy_file).resolve() if policy_file is not None else None
        self.secret_key = secret_key
        self.module = module
        self.log_level = log_level
        self.host = host
        self._fixed_port = port
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self._own_data_dir = data_dir is None
        self.keep_data_dir = keep_data_dir
        self.data_dir = Path(data_dir).resolve() if data_dir is not None else Path(
            tempfile.mkdtemp(prefix="steward-sim-")
        )
        self.database_url = database_url or f"sqlite+aiosqlite:///{self.data_dir / 'steward.db'}"
        self.log_path = self.data_dir / "process.log"
        self.port = 0
        self.returncode: int | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._log_file: BinaryIO | None = None

    # --- addresses -----------------------------------------------------------------------------

    @property
    def ws_url_v11(self) -> str:
        return f"ws://{self.host}:{self.port}/onebot/v11/ws"

    @property
    def ws_url_v12(self) -> str:
        return f"ws://{self.host}:{self.port}/onebot/v12/ws"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def stopped_cleanly(self) -> bool:
        """Exit code 0, or death by the SIGTERM we sent: uvicorn re-raises it after a graceful shutdown."""
        return self.returncode in (0, -signal.SIGTERM)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    # --- the child's command and environment ---------------------------------------------------

    def command(self) -> list[str]:
        target = self.module
        if target.endswith(".py") or os.sep in target or "/" in target:
            path = Path(target)
            if not path.is_absolute() and not path.exists():
                path = REPO_ROOT / target
            return [sys.executable, str(path.resolve())]
        return [sys.executable, "-m", target]

    def environment(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items()
            if k not in _SCRUBBED_NAMES and not k.startswith(_SCRUBBED_PREFIXES)
        }
        pythonpath = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env.update({
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
            "HOST": self.host,
            "PORT": str(self.port),
            "SUPERUSERS": json.dumps(self.superusers),
            "DATABASE_URL": self.database_url,
            "STEWARD_DATA_DIR": str(self.data_dir),
            "LOG_LEVEL": self.log_level,
            # Scenes and tests meet their groups as known unless they ask for day one (extra_env).
            "STEWARD_FIRST_SIGHT": "false",
            # … and poll WeChat member lists only when they ask (STEWARD_WECHAT_MEMBER_POLL).
            "STEWARD_WECHAT_MEMBER_POLL": "0",
            # Scenes move time through event timestamps (a real bot counts first sight, deadlines and
            # strikes from the arrival time when the event's is off: bot/intake/clock.py).
            "STEWARD_TRUST_EVENT_TIME": "true",
        })
        holidays = REPO_ROOT / "config" / "holidays"
        if holidays.is_dir():  # a checkout (an installed package has no operator config)
            # The child runs in its data dir; give it the repository's holiday overrides, as an
            # operator's bot started from the repository would read them.
            env["STEWARD_HOLIDAYS_DIR"] = str(holidays)
        if self.access_token is not None:
            env["ONEBOT_ACCESS_TOKEN"] = self.access_token
        if self.policy_file is not None:
            env["STEWARD_POLICY_FILE"] = str(self.policy_file)
        if self.secret_key is not None:
            env["STEWARD_SECRET_KEY"] = self.secret_key
        env.update(self.extra_env)
        return env

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, attempts: int = 3) -> BotProcess:
        """Start the process and wait until its port accepts TCP connections."""
        if self.running:
            raise RuntimeError("bot process already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        last_error: BotStartError | None = None
        for _ in range(attempts):
            self.port = self._fixed_port or free_port(self.host)
            try:
                await self._start_once()
                return self
            except BotStartError as exc:
                last_error = exc
                # Another process may have taken the port between our probe and the bot's bind:
                # that race is the only failure worth retrying with a fresh port.
                if self._fixed_port or "address already in use" not in str(exc).lower():
                    raise
        assert last_error is not None
        raise last_error

    def _open_log(self) -> BinaryIO:
        # Kept open for the child's lifetime (it inherits the descriptor); closed in _cleanup.
        log = open(self.log_path, "ab")
        log.write(f"--- start {time.strftime('%Y-%m-%d %H:%M:%S')} port {self.port}\n".encode())
        log.flush()
        self._log_file = log
        return log

    async def _start_once(self) -> None:
        log = self._open_log()
        self._proc = await asyncio.create_subprocess_exec(
            *self.command(),
            cwd=self.data_dir,
            env=self.environment(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        _running_pids.add(self._proc.pid)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.returncode is not None:
                code = self._proc.returncode
                self._cleanup()
                raise BotStartError(f"bot exited with code {code} before listening:\n{self.log_tail()}")
            if await port_open(self.host, self.port):
                return
            await asyncio.sleep(0.05)
        await self.stop()
        raise BotStartError(
            f"bot did not listen on {self.host}:{self.port} within {self.start_timeout}s:\n{self.log_tail()}"
        )

    async def stop(self, grace: float | None = None) -> int | None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; returns the exit code (None if never started)."""
        proc = self._proc
        if proc is None:
            return self.returncode
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), self.stop_grace if grace is None else grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        self.returncode = proc.returncode
        self._cleanup()
        return self.returncode

    async def kill(self) -> int | None:
        """SIGKILL at once: a crash, for tests of what survives one."""
        return await self.stop(grace=0)

    async def restart(self) -> BotProcess:
        """Stop and start again on the same port and data directory (peers must reconnect)."""
        await self.stop()
        self._fixed_port = self._fixed_port or self.port
        return await self.start()

    def _cleanup(self) -> None:
        if self._proc is not None:
            _running_pids.discard(self._proc.pid)
            self._proc = None
        log = self._log_file
        self._log_file = None
        if log is not None:
            log.close()

    def remove_data_dir(self) -> None:
        if self._own_data_dir and not self.keep_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # --- logs ----------------------------------------------------------------------------------

    def read_log(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.read_log().splitlines()[-lines:])

    async def wait_log(self, needle: str, timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Wait until ``needle`` appears in the log; return the log."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.read_log()
            if needle in text:
                return text
            if time.monotonic() >= deadline:
                raise AssertionError(f"{needle!r} not in the bot log within {timeout}s:\n{self.log_tail()}")
            await asyncio.sleep(0.05)

    # --- context manager -----------------------------------------------------------------------

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
        # Keep the directory when something failed, so the log and database can be inspected.
        if exc_type is None:
            self.remove_data_dir()
