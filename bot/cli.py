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


@main.group("lexicon")
def lexicon_group() -> None:
    """Keyword lexicons of the content guard."""


@lexicon_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--preset", default="default", show_default=True, help="Built-in preset whose guard settings apply."
)
@click.option("--show", default=20, show_default=True, help="How many flagged lines to print.")
def lexicon_check(path: Path, preset: str, show: int) -> None:
    """Run the content guard over PATH (one message a line): print the hits and the hit rate."""
    import time
    from collections import Counter

    from bot.core.guard import ContentGuard, GuardInput, compile_config
    from bot.core.text import MatcherStack, load_default
    from bot.core.text.lexicon import read_lines
    from bot.policy import load_policy

    policy = load_policy(None)
    if preset not in policy.preset_names:
        click.echo(f"没有预设 {preset}（可选：{', '.join(policy.preset_names)}）", err=True)
        sys.exit(2)
    cfg = compile_config(policy.preset(preset).guard, MatcherStack([load_default().matcher()]))
    guard = ContentGuard()
    lines = [(n, t) for n, t in read_lines(path) if t is not None and t.strip()]
    by_kind: Counter[str] = Counter()
    flagged = 0
    started = time.perf_counter()
    for number, text in lines:
        found = guard.check(GuardInput(text), cfg, remember=False)
        if not found:
            continue
        flagged += 1
        by_kind.update({f.kind for f in found})
        if flagged <= show:
            # Sensitive findings print only their kind: the file may hold real personal data.
            hits = "；".join(f.kind if f.sensitive else f"{f.kind}「{f.excerpt}」" for f in found)
            click.echo(f"{number}: {hits}")
    seconds = time.perf_counter() - started
    total = len(lines)
    rate = 100 * flagged / total if total else 0.0
    kinds = "，".join(f"{k} {n}" for k, n in by_kind.most_common()) or "无"
    click.echo(f"共 {total} 条，命中 {flagged} 条（{rate:.2f}%）；按类别：{kinds}")
    if total:
        click.echo(f"平均每条 {seconds / total * 1e6:.1f} µs（预设 {preset}，默认词库）")


@lexicon_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", default=None, help="Category of a one-word-a-line list (or allow).")
@click.option("--tagged", is_flag=True, help="The list has `word TAG,TAG` lines (houbb/sensitive-word tags).")
@click.option("--group", "group_id", default=None, help="Add to this group's lexicon.")
@click.option("--unit", default=None, help="Add to this unit's lexicon (every group of the unit).")
def lexicon_import(
    path: Path, category: str | None, tagged: bool, group_id: str | None, unit: str | None
) -> None:
    """Import an external list into a group's or a unit's lexicon (the bot loads it at its next start)."""
    from datetime import UTC, datetime

    from bot.core.text import BY_KEY, import_plain, import_tagged
    from bot.store import guard as guard_store

    if (group_id is None) == (unit is None) or tagged == (category is not None):
        click.echo("请给出 --group 或 --unit 之一，以及 --category 或 --tagged 之一。", err=True)
        sys.exit(2)
    if category is not None and category != "allow" and category not in BY_KEY:
        click.echo(f"未知的类别 {category}（可选：{', '.join(BY_KEY)}, allow）", err=True)
        sys.exit(2)
    lexicon = import_tagged(path) if tagged else import_plain(path, category or "")
    for error in lexicon.errors[:20]:
        click.echo(f"跳过 {error}", err=True)
    scope, scope_id = ("group", group_id) if group_id is not None else ("unit", unit)
    entries = [(c, w) for c, ws in lexicon.deny.items() for w in ws] + [("allow", w) for w in lexicon.allow]
    settings = _settings_or_exit()

    async def go(db: Database) -> int:
        return await guard_store.add_words(
            scope, str(scope_id), entries, by="cli", at=datetime.now(UTC), db=db
        )

    try:
        added = asyncio.run(_with_db(settings, go))
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    click.echo(
        f"已导入 {added} 个词（共 {len(entries)} 个，跳过 {len(lexicon.errors)} 行）；"
        "在群内发送 /词库 重载（或重启机器人）后生效。"
    )


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


@main.group("review")
def review_group() -> None:
    """Weekly member review (每周巡查)."""


@review_group.command("run")
@click.argument("group")
@click.option("--platform", default="qq", show_default=True, help="qq or wechat")
def review_run(group: str, platform: str) -> None:
    """Ask the running bot to review GROUP now; the report goes to the group owner privately."""
    from datetime import UTC, datetime

    from bot.store import review

    settings = _settings_or_exit()

    async def go(db: Database):  # type: ignore[no-untyped-def]
        return await review.request_run(
            platform, group, "", kind="cli", requested_by="", now=datetime.now(UTC), db=db
        )

    try:
        run = asyncio.run(_with_db(settings, go))
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    click.echo(f"已登记巡查 #{run.id}（群 {group}）：运行中的机器人将在几秒内执行，报告私聊发送给群主。")


@main.group("suggestions")
def suggestions_group() -> None:
    """Suggestions (意见建议)."""


@suggestions_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def suggestions_export(path: Path) -> None:
    """Export every suggestion to PATH (.csv or .xlsx; any other suffix writes both)."""
    from bot.store import suggest

    settings = _settings_or_exit()
    try:
        rows = asyncio.run(_with_db(settings, lambda db: suggest.list_for(limit=1_000_000, db=db)))
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    rows = list(reversed(rows))
    written = []
    if path.suffix.lower() in (".csv", ".xlsx"):
        targets = [path]
    else:
        targets = [path.with_suffix(".csv"), path.with_suffix(".xlsx")]
    for target in targets:
        (suggest.write_xlsx if target.suffix.lower() == ".xlsx" else suggest.write_csv)(rows, target)
        written.append(str(target))
    click.echo(f"已导出 {len(rows)} 条意见建议到 {'、'.join(written)}")


@main.group("register")
def register_group() -> None:
    """Filing register (登记备案)."""


@register_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="Default: from PATH's suffix, else xlsx.",
)
@click.option("--unit", "units", multiple=True, help="Only this unit (key in config/bot.toml); repeatable.")
@click.option("--full", is_flag=True, help="Owners' names and contacts unmasked (needs STEWARD_SECRET_KEY).")
def register_export(path: Path, fmt: str | None, units: tuple[str, ...], full: bool) -> None:
    """Export the register as the 登记备案表: XLSX with one sheet per unit, or CSV (UTF-8 with BOM)."""
    from datetime import UTC, datetime

    from bot.core.crypto import InvalidKeyError, PersonalDataCipher
    from bot.core.register import csv_text, xlsx_bytes
    from bot.store import register

    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        click.echo(f"配置错误：{e}", err=True)
        sys.exit(2)
    known = set(rt.policy.spec.units)
    unknown = [u for u in units if u not in known]
    if unknown:
        click.echo(f"未知的单位：{', '.join(unknown)}（可选：{', '.join(sorted(known)) or '无'}）", err=True)
        sys.exit(2)
    key = rt.settings.steward_secret_key
    try:
        cipher = PersonalDataCipher(key.get_secret_value()) if key is not None else None
    except InvalidKeyError as e:
        click.echo(f"STEWARD_SECRET_KEY 无效：{e}", err=True)
        sys.exit(2)
    if full and cipher is None:
        click.echo("--full 需要 STEWARD_SECRET_KEY 才能解密群主姓名和联系方式。", err=True)
        sys.exit(2)
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
    now = datetime.now(UTC)
    try:
        sheets = asyncio.run(
            _with_db(
                rt.settings,
                lambda db: register.register_sheets(
                    rt.policy, cipher, now, masked=not full, units=list(units) or None, db=db
                ),
            )
        )
    except DatabaseError as e:
        click.echo(str(e), err=True)
        sys.exit(2)
    if fmt == "csv":
        path.write_text(csv_text(sheets), encoding="utf-8", newline="")
    else:
        path.write_bytes(xlsx_bytes(sheets, title="工作群登记备案表", generated_at=now))
    groups = sum(len(rows) for rows in sheets.values())
    masked = "（含未脱敏的个人信息，请妥善保管）" if full else "（个人信息已脱敏）"
    click.echo(f"已导出 {len(sheets)} 个单位、{groups} 个群到 {path}{masked}")
