"""The supervisor dashboard (SPEC §10): an authenticated web page served by the bot's own ASGI app
under ``/steward/`` — overview, group, cases, suggestions, audit, downloads — scoped per account.

Accounts are made with ``python -m bot web adduser`` (:mod:`bot.web.cli`); until one exists every
``/steward/`` path answers 404.
"""

from __future__ import annotations

from typing import Any

from bot.settings import is_loopback

PREFIX = "/steward"
_mounted: set[int] = set()


def mount(asgi_app: Any) -> bool:
    """Mount the dashboard on a FastAPI / Starlette application (once per application)."""
    from bot.web.app import create_app

    if id(asgi_app) in _mounted:
        return False
    asgi_app.mount(PREFIX, create_app())
    _mounted.add(id(asgi_app))
    return True


def base_url(web_url: str, host: str, port: int | str) -> str:
    """Where users reach the dashboard: ``STEWARD_WEB_URL`` when set (behind HTTPS), else the bot's
    own address when it names one; "" when unknown (listening on every address)."""
    if web_url:
        return web_url.rstrip("/") + ("" if web_url.rstrip("/").endswith(PREFIX) else PREFIX)
    if host in ("0.0.0.0", "::", "[::]", ""):
        return ""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}{PREFIX}"


async def downloads_hint(rt: Any) -> str | None:
    """The sentence a chat export ends with when the file cannot be sent: a link to the downloads
    page, or None when the dashboard is off (no account yet)."""
    import nonebot

    from bot.store import web as web_store

    try:
        if await web_store.count_users() == 0:
            return None
    except Exception:
        return None
    cfg = nonebot.get_driver().config
    url = base_url(getattr(rt.settings, "steward_web_url", ""), str(cfg.host), cfg.port)
    if not url:
        return f"请登录管理页面（机器人地址 {PREFIX}/downloads）的「下载」页获取。"
    note = "" if url.startswith("https://") or is_loopback(str(cfg.host)) else "（建议运维人员配置 HTTPS）"
    return f"请登录管理页面下载：{url}/downloads{note}"
