"""`python -m bot doctor`: check a deployment and say what to fix, one line per check.

Checks, in the order an operator sets things up: the `.env` file, the settings, the OneBot access
token, the database and its schema revision, the personal-data key, the work calendar for this year
and the next, and whether a bot process is running with a OneBot implementation connected (from the
status files every running bot keeps under `<data dir>/run/`, see :mod:`bot.heartbeat`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path


class Level(Enum):
    OK = "✓"
    WARN = "⚠"
    FAIL = "✗"


@dataclass(frozen=True)
class Finding:
    level: Level
    what: str
    fix: str = ""

    def line(self) -> str:
        fix = f" → {self.fix}" if self.fix else ""
        return f"{self.level.value} {self.what}{fix}"


def _env_files(cwd: Path) -> Finding:
    environment = os.environ.get("ENVIRONMENT", "")
    names = [".env", *([f".env.{environment}"] if environment else [])]
    found = [n for n in names if (cwd / n).is_file()]
    if not found:
        return Finding(
            Level.WARN,
            f"当前目录 {cwd} 没有 .env 文件（只用环境变量和默认值）",
            "复制 .env.example 为 .env 并按注释填写；或在 systemd 单元中用 EnvironmentFile= 指定",
        )
    return Finding(Level.OK, f"读取 {'、'.join(found)}（环境变量优先于文件）")


async def run_checks(cwd: Path | None = None, *, now: datetime | None = None) -> list[Finding]:
    """Every check; stops early only when the settings cannot be read at all."""
    import nonebot

    from bot.app import StartupError, init
    from bot.heartbeat import live_beats
    from bot.settings import is_loopback, listen_tokens, onebot_credentials
    from bot.store.db import Database, head_revision
    from bot.store.roster import PersonalDataKeyError, cipher_from_settings, has_personal_data

    cwd = cwd or Path.cwd()
    now = now or datetime.now(UTC)
    out = [_env_files(cwd)]
    try:
        rt = init(load_plugins=False)
    except StartupError as e:
        out.append(Finding(Level.FAIL, f"设置无效：{e}", "按提示修改 .env 或 config/bot.toml 后重试"))
        return out
    settings = rt.settings
    out.append(Finding(Level.OK, f"设置有效；策略 {rt.policy.source}"))

    cfg = nonebot.get_driver().config
    host, port = str(cfg.host), int(cfg.port)
    missing = [name for name, token in listen_tokens(onebot_credentials()).items() if not token]
    if not missing:
        out.append(Finding(Level.OK, "已设置 OneBot 访问令牌"))
    elif is_loopback(host):
        out.append(
            Finding(
                Level.WARN,
                f"未设置访问令牌（{'、'.join(missing)}）；HOST={host} 只接受本机连接",
                "建议仍在 .env 中设置 ONEBOT_ACCESS_TOKEN=<随机长字符串>，并在 NapCat 等实现中填写同一令牌",
            )
        )

    db = Database(settings.resolved_database_url())
    has_data = False
    try:
        current = await db.current_revision()
        head = head_revision()
        if current == head:
            out.append(Finding(Level.OK, f"数据库 {db.display_url}：结构为最新（{head}）"))
        elif current is None:
            out.append(
                Finding(
                    Level.WARN if settings.steward_auto_migrate else Level.FAIL,
                    f"数据库 {db.display_url} 是空库",
                    "机器人启动时会自动建表"
                    if settings.steward_auto_migrate
                    else "运行 python -m bot db upgrade（STEWARD_AUTO_MIGRATE=false）",
                )
            )
        else:
            ahead = current not in _known_revisions()
            out.append(
                Finding(
                    Level.FAIL if ahead or not settings.steward_auto_migrate else Level.WARN,
                    f"数据库 {db.display_url} 的结构版本为 {current}，本版本为 {head}",
                    "数据库比本程序新：请升级程序"
                    if ahead
                    else (
                        "机器人启动时会自动升级；也可先运行 python -m bot db upgrade"
                        if settings.steward_auto_migrate
                        else "运行 python -m bot db upgrade"
                    ),
                )
            )
        if current is not None:
            has_data = await has_personal_data(db=db)
    except Exception as e:  # DatabaseError or any driver's error: say it in one line
        out.append(
            Finding(
                Level.FAIL,
                f"无法打开数据库 {db.display_url}：{type(e).__name__}: {' '.join(str(e).split())[:200]}",
                "检查 DATABASE_URL（PostgreSQL 是否在运行、账号密码），或 STEWARD_DATA_DIR 是否可写",
            )
        )
    finally:
        await db.dispose()

    key = settings.steward_secret_key
    try:
        if key is not None:
            cipher_from_settings(key)
            out.append(Finding(Level.OK, "个人信息加密密钥 STEWARD_SECRET_KEY 有效"))
        elif has_data:
            out.append(
                Finding(
                    Level.FAIL,
                    "数据库中已有加密的个人信息，但未设置 STEWARD_SECRET_KEY（机器人会拒绝启动）",
                    "在 .env 中填写加密这些数据时使用的密钥",
                )
            )
        else:
            out.append(
                Finding(
                    Level.WARN,
                    "未设置 STEWARD_SECRET_KEY：实名准入不会启用",
                    "运行 python -m bot keygen，把密钥写入 .env 并另行备份",
                )
            )
    except PersonalDataKeyError as e:
        out.append(
            Finding(Level.FAIL, str(e), "用 python -m bot keygen 生成新密钥（已有加密数据时请找回原密钥）")
        )

    calendar = rt.calendar()
    year = now.year
    for y in (year, year + 1):
        status = calendar.official_data_status(y)
        if status.official:
            out.append(Finding(Level.OK, status.describe()))
        else:
            out.append(
                Finding(
                    Level.WARN if y > year else Level.FAIL,
                    f"{y} 年节假日安排尚无正式数据（按规则推算，不含调休上班日）",
                    f"在 {settings.steward_holidays_dir}/ 中补充 {y} 年的安排并设 official = true"
                    "（格式见 config/holidays/README.md）",
                )
            )

    beats = live_beats(settings.steward_data_dir, now=now)
    ws = f"ws://{host}:{port}/onebot/v11/ws（QQ）或 /onebot/v12/ws（微信）"
    if not beats:
        out.append(
            Finding(
                Level.WARN,
                f"没有运行中的机器人进程（数据目录 {settings.steward_data_dir.resolve()}）",
                "启动机器人：python -m bot run（或 systemctl start steward）",
            )
        )
    else:
        accounts = [a for b in beats for a in b.accounts]
        pids = "、".join(str(b.pid) for b in beats)
        if accounts:
            names = "、".join(f"{'QQ' if a.platform == 'qq' else '微信'} {a.self_id}" for a in accounts)
            out.append(Finding(Level.OK, f"机器人正在运行（进程 {pids}），已连接：{names}"))
        else:
            out.append(
                Finding(
                    Level.FAIL,
                    f"机器人正在运行（进程 {pids}），但没有 OneBot 实现连接",
                    f"在 NapCat 等实现中配置反向 WebSocket {ws}，并填写相同的访问令牌",
                )
            )
    return out


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from bot.store.db import _alembic_config

    return {r.revision for r in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def report(findings: list[Finding], echo: Callable[[str], None]) -> int:
    for finding in findings:
        echo(finding.line())
    failed = sum(f.level is Level.FAIL for f in findings)
    warned = sum(f.level is Level.WARN for f in findings)
    if failed:
        echo(f"发现 {failed} 个问题需要修复{f'，{warned} 项提醒' if warned else ''}。")
        return 1
    echo(f"检查通过{f'（{warned} 项提醒）' if warned else ''}。")
    return 0
