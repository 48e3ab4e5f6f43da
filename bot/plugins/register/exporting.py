"""/备案 导出: the 登记备案表 as XLSX or CSV, for supervisors (their units) and operators (all).

The file is written to the data directory (``exports/``) and, on QQ, sent privately to the caller
with the implementation's ``upload_private_file``, which takes a path on the implementation's own
machine: when the bot and NapCat do not share a filesystem the upload fails, and the caller gets a
summary and a link to the dashboard's downloads page (or, with no dashboard account, where the file
was written) instead. Personal data is masked in these exports; an
operator's full export is the CLI's ``register export --full``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

from loguru import logger

from bot.core.calendar import to_local
from bot.core.register import RegisterEntry, csv_text, xlsx_bytes
from bot.dispatch import CommandContext, Role, UsageError
from bot.gateway.base import GatewayError
from bot.gateway.outbound import Action, Priority
from bot.plugins.register.common import cipher
from bot.runtime import Runtime
from bot.store import audit
from bot.store import register as store
from bot.web import downloads_hint

TITLE = "工作群登记备案表"
UPLOAD_TIMEOUT = 60.0
_FORMATS = {"": "xlsx", "xlsx": "xlsx", "excel": "xlsx", "表格": "xlsx", "csv": "csv"}


def render(sheets: dict[str, list[RegisterEntry]], fmt: str, now: datetime) -> bytes:
    if fmt == "csv":
        return csv_text(sheets).encode("utf-8")
    return xlsx_bytes(sheets, title=TITLE, generated_at=now)


def file_name(now: datetime, fmt: str) -> str:
    return f"{TITLE}-{to_local(now):%Y%m%d-%H%M%S}.{fmt}"


def write(rt: Runtime, data: bytes, name: str) -> Path:
    folder = rt.settings.steward_data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path.resolve()


def summary(sheets: dict[str, list[RegisterEntry]]) -> str:
    """「共 12 个群：已备案 9，未备案 2，已注销 1」 per unit."""
    lines = []
    for unit, entries in sheets.items():
        counts: dict[str, int] = {}
        for e in entries:
            counts[e.status] = counts.get(e.status, 0) + 1
        overdue = sum(1 for e in entries if "已逾期" in e.due)
        parts = "，".join(f"{k} {v}" for k, v in counts.items())
        lines.append(
            f"{unit}：共 {len(entries)} 个群（{parts}" + (f"，逾期待办 {overdue}" if overdue else "") + "）"
        )
    return "\n".join(lines) or "没有登记的工作群。"


def scope(ctx: CommandContext) -> set[str] | None:
    """The unit keys the caller may export; None = all (operators); empty = none."""
    rec, rt = ctx.record, ctx.runtime
    if ctx.role >= Role.OPERATOR:
        return None
    if rec.is_group:
        gp = rt.policy.for_group(rec.group_id)
        return {gp.unit_key} if ctx.role >= Role.SUPERVISOR and gp.unit_key else set()
    return set(rt.policy.supervised_units(rec.user_id))


async def upload(rt: Runtime, ctx: CommandContext, path: Path, name: str) -> bool:
    """Send the file privately to the caller through the implementation (``upload_private_file`` of
    NapCat, LLOneBot, Lagrange) — also when asked in a group: the register is for its supervisors,
    not for every member. False when the implementation cannot read the file or lacks the action."""
    rec = ctx.record
    if rec.platform != "qq":
        return False
    location = str(path)

    async def run() -> Any:
        gw = rt.registry.for_account(rec.platform, rec.self_id)
        bot = getattr(gw, "bot", None)
        if bot is None:
            raise GatewayError("upload_private_file", "this account cannot upload files", retryable=False)
        try:
            return await bot.call_api(
                "upload_private_file", user_id=_int(rec.user_id), file=location, name=name
            )
        except Exception as e:
            raise GatewayError(
                "upload_private_file", f"upload failed: {type(e).__name__}", retryable=False
            ) from e

    assert rt.queue is not None
    fut = rt.queue.submit(
        Action("upload_file", run, platform=rec.platform, target=rec.user_id, priority=Priority.REPLY)
    )
    try:
        await asyncio.wait_for(asyncio.shield(fut), UPLOAD_TIMEOUT)
    except Exception as e:
        logger.info(f"register export: file not sent ({type(e).__name__}); falling back to a summary")
        return False
    return True


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() else value


async def export_command(ctx: CommandContext, rest: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    fmt = _FORMATS.get(rest.strip().casefold())
    if fmt is None:
        raise UsageError("导出格式可为 xlsx（默认）或 csv，例如 /备案 导出 csv。")
    units = scope(ctx)
    if units is not None and not units:
        ctx.refuse(
            f"导出登记备案表需要「{Role.SUPERVISOR.label}」及以上权限（监管单位导出本单位的全部工作群）。"
            "群主和管理员可发送 /备案 查看 本群备案。",
            why=f"导出登记备案表需要「{Role.SUPERVISOR.label}」及以上权限",
            mention=rec.is_group,
        )
        return
    sheets = await store.register_sheets(rt.policy, cipher(rt), rec.time, units=units, platform=None)
    name = file_name(rec.time, fmt)
    path = write(rt, render(sheets, fmt, rec.time), name)
    groups = sum(len(v) for v in sheets.values())
    sent = await upload(rt, ctx, path, name)
    await audit.record(
        "register.exported",
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        rule="filing",
        reason=f"导出登记备案表（{fmt}，{groups} 个群）" + ("，已发送文件" if sent else ""),
        detail={"file": f"exports/{name}", "units": sorted(units) if units is not None else "all"},
    )
    head = f"登记备案表已生成（{fmt.upper()}，个人信息已脱敏）：\n{summary(sheets)}"
    if sent:
        where = "已私聊发送给您" if rec.is_group else "已发送"
        ctx.reply(f"{head}\n文件「{name}」{where}，请查收。")
    elif (link := await downloads_hint(rt)) is not None:
        ctx.reply(f"{head}\n当前无法直接发送文件（机器人与 QQ 客户端可能不在同一台机器上）。{link}")
    else:
        ctx.reply(
            f"{head}\n当前无法直接发送文件（机器人与 QQ 客户端可能不在同一台机器上），"
            f"文件已保存在机器人数据目录 exports/{name}，请运维人员取出；"
            "也可在服务器上运行 python -m bot register export 文件名.xlsx 导出。"
        )
