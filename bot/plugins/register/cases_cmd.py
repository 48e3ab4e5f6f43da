"""/处理 (/case): rectification cases (整改, kunming 第十五条) — list them, look at one, close one
with a note. Admins of the case's group, its unit's supervisors and operators may close it."""

from __future__ import annotations

from bot.dispatch import CommandContext, Role, UsageError, command
from bot.models.register import Case, CaseState
from bot.plugins.register.common import group_label, role_in
from bot.plugins.register.texts import case_line, limit_text, severity_label, when
from bot.store import audit, cases
from bot.store import register as store

USAGE = (
    "/处理（本群或您管理的群未结的整改事项）｜/处理 全部（含最近结案的）\n"
    "/处理 查看 编号｜/处理 编号 处理说明（结案，说明必填）"
)
CLOSE_ROLE = Role.DEPUTY
_LIST = ("列表", "list", "ls")
_ALL = ("全部", "all")
_VIEW = ("查看", "view", "show")


@command(
    "处理",
    aliases=("case",),
    role=Role.DEPUTY,  # 分管 (SPEC §8): a bot-level admin command, no platform right needed
    summary="整改事项：查看期限，处理后结案",
    usage=USAGE,
    order=65,
)
async def case_cmd(ctx: CommandContext) -> None:
    parts = ctx.args.split(maxsplit=1)
    head = parts[0].casefold() if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not head or head in _LIST:
        if rest:
            raise UsageError("「列表」后面不需要参数。")
        await _list(ctx, closed=False)
    elif head in _ALL:
        await _list(ctx, closed=True)
    elif head in _VIEW:
        await _view(ctx, _number(rest))
    else:
        await _close(ctx, _number(parts[0]), rest)


def _number(text: str) -> int:
    value = text.strip().lstrip("#＃")
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise UsageError("请写整改事项的编号，例如 /处理 12 已删除相关消息并提醒当事人。")
    return int(value)


async def _scope(ctx: CommandContext) -> list[str] | None:
    """Groups whose cases the caller sees: this group; in private those they manage (None = all)."""
    rec = ctx.record
    if rec.is_group:
        return [rec.group_id]
    if ctx.role >= Role.OPERATOR:
        return None
    filings = await store.list_filings(platform=rec.platform)
    return [
        f.group_id for f in filings if role_in(ctx, f.group_id) >= CLOSE_ROLE or f.owner_id == rec.user_id
    ]


async def _label(ctx: CommandContext, case: Case) -> str:
    filing = await store.get_filing(case.platform, case.group_id)
    name = (filing.name or filing.observed_name) if filing is not None else ""
    return group_label(ctx.runtime, case.platform, case.group_id, name)


async def _list(ctx: CommandContext, *, closed: bool) -> None:
    rec = ctx.record
    groups = await _scope(ctx)
    if groups is not None and not groups:
        ctx.reply("没有您可查看的整改事项。", mention=rec.is_group)
        return
    states = (CaseState.OPEN, CaseState.CLOSED) if closed else (CaseState.OPEN,)
    rows = await cases.list_cases(platform=rec.platform, group_ids=groups, states=states, limit=30)
    if not rows:
        ctx.reply("没有未结的整改事项。" if not closed else "没有整改事项。", mention=rec.is_group)
        return
    title = "整改事项（最近 30 条）：" if closed else f"未结的整改事项（{len(rows)} 件）："
    lines = [title]
    for case in rows:
        lines.append(case_line(case, rec.time, "" if rec.is_group else await _label(ctx, case)))
    lines.append("结案：/处理 编号 处理说明；详情：/处理 查看 编号")
    ctx.reply("\n".join(lines))


async def _find(ctx: CommandContext, number: int) -> Case | None:
    rec = ctx.record
    case = await cases.get_case(number)
    # Role before state: to someone who may not handle it, a case does not exist.
    if case is None or case.platform != rec.platform or role_in(ctx, case.group_id) < CLOSE_ROLE:
        ctx.reply(
            f"没有编号为 #{number} 的、您可处理的整改事项（所在群的管理员、监管单位可以查看和处理）。"
            "发送 /处理 查看未结事项。",
            mention=rec.is_group,
        )
        return None
    if rec.is_group and case.group_id != rec.group_id:
        ctx.reply(f"整改事项 #{number} 不属于本群，请到所属的群里或私聊机器人操作。", mention=True)
        return None
    return case


def _received(case: Case) -> str:
    return "工作时间内" if case.in_working_time else "工作时间外或节假日"


async def _view(ctx: CommandContext, number: int) -> None:
    rec = ctx.record
    case = await _find(ctx, number)
    if case is None:
        return
    lines = [
        f"整改事项 #{case.id}：{await _label(ctx, case)}",
        f"问题：{case.category}（{severity_label(case.severity)}问题）"
        + (f"；{case.summary}" if case.summary else ""),
        f"收到：{when(case.received_at, rec.time)}（{_received(case)}），"
        f"时限 {limit_text(case.limit_minutes)}，期限 {when(case.due_at, rec.time)}",
    ]
    if case.closed_at is not None:
        lines.append(
            f"已于 {when(case.closed_at, rec.time)} 结案"
            + ("（超过期限）" if case.late else "")
            + f"：{case.close_note}"
        )
    else:
        lines.append(
            "状态：未结"
            + ("，已逾期" if case.due_at < rec.time else "")
            + f"；结案请发送「/处理 {case.id} 处理说明」"
        )
    ctx.reply("\n".join(lines))


async def _close(ctx: CommandContext, number: int, note: str) -> None:
    rec = ctx.record
    if not note:
        raise UsageError(f"结案须写明处理情况，例如 /处理 {number} 已撤回并提醒当事人。")
    case = await _find(ctx, number)
    if case is None:
        return
    closed = await cases.close_case(number, rec.user_id, note, rec.time)
    if closed is None:
        ctx.reply(f"整改事项 #{number} 已结案，无需重复处理。", mention=rec.is_group)
        return
    await audit.record(
        "case.closed",
        actor=rec.user_id,
        platform=case.platform,
        group_id=case.group_id,
        rule=case.rule or "rectification",
        reason=f"整改事项 #{number} 结案" + ("（超过期限）" if closed.late else ""),
        detail={"case": number, "late": closed.late},
    )
    ctx.reply(
        f"整改事项 #{number} 已结案"
        + ("，已超过整改期限，将计入季度通报" if closed.late else "，在期限内完成")
        + "。",
        mention=rec.is_group,
    )
