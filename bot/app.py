"""Start-up: NoneBot init, settings, security check, policy, adapters, plugins, runtime."""

from __future__ import annotations

import asyncio
import os
import pkgutil
import sys
from collections.abc import Iterable
from typing import Any

import nonebot
from loguru import logger

from bot.core.calendar import DayCalendar, HolidayOverrideError, load_overrides
from bot.intake.adapters import StewardV11Adapter, StewardV12Adapter
from bot.logs import configure_logging
from bot.policy import PolicyError, load_policy
from bot.runtime import Runtime, get_runtime, set_runtime
from bot.settings import (
    SettingsError,
    StewardSettings,
    check_listen_security,
    check_log_level,
    listen_tokens,
    onebot_credentials,
    plugin_settings,
    settings_error_line,
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


class StartupError(Exception):
    """Any reason to refuse to start; the message is one line for the operator."""


def normalise_superusers(entries: Iterable[object]) -> frozenset[str]:
    """NoneBot accepts `SUPERUSERS` entries bare ("123") or with the adapter's prefix
    ("onebot:123", which its SUPERUSER permission matches); we compare bare user ids."""
    out: set[str] = set()
    for entry in entries:
        text = str(entry).strip()
        prefix, sep, rest = text.partition(":")
        out.add(rest.strip() if sep and prefix.strip().lower() == "onebot" else text)
    out.discard("")
    return frozenset(out)


def build_runtime(*, embedded: bool = False, configure_logs: bool = True) -> Runtime:
    """Settings, security check, policy and calendar → a Runtime (not started). `StartupError`."""
    cfg = nonebot.get_driver().config
    try:
        check_log_level(cfg.log_level)
        settings = plugin_settings()
        if configure_logs:
            configure_logging(cfg.log_level, settings.log_dir if settings.steward_log_file else None)
        check_listen_security(str(cfg.host), listen_tokens(onebot_credentials()))
        policy = load_policy(settings.steward_policy_file)
        days = DayCalendar(load_overrides(settings.steward_holidays_dir, missing_ok=True))
    except (SettingsError, PolicyError, HolidayOverrideError) as e:
        raise StartupError(str(e)) from None
    return Runtime(
        settings=settings,
        policy=policy,
        superusers=normalise_superusers(cfg.superusers),
        days=days,
        embedded=embedded,
    )


DEFAULT_DRIVER = "~fastapi+~websockets+~httpx"
"""Every connection mode works out of the box: the ASGI server (reverse WebSocket, HTTP POST
intake), the WebSocket client (forward WebSocket, ONEBOT_WS_URLS) and the HTTP client (HTTP
mode, ONEBOT_API_ROOTS: without it no action would ever reach the API root)."""


def _before_init(key: str, default: Any) -> Any:
    """A NoneBot setting as it will be read (environment, then `.env.{ENVIRONMENT}`, then `.env`),
    for what must be checked or defaulted before `nonebot.init`."""
    from dotenv import dotenv_values

    if key in os.environ:
        return os.environ[key]
    environment = os.environ.get("ENVIRONMENT") or dotenv_values(".env").get("ENVIRONMENT") or "prod"
    for name in (f".env.{environment}", ".env"):
        value = dotenv_values(name).get(key)
        if value is not None:
            return value
    return default


def init(*, load_plugins: bool = True, **overrides: Any) -> Runtime:
    """Initialise NoneBot and our runtime (not started). Raises `StartupError`."""
    try:
        # NoneBot logs while it initialises: a bad level must be caught before that.
        check_log_level(overrides.get("log_level", _before_init("LOG_LEVEL", "INFO")))
        if _before_init("DRIVER", None) is None:
            overrides.setdefault("driver", DEFAULT_DRIVER)
        nonebot.init(**overrides)
    except SettingsError as e:
        raise StartupError(str(e)) from None
    except Exception as e:  # NoneBot's own settings (PORT=abc, SUPERUSERS=notjson, DRIVER …)
        raise StartupError(settings_error_line(e) or f"NoneBot 初始化失败：{type(e).__name__}") from None
    return setup(load_plugins=load_plugins)


def register_adapters() -> None:
    """The repaired OneBot adapters, unless an adapter of the same name is registered already."""
    driver = nonebot.get_driver()
    present = nonebot.get_adapters()
    for adapter in (StewardV11Adapter, StewardV12Adapter):
        if adapter.get_name() not in present:
            try:  # the adapter reads its settings (ONEBOT_API_ROOTS …) here
                driver.register_adapter(adapter)
            except Exception as e:
                line = settings_error_line(e)
                if line is None:
                    raise
                raise StartupError(line) from None


def start_with_driver(rt: Runtime) -> None:
    driver = nonebot.get_driver()
    driver.on_startup(rt.start)
    driver.on_shutdown(rt.stop)


def setup(*, load_plugins: bool = True) -> Runtime:
    """Everything after `nonebot.init` (tests call this after nonebug has initialised NoneBot)."""
    rt = build_runtime()
    set_runtime(rt)
    if load_plugins:
        register_adapters()
        start_with_driver(rt)  # before the plugins' own start-up hooks: they use the database
        # The intake plugin owns the only matcher; the others register commands and hooks.
        for name in plugin_modules():
            nonebot.load_plugin(name)
    return rt


def ensure_runtime() -> Runtime:
    """The runtime for the intake plugin: the one `python -m bot` (or `nb run`) built, or — when
    the plugins are loaded into someone else's NoneBot bot — one built now from the host's config
    and started from the driver's start-up hook."""
    try:
        return get_runtime()
    except RuntimeError:
        pass
    rt = build_runtime(embedded=True, configure_logs=False)
    set_runtime(rt)
    start_with_driver(rt)
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
