"""Start-up: NoneBot init, settings, security check, policy, adapters, plugins, runtime."""

from __future__ import annotations

import asyncio
import json
import os
import pkgutil
import sys
from typing import Any

import nonebot
from loguru import logger

from bot.core.calendar import DayCalendar, HolidayOverrideError, load_overrides
from bot.intake.adapters import StewardV11Adapter, StewardV12Adapter
from bot.logs import configure_logging
from bot.policy import PolicyError, load_policy
from bot.runtime import Runtime, set_runtime
from bot.settings import (
    SettingsError,
    StewardSettings,
    check_listen_security,
    listen_tokens,
    load_settings,
)
from bot.store.db import Database, DatabaseError
from bot.store.roster import PersonalDataKeyError, check_key_at_startup


def plugin_modules() -> list[str]:
    """Every package in bot/plugins is a capability (by module name: NoneBot's path-based loader
    only works when the process runs from the repository)."""
    import bot.plugins

    names = sorted(f"bot.plugins.{m.name}" for m in pkgutil.iter_modules(bot.plugins.__path__) if m.ispkg)
    # intake and core first: other plugins may import their modules (re-exports).
    first = [n for n in ("bot.plugins.intake", "bot.plugins.core") if n in names]
    return first + [n for n in names if n not in first]
_ENV_PREFIXES = ("ONEBOT_", "STEWARD_")


class StartupError(Exception):
    """Any reason to refuse to start; the message is one line for the operator."""


def _env_overrides() -> dict[str, Any]:
    """NoneBot reads an undeclared key from the environment only when `.env` names it too; read
    ours (and the adapter's) directly so that plain environment variables always work."""
    out: dict[str, Any] = {}
    for key, value in os.environ.items():
        if key.startswith(_ENV_PREFIXES) or key == "DATABASE_URL":
            v: Any = value
            if value[:1] in "[{":
                try:
                    v = json.loads(value)
                except json.JSONDecodeError:
                    pass
            out[key.lower()] = v
    return out


def init(*, load_plugins: bool = True, **overrides: Any) -> Runtime:
    """Initialise NoneBot and our runtime (not started). Raises `StartupError`."""
    nonebot.init(**{**_env_overrides(), **overrides})
    return setup(load_plugins=load_plugins)


def setup(*, load_plugins: bool = True) -> Runtime:
    """Everything after `nonebot.init` (tests call this after nonebug has initialised NoneBot)."""
    driver = nonebot.get_driver()
    cfg = driver.config
    try:
        settings = load_settings(cfg.model_dump())
        configure_logging(cfg.log_level, settings.log_dir if settings.steward_log_file else None)
        check_listen_security(str(cfg.host), listen_tokens(cfg))
        policy = load_policy(settings.steward_policy_file)
        days = DayCalendar(load_overrides(settings.steward_holidays_dir, missing_ok=True))
    except (SettingsError, PolicyError, HolidayOverrideError) as e:
        raise StartupError(str(e)) from None
    rt = Runtime(
        settings=settings, policy=policy, superusers=frozenset(str(u) for u in cfg.superusers), days=days
    )
    set_runtime(rt)
    if load_plugins:
        driver.register_adapter(StewardV11Adapter)
        driver.register_adapter(StewardV12Adapter)
        driver.on_startup(rt.start)
        driver.on_shutdown(rt.stop)
        # The intake plugin owns the only matchers; the others register commands and hooks.
        for name in plugin_modules():
            nonebot.load_plugin(name)
    return rt


async def prepare_database(settings: StewardSettings) -> str:
    """Migrate (or refuse) and check the personal-data key before the server starts, so that errors
    are one clean line: a set key must be valid; a missing key is refused once the database holds
    personal data (it could be neither read nor added to)."""
    db = Database(settings.resolved_database_url())
    try:
        revision = await db.prepare(auto_migrate=settings.steward_auto_migrate)
        await check_key_at_startup(settings.steward_secret_key, db=db)
        return revision
    finally:
        await db.dispose()


def run() -> None:
    try:
        rt = init()
        asyncio.run(prepare_database(rt.settings))
    except (StartupError, DatabaseError, PersonalDataKeyError) as e:
        print(f"工作群管家无法启动：{e}", file=sys.stderr)
        raise SystemExit(2) from None
    cfg = nonebot.get_driver().config
    logger.info(f"listening for OneBot on ws://{cfg.host}:{cfg.port}/onebot/v11/ws and /onebot/v12/ws")
    nonebot.run()
