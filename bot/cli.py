"""Operator CLI: `python -m bot` runs the bot; subcommands do one-off jobs."""

from __future__ import annotations

import asyncio
import csv
import sys
from pathlib import Path

import click

from bot.app import StartupError, init, run
from bot.store.db import Database, DatabaseError


def _settings_or_exit():  # type: ignore[no-untyped-def]
    try:
        return init(load_plugins=False).settings
    except StartupError as e:
        click.echo(f"配置错误：{e}", err=True)
        sys.exit(2)


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """工作群管家. Without a subcommand: start the bot (same as `run`)."""
    if ctx.invoked_subcommand is None:
        run()


@main.command("run")
def run_cmd() -> None:
    """Start the bot and wait for OneBot connections."""
    run()


@main.command("demo")
@click.option("--scene", default=None, help="Play only this scene.")
def demo_cmd(scene: str | None) -> None:
    """Start the bot with a built-in OneBot simulator and play scripted scenes (no QQ account needed)."""
    from bot.sim.demo import main as demo_main

    sys.exit(demo_main(scene))


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database schema to this version's head."""
    settings = _settings_or_exit()

    async def go() -> str:
        db = Database(settings.resolved_database_url())
        try:
            return await db.prepare(auto_migrate=True)
        finally:
            await db.dispose()

    try:
        click.echo(f"数据库已是最新结构：{asyncio.run(go())}")
    except DatabaseError as e:
        click.echo(f"升级失败：{e}", err=True)
        sys.exit(2)


@main.group("audit")
def audit_group() -> None:
    """Audit log."""


async def _with_db(settings, fn):  # type: ignore[no-untyped-def]
    db = Database(settings.resolved_database_url())
    try:
        await db.prepare(auto_migrate=False)
        return await fn(db)
    finally:
        await db.dispose()


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain."""
    from bot.store import audit

    settings = _settings_or_exit()
    try:
        report = asyncio.run(_with_db(settings, lambda db: audit.verify(db)))
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    if report.ok:
        click.echo(f"审计链完整：{report.checked} 条")
    else:
        click.echo(f"审计链在 #{report.broken_id} 处断开：{report.why}", err=True)
        sys.exit(1)


@audit_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def audit_export(path: Path) -> None:
    """Export the whole audit log as CSV (UTF-8 with BOM, opens in Excel)."""
    from bot.store import audit

    settings = _settings_or_exit()

    async def rows(db: Database):  # type: ignore[no-untyped-def]
        return await audit.recent(10**9, db=db)

    entries = asyncio.run(_with_db(settings, rows))
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "编号",
                "时间(UTC)",
                "平台",
                "群",
                "操作者",
                "操作",
                "对象",
                "规则",
                "原因",
                "详情",
                "前一哈希",
                "哈希",
            ]
        )
        for e in reversed(entries):
            w.writerow(
                [
                    e.id,
                    e.at.isoformat(),
                    e.platform,
                    e.group_id,
                    e.actor,
                    e.action,
                    e.target,
                    e.rule,
                    e.reason,
                    e.detail,
                    e.prev_hash,
                    e.hash,
                ]
            )
    click.echo(f"已导出 {len(entries)} 条到 {path}")


@main.command("notices")
def notices_cmd() -> None:
    """List deferred notices (/通知) waiting for review or for their time, oldest first."""
    from zoneinfo import ZoneInfo

    from bot.store import notices

    settings = _settings_or_exit()
    try:
        rows = asyncio.run(_with_db(settings, lambda db: notices.list_open(limit=1000, db=db)))
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    if not rows:
        click.echo("没有待发布或待审核的通知。")
        return
    tz = ZoneInfo("Asia/Shanghai")
    for n in rows:
        due = n.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if n.due_at else "待审核"
        text = " ".join(n.text.split())[:40]
        where = f"{n.platform}:{n.group_id}"
        click.echo(f"#{n.id} {n.state:<9} {due:<16} {where} 发布人 {n.author_id}  {text}")


@main.command("check-config")
def check_config() -> None:
    """Validate settings and config/bot.toml without starting."""
    settings = _settings_or_exit()
    click.echo(f"配置有效；策略文件 {settings.steward_policy_file}")
