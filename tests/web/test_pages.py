"""Dashboard pages: what each role sees (and cannot reach by changing an id), each page's content,
closing a case, suggestions reported and answered, the audit search and chain check, downloads."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from bot.models.register import CaseState
from bot.runtime import get_runtime
from bot.store import audit, cases
from bot.store import suggest as suggest_store
from bot.web.data import weekly_bars
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway
from tests.web.conftest import NOW, csrf_of, logged_in

pytestmark = pytest.mark.usefixtures("seeded")
FINANCE, TAX = ("8100", "8101"), ("8300",)


async def open_case_of(group_id: str, *, overdue: bool | None = None) -> int:
    rows = [c for c in await cases.list_cases(limit=500) if c.group_id == group_id]
    if overdue is not None:
        rows = [c for c in rows if (c.due_at < NOW) == overdue]
    assert rows and rows[0].id is not None, f"seed has no such case in {group_id}"
    return rows[0].id


async def test_supervisor_sees_only_the_groups_of_their_unit(app: FastAPI) -> None:
    c = await logged_in(app, "sup_a")
    home = (await c.get("/steward/")).text
    assert all(f"/steward/group/qq/{g}" in home for g in FINANCE)
    assert "/steward/group/qq/8300" not in home and "测试市税务局" not in home
    assert "测试市财政局（2 个群）" in home
    # Changing the id in the URL does not reach the other unit.
    assert (await c.get("/steward/group/qq/8100")).status_code == 200
    assert (await c.get("/steward/group/qq/8300")).status_code == 404
    assert (await c.get("/steward/group/qq/99999")).status_code == 404
    other = (await c.get("/steward/cases?group=8300")).text
    assert "没有未结的整改事项" in other and 'id="case-' not in other
    tax_case = await open_case_of("8300")
    page = await c.get("/steward/cases")
    r = await c.post(f"/steward/cases/{tax_case}/close", data={"note": "越权", "csrf": csrf_of(page.text)})
    assert r.status_code == 404
    still = await cases.get_case(tax_case)
    assert still is not None and still.state == CaseState.OPEN
    [tax_suggestion] = [s for s in await suggest_store.list_for(["8300"]) if s.group_id == "8300"]
    r = await c.post(
        f"/steward/suggestions/{tax_suggestion.id}/reply", data={"reply": "越权", "csrf": csrf_of(page.text)}
    )
    assert r.status_code == 404
    r = await c.post(f"/steward/suggestions/{tax_suggestion.id}/reported", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 404
    suggestions = (await c.get("/steward/suggestions")).text
    assert "suggestion-" in suggestions and f'id="suggestion-{tax_suggestion.id}"' not in suggestions
    audit_page = (await c.get("/steward/audit")).text
    assert "8100" in audit_page and "<td>8300</td>" not in audit_page
    register = (await c.get("/steward/downloads/register.csv")).content.decode("utf-8-sig")
    assert "8100" in register and "8101" in register and "8300" not in register
    await c.aclose()


async def test_owner_sees_their_group_and_operator_everything(app: FastAPI) -> None:
    own = await logged_in(app, "own")
    home = (await own.get("/steward/")).text
    assert "/steward/group/qq/8300" in home and "/steward/group/qq/8100" not in home
    assert (await own.get("/steward/group/qq/8100")).status_code == 404
    assert (await own.get("/steward/group/qq/8300")).status_code == 200
    op = await logged_in(app, "op")
    home = (await op.get("/steward/")).text
    assert all(f"/steward/group/qq/{g}" in home for g in (*FINANCE, *TAX))
    assert "op（运维人员，全部工作群）" in home
    await own.aclose()
    await op.aclose()


async def test_overview_counts_link_to_the_lists(app: FastAPI) -> None:
    c = await logged_in(app, "sup_a")
    home = (await c.get("/steward/")).text
    assert re.search(r"<strong>2</strong>工作群", home)  # the unit's two groups
    assert 'href="/steward/cases?state=overdue"' in home and "逾期整改" in home
    overdue = re.findall(r'href="/steward/cases\?state=overdue&amp;case=(\d+)#case-\d+"', home)
    expected = {c.id for c in await cases.list_cases(limit=500) if c.group_id in FINANCE and c.due_at < NOW}
    assert expected and {int(x) for x in overdue} == expected
    assert re.search(rf"<strong>{len(expected)}</strong>逾期整改", home)
    assert "已备案" in home and "最近巡查" in home and "本周违规" in home
    await c.aclose()


async def test_group_page_shows_filing_progress_reviews_strikes_and_a_chart(app: FastAPI) -> None:
    c = await logged_in(app, "sup_a")
    page = (await c.get("/steward/group/qq/8100")).text
    for text in (
        "登记备案",
        "群组名称",
        "归属科室",
        "办公室",
        "实名进度",
        "已认证",
        "与工作无关的消息占比",
        "违规记录（计分）",
        "最近巡查",
        "入群后未完成实名认证",
        "整改事项",
        "每周违规（按类别）",
    ):
        assert text in page, text
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<rect" in svg and "近 8 周违规条数" in svg and "<script" not in svg
    await c.aclose()


def test_weekly_bars_bucket_by_local_monday() -> None:
    from datetime import datetime, timedelta, timezone

    tz = timezone(timedelta(hours=8))
    now = datetime(2026, 11, 18, 11, 0, tzinfo=tz)  # Wednesday
    times = [
        (datetime(2026, 11, 16, 0, 30, tzinfo=tz), "ads"),  # this Monday, local
        (datetime(2026, 11, 15, 23, 30, tzinfo=tz), "ads"),  # last Sunday
        (datetime(2026, 11, 15, 23, 40, tzinfo=tz), "mobile"),
        (datetime(2026, 9, 1, tzinfo=tz), "ads"),  # outside the 8 weeks
    ]
    bars, legend = weekly_bars(times, now)
    assert len(bars) == 8 and bars[-1].week.isoformat() == "2026-11-16" and bars[-1].total == 1
    assert bars[-2].total == 2 and sum(b.total for b in bars) == 3
    assert legend[0] == "商业广告"  # the most frequent first


async def test_closing_a_case_needs_a_note_and_is_audited(app: FastAPI) -> None:
    c = await logged_in(app, "sup_a")
    case_id = await open_case_of("8100", overdue=True)
    page = await c.get("/steward/cases?state=open")
    assert f'id="case-{case_id}"' in page.text
    empty = await c.post(f"/steward/cases/{case_id}/close", data={"note": " ", "csrf": csrf_of(page.text)})
    assert empty.status_code == 400 and "须写明处理情况" in empty.text
    r = await c.post(
        f"/steward/cases/{case_id}/close", data={"note": "已撤回并提醒当事人", "csrf": csrf_of(page.text)}
    )
    assert r.status_code == 303 and f"id={case_id}" in r.headers["location"]
    closed = await cases.get_case(case_id)
    assert closed is not None and closed.state == CaseState.CLOSED and closed.closed_by == "web:sup_a"
    after = await c.get(r.headers["location"])
    assert f"整改事项 #{case_id} 已结案（超过整改期限" in after.text and "已撤回并提醒当事人" in after.text
    [row] = [e for e in await audit.recent(20) if e.action == "case.closed" and f"#{case_id}" in e.reason]
    assert row.actor == "web:sup_a" and row.group_id == "8100" and "超过期限" in row.reason
    again = await c.post(f"/steward/cases/{case_id}/close", data={"note": "再次", "csrf": csrf_of(page.text)})
    assert "already_closed" in again.headers["location"]
    await c.aclose()


async def test_suggestions_marked_reported_and_answered_to_the_author(
    app: FastAPI, fake: FakeGateway
) -> None:
    c = await logged_in(app, "sup_a")
    page = await c.get("/steward/suggestions?state=new")
    rows = [s for s in await suggest_store.list_for(list(FINANCE)) if s.state == "new"]
    first, second = rows[0], rows[1]
    assert first.text in page.text
    token = csrf_of(page.text)
    r = await c.post(f"/steward/suggestions/{first.id}/reported", data={"csrf": token})
    assert r.status_code == 303 and "done=reported" in r.headers["location"]
    assert first.id is not None
    got = await suggest_store.get(first.id)
    assert got is not None and got.state == "reported" and got.reported_by == "web:sup_a"
    r = await c.post(
        f"/steward/suggestions/{second.id}/reply", data={"csrf": token, "reply": "已采纳，下周起执行。"}
    )
    assert r.status_code == 303 and "done=replied" in r.headers["location"]
    await settle(get_runtime())
    [(_, params)] = [(k, p) for k, p in fake.calls if k == "send_private"]
    assert params["user_id"] == second.user_id and "已采纳，下周起执行。" in params["text"]
    assert f"（#{second.id}）有了答复" in params["text"]
    assert any(e.action == "suggest.replied" and e.actor == "web:sup_a" for e in await audit.recent(20))
    await c.aclose()


async def test_audit_search_pages_and_chain_check(app: FastAPI) -> None:
    c = await logged_in(app, "op")
    page = (await c.get("/steward/audit")).text
    assert "审计链完整" in page
    found = (await c.get("/steward/audit?q=撤回含广告")).text
    expected = await audit.search(query="撤回含广告", limit=50)
    assert len(expected) >= 3 and found.count("撤回含广告的消息") == len(expected)
    assert "新整改事项" not in found
    # Paging: newest first, 50 a page, then older.
    for n in range(60):
        await audit.record("test.filler", reason=f"填充 {n}")
    first = (await c.get("/steward/audit?q=test.filler")).text
    assert first.count("<td>test.filler</td>") == 50 and "填充 59" in first and "填充 9<" not in first
    more = re.search(r'href="/steward/audit\?before=(\d+)&amp;q=test.filler"', first)
    assert more
    second = (await c.get(f"/steward/audit?before={more.group(1)}&q=test.filler")).text
    assert second.count("<td>test.filler</td>") == 10 and "填充 0<" in second
    await c.aclose()


async def test_downloads_are_generated_on_request_and_audited(app: FastAPI) -> None:
    c = await logged_in(app, "sup_a")
    page = (await c.get("/steward/downloads")).text
    assert "/steward/downloads/register.xlsx" in page and "/steward/downloads/audit.csv" in page
    r = await c.get("/steward/downloads/register.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E7%BE%A4" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["测试市财政局"]
    ids = {str(row[3].value) for row in wb["测试市财政局"].iter_rows(min_row=3) if row[3].value}
    assert ids == set(FINANCE)
    sug = list(
        csv.reader(
            io.StringIO((await c.get("/steward/downloads/suggestions.csv")).content.decode("utf-8-sig"))
        )
    )
    assert sug[0][0] == "编号" and {row[1] for row in sug[1:]} <= set(FINANCE) and len(sug) > 1
    wb = load_workbook(io.BytesIO((await c.get("/steward/downloads/suggestions.xlsx")).content))
    assert wb.active is not None and wb.active.max_row == len(sug)
    log = list(
        csv.reader(io.StringIO((await c.get("/steward/downloads/audit.csv")).content.decode("utf-8-sig")))
    )
    assert log[0][:3] == ["编号", "时间", "平台"] and {row[3] for row in log[1:]} <= set(FINANCE)
    assert (await c.get("/steward/downloads/secrets.txt")).status_code == 404
    actions = [e.action for e in await audit.recent(10) if e.actor == "web:sup_a"]
    assert {"register.exported", "suggest.exported", "audit.exported"} <= set(actions)
    await c.aclose()


async def test_static_assets_ship_in_the_package(client: httpx.AsyncClient) -> None:
    css = await client.get("/steward/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (await client.get("/steward/static/app.js")).status_code == 200
    assert (await client.get("/steward/static/../app.py")).status_code == 404
    assert (await client.get("/steward/static/app.py")).status_code == 404


def test_exports_write_formula_like_text_as_text() -> None:
    from datetime import UTC, datetime

    from bot.models.review import Suggestion
    from bot.web import exports

    evil = '=HYPERLINK("http://evil.example","点我")'
    row = Suggestion(
        id=1,
        platform="qq",
        group_id="1",
        user_id="2",
        message_id="m",
        at=datetime(2026, 11, 1, tzinfo=UTC),
        text=evil,
    )
    ws = load_workbook(io.BytesIO(exports.suggestions_file([row], "xlsx"))).active
    assert ws is not None
    cell = ws.cell(row=2, column=7)
    assert cell.value == evil and cell.data_type == "s"
    table = list(csv.reader(io.StringIO(exports.suggestions_file([row], "csv").decode("utf-8-sig"))))
    assert table[1][6] == "'" + evil


async def test_notices_page_lists_the_open_notices_in_scope(app: FastAPI) -> None:
    from datetime import timedelta

    from sqlalchemy import delete
    from sqlmodel import col

    from bot.models.worktime import DeferredNotice
    from bot.store import notices
    from bot.store.db import get_db

    def new(group: str, text: str, **kw):  # type: ignore[no-untyped-def]
        return notices.NewNotice(
            platform="qq",
            group_id=group,
            self_id="999",
            author_id="60001",
            author_name="李主任",
            text=text,
            created_at=NOW,
            due_at=NOW + timedelta(hours=2),
            **kw,
        )

    made = [
        await notices.create(new("8100", "周五下午三点开会，请准时参加。")),
        await notices.create(new("8300", "税务局内部的通知。")),
    ]
    try:
        c = await logged_in(app, "sup_a")
        page = (await c.get("/steward/notices")).text
        assert "周五下午三点开会" in page and "待发布" in page and "李主任" in page
        assert "税务局内部的通知" not in page
        assert 'href="/steward/notices"' in page
        await c.aclose()
    finally:
        async with get_db().session() as s:
            await s.execute(delete(DeferredNotice).where(col(DeferredNotice.id).in_([n.id for n in made])))
