"""Dashboard authentication: off without accounts, login, cookies, CSRF, rate limit, logout."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from bot.models.audit import AuditEntry
from bot.store import cases
from bot.store import web as web_store
from bot.store.db import get_db
from bot.web import auth
from tests.web.conftest import NOW, PASSWORD, csrf_of, logged_in, login


async def audit_actions(actor_prefix: str = "web:") -> list[str]:
    async with get_db().session() as s:
        rows = (await s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(50))).scalars()  # type: ignore[union-attr]
        return [f"{e.action} {e.actor}" for e in rows if e.actor.startswith(actor_prefix)]


async def test_pages_need_a_login_and_come_back_after_it(client: httpx.AsyncClient) -> None:
    r = await client.get("/steward/cases?state=overdue")
    assert r.status_code == 303
    assert r.headers["location"] == "/steward/login?next=%2Fsteward%2Fcases%3Fstate%3Doverdue"
    page = await client.get(r.headers["location"])
    assert "登录" in page.text and 'value="/steward/cases?state=overdue"' in page.text
    done = await client.post(
        "/steward/login",
        data={
            "name": "op",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "/steward/cases?state=overdue",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/steward/cases?state=overdue"
    assert "逾期" in (await client.get(done.headers["location"])).text


async def test_next_cannot_leave_the_dashboard(client: httpx.AsyncClient) -> None:
    for evil in ("https://evil.example/", "//evil.example/steward/", "/steward/..//evil", "/other"):
        page = await client.get("/steward/login")
        r = await client.post(
            "/steward/login",
            data={"name": "op", "password": PASSWORD, "csrf": csrf_of(page.text), "next": evil},
        )
        assert r.headers["location"] == "/steward/", evil


async def test_login_sets_a_signed_httponly_samesite_cookie_and_is_audited(client: httpx.AsyncClient) -> None:
    r = await login(client, "sup_a")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{auth.COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/steward/" in cookie and "Secure" not in cookie  # plain http on loopback here
    assert "web.login web:sup_a" in await audit_actions()
    home = await client.get("/steward/")
    assert home.status_code == 200 and "sup_a（监管单位，单位：测试市财政局）" in home.text
    assert (
        home.headers["x-frame-options"] == "DENY"
        and "default-src 'self'" in home.headers["content-security-policy"]
    )
    # A tampered cookie is no session.
    value = client.cookies.get(auth.COOKIE)
    assert value
    client.cookies.set(auth.COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), path="/steward/")
    assert (await client.get("/steward/")).status_code == 303


async def test_wrong_password_and_unknown_account_are_refused_alike(client: httpx.AsyncClient) -> None:
    wrong = await login(client, "op", "not-the-password")
    unknown = await login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "账号或密码错误" in wrong.text and "账号或密码错误" in unknown.text
    actions = await audit_actions()
    assert "web.login_failed web:op" in actions and "web.login_failed web:nobody" in actions


async def test_a_post_without_the_csrf_token_changes_nothing(app: FastAPI, client: httpx.AsyncClient) -> None:
    page = await client.get("/steward/login")
    no_token = await client.post("/steward/login", data={"name": "op", "password": PASSWORD})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    bad = await client.post(
        "/steward/login", data={"name": "op", "password": PASSWORD, "csrf": "x" + csrf_of(page.text)}
    )
    assert bad.status_code == 403
    c = await logged_in(app, "op")
    case = next(x for x in await cases.list_cases(limit=100) if x.group_id == "8100")
    r = await c.post(f"/steward/cases/{case.id}/close", data={"note": "已处理"})
    assert r.status_code == 403
    # A token from another session does not work either.
    other = await logged_in(app, "sup_a")
    foreign = csrf_of((await other.get("/steward/cases")).text)
    r = await c.post(f"/steward/cases/{case.id}/close", data={"note": "已处理", "csrf": foreign})
    assert r.status_code == 403
    assert case.id is not None
    still = await cases.get_case(case.id)
    assert still is not None and still.state == "open"
    await c.aclose()
    await other.aclose()


async def test_login_attempts_are_rate_limited(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        for _ in range(5):
            assert (await login(c, "sup_b", "wrong-password-1")).status_code == 401
        limited = await login(c, "sup_b")  # the right password, but too late
        assert limited.status_code == 429 and "登录尝试过多" in limited.text and "分钟后再试" in limited.text
        assert "web.login_limited web:sup_b" in await audit_actions()
        # Other accounts from the same address still may (per-name limit; the address limit is 20).
        assert (await login(c, "own")).status_code == 303


def test_rate_limiter_window_and_address_limit() -> None:
    t = [0.0]
    lim = auth.RateLimiter(per_name=3, per_address=5, window=60, clock=lambda: t[0])
    for _ in range(3):
        lim.failed("a", "1.2.3.4")
    assert lim.retry_after("A", "9.9.9.9") == 60  # names are case-insensitive
    t[0] = 61
    assert lim.retry_after("a", "1.2.3.4") == 0
    for n in range(5):
        lim.failed(f"user{n}", "1.2.3.4")
    assert lim.retry_after("fresh", "1.2.3.4") > 0 and lim.retry_after("fresh", "5.6.7.8") == 0


async def test_logout_ends_the_session_everywhere(app: FastAPI) -> None:
    c = await logged_in(app, "own")
    copied = dict(c.cookies)
    page = await c.get("/steward/")
    r = await c.post("/steward/logout", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/steward/login?done=bye"
    assert "web.logout web:own" in await audit_actions()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as replay:
        for k, v in copied.items():
            replay.cookies.set(k, v, path="/steward/")
        assert (await replay.get("/steward/")).status_code == 303  # the old cookie is dead
    await c.aclose()


async def test_a_password_change_ends_sessions(app: FastAPI) -> None:
    c = await logged_in(app, "sup_b")
    assert (await c.get("/steward/")).status_code == 200
    assert await web_store.set_password("sup_b", auth.hash_password(PASSWORD), NOW)
    assert (await c.get("/steward/")).status_code == 303
    await c.aclose()


async def test_https_advice_on_plain_http_off_loopback(app: FastAPI) -> None:
    c = await logged_in(app, "op")
    assert "未加密的 HTTP" not in (await c.get("/steward/")).text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://10.1.2.3"
    ) as remote:
        page = await remote.get("/steward/login")
        assert "未加密的 HTTP" in page.text and "HTTPS" in page.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://steward.example"
    ) as tls:
        page = await tls.get("/steward/login")
        assert "未加密的 HTTP" not in page.text
        assert "Secure" in page.headers["set-cookie"]
    await c.aclose()


def test_password_rules_and_generation() -> None:
    assert auth.password_problem("short") == "密码至少 10 个字符"
    assert auth.password_problem("aaaaaaaaaaaa") is not None
    assert auth.password_problem("correct-horse") is None
    made = {auth.generate_password() for _ in range(20)}
    assert len(made) == 20 and all(len(p) == 16 and auth.password_problem(p) is None for p in made)
    h = auth.hash_password("correct-horse")
    assert h.startswith("$argon2id$") and auth.verify_password(h, "correct-horse")
    assert not auth.verify_password(h, "correct-horsE") and not auth.verify_password(None, "x")


pytestmark = pytest.mark.usefixtures("seeded")
