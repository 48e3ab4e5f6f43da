"""``python -m bot web …``: the dashboard's accounts (registered into the main CLI group).

    python -m bot web adduser NAME --role supervisor|operator|owner [--unit U …] [--group G …]
    python -m bot web passwd NAME
    python -m bot web deluser NAME
    python -m bot web users

A password is read from standard input (typed twice at a terminal, or the first line of a pipe);
an empty one — or ``--generate`` — makes a random password that is printed once. Every change is
written to the audit chain.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import click

from bot.models.types import utcnow
from bot.models.web import WebRole

T = TypeVar("T")
ROLES = [r.value for r in WebRole]


def _runtime_or_exit() -> Any:
    from bot.app import StartupError, init

    try:
        return init(load_plugins=False)
    except StartupError as e:
        click.echo(f"配置错误：{e}", err=True)
        sys.exit(2)


def _with_db(rt: Any, fn: Callable[[Any], Awaitable[T]]) -> T:
    from bot.store.db import Database, DatabaseError

    async def go() -> T:
        db = Database(rt.settings.resolved_database_url())
        try:
            await db.prepare(auto_migrate=rt.settings.steward_auto_migrate)
            return await fn(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)


def _read_password(generate: bool) -> tuple[str, bool]:
    """(password, generated)."""
    from bot.web.auth import generate_password, password_problem

    if not generate:
        if sys.stdin.isatty():
            first = click.prompt(
                "密码（直接回车则自动生成）", hide_input=True, default="", show_default=False
            )
            if first:
                again = click.prompt("再次输入密码", hide_input=True, default="", show_default=False)
                if again != first:
                    click.echo("两次输入的密码不一致，未做任何改动。", err=True)
                    sys.exit(1)
        else:
            first = sys.stdin.readline().rstrip("\r\n")
        if first:
            if why := password_problem(first):
                click.echo(f"{why}，未做任何改动。", err=True)
                sys.exit(1)
            return first, False
    return generate_password(), True


def _address(rt: Any) -> str:
    import nonebot

    from bot.web import PREFIX, base_url

    cfg = nonebot.get_driver().config
    url = base_url(rt.settings.steward_web_url, str(cfg.host), cfg.port)
    return f"{url}/" if url else f"http://<服务器地址>:{cfg.port}{PREFIX}/"


def account_problem(
    role: str, units: Sequence[str], groups: Sequence[str], known_units: Iterable[str]
) -> str | None:
    """Why an account of this role and scope cannot be made, in Chinese, or None."""
    known = list(known_units)
    if role == WebRole.SUPERVISOR:
        if not units:
            return "监管单位账号须用 --unit 指定至少一个单位（config/bot.toml 中的 [units.键]）。"
        unknown = [u for u in units if u not in known]
        if unknown:
            return f"未定义的单位：{'、'.join(unknown)}（可选：{'、'.join(known) or '尚未定义任何单位'}）"
    if role == WebRole.OWNER and not groups:
        return "群主账号须用 --group 指定至少一个群号。"
    if (role != WebRole.SUPERVISOR and units) or (role != WebRole.OWNER and groups):
        return "--unit 只用于 supervisor 账号，--group 只用于 owner 账号。"
    return None


def build(group_cls: type[click.Group] = click.Group) -> click.Group:
    """The ``web`` command group, built with the main CLI's group class (Chinese help headings)."""

    @click.group("web", cls=group_cls)
    def web_group() -> None:
        """管理页面（/steward/）的账号：创建、改密码、删除、列出。"""

    @web_group.command("adduser")
    @click.argument("name")
    @click.option(
        "--role",
        type=click.Choice(ROLES),
        required=True,
        help="supervisor 监管单位 / owner 群主 / operator 运维",
    )
    @click.option(
        "--unit", "units", multiple=True, help="监管单位的单位键（config/bot.toml 的 [units.键]），可多次给出"
    )
    @click.option("--group", "groups", multiple=True, help="群主可查看的群号，可多次给出")
    @click.option("--generate", is_flag=True, help="不读取密码，自动生成并显示一次")
    def adduser(
        name: str, role: str, units: tuple[str, ...], groups: tuple[str, ...], generate: bool
    ) -> None:
        """创建管理页面账号（密码从标准输入读取，或自动生成）。"""
        from bot.store import audit
        from bot.store import web as store
        from bot.web.auth import hash_password

        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            click.echo("账号名须为 1–64 个字符且不含空格。", err=True)
            sys.exit(1)
        rt = _runtime_or_exit()
        if why := account_problem(role, units, groups, rt.policy.spec.units):
            click.echo(why, err=True)
            sys.exit(2)
        password, generated = _read_password(generate)
        hashed = hash_password(password)

        async def go(db: Any) -> bool:
            row = await store.create_user(name, role, hashed, utcnow(), units=units, groups=groups, db=db)
            if row is None:
                return False
            await audit.record(
                "web.user_added",
                actor="cli",
                target=name[:64],
                reason=f"创建管理页面账号（{WebRole(role).label}）",
                detail={"role": role, "units": list(units), "groups": list(groups)},
                db=db,
            )
            return True

        if not _with_db(rt, go):
            click.echo(f"账号 {name} 已存在；修改密码请用 python -m bot web passwd {name}。", err=True)
            sys.exit(1)
        click.echo(f"已创建账号 {name}（{WebRole(role).label}）。管理页面：{_address(rt)}")
        if generated:
            click.echo(f"初始密码（只显示这一次，请妥善转交）：{password}")

    @web_group.command("passwd")
    @click.argument("name")
    @click.option("--generate", is_flag=True, help="自动生成新密码并显示一次")
    def passwd(name: str, generate: bool) -> None:
        """修改账号密码（该账号已登录的会话随即失效）。"""
        from bot.store import audit
        from bot.store import web as store
        from bot.web.auth import hash_password

        rt = _runtime_or_exit()

        async def exists(db: Any) -> bool:
            return await store.get_user_by_name(name, db=db) is not None

        if not _with_db(rt, exists):
            click.echo(f"没有名为 {name} 的账号（python -m bot web users 列出账号）。", err=True)
            sys.exit(1)
        password, generated = _read_password(generate)
        hashed = hash_password(password)

        async def go(db: Any) -> bool:
            if not await store.set_password(name, hashed, utcnow(), db=db):
                return False
            await audit.record(
                "web.password_changed", actor="cli", target=name[:64], reason="修改管理页面账号密码", db=db
            )
            return True

        if not _with_db(rt, go):
            click.echo(f"没有名为 {name} 的账号。", err=True)
            sys.exit(1)
        click.echo(f"已修改 {name} 的密码，其已登录的会话已失效。")
        if generated:
            click.echo(f"新密码（只显示这一次）：{password}")

    @web_group.command("deluser")
    @click.argument("name")
    def deluser(name: str) -> None:
        """删除账号（其会话随即失效）。"""
        from bot.store import audit
        from bot.store import web as store

        rt = _runtime_or_exit()

        async def go(db: Any) -> tuple[bool, int]:
            if not await store.delete_user(name, db=db):
                return False, 0
            await audit.record(
                "web.user_deleted", actor="cli", target=name[:64], reason="删除管理页面账号", db=db
            )
            return True, await store.count_users(db=db)

        done, left = _with_db(rt, go)
        if not done:
            click.echo(f"没有名为 {name} 的账号。", err=True)
            sys.exit(1)
        click.echo(f"已删除账号 {name}。" + ("" if left else "已没有任何账号：管理页面随之关闭。"))

    @web_group.command("users")
    def users() -> None:
        """列出管理页面账号。"""
        from bot.store import web as store
        from bot.store.web import split_list
        from bot.web.data import local_text

        rt = _runtime_or_exit()
        rows = _with_db(rt, lambda db: store.list_users(db=db))
        if not rows:
            click.echo("还没有账号，管理页面未开启。创建：python -m bot web adduser 名称 --role operator")
            return
        for u in rows:
            scope = (
                "全部"
                if u.role == WebRole.OPERATOR
                else "、".join(split_list(u.units) or split_list(u.groups))
            )
            last = local_text(u.last_login_at) or "从未登录"
            click.echo(f"{u.name}\t{WebRole(u.role).label}\t{scope}\t最近登录：{last}")

    return web_group
