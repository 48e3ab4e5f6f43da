"""Operator CLI: `python -m bot` (or `steward`, or `nb steward` with nb-cli) runs the bot; subcommands
do one-off jobs.

Conventions for every subcommand (other modules add theirs to these click groups):
- help texts are Chinese (`ZhGroup` / `ZhCommand` also translate click's own headings);
- quiet by default: NoneBot's start-up log and INFO lines stay off the console unless `--verbose`;
- an error is one line on standard error and a non-zero exit (2: configuration / usage / database,
  1: the job ran and found a problem); `--verbose` shows the traceback of an unexpected error.
"""

from __future__ import annotations

import asyncio
import csv
import re
import sys
from pathlib import Path
from typing import NoReturn

import click

from bot.app import StartupError, init, run
from bot.store.db import Database, DatabaseError


class _Zh:
    """Chinese headings for click's help pages (click itself ships no translations)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        opts = [rv for p in self.get_params(ctx) if (rv := p.get_help_record(ctx))]  # type: ignore[attr-defined]
        if opts:
            with formatter.section("选项"):
                formatter.write_dl(opts)
        if isinstance(self, click.Group):
            rows = []
            for name in self.list_commands(ctx):
                cmd = self.get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
            if rows:
                with formatter.section("命令"):
                    formatter.write_dl(rows)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示本帮助并退出"
        return option


class ZhCommand(_Zh, click.Command):
    pass


class ZhGroup(_Zh, click.Group):
    command_class = ZhCommand
    group_class = type  # subgroups are ZhGroups too

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pass  # listed by format_options under 命令


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on standard error, then exit with `code`."""
    click.echo(message, err=True)
    sys.exit(code)


def _settings_or_exit():  # type: ignore[no-untyped-def]
    try:
        return init(load_plugins=False).settings
    except StartupError as e:
        fail(f"配置错误：{e}")


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=ZhGroup, invoke_without_command=True, context_settings=CONTEXT)
@click.option("-v", "--verbose", is_flag=True, help="显示 NoneBot 的启动日志和详细信息（排查问题时使用）")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """工作群管家：不带子命令时启动机器人（同 run）。"""
    global _VERBOSE
    _VERBOSE = verbose
    ctx.obj = {"verbose": verbose}
    if not verbose and ctx.invoked_subcommand not in (None, "run"):
        from bot.logs import quiet_console

        quiet_console()
    if ctx.invoked_subcommand is None:
        run()


_VERBOSE = False


def is_verbose() -> bool:
    """Whether the operator asked for --verbose (subcommands may print more)."""
    return _VERBOSE


_USAGE_ZH = [
    (re.compile(r"No such command '(.+)'\."), r"没有命令 \1"),
    (re.compile(r"No such option: (\S+)"), r"没有选项 \1"),
    (re.compile(r"Missing argument '(.+)'\."), r"缺少参数 \1"),
    (re.compile(r"Missing option '(.+)'\."), r"缺少选项 \1"),
    (re.compile(r"Option '(.+)' requires an argument\."), r"选项 \1 需要一个值"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), r"多余的参数：\1"),
    (re.compile(r"Invalid value for (.+?): (.+)", re.S), r"\1 的值无效：\2"),
]


def _zh_usage(message: str) -> str:
    message = " ".join(message.split())
    for pattern, zh in _USAGE_ZH:
        message = pattern.sub(zh, message)
    return message


def entry() -> None:
    """Console-script entry point: usage errors and unexpected errors end in one line, not a page."""
    try:
        main.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        fail("已取消。", 1)
    except click.ClickException as e:
        fail(f"用法错误：{_zh_usage(e.format_message())}（用 --help 查看用法）", e.exit_code)
    except (StartupError, DatabaseError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:
        if _VERBOSE:
            raise
        detail = " ".join(str(e).split())[:300]
        fail(f"内部错误：{type(e).__name__}: {detail}（加 --verbose 查看详情）", 1)
    sys.exit(0)


def install_nb_plugin() -> None:
    """nb-cli plugin (entry point group `nb`): `nb steward …` is this CLI when nb-cli is installed in
    the same environment as the bot."""
    from nb_cli.cli import cli as nb_cli

    nb_cli.add_command(main, "steward")


@main.command("run")
def run_cmd() -> None:
    """启动机器人，等待 OneBot 实现（NapCat 等）连接。"""
    run()


@main.command("demo")
@click.option("--scene", default=None, help="只演示这个场景（场景名见 --list）")
@click.option("--list", "list_only", is_flag=True, help="列出全部场景")
@click.pass_context
def demo_cmd(ctx: click.Context, scene: str | None, list_only: bool) -> None:
    """演示：启动机器人和内置的 OneBot 模拟器，按脚本演示各项功能（无需 QQ 账号）。
    加 --verbose（python -m bot --verbose demo）同时显示机器人调用的其他接口。"""
    from bot.sim.demo import main as demo_main

    sys.exit(demo_main(scene, verbose=is_verbose(), list_only=list_only))


@main.group("db")
def db_group() -> None:
    """数据库结构。"""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构升级到本版本的最新结构。"""
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
        fail(f"升级失败：{e}")


@main.group("audit")
def audit_group() -> None:
    """审计日志。"""


async def _with_db(settings, fn):  # type: ignore[no-untyped-def]
    db = Database(settings.resolved_database_url())
    try:
        await db.prepare(auto_migrate=False)
        return await fn(db)
    finally:
        await db.dispose()


@audit_group.command("verify")
def audit_verify() -> None:
    """校验审计日志的哈希链是否完整。"""
    from bot.store import audit

    settings = _settings_or_exit()
    try:
        report = asyncio.run(_with_db(settings, lambda db: audit.verify(db)))
    except DatabaseError as e:
        fail(str(e))
    if report.ok:
        click.echo(f"审计链完整：{report.checked} 条")
    else:
        click.echo(f"审计链在 #{report.broken_id} 处断开：{report.why}", err=True)
        sys.exit(1)


@audit_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def audit_export(path: Path) -> None:
    """把全部审计日志导出为 CSV（UTF-8 带 BOM，可直接用 Excel 打开）。"""
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
    """列出待审核或待发布的通知（/通知），最早的在前。"""
    from zoneinfo import ZoneInfo

    from bot.store import notices

    settings = _settings_or_exit()
    try:
        rows = asyncio.run(_with_db(settings, lambda db: notices.list_open(limit=1000, db=db)))
    except DatabaseError as e:
        fail(str(e))
    if not rows:
        click.echo("没有待发布或待审核的通知。")
        return
    from bot.core.schedule import Recurrence

    tz = ZoneInfo("Asia/Shanghai")
    for n in rows:
        due = n.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if n.due_at else "待审核"
        text = " ".join(n.text.split())[:40]
        where = f"{n.platform}:{n.group_id}"
        if n.kind == "recurring":
            where += f" 周期（{Recurrence.from_spec(n.recurrence).describe()}）"
        elif n.kind == "broadcast":
            where = f"{n.platform}:群发 {len([g for g in n.targets.split(',') if g])} 个群"
        elif n.parent_id is not None:
            where += f" 属于 #{n.parent_id}"
        click.echo(f"#{n.id} {n.state:<9} {due:<16} {where} 发布人 {n.author_id}  {text}")


@main.group("lexicon")
def lexicon_group() -> None:
    """内容巡查的词库。"""


@lexicon_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--preset", default="default", help="采用哪个内置预设的巡查设置（默认 default）")
@click.option("--show", default=20, help="最多显示多少条命中的消息（默认 20）")
def lexicon_check(path: Path, preset: str, show: int) -> None:
    """用内容巡查检查 PATH 中的消息（每行一条）：显示命中的消息和命中率。"""
    import time
    from collections import Counter

    from bot.core.guard import ContentGuard, GuardInput
    from bot.core.guard.setup import config_for, load_guard_data
    from bot.core.text.lexicon import read_lines
    from bot.policy import load_policy

    policy = load_policy(None)
    if preset not in policy.preset_names:
        fail(f"没有预设 {preset}（可选：{', '.join(policy.preset_names)}）")
    cfg = config_for(load_guard_data(), policy.preset(preset).guard)
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
@click.option("--category", default=None, help="每行一个词的词表所属的类别（或 allow：白名单）")
@click.option("--tagged", is_flag=True, help="词表每行为「词 标签,标签」（houbb/sensitive-word 的标签）")
@click.option("--group", "group_id", default=None, help="加入这个群的词库")
@click.option("--unit", default=None, help="加入这个单位的词库（该单位的所有群）")
def lexicon_import(
    path: Path, category: str | None, tagged: bool, group_id: str | None, unit: str | None
) -> None:
    """把外部词表导入某个群或单位的词库（群内 /词库 重载或重启后生效）。"""
    from datetime import UTC, datetime

    from bot.core.text import BY_KEY, import_plain, import_tagged
    from bot.store import guard as guard_store

    if (group_id is None) == (unit is None) or tagged == (category is not None):
        fail("请给出 --group 或 --unit 之一，以及 --category 或 --tagged 之一。")
    if category is not None and category != "allow" and category not in BY_KEY:
        fail(f"未知的类别 {category}（可选：{', '.join(BY_KEY)}, allow）")
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
        fail(str(e))
    click.echo(
        f"已导入 {added} 个词（共 {len(entries)} 个，跳过 {len(lexicon.errors)} 行）；"
        "在群内发送 /词库 重载（或重启机器人）后生效。"
    )


@main.command("check-config")
def check_config() -> None:
    """只检查设置和 config/bot.toml 是否有效，不启动机器人。"""
    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        fail(f"配置错误：{e}")
    click.echo(f"配置有效；策略文件 {rt.policy.source}")


@main.command("keygen")
def keygen_cmd() -> None:
    """生成新的 STEWARD_SECRET_KEY（加密保存个人信息的密钥）。"""
    from bot.core.crypto import generate_key

    click.echo(generate_key())
    click.echo(
        "把上面一行写入 .env：STEWARD_SECRET_KEY=<密钥>。请另行妥善备份："
        "密钥丢失后，已加密的花名册和入群记录无法恢复；已有数据时不要更换密钥。",
        err=True,
    )


@main.group("roster")
def roster_group() -> None:
    """单位花名册。"""


@roster_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit", required=True, help="config/bot.toml 中的单位键名；不属于任何单位的群用 default（必填）"
)
@click.option("--good-rows", is_flag=True, help="即使有错误行，也导入其余正确的行")
def roster_import(file: Path, unit: str, good_rows: bool) -> None:
    """从 CSV 或 XLSX 导入花名册（表头：姓名,科室,职务,手机,QQ,微信,状态）。按手机号识别人员，
    重复导入即更新；文件有错误行时不导入任何数据，除非加 --good-rows。"""
    from datetime import UTC, datetime

    from bot.roster_io import parse_roster_file
    from bot.store import audit, roster
    from bot.store.roster import PersonalDataKeyError, cipher_from_settings

    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        fail(f"配置错误：{e}")
    units = [*rt.policy.spec.units, "default"]
    if unit not in units:
        fail(f"未知的单位「{unit}」：可选 {', '.join(units)}（在 {rt.policy.source} 中定义）")
    try:
        cipher = cipher_from_settings(rt.settings.steward_secret_key)
    except PersonalDataKeyError as e:
        fail(str(e))
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
        fail(f"导入失败：{e}")
    click.echo(f"已导入 {unit} 花名册：{summary.describe()}")


@main.group("review")
def review_group() -> None:
    """每周巡查。"""


@review_group.command("run")
@click.argument("group")
@click.option("--platform", default="qq", type=click.Choice(["qq", "wechat"]), help="平台（默认 qq）")
@click.option("--queue", is_flag=True, help="没有运行中的机器人时也登记，机器人下次启动后执行")
def review_run(group: str, platform: str, queue: bool) -> None:
    """请运行中的机器人立即巡查群 GROUP，报告私聊发送给群主。"""
    from datetime import UTC, datetime

    from bot.heartbeat import live_beats
    from bot.store import review

    settings = _settings_or_exit()
    beats = live_beats(settings.steward_data_dir)
    if not beats and not queue:
        fail(
            f"没有运行中的机器人进程（数据目录 {settings.steward_data_dir.resolve()}），巡查未登记："
            "请先启动机器人（python -m bot run），或加 --queue 登记、待机器人启动后执行。",
            1,
        )

    async def go(db: Database):  # type: ignore[no-untyped-def]
        return await review.request_run(
            platform, group, "", kind="cli", requested_by="", now=datetime.now(UTC), db=db
        )

    try:
        run = asyncio.run(_with_db(settings, go))
    except DatabaseError as e:
        fail(str(e))
    label = "QQ" if platform == "qq" else "微信"
    if not beats:
        click.echo(f"已登记巡查 #{run.id}（群 {group}）：目前没有运行中的机器人，将在机器人启动后执行。")
    elif not any(a.platform == platform for b in beats for a in b.accounts):
        click.echo(
            f"已登记巡查 #{run.id}（群 {group}）：机器人正在运行，但尚未连接{label}账号，"
            "连接后执行，报告私聊发送给群主。"
        )
    else:
        click.echo(f"已登记巡查 #{run.id}（群 {group}）：运行中的机器人将在几秒内执行，报告私聊发送给群主。")


@main.group("suggestions")
def suggestions_group() -> None:
    """意见建议。"""


@suggestions_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def suggestions_export(path: Path) -> None:
    """把全部意见建议导出到 PATH（.csv 或 .xlsx；其他后缀两种都写）。"""
    from bot.store import suggest

    settings = _settings_or_exit()
    try:
        rows = asyncio.run(_with_db(settings, lambda db: suggest.list_for(limit=1_000_000, db=db)))
    except DatabaseError as e:
        fail(str(e))
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
    """登记备案。"""


@register_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="文件格式（默认按 PATH 的后缀，否则 xlsx）",
)
@click.option("--unit", "units", multiple=True, help="只导出这个单位（config/bot.toml 中的键名；可重复）")
@click.option("--full", is_flag=True, help="群主姓名和联系方式不脱敏（需要 STEWARD_SECRET_KEY）")
def register_export(path: Path, fmt: str | None, units: tuple[str, ...], full: bool) -> None:
    """导出登记备案表：XLSX（每个单位一个工作表）或 CSV（UTF-8 带 BOM）。"""
    from datetime import UTC, datetime

    from bot.core.crypto import InvalidKeyError, PersonalDataCipher
    from bot.core.register import csv_text, xlsx_bytes
    from bot.store import register

    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        fail(f"配置错误：{e}")
    known = set(rt.policy.spec.units)
    unknown = [u for u in units if u not in known]
    if unknown:
        fail(f"未知的单位：{', '.join(unknown)}（可选：{', '.join(sorted(known)) or '无'}）")
    key = rt.settings.steward_secret_key
    try:
        cipher = PersonalDataCipher(key.get_secret_value()) if key is not None else None
    except InvalidKeyError as e:
        fail(f"STEWARD_SECRET_KEY 无效：{e}")
    if full and cipher is None:
        fail("--full 需要 STEWARD_SECRET_KEY 才能解密群主姓名和联系方式。")
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
        fail(str(e))
    if fmt == "csv":
        path.write_text(csv_text(sheets), encoding="utf-8", newline="")
    else:
        path.write_bytes(xlsx_bytes(sheets, title="工作群登记备案表", generated_at=now))
    groups = sum(len(rows) for rows in sheets.values())
    masked = "（含未脱敏的个人信息，请妥善保管）" if full else "（个人信息已脱敏）"
    click.echo(f"已导出 {len(sheets)} 个单位、{groups} 个群到 {path}{masked}")


from bot.web.cli import build as _build_web  # noqa: E402  (the dashboard's accounts: python -m bot web …)

main.add_command(_build_web(ZhGroup))


@main.command("doctor")
def doctor_cmd() -> None:
    """检查部署并说明如何修复：.env、访问令牌、数据库及其结构版本、个人信息密钥、
    今明两年的节假日数据、是否有 OneBot 实现连接。"""
    from bot.doctor import report, run_checks

    sys.exit(report(asyncio.run(run_checks()), click.echo))
