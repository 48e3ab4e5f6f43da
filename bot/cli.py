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


@main.command("keygen")
def keygen_cmd() -> None:
    """Print a new STEWARD_SECRET_KEY (the key that encrypts personal data at rest)."""
    from bot.core.crypto import generate_key

    click.echo(generate_key())
    click.echo(
        "把上面一行写入 .env：STEWARD_SECRET_KEY=<密钥>。请另行妥善备份："
        "密钥丢失后，已加密的花名册和入群记录无法恢复；已有数据时不要更换密钥。",
        err=True,
    )


@main.group("roster")
def roster_group() -> None:
    """Roster (花名册) of a unit."""


@roster_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit", required=True, help="Unit key from config/bot.toml; 'default' for groups without a unit."
)
@click.option("--good-rows", is_flag=True, help="Import the valid rows even if other rows have errors.")
def roster_import(file: Path, unit: str, good_rows: bool) -> None:
    """Import a roster from CSV or XLSX (header: 姓名,科室,职务,手机,QQ,微信,状态). People are matched
    by mobile number: a re-import updates them. A file with bad rows imports nothing unless --good-rows."""
    from datetime import UTC, datetime

    from bot.roster_io import parse_roster_file
    from bot.store import audit, roster
    from bot.store.roster import PersonalDataKeyError, cipher_from_settings

    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        click.echo(f"配置错误：{e}", err=True)
        sys.exit(2)
    units = [*rt.policy.spec.units, "default"]
    if unit not in units:
        click.echo(f"未知的单位「{unit}」：可选 {', '.join(units)}（在 {rt.policy.source} 中定义）", err=True)
        sys.exit(2)
    try:
        cipher = cipher_from_settings(rt.settings.steward_secret_key)
    except PersonalDataKeyError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    parsed = parse_roster_file(file)
    for warning in parsed.warnings:
        click.echo(f"提示：{warning}", err=True)
    if parsed.errors:
        click.echo(
            f"{file.name}：发现 {len(parsed.errors)} 处错误：\n{parsed.error_report(limit=500)}", err=True
        )
        if parsed.fatal or not parsed.rows:
            click.echo("未导入任何数据。", err=True)
            sys.exit(1)
        if not good_rows:
            click.echo(
                f"未导入任何数据。请修正后重新导入，或加 --good-rows 只导入其余 {len(parsed.rows)} 行。",
                err=True,
            )
            sys.exit(1)
    settings = rt.settings

    async def go() -> roster.ImportSummary:
        db = Database(settings.resolved_database_url())
        try:
            await db.prepare(auto_migrate=settings.steward_auto_migrate)
            summary = await roster.import_rows(unit, parsed.rows, cipher, now=datetime.now(UTC), db=db)
            await audit.record(
                "roster.import",
                actor="cli",
                reason=(
                    f"命令行导入花名册（{unit}）：新增 {summary.added}，更新 {summary.updated}，"
                    f"未变 {summary.unchanged}，跳过错误行 {len(parsed.errors)}"
                ),
                detail={"unit": unit, "source": "cli"},
                db=db,
            )
            return summary
        finally:
            await db.dispose()

    try:
        summary = asyncio.run(go())
    except DatabaseError as e:
        click.echo(f"导入失败：{e}", err=True)
        sys.exit(2)
    click.echo(f"已导入 {unit} 花名册：{summary.describe()}")
