"""Dashboard request tests: a seeded picture of two units (finance: 8100, 8101; tax: 8300) on the
session's database, the app mounted at /steward on a bare FastAPI, accounts of every role."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlmodel import col

from bot.models.admission import MemberIdentity
from bot.models.group import ChatGroup
from bot.models.guard import GuardFinding, GuardStrike
from bot.models.register import Case, Filing, FilingDuty, GroupActivity
from bot.models.review import GroupDayCount, ReviewFinding, ReviewRun, Suggestion
from bot.models.web import WebUser
from bot.policy import load_policy
from bot.runtime import get_runtime
from bot.sim.dashboard import Unit, policy_toml, seed
from bot.store import groups as groups_store
from bot.store import web as web_store
from bot.store.db import get_db
from bot.web import auth
from bot.web.app import State, create_app
from tests.utils import FakeGateway

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Shanghai
UNITS = [
    Unit("finance", "测试市财政局", ["8100", "8101"], supervisors=["20001"]),
    Unit("tax", "测试市税务局", ["8300"]),
]
GROUP_IDS = [g for u in UNITS for g in u.groups]
PASSWORD = "correct-horse-battery"
ACCOUNTS: dict[str, dict[str, Any]] = {
    "op": {"role": "operator"},
    "sup_a": {"role": "supervisor", "units": ["finance"]},
    "sup_b": {"role": "supervisor", "units": ["tax"]},
    "own": {"role": "owner", "groups": ["8300"]},
}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def _clean() -> None:
    async with get_db().session() as s:
        for table in (
            ChatGroup,
            Filing,
            FilingDuty,
            Case,
            MemberIdentity,
            GuardFinding,
            GuardStrike,
            GroupDayCount,
            GroupActivity,
            ReviewRun,
            ReviewFinding,
            Suggestion,
        ):
            await s.execute(delete(table).where(col(table.group_id).in_(GROUP_IDS)))  # type: ignore[attr-defined]
        await s.execute(delete(WebUser))
    groups_store.forget_cache()


@pytest.fixture(scope="module")
async def seeded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    policy = tmp_path_factory.mktemp("web") / "policy.toml"
    policy.write_text(policy_toml(UNITS), encoding="utf-8")
    await _clean()
    await seed(get_db(), UNITS, NOW)
    hashed = auth.hash_password(PASSWORD)
    for name, spec in ACCOUNTS.items():
        await web_store.create_user(
            name, spec["role"], hashed, NOW, units=spec.get("units", ()), groups=spec.get("groups", ())
        )
    yield policy
    await _clean()


@pytest.fixture
def web_policy(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_runtime(), "policy", load_policy(seeded))
    return seeded


@pytest.fixture
def app(web_policy: Path) -> FastAPI:
    parent = FastAPI()
    parent.mount("/steward", create_app(State(clock=lambda: NOW)))
    return parent


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    rt = get_runtime()
    gw = FakeGateway()
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


async def login(c: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    page = await c.get("/steward/login")
    return await c.post(
        "/steward/login", data={"name": name, "password": password, "csrf": csrf_of(page.text)}
    )


async def logged_in(app: FastAPI, name: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
    r = await login(c, name)
    assert r.status_code == 303, r.text
    return c
