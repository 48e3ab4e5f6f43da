"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against the real bot
process on a seeded database: log in, open the overview, follow an overdue item, close a case,
download the register and open it with openpyxl, log out.

The overview's screenshot is kept as a CI artefact in ``STEWARD_ARTEFACTS`` (default:
``.ci/artefacts/`` in the repository). ``STEWARD_DOCS_SCREENSHOT=1`` also refreshes
``docs/dashboard.png`` for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.sim.dashboard import Unit, policy_toml, seed
from bot.sim.process import REPO_ROOT, BotProcess
from bot.store import cases
from bot.store import web as web_store
from bot.store.db import Database
from bot.web import auth

CHROMIUM = os.environ.get("STEWARD_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "browser-test-password"
UNITS = [
    Unit("finance", "测试市财政局", [str(9100 + n) for n in range(8)], preset="huangshan-finance-2020"),
    Unit("nr", "测试市自然资源局", [str(9200 + n) for n in range(5)], preset="huangshi-nr-2021"),
]


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def _chromium_or_skip() -> None:
    if chromium_path() is None:
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium fonts-wqy-microhei)"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")


def artefacts() -> Path:
    folder = Path(os.environ.get("STEWARD_ARTEFACTS") or REPO_ROOT / ".ci" / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
async def dashboard_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotProcess]:
    _chromium_or_skip()
    data = tmp_path_factory.mktemp("dashboard")
    policy = data / "bot.toml"
    policy.write_text(policy_toml(UNITS), encoding="utf-8")
    url = f"sqlite+aiosqlite:///{data / 'steward.db'}"
    db = Database(url)
    try:
        await db.prepare(auto_migrate=True)
        await seed(db, UNITS, datetime.now(UTC))
        await web_store.create_user(
            "jiguan", "supervisor", auth.hash_password(PASSWORD), datetime.now(UTC), units=["finance"], db=db
        )
    finally:
        await db.dispose()
    async with BotProcess(data_dir=data, database_url=url, policy_file=policy, log_level="INFO") as proc:
        proc.url = url  # type: ignore[attr-defined]
        yield proc


async def test_supervisor_walks_through_the_dashboard(dashboard_bot: BotProcess, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    base = f"{dashboard_bot.base_url}/steward"
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            context = await browser.new_context(
                accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}
            )
            page = await context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # 「确认结案？」

            # Log in (the dashboard sends us to the login page first).
            await page.goto(f"{base}/")
            await expect(page.locator("h1")).to_have_text("登录")
            await page.fill("input[name=name]", "jiguan")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button:has-text('登录')")

            # The overview: the supervisor's unit only.
            await expect(page.locator("main h1")).to_have_text("总览")
            await expect(page.locator("text=测试市财政局（8 个群）")).to_be_visible()
            assert await page.locator("text=测试市自然资源局").count() == 0
            await page.screenshot(path=str(artefacts() / "dashboard-overview.png"), full_page=True)
            if os.environ.get("STEWARD_DOCS_SCREENSHOT"):
                await page.screenshot(path=str(REPO_ROOT / "docs" / "dashboard.png"))

            # A group's page: its filing, progress and the weekly chart drawn by the server.
            await page.click(f"a[href='/steward/group/qq/{UNITS[0].groups[0]}']")
            await expect(page.locator("main h1")).to_contain_text("财政局办公室工作群1")
            await expect(page.locator("svg.chart rect").first).to_be_visible()
            await page.screenshot(path=str(artefacts() / "dashboard-group.png"), full_page=True)
            await page.go_back()

            # Follow an overdue item to the cases page and close it with a note.
            link = page.locator("a.case-link").first
            case_id = int((await link.inner_text()).removeprefix("整改事项 #"))
            await link.click()
            await expect(page.locator("main h1")).to_have_text("整改事项")
            row = page.locator(f"#case-{case_id}")
            await expect(row).to_have_class("focus")
            await row.locator("input[name=note]").fill("已撤回相关消息并提醒当事人")
            await row.locator("button:has-text('结案')").click()
            await expect(page.locator(".flash")).to_contain_text(f"整改事项 #{case_id} 已结案")
            await expect(page.locator(f"#case-{case_id}")).to_contain_text("已撤回相关消息并提醒当事人")

            # Download the register and open it.
            await page.click("nav >> text=下载")
            async with page.expect_download() as info:
                await page.click("a[href$='register.xlsx']")
            download = await info.value
            target = tmp_path / download.suggested_filename
            await download.save_as(str(target))
            assert target.name.startswith("工作群登记备案表-") and target.suffix == ".xlsx"
            wb = load_workbook(target)
            assert wb.sheetnames == ["测试市财政局"]
            ids = {str(r[3].value) for r in wb["测试市财政局"].iter_rows(min_row=3) if r[3].value}
            assert ids == set(UNITS[0].groups)

            # Log out: the session is gone.
            await page.click("button:has-text('退出')")
            await expect(page.locator(".flash")).to_have_text("您已退出登录。")
            await page.goto(f"{base}/cases")
            await expect(page.locator("h1")).to_have_text("登录")
        finally:
            await browser.close()

    # The bot process itself recorded the close.
    db = Database(dashboard_bot.url)  # type: ignore[attr-defined]
    try:
        closed = await cases.get_case(case_id, db=db)
        assert closed is not None and closed.state == "closed" and closed.closed_by == "web:jiguan"
    finally:
        await db.dispose()
