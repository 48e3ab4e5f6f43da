"""Logging: loguru to the console and to a rotating file under data/logs/.

NoneBot logs every incoming event with its full text at SUCCESS level. Message text may carry
personal data (SPEC: never in logs), and one log line per message is also measurable cost, so those
lines are dropped; our own intake logs only types and counters.

Two lines of defence: at the source, no OneBot event model renders a log line
(bot/intake/adapters.py); at the sink (here, for every logger), NoneBot's event lines are dropped
whatever model produced them, and ID-shaped and mobile-shaped numbers are masked in every message
and exception text that is written.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from loguru import logger

from bot.core.identity.redact import scrub_for_log

_FORMAT = "<g>{time:MM-DD HH:mm:ss}</g> [<lvl>{level}</lvl>] <c><u>{name}</u></c> | {message}"
_FILE_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} [{level}] {name} | {message}"
_handlers: list[int] = []
#: The operator CLI's one-off commands keep the console to warnings and errors (see `quiet_console`).
_console_floor: int = 0


# NoneBot's event line: "<adapter> <self id> | [notice.group_card]: {…the whole payload…}".
_EVENT_LINE = re.compile(r"^[\w .-]+ \S+ \| \[[\w.]+\]")
_NONEBOT = ("nonebot", "nonebot.message")


class _Redacted(Exception):
    """Stands in for a logged exception whose text had to be masked (its chain is not kept)."""


def _keep(record: Any) -> bool:
    if record["name"] in _NONEBOT and record["level"].name in ("SUCCESS", "INFO"):
        # nonebot.message: "<bot> | [message.group.normal]: Message … '<text>'" and matcher chatter;
        # NoneBot ≥ 2.4 names its records "nonebot", so the event line is recognised by its shape.
        if record["name"] == "nonebot.message" or _EVENT_LINE.match(record["message"]):
            return False
    record["message"] = scrub_for_log(record["message"])
    exc = record["exception"]
    if exc is not None and exc.value is not None:
        text = str(exc.value)
        clean = scrub_for_log(text)
        if clean != text:
            record["exception"] = type(exc)(exc.type, _Redacted(clean), exc.traceback)
    return True


def quiet_console(level: str = "WARNING") -> None:
    """Console shows only `level` and above from now on, NoneBot's start-up lines included (its
    default handler is removed before `nonebot.init` can use it); the log file is unaffected."""
    import nonebot.log

    global _console_floor
    _console_floor = logger.level(level).no
    try:
        logger.remove(nonebot.log.logger_id)
    except ValueError:
        pass


def configure_logging(level: str | int = "INFO", log_dir: Path | None = None) -> None:
    import nonebot.log

    try:
        logger.remove(nonebot.log.logger_id)
    except ValueError:
        pass  # already removed by an earlier call
    for h in _handlers:
        logger.remove(h)
    _handlers.clear()
    # The handlers' own level (not a filter) decides what is logged: loguru then skips building the
    # records below it altogether — NoneBot emits about nine DEBUG records per message.
    levelno = logger.level(level).no if isinstance(level, str) else level
    console = max(levelno, _console_floor)
    _handlers.append(logger.add(sys.stdout, level=console, format=_FORMAT, filter=_keep, diagnose=False))
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        _handlers.append(
            logger.add(
                log_dir / "steward.log",
                level=levelno,
                format=_FILE_FORMAT,
                filter=_keep,
                rotation="10 MB",
                retention=10,
                encoding="utf-8",
                diagnose=False,  # diagnose would print variable values
            )
        )
