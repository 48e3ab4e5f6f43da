"""The dashboard's routes: a FastAPI application mounted at ``/steward`` on the bot's own server.

Off until an account exists (every path answers 404 before). Pages are server-rendered Jinja2
templates shipped in the package; the few assets are served from the package too (no CDN).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from loguru import logger
from markupsafe import Markup

from bot.models.review import SuggestionState
from bot.models.web import WebRole, WebUser
from bot.runtime import get_runtime
from bot.settings import is_loopback
from bot.store import audit, cases
from bot.store import register as register_store
from bot.store import suggest as suggest_store
from bot.store import web as store
from bot.web import auth, data, exports
from bot.web.chart import weekly_svg
from bot.web.scope import Scope

PREFIX = "/steward"
MAX_FORM_BYTES = 64 * 1024
AUDIT_PAGE = 50
_CHAIN_TTL = 300.0
_ENABLED_TTL = 5.0
_STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FLASH = {
    "closed": "整改事项 #{id} 已结案。",
    "closed_late": "整改事项 #{id} 已结案（超过整改期限，将计入季度通报）。",
    "already_closed": "整改事项 #{id} 此前已结案，未做改动。",
    "reported": "建议 #{id} 已标记为已报送。",
    "already_reported": "建议 #{id} 此前已报送或已答复。",
    "replied": "答复已私聊转达给建议 #{id} 的提出人。",
    "replied_group": "私聊未能送达，答复已在群内 @ 提出人转达（建议 #{id}）。",
    "bye": "您已退出登录。",
}


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class Session:
    nonce: str
    user: WebUser | None = None
    new_cookie: str | None = None  # to set on the response
    csrf: str = ""

    @property
    def scope(self) -> Scope:
        assert self.user is not None
        return Scope.of(self.user)


class NotFound(Exception):
    pass


class State:
    """Per-application state: clock (tests move it), rate limiter, caches."""

    def __init__(self, clock: Callable[[], datetime] = now_utc) -> None:
        self.clock = clock
        self.limiter = auth.RateLimiter()
        self.enabled_until = 0.0
        self.chain: tuple[float, audit.ChainReport] | None = None


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(P=PREFIX, platform_label=data.PLATFORM_LABEL, kind_label=data.kind_label)
    env.filters["local"] = data.local_text
    env.filters["q"] = lambda v: quote(str(v), safe="")
    return env


def create_app(state: State | None = None) -> FastAPI:
    st = state or State()
    templates = _env()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = st

    async def enabled() -> bool:
        if time.monotonic() < st.enabled_until:
            return True
        if await store.count_users() > 0:
            st.enabled_until = time.monotonic() + _ENABLED_TTL
            return True
        return False

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        try:
            on = await enabled()
        except Exception:  # the database is not ready (start-up) or failing
            logger.exception("dashboard: cannot read accounts")
            return PlainTextResponse("服务暂不可用", status_code=503)
        if not on:
            return PlainTextResponse("Not Found", status_code=404)
        try:
            response: Response = await call_next(request)
        except NotFound:
            response = PlainTextResponse("Not Found", status_code=404)
        for k, v in _SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    # --- sessions ---------------------------------------------------------------------------

    async def session_of(request: Request) -> Session:
        signer = await auth.signer()
        raw = request.cookies.get(auth.COOKIE)
        payload = signer.load(raw) if raw else None
        if payload is None:
            nonce = auth.new_nonce()
            sess = Session(nonce=nonce, new_cookie=signer.dump({"n": nonce}))
        else:
            sess = Session(nonce=payload["n"])
            uid, epoch = payload.get("u"), payload.get("e")
            if isinstance(uid, int):
                user = await store.get_user(uid)
                if user is not None and user.epoch == epoch:
                    sess.user = user
        sess.csrf = signer.csrf(sess.nonce)
        return sess

    def finish(request: Request, sess: Session, response: Response) -> Response:
        if sess.new_cookie is not None:
            response.set_cookie(
                auth.COOKIE,
                sess.new_cookie,
                max_age=auth.SESSION_SECONDS,
                path=auth.COOKIE_PATH,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return response

    def insecure(request: Request) -> bool:
        return request.url.scheme != "https" and not is_loopback(request.url.hostname or "")

    def render(request: Request, sess: Session, template: str, status: int = 200, **ctx: Any) -> Response:
        rt = get_runtime()
        html = templates.get_template(template).render(
            request=request,
            user=sess.user,
            role_label=WebRole(sess.user.role).label if sess.user else "",
            scope_text=sess.scope.describe(rt.policy) if sess.user else "",
            csrf=sess.csrf,
            insecure=insecure(request),
            flash=_flash(request),
            now=st.clock(),
            **ctx,
        )
        return finish(request, sess, HTMLResponse(html, status_code=status))

    async def form_of(request: Request, sess: Session) -> dict[str, str] | Response:
        """The POSTed form, or the refusal (bad CSRF token, too large)."""
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return PlainTextResponse("表单过大", status_code=413)
        fields = {
            k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()
        }
        signer = await auth.signer()
        if not signer.csrf_ok(sess.nonce, fields.get("csrf", "")):
            return render(
                request,
                sess,
                "error.html",
                status=403,
                title="请求已过期",
                message="表单已过期或来源不明（CSRF 校验失败），本次未做任何操作。请刷新页面后重试。",
            )
        return fields

    async def login_required(request: Request) -> Session | Response:
        sess = await session_of(request)
        if sess.user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return finish(
                request, sess, RedirectResponse(f"{PREFIX}/login?{urlencode({'next': target})}", 303)
            )
        return sess

    def actor(sess: Session) -> str:
        assert sess.user is not None
        return f"web:{sess.user.name}"[:64]

    def address(request: Request) -> str:
        return request.client.host if request.client else "?"

    # --- login ------------------------------------------------------------------------------

    @app.get("/login")
    async def login_page(request: Request) -> Response:
        sess = await session_of(request)
        return render(request, sess, "login.html", next=_safe_next(request.query_params.get("next")))

    @app.post("/login")
    async def login(request: Request) -> Response:
        sess = await session_of(request)
        form = await form_of(request, sess)
        if isinstance(form, Response):
            return form
        name, password = form.get("name", "").strip()[:64], form.get("password", "")
        nxt = _safe_next(form.get("next"))
        wait = st.limiter.retry_after(name, address(request))
        if wait:
            await audit.record(
                "web.login_limited",
                actor=f"web:{name}"[:64],
                reason="登录尝试过多，已暂停",
                detail={"address": address(request)},
            )
            return render(
                request,
                sess,
                "login.html",
                status=429,
                next=nxt,
                name=name,
                error=f"登录尝试过多，请 {max(1, (wait + 59) // 60)} 分钟后再试。",
            )
        user = await store.get_user_by_name(name) if name else None
        if not auth.verify_password(user.password_hash if user else None, password) or user is None:
            st.limiter.failed(name, address(request))
            await audit.record(
                "web.login_failed",
                actor=f"web:{name}"[:64],
                reason="管理页面登录失败（账号或密码错误）",
                detail={"address": address(request)},
            )
            return render(
                request, sess, "login.html", status=401, next=nxt, name=name, error="账号或密码错误。"
            )
        st.limiter.succeeded(name)
        assert user.id is not None
        await store.note_login(user.id, st.clock())
        await audit.record(
            "web.login",
            actor=f"web:{user.name}"[:64],
            reason=f"登录管理页面（{WebRole(user.role).label}）",
            detail={"address": address(request)},
        )
        signer = await auth.signer()
        nonce = auth.new_nonce()  # a fresh nonce: nothing from before the login carries over
        sess = Session(
            nonce=nonce, user=user, new_cookie=signer.dump({"n": nonce, "u": user.id, "e": user.epoch})
        )
        return finish(request, sess, RedirectResponse(nxt or f"{PREFIX}/", 303))

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        sess = await session_of(request)
        form = await form_of(request, sess)
        if isinstance(form, Response):
            return form
        if sess.user is not None and sess.user.id is not None:
            await store.bump_epoch(sess.user.id)
            await audit.record("web.logout", actor=actor(sess), reason="退出管理页面")
        response = RedirectResponse(f"{PREFIX}/login?done=bye", 303)
        response.delete_cookie(auth.COOKIE, path=auth.COOKIE_PATH)
        return response

    # --- pages ------------------------------------------------------------------------------

    @app.get("/")
    async def overview_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        now = st.clock()
        view = await data.overview(rt.policy, sess.scope, now)
        return render(request, sess, "overview.html", page="overview", view=view, duty_label=data.DUTY_LABEL)

    @app.get("/group/{platform}/{group_id}")
    async def group_view(request: Request, platform: str, group_id: str) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        page = await data.group_page(rt.policy, sess.scope, platform, group_id, st.clock(), _cipher(rt))
        if page is None:
            raise NotFound
        return render(
            request,
            sess,
            "group.html",
            page="group",
            g=page,
            chart=Markup(weekly_svg(page.bars, page.legend)),
            duty_label=data.DUTY_LABEL,
        )

    @app.get("/cases")
    async def cases_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        state = request.query_params.get("state", "open")
        if state not in ("open", "overdue", "closed"):
            state = "open"
        group = request.query_params.get("group") or None
        now = st.clock()
        rows = await data.case_list(rt.policy, sess.scope, state, now, group)
        names = await data.group_names(rt.policy, sess.scope)
        focus = request.query_params.get("case", "")
        return render(
            request,
            sess,
            "cases.html",
            page="cases",
            rows=rows,
            state=state,
            group=group,
            names=names,
            focus=focus,
            limit=data.LIST_LIMIT,
            severity=lambda s: "严重" if s == "serious" else "一般",
        )

    @app.post("/cases/{case_id}/close")
    async def close_case(request: Request, case_id: int) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        form = await form_of(request, sess)
        if isinstance(form, Response):
            return form
        rt = get_runtime()
        case = await data.visible_case(rt.policy, sess.scope, case_id)
        if case is None:
            raise NotFound
        note = form.get("note", "").strip()
        if not note:
            return render(
                request,
                sess,
                "error.html",
                status=400,
                title="请填写处理说明",
                message=f"结案须写明处理情况（例如「已撤回并提醒当事人」），整改事项 #{case_id} 未结案。",
            )
        closed = await cases.close_case(case_id, actor(sess), note[:300], st.clock())
        if closed is None:
            return RedirectResponse(f"{PREFIX}/cases?state=closed&done=already_closed&id={case_id}", 303)
        await audit.record(
            "case.closed",
            actor=actor(sess),
            platform=case.platform,
            group_id=case.group_id,
            rule=case.rule or "rectification",
            reason=f"整改事项 #{case_id} 结案（管理页面）" + ("（超过期限）" if closed.late else ""),
            detail={"case": case_id, "late": closed.late, "via": "web"},
        )
        done = "closed_late" if closed.late else "closed"
        return RedirectResponse(f"{PREFIX}/cases?state=closed&done={done}&id={case_id}", 303)

    @app.get("/suggestions")
    async def suggestions_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        state = request.query_params.get("state", "")
        if state not in ("", *(s.value for s in SuggestionState)):
            state = ""
        rows = await data.suggestion_list(rt.policy, sess.scope, state or None)
        names = await data.group_names(rt.policy, sess.scope)
        return render(
            request,
            sess,
            "suggestions.html",
            page="suggestions",
            rows=rows,
            state=state,
            names=names,
            labels=suggest_store.STATE_LABELS,
            states=list(SuggestionState),
            limit=data.LIST_LIMIT,
        )

    @app.post("/suggestions/{suggestion_id}/reported")
    async def suggestion_reported(request: Request, suggestion_id: int) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        form = await form_of(request, sess)
        if isinstance(form, Response):
            return form
        rt = get_runtime()
        row = await data.visible_suggestion(rt.policy, sess.scope, suggestion_id)
        if row is None:
            raise NotFound
        if not await suggest_store.mark_reported(suggestion_id, actor(sess), st.clock()):
            return RedirectResponse(f"{PREFIX}/suggestions?done=already_reported&id={suggestion_id}", 303)
        await audit.record(
            "suggest.reported",
            actor=actor(sess),
            platform=row.platform,
            group_id=row.group_id,
            reason=f"意见建议 #{suggestion_id} 标记为已报送（管理页面）",
            detail={"suggestion": suggestion_id, "via": "web"},
        )
        return RedirectResponse(f"{PREFIX}/suggestions?done=reported&id={suggestion_id}", 303)

    @app.post("/suggestions/{suggestion_id}/reply")
    async def suggestion_reply(request: Request, suggestion_id: int) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        form = await form_of(request, sess)
        if isinstance(form, Response):
            return form
        rt = get_runtime()
        row = await data.visible_suggestion(rt.policy, sess.scope, suggestion_id)
        if row is None:
            raise NotFound
        reply = form.get("reply", "").strip()
        if not reply or len(reply) > 1000:
            return render(
                request,
                sess,
                "error.html",
                status=400,
                title="请填写答复",
                message="答复内容不能为空，且不超过 1000 字；本次未做任何操作。",
            )
        from bot.plugins.suggest import deliver_reply  # the same delivery as /建议 回复

        await suggest_store.set_reply(suggestion_id, reply, actor(sess), st.clock())
        delivered = await deliver_reply(rt, row, reply)
        await audit.record(
            "suggest.replied",
            actor=actor(sess),
            platform=row.platform,
            group_id=row.group_id,
            target=row.user_id,
            reason=f"答复意见建议 #{suggestion_id}（管理页面）"
            + ("" if delivered else "（私聊失败，已在群内答复）"),
            detail={"suggestion": suggestion_id, "via": "web"},
        )
        done = "replied" if delivered else "replied_group"
        return RedirectResponse(f"{PREFIX}/suggestions?done={done}&id={suggestion_id}", 303)

    @app.get("/notices")
    async def notices_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        from bot.plugins.worktime.texts import STATE_LABELS  # the wording of /通知

        rt = get_runtime()
        rows = await data.notice_list(rt.policy, sess.scope)
        names = await data.group_names(rt.policy, sess.scope)
        return render(
            request,
            sess,
            "notices.html",
            page="notices",
            rows=rows,
            names=names,
            labels=STATE_LABELS,
            kind_text=_notice_kind,
        )

    @app.get("/audit")
    async def audit_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        q = request.query_params.get("q", "")[:100]
        before_raw = request.query_params.get("before", "")
        before = int(before_raw) if before_raw.isdigit() else None
        ids = await data.scoped_ids(rt.policy, sess.scope)
        rows = await audit.search(query=q, group_ids=ids, before_id=before, limit=AUDIT_PAGE + 1)
        more = len(rows) > AUDIT_PAGE
        rows = rows[:AUDIT_PAGE]
        if (
            request.query_params.get("verify")
            or st.chain is None
            or time.monotonic() - st.chain[0] > _CHAIN_TTL
        ):
            st.chain = (time.monotonic(), await audit.verify())
        checked_ago = int(time.monotonic() - st.chain[0])
        return render(
            request,
            sess,
            "audit.html",
            page="audit",
            rows=rows,
            q=q,
            more=more,
            next_before=rows[-1].id if rows and more else None,
            chain=st.chain[1],
            checked_ago=checked_ago,
            first_page=before is None,
        )

    @app.get("/downloads")
    async def downloads_page(request: Request) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        return render(request, sess, "downloads.html", page="downloads")

    @app.get("/downloads/{name}")
    async def download(request: Request, name: str) -> Response:
        sess = await login_required(request)
        if isinstance(sess, Response):
            return sess
        rt = get_runtime()
        now = st.clock()
        ids = await data.scoped_ids(rt.policy, sess.scope)
        what, _, fmt = name.partition(".")
        if what == "register" and fmt in ("xlsx", "csv"):
            sheets = await register_store.register_sheets(rt.policy, _cipher(rt), now, group_ids=ids)
            body = exports.register_file(sheets, fmt, now)
            groups = sum(len(v) for v in sheets.values())
            filename = f"{exports.REGISTER_TITLE}-{exports.stamp(now)}.{fmt}"
            await audit.record(
                "register.exported",
                actor=actor(sess),
                rule="filing",
                reason=f"下载登记备案表（{fmt}，{groups} 个群，管理页面）",
                detail={"via": "web", "groups": groups},
            )
        elif what == "suggestions" and fmt in ("xlsx", "csv"):
            rows = await data.suggestion_list(rt.policy, sess.scope, None, limit=10**9)
            body = exports.suggestions_file(rows, fmt)
            filename = f"意见建议-{exports.stamp(now)}.{fmt}"
            await audit.record(
                "suggest.exported",
                actor=actor(sess),
                reason=f"下载意见建议 {len(rows)} 条（{fmt}，管理页面）",
                detail={"via": "web"},
            )
        elif what == "audit" and fmt == "csv":
            entries = await audit.search(group_ids=ids, limit=10**9)
            body = exports.audit_csv(entries)
            filename = f"审计日志-{exports.stamp(now)}.csv"
            await audit.record(
                "audit.exported",
                actor=actor(sess),
                reason=f"下载审计日志 {len(entries)} 条（管理页面）",
                detail={"via": "web"},
            )
        else:
            raise NotFound
        media = (
            "text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
        )

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        suffix = name[name.rfind(".") :] if "." in name else ""
        if "/" in name or suffix not in _STATIC_TYPES:
            raise NotFound
        path = resources.files("bot.web") / "static" / name
        if not path.is_file():
            raise NotFound
        return Response(
            path.read_bytes(),
            media_type=_STATIC_TYPES[suffix],
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return app


def _notice_kind(n: Any) -> str:
    if n.kind == "recurring":
        from bot.core.schedule import Recurrence

        return f"周期：{Recurrence.from_spec(n.recurrence).describe()}"
    if n.kind == "broadcast":
        return f"群发 {len([g for g in n.targets.split(',') if g])} 个群"
    if n.parent_id is not None:
        return f"属于 #{n.parent_id}"
    return "定时" if n.requested_at is not None else "一次"


def _flash(request: Request) -> str:
    template = FLASH.get(request.query_params.get("done", ""))
    if template is None:
        return ""
    ident = request.query_params.get("id", "")
    return template.format(id=ident if ident.isdigit() else "")


def _safe_next(value: str | None) -> str:
    """Only a path inside the dashboard (no scheme, no host, no ``//``)."""
    if not value or not value.startswith(f"{PREFIX}/") or "//" in value or "\\" in value:
        return ""
    return value


def _cipher(rt: Any) -> Any:
    from bot.plugins.register.common import cipher

    return cipher(rt)
