"""Without an account the dashboard does not exist: every /steward/ path answers 404."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from bot.models.web import WebUser
from bot.store.db import get_db
from bot.web.app import State, create_app


async def test_off_until_an_account_exists() -> None:
    async with get_db().session() as s:
        assert not list((await s.execute(select(WebUser))).scalars())
    parent = FastAPI()
    parent.mount("/steward", create_app(State()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url="http://127.0.0.1") as c:
        for path in ("/steward/", "/steward/login", "/steward/static/style.css", "/steward/downloads"):
            assert (await c.get(path)).status_code == 404, path
