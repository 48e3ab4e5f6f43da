"""/备案 (/register): the group's filing — guided, one field at a time, or as a one-line form — and
the register for supervisors (list, export).

Who: the owner fills and updates the filing (supervisors and operators may too); admins may view it.
Personal fields (the owner's name and contact) are accepted in private chat only, encrypted at rest
and shown masked. In private chat the caller's group is the one chosen with 「/备案 群 群号」, or the
only group they own.
"""

from __future__ import annotations

import time

from bot.core.calendar import to_local
from bot.core.register import (
    FIELD_SPECS,
    FieldError,
    FilingField,
    is_form,
    parse_date,
    parse_form,
    parse_value,
    split_owner_answer,
)
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.gateway.outbound import Priority
from bot.models.register import DeregKind, DutyKind, Filing, FilingStatus
from bot.plugins.register import exporting
from bot.plugins.register.common import cipher, filing_label, group_ready, role_in, unit_name, visible_groups
from bot.plugins.register.filing import (
    STATUS_LABELS,
    filing_text,
    finish,
    kind_of,
    mark_filed,
    mark_updated,
    missing,
    present,
    save,
    schedule_dissolve,
)
from bot.plugins.register.lifecycle import deregister_group, first_sight, sync_group
from bot.plugins.register.texts import DUTY_LABELS, day_text, when
from bot.store import register as store

USAGE = (
    "/备案（查看本群备案；群主按提示逐项填写）\n"
    "/备案 回答内容（回答机器人的提问）\n"
    "/备案 科室=办公室 事项=日常工作联络 类型=常设 入群方式=申请审核 群规=只发工作信息（一次填写或修改）\n"
    "/备案 确认（备案信息无需改动）｜/备案 结束 [日期]（临时/专项群工作结束）｜/备案 注销 原因\n"
    "/备案 群 群号（私聊时选择要填写的群）｜/备案 列表｜/备案 导出 [xlsx|csv]（监管单位）"
)
EDIT_ROLE = Role.OWNER
EXPORT_ROLE = Role.SUPERVISOR
SELECTION_SECONDS = 1800.0

_VIEW = ("查看", "view", "show")
_FILL = ("填写", "fill", "开始")
_CONFIRM = ("确认", "confirm")
_END = ("结束", "end")
_DEREG = ("注销", "deregister")
_LIST = ("列表", "list", "ls")
_EXPORT = ("导出", "export")
_SELECT = ("群", "group")
_KEYS_HELP = "名称、科室、事项、类型（常设/临时/专项）、结束、入群方式、群规、群主、联系方式"

# (platform, user) → (group, monotonic expiry): the group a user fills in private chat.
_selected: dict[tuple[str, str], tuple[str, float]] = {}


def select(platform: str, user_id: str, group_id: str) -> None:
    _selected[(platform, user_id)] = (group_id, time.monotonic() + SELECTION_SECONDS)


def forget_selections() -> None:
    _selected.clear()


@command(
    "备案",
    aliases=("register",),
    role=Role.ADMIN,
    summary="工作群登记备案：群主填写或更新备案，管理员查看；监管单位查看和导出登记备案表",
    usage=USAGE,
    order=60,
)
async def register_cmd(ctx: CommandContext) -> None:
    text = ctx.args.strip()
    parts = text.split(maxsplit=1)
    head = parts[0].casefold() if parts else ""
    rest = parts[1].strip() if len(parts) > 1 else ""
    if head in _LIST:
        await _list(ctx)
        return
    if head in _EXPORT:
        await exporting.export_command(ctx, rest)
        return
    if head in _SELECT and not is_form(text):
        text = await _select(ctx, rest)
        parts = text.split(maxsplit=1)
        head = parts[0].casefold() if parts else ""
        rest = parts[1].strip() if len(parts) > 1 else ""
    filing = await _target(ctx)
    if is_form(text):
        await _form(ctx, filing, text)
    elif not text or head in _VIEW:
        await _show(ctx, filing, guide=not text)
    elif head in _FILL:
        await _ask_next(ctx, filing, intro=True)
    elif head in _CONFIRM:
        await _confirm(ctx, filing)
    elif head in _END:
        await _end(ctx, filing, rest)
    elif head in _DEREG:
        await _deregister(ctx, filing, rest)
    else:
        await _answer(ctx, filing, text)


# --- which group ------------------------------------------------------------------------------


async def _select(ctx: CommandContext, rest: str) -> str:
    rec = ctx.record
    if rec.is_group:
        raise UsageError("在群内发送 /备案 即是本群的备案，无需选择群。")
    group_id, _, remainder = rest.partition(" ")
    group_id = group_id.strip()
    if not group_id:
        raise UsageError("「群」后面请写群号，例如 /备案 群 123456。")
    filing = await store.get_filing(rec.platform, group_id)
    if filing is None or (role_in(ctx, group_id) < Role.ADMIN and filing.owner_id != rec.user_id):
        raise UsageError(f"没有找到您管理的群 {group_id}。请在该群内发送一次 /备案，或确认群号。")
    select(rec.platform, rec.user_id, group_id)
    return remainder.strip()


async def _target(ctx: CommandContext) -> Filing:
    rec, rt = ctx.record, ctx.runtime
    if rec.is_group:
        filing = await first_sight(rt, rec.platform, rec.group_id, rec.self_id, rec.time)
        select(rec.platform, rec.user_id, rec.group_id)
        return filing
    chosen = _selected.get((rec.platform, rec.user_id))
    if chosen is not None and chosen[1] > time.monotonic():
        found = await store.get_filing(rec.platform, chosen[0])
        if found is not None:
            return found
    mine = [
        f
        for f in await store.list_filings(
            platform=rec.platform, statuses=(FilingStatus.UNFILED, FilingStatus.FILED)
        )
        if f.owner_id == rec.user_id or role_in(ctx, f.group_id) >= EDIT_ROLE
    ]
    incomplete = [f for f in mine if f.status == FilingStatus.UNFILED]
    if len(mine) == 1 or len(incomplete) == 1:
        filing = mine[0] if len(mine) == 1 else incomplete[0]
        select(rec.platform, rec.user_id, filing.group_id)
        return filing
    if not mine:
        raise UsageError("没有找到您作为群主的工作群。请在要备案的群内发送 /备案。")
    listed = "；".join(filing_label(rt, f) for f in mine[:10])
    raise UsageError(f"您管理多个群（{listed}），请先发送 /备案 群 群号 选择要填写的群。")


def _can_edit(ctx: CommandContext, filing: Filing) -> bool:
    return filing.owner_id == ctx.record.user_id or role_in(ctx, filing.group_id) >= EDIT_ROLE


def _refuse_edit(ctx: CommandContext, filing: Filing) -> None:
    ctx.reply(
        f"备案由群主填写，您是「{role_in(ctx, filing.group_id).label}」，可以查看（/备案 查看），"
        "本次未做任何修改。",
        mention=ctx.record.is_group,
    )


def _editable(ctx: CommandContext, filing: Filing) -> bool:
    """Whether the caller may change this filing now; otherwise they are told why (nothing changes)."""
    if _refuse_deregistered(ctx, filing):
        return False
    if not _can_edit(ctx, filing):
        _refuse_edit(ctx, filing)
        return False
    return True


def _refuse_deregistered(ctx: CommandContext, filing: Filing) -> bool:
    if filing.status != FilingStatus.DEREGISTERED:
        return False
    when_ = day_text(to_local(filing.dereg_at).date()) if filing.dereg_at else ""
    ctx.reply(
        f"{filing_label(ctx.runtime, filing)}已于 {when_} 注销登记（{filing.dereg_reason}），无需再填写。",
        mention=ctx.record.is_group,
    )
    return True


# --- view and guide ---------------------------------------------------------------------------


async def _show(ctx: CommandContext, filing: Filing, *, guide: bool) -> None:
    rec, rt = ctx.record, ctx.runtime
    guiding = guide and filing.status != FilingStatus.DEREGISTERED and _can_edit(ctx, filing)
    if guiding:
        prefilled = await _prefill(ctx, filing)
    elif filing.synced_at is None and group_ready(rt, filing.platform, filing.group_id):
        await sync_group(rt, filing, rec.time)  # member count and owner, before they are shown
    ctx.reply(await filing_text(ctx.runtime, filing, rec.time))
    if guiding and missing(ctx.runtime, filing):
        await _ask_next(ctx, filing, intro=False, prefilled=prefilled)


def _question_text(f: FilingField) -> str:
    spec = FIELD_SPECS[f]
    return f"{spec.question}\n请回复「/备案 回答内容」，例如「/备案 {spec.example}」。" + (
        "（个人信息加密保存，显示时脱敏。）" if spec.personal else ""
    )


def _question(f: FilingField, number: int, total: int) -> str:
    return f"（第 {number}/{total} 项）{_question_text(f)}"


async def _ask_next(
    ctx: CommandContext, filing: Filing, *, intro: bool, prefilled: bool = False, prefix: str = ""
) -> None:
    """Ask the first missing field — in private chat when it is personal data."""
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    prefilled = await _prefill(ctx, filing) or prefilled
    gaps = missing(rt, filing)
    if not gaps:
        if filing.status == FilingStatus.UNFILED:
            await _complete(ctx, filing)
        else:
            ctx.reply(
                "本群备案信息已齐全。如需修改，请发送「/备案 项目=新内容」，例如 /备案 事项=新的服务事项。",
                mention=rec.is_group,
            )
        return
    total = len(gaps) + present_count(filing)
    number = total - len(gaps) + 1
    question = _question(gaps[0], number, total)
    head = (
        f"开始填写{filing_label(rt, filing)}的备案信息，共 {total} 项，按提问逐项回复即可。\n"
        if intro
        else ""
    )
    if prefilled:
        head += f"群组名称已按当前群名登记为「{filing.name}」（如需修改：/备案 名称=新名称）。\n"
    if prefix:
        head = f"{prefix}\n{head}"
    if FIELD_SPECS[gaps[0]].personal and rec.is_group:
        rt.actions.send_private(
            rec.platform,
            rec.self_id,
            rec.user_id,
            f"{filing_label(rt, filing)}备案：{question}",
            priority=Priority.REPLY,
        )
        ctx.reply(
            f"{head}下一项是群主（管理者）的个人信息，为保护个人信息，已私聊您填写，请在私聊中回复。",
            mention=True,
        )
        return
    ctx.reply(head + question, mention=rec.is_group)


async def _prefill(ctx: CommandContext, filing: Filing) -> bool:
    """Fill what the platform knows before asking: the group's name, member count and owner."""
    rt, rec = ctx.runtime, ctx.record
    if filing.synced_at is None and group_ready(rt, filing.platform, filing.group_id):
        await sync_group(rt, filing, rec.time)
    if filing.name or not filing.observed_name:
        return False
    changed = await save(rt, filing, {FilingField.NAME: filing.observed_name[:60]}, rec.time)
    return bool(changed)


def present_count(filing: Filing) -> int:
    """How many of the asked fields are already filled (for 「第 n/m 项」)."""
    kind = kind_of(filing)
    return sum(
        1
        for f, ok in present(filing).items()
        if ok and (f is not FilingField.END_DATE or (kind is not None and kind.ends))
    )


# --- answers and the form ---------------------------------------------------------------------


async def _answer(ctx: CommandContext, filing: Filing, text: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    await _prefill(ctx, filing)
    gaps = missing(rt, filing)
    if not gaps:
        raise UsageError(
            f"本群备案信息已齐全，没有待回答的问题。修改某一项请写成「项目=内容」（项目：{_KEYS_HELP}）。"
        )
    f = gaps[0]
    if FIELD_SPECS[f].personal and rec.is_group:
        ctx.reply("群主姓名和联系方式属于个人信息，请不要在群内发送，请私聊机器人回复。", mention=True)
        return
    values: dict[FilingField, object] = {}
    try:
        if f is FilingField.OWNER:
            name, contact = split_owner_answer(text)
            values[f] = parse_value(f, name, to_local(rec.time).date())
            if contact is not None:
                values[FilingField.CONTACT] = contact
        else:
            values[f] = parse_value(f, text, to_local(rec.time).date())
    except FieldError as e:
        ctx.reply(f"{e}\n{_question_text(f)}", mention=rec.is_group)
        return
    await _store(ctx, filing, values, acknowledged=[f])


async def _form(ctx: CommandContext, filing: Filing, text: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    form = parse_form(text)
    if form.unknown_keys:
        raise UsageError(f"不认识的项目：{'、'.join(form.unknown_keys)}。可填写的项目：{_KEYS_HELP}。")
    if form.repeated:
        raise UsageError(f"{'、'.join(FIELD_SPECS[f].label for f in form.repeated)}写了两次，请只写一次。")
    today = to_local(rec.time).date()
    values: dict[FilingField, object] = {}
    errors: list[str] = []
    dropped: list[str] = []
    for f, raw in form.values.items():
        if FIELD_SPECS[f].personal and rec.is_group:
            dropped.append(FIELD_SPECS[f].label)
            continue
        try:
            if f is FilingField.OWNER:
                name, contact = split_owner_answer(raw)
                values[f] = parse_value(f, name, today)
                if contact is not None and FilingField.CONTACT not in form.values:
                    values[FilingField.CONTACT] = contact
            else:
                values[f] = parse_value(f, raw, today)
        except FieldError as e:
            errors.append(f"{FIELD_SPECS[f].label}：{e}")
    if errors:
        ctx.reply("以下内容未能登记，本次未做任何修改：\n" + "\n".join(errors), mention=rec.is_group)
        return
    if any(FIELD_SPECS[f].personal for f in values) and cipher(rt) is None:
        dropped.extend(FIELD_SPECS[f].label for f in list(values) if FIELD_SPECS[f].personal)
        values = {f: v for f, v in values.items() if not FIELD_SPECS[f].personal}
    note = ""
    if dropped and rec.is_group:
        note = (
            f"{'、'.join(dropped)}属于个人信息，未在群内登记，"
            "请私聊机器人发送「/备案 群主=姓名 联系方式=电话」。"
        )
    elif dropped:
        note = f"未配置个人信息加密密钥，{'、'.join(dropped)}暂不登记（请联系运维人员）。"
    await _store(ctx, filing, values, acknowledged=list(values), note=note)


async def _store(
    ctx: CommandContext,
    filing: Filing,
    values: dict[FilingField, object],
    *,
    acknowledged: list[FilingField],
    note: str = "",
) -> None:
    rec, rt = ctx.record, ctx.runtime
    kind_before = kind_of(filing)
    changed = await save(rt, filing, values, rec.time)
    outcome = await finish(rt, filing, changed, rec.user_id, rec.time)
    labels = "、".join(FIELD_SPECS[f].label for f in acknowledged) or "内容"
    lines = [f"已登记{labels}。" if changed else f"{labels}与原登记一致，无需修改。"]
    if note:
        lines.append(note)
    if outcome == "filed":
        lines = [await _completed_text(ctx, filing)]
    elif outcome == "updated":
        lines.append("备案信息已更新，已通报监管单位。")
    kind = kind_of(filing)
    if kind is not None and kind.ends and (FilingField.END_DATE in changed or kind_before != kind):
        lines.append(await _dissolve_text(ctx, filing))
    text = "\n".join(line for line in lines if line)
    if outcome == "incomplete":
        await _ask_next(ctx, filing, intro=False, prefix=text)  # the next question in the same reply
        return
    ctx.reply(text, mention=rec.is_group)


def _reported_to(ctx: CommandContext, filing: Filing) -> str:
    gp = ctx.runtime.policy.for_group(filing.group_id)
    if gp.unit_name and gp.supervisors:
        return f"已通报{gp.unit_name}的监管单位"
    return "已通报运维人员（本群尚未在配置中归属单位，请运维人员补充）"


async def _completed_text(ctx: CommandContext, filing: Filing) -> str:
    rt = ctx.runtime
    return (
        f"{filing_label(rt, filing)}备案完成，{_reported_to(ctx, filing)}。"
        f"{rt.policy.for_group(filing.group_id).preset.cite('filing')}。\n"
        "群名称或群主变更、服务事项调整时请及时更新备案（/备案 项目=新内容）。"
        "发送 /备案 查看 可核对全部信息。"
    )


async def _dissolve_text(ctx: CommandContext, filing: Filing) -> str:
    rt, now = ctx.runtime, ctx.record.time
    preset = rt.policy.for_group(filing.group_id).preset
    if filing.end_date is None:
        if not filing.end_undecided:
            return ""  # not answered yet: the guided filing asks it next
        return "本群为临时/专项群，结束日期未定；工作结束时请发送「/备案 结束」，机器人会提醒按期解散。"
    duty = await store.get_open_duty(filing.platform, filing.group_id, DutyKind.DISSOLVE)
    if duty is None:
        return ""
    past = to_local(now).date() > filing.end_date
    kind = kind_of(filing)
    kind_label = kind.label if kind is not None else "临时"
    return (
        f"本群登记为{kind_label}群，结束日期为 {day_text(filing.end_date)}。"
        f"{preset.cite('temporary_group')}，临时工作群或专项工作群在完成工作后 "
        f"{preset.temporary_dissolve_days} 个工作日内解散并注销登记"
        + ("，结束日期已过" if past else "")
        + f"：请在 {when(duty.due_at, now)} 前解散本群，解散后机器人自动注销登记。"
    )


# --- confirm, end, deregister -----------------------------------------------------------------


async def _complete(ctx: CommandContext, filing: Filing) -> None:
    if await mark_filed(ctx.runtime, filing, ctx.record.user_id, ctx.record.time):
        ctx.reply(await _completed_text(ctx, filing), mention=ctx.record.is_group)


async def _confirm(ctx: CommandContext, filing: Filing) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    if filing.status == FilingStatus.UNFILED:
        gaps = missing(rt, filing)
        if gaps:
            ctx.reply(
                f"备案信息还不完整（尚缺：{'、'.join(FIELD_SPECS[f].label for f in gaps)}），请先补充。",
                mention=rec.is_group,
            )
            await _ask_next(ctx, filing, intro=False)
            return
        await _complete(ctx, filing)
        return
    duty = await store.get_open_duty(filing.platform, filing.group_id, DutyKind.REFILE)
    if duty is None:
        ctx.reply("本群备案信息没有待确认的变更，无需确认。", mention=rec.is_group)
        return
    await mark_updated(rt, filing, [], rec.user_id, rec.time, confirmed=True)
    ctx.reply(f"已确认备案信息（变更：{duty.detail}），已通报监管单位。", mention=rec.is_group)


async def _end(ctx: CommandContext, filing: Filing, rest: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    kind = kind_of(filing)
    if kind is None or not kind.ends:
        label = kind.label if kind is not None else "未登记类型"
        raise UsageError(
            f"本群登记为「{label}」群；「结束」用于临时或专项群。如需改为临时群：/备案 类型=临时 结束=日期。"
        )
    today = to_local(rec.time).date()
    try:
        end = parse_date(rest, today) if rest else today
    except FieldError as e:
        raise UsageError(str(e)) from None
    changed = await save(rt, filing, {FilingField.END_DATE: end}, rec.time)
    await finish(rt, filing, changed, rec.user_id, rec.time)
    await schedule_dissolve(rt, filing, rec.time)
    ctx.reply(
        f"已登记本群工作于 {day_text(end)} 结束。\n{await _dissolve_text(ctx, filing)}", mention=rec.is_group
    )


async def _deregister(ctx: CommandContext, filing: Filing, reason: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not _editable(ctx, filing):
        return
    if not reason:
        raise UsageError(
            "请写明注销原因，例如 /备案 注销 已改为非工作群。群解散时机器人会自动注销，无需操作。"
        )
    before = await deregister_group(
        rt,
        filing.platform,
        filing.group_id,
        DeregKind.MANUAL,
        rec.time,
        actor=rec.user_id,
        reason=reason[:100],
    )
    if before is None:
        ctx.reply("本群已注销登记。", mention=rec.is_group)
        return
    ctx.reply(
        f"{filing_label(rt, filing)}已注销登记（{reason[:100]}），已通报监管单位。", mention=rec.is_group
    )


# --- the register -----------------------------------------------------------------------------


async def _list(ctx: CommandContext) -> None:
    rec, rt = ctx.record, ctx.runtime
    filings = visible_groups(ctx, await store.list_filings(platform=rec.platform))
    if not filings:
        ctx.reply("没有可查看的工作群备案。", mention=rec.is_group)
        return
    duties = await store.open_duties(platform=rec.platform, group_ids=[f.group_id for f in filings])
    by_group: dict[str, list[str]] = {}
    for d in duties:
        late = "，已逾期" if d.due_at < rec.time else ""
        by_group.setdefault(d.group_id, []).append(
            f"{DUTY_LABELS[DutyKind(d.kind)]}期限 {when(d.due_at, rec.time)}{late}"
        )
    units: dict[str, list[str]] = {}
    for f in filings:
        status = STATUS_LABELS.get(FilingStatus(f.status), f.status)
        todo = "；".join(by_group.get(f.group_id, []))
        units.setdefault(unit_name(rt, f.group_id), []).append(
            f"{filing_label(rt, f)}：{status}" + (f"（{todo}）" if todo else "")
        )
    lines = []
    for unit, rows in units.items():
        lines.append(f"【{unit}】共 {len(rows)} 个群")
        lines.extend(f"{n}. {row}" for n, row in enumerate(rows[:50], start=1))
        if len(rows) > 50:
            lines.append(f"……另有 {len(rows) - 50} 个群，请发送 /备案 导出 查看完整登记备案表。")
    ctx.reply("\n".join(lines))
