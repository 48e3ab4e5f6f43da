"""/实名, /审批 and /花名册."""

from __future__ import annotations

import re

from bot.core.identity import is_valid_mobile, mask_name
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.models.admission import Admission
from bot.plugins.admission.common import (
    DEFAULT_UNIT,
    get_cipher,
    group_label,
    known_units,
    local_time,
    managed_groups,
    managed_units,
    platform_label,
    unit_label,
    unit_of,
)
from bot.plugins.admission.flow import (
    approve,
    claimed_name,
    comment_text,
    names_equal,
    outcome_label,
    reject,
    state_label,
    verify_member,
)
from bot.roster_io import STATUSES, make_row, parse_roster_text
from bot.store import admission as adm
from bot.store import audit, roster
from bot.store.roster import Person, decrypt

_MAX_LIST = 30
_MAX_ROSTER_LINES = 50
_GOOD_ROWS_FLAGS = ("仅正确行", "只导入正确行", "导入正确行", "--good-rows", "good-rows")
_NO_KEY = "抱歉，实名准入暂不可用：运维人员尚未配置个人信息加密密钥（STEWARD_SECRET_KEY）。请联系运维人员。"


class _Refused(Exception):
    """The caller may not act on this unit or group; the message says why (nothing was done)."""


def _id_arg(text: str, what: str = "编号") -> int:
    t = text.strip().lstrip("#＃")
    if not t.isdigit():
        raise UsageError(f"{what}应为数字，例如 12。")
    return int(t)


# ---------------------------------------------------------------- /实名


@command(
    "实名",
    aliases=("verify",),
    role=Role.MEMBER,
    scope="private",
    summary="私聊完成实名认证（姓名、科室、手机号）",
    usage="/实名 姓名 科室 手机号（例如：/实名 张三 办公室 13800000000）",
    order=20,
)
async def verify_cmd(ctx: CommandContext) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not ctx.args.strip():
        raise UsageError("请提供姓名、科室和花名册中登记的手机号。")
    cipher = get_cipher(rt)
    if cipher is None:
        ctx.reply(_NO_KEY)
        return
    try:
        results = await verify_member(rt, rec.platform, rec.self_id, rec.user_id, ctx.args, rec.time, cipher)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if results is None:
        bound = await adm.bindings_of(rec.platform, rec.user_id)
        ctx.reply(
            "您目前没有需要实名认证的群。"
            + (
                f"您已在 {len(bound)} 个群完成身份认证。"
                if bound
                else "如机器人曾请您认证，请确认使用的是入群的同一账号。"
            )
        )
        return
    ctx.reply("\n".join(r.text for r in results))


# ---------------------------------------------------------------- /审批


@command(
    "审批",
    aliases=("approve",),
    role=Role.DEPUTY,  # 分管 (SPEC §8): a bot-level admin command, no platform right needed
    summary="入群申请与实名核对：列表、通过、拒绝",
    usage="/审批 [列表]\n/审批 通过 编号 [花名册编号|无]\n/审批 拒绝 编号 [理由]",
    order=21,
)
async def approve_cmd(ctx: CommandContext) -> None:
    argv = ctx.argv
    cipher = get_cipher(ctx.runtime)
    if cipher is None:
        ctx.reply(_NO_KEY)
        return
    if not argv or argv[0] in ("列表", "list", "查看"):
        if len(argv) > 1:
            raise UsageError("「列表」后不需要参数。")
        await _list_pending(ctx)
        return
    verb = argv[0]
    if verb not in ("通过", "同意", "批准", "ok", "yes", "拒绝", "驳回", "no", "reject"):
        raise UsageError(f"不认识的操作「{verb}」。")
    if len(argv) < 2:
        raise UsageError("请给出审批编号。")
    a = await adm.get(_id_arg(argv[1], "审批编号"))
    if a is None or not _may_decide(ctx, a):
        ctx.reply(f"没有找到您可处理的审批 #{argv[1].lstrip('#＃')}。发送 /审批 查看待处理事项。")
        return
    if a.state not in ("pending", *adm.ARRIVAL_OPEN):
        ctx.reply(f"审批 #{a.id} 已处理（{state_label(a.state)}），无需重复操作。")
        return
    rec, rt = ctx.record, ctx.runtime
    masked = rec.is_group
    if verb in ("通过", "同意", "批准", "ok", "yes"):
        if len(argv) > 3:
            raise UsageError("「通过」后只需审批编号和（可选的）花名册编号。")
        ok, person = await _person_for(ctx, a, argv[2] if len(argv) > 2 else None)
        if not ok:
            return
        if not await approve(rt, a, person, by=rec.user_id, now=rec.time):
            ctx.reply(f"审批 #{a.id} 已被他人处理，本次未做操作。")
            return
        who = f"，已绑定花名册{person.line(masked=masked)}" if person else "（未关联花名册人员）"
        done = "已同意入群申请" if a.kind == "request" else "已确认成员身份"
        ctx.reply(f"审批 #{a.id}：{done}{who}。")
        return
    reason = " ".join(argv[2:]).strip() or "未通过管理员审核"
    if len(reason) > 60:
        raise UsageError("理由请控制在 60 字以内（申请人会看到理由）。")
    if not await reject(rt, a, reason, by=rec.user_id, now=rec.time):
        ctx.reply(f"审批 #{a.id} 已被他人处理，本次未做操作。")
        return
    done = (
        "已拒绝入群申请" if a.kind == "request" else f"已将成员 {a.user_id} 移出{group_label(rt, a.group_id)}"
    )
    ctx.reply(f"审批 #{a.id}：{done}。理由：{reason}")


def _may_decide(ctx: CommandContext, a: Admission) -> bool:
    groups = managed_groups(ctx)
    if groups is None:
        return True
    return a.platform == ctx.record.platform and a.group_id in groups


async def _person_for(ctx: CommandContext, a: Admission, arg: str | None) -> tuple[bool, Person | None]:
    """(go on?, the roster person the approval binds to: given, matched, or None for 「无」). When it
    returns False the caller has been answered already and nothing is done."""
    rt = ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    if arg in ("无", "none", "0"):
        return True, None
    if arg is None:
        if a.person_id is not None:
            found = await roster.get_person(a.person_id)
            return True, decrypt(found, cipher) if found else None
        if a.candidate_ids:
            ids = "、".join(f"#{i}" for i in a.candidate_ids)
            ctx.reply(
                f"审批 #{a.id} 有候选人员 {ids}：请指明要绑定的花名册编号，例如 /审批 通过 {a.id} "
                f"{a.candidate_ids[0]}；如此人不在花名册中，发送 /审批 通过 {a.id} 无。"
            )
            return False, None
        return True, None
    pid = _id_arg(arg, "花名册编号")
    found = await roster.get_person(pid)
    if found is None or found.unit != unit_of(rt, a.group_id):
        ctx.reply(f"{unit_label(rt, unit_of(rt, a.group_id))}的花名册中没有 #{pid}，本次未做操作。")
        return False, None
    person = decrypt(found, cipher)
    if not person.active:
        ctx.reply(
            f"花名册 #{pid} 的状态为「{person.status}」，不能据此入群。如情况有变，"
            f"请先 /花名册 状态 {pid} 在岗，再审批。"
        )
        return False, None
    return True, person


async def _list_pending(ctx: CommandContext) -> None:
    rec, rt = ctx.record, ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    groups = managed_groups(ctx)
    rows = await adm.pending(platform=None if groups is None else rec.platform, group_ids=groups)
    # Existing members still inside their onboarding grace need nobody's decision: counted, not listed.
    waiting = [a for a in rows if a.flag == "onboarding" and a.state in ("queued", "unverified", "reminded")]
    rows = [a for a in rows if a not in waiting]
    note = ""
    if waiting:
        note = f"另有 {len(waiting)} 位现有成员在实名宽限期内（已分批私聊邀请），逾期后列入每周巡查。"
        if not rows:
            ctx.reply(f"没有待处理的入群申请或实名核对。{note}")
            return
    if not rows:
        ctx.reply("没有待处理的入群申请或实名核对。")
        return
    masked = rec.is_group
    people = {
        pid: decrypt(p, cipher)
        for pid, p in (
            await roster.get_people(i for a in rows for i in (*a.candidate_ids, a.person_id or 0))
        ).items()
    }
    lines = [f"待处理 {len(rows)} 项（旧→新）："]
    for a in rows[:_MAX_LIST]:
        where = "" if rec.is_group else f"{group_label(rt, a.group_id)} "
        who = f"{platform_label(a.platform)} {a.user_id}"
        if a.kind == "request":
            name = claimed_name(cipher, a)
            shown = (
                f"备注「{comment_text(cipher, a)[:40]}」"
                if not masked
                else (f"自称 {mask_name(name)} {a.claimed_dept}".rstrip() if name else "备注无法识别")
            )
            line = f"#{a.id} 入群申请 {where}{who}：{shown}；{outcome_label(a.outcome)}"
        else:
            due = f"，期限 {local_time(a.due_at)}" if a.due_at else ""
            line = f"#{a.id} {state_label(a.state)} {where}{who}，入群于 {local_time(a.created_at)}{due}"
        if a.invited_by_member:
            line += f"；由非管理员 {a.invitor_id} 邀请"
        cands = [people[i] for i in ([a.person_id] if a.person_id else a.candidate_ids) if i in people]
        if cands:
            line += "\n    候选：" + "；".join(p.line(masked=masked) for p in cands[:3])
        lines.append(line)
    if len(rows) > _MAX_LIST:
        lines.append(f"……另有 {len(rows) - _MAX_LIST} 项未列出")
    lines.append("通过：/审批 通过 编号 [花名册编号]；拒绝：/审批 拒绝 编号 理由")
    if waiting:
        lines.append(note)
    if masked:
        lines.append("（群内仅显示脱敏信息；完整信息请私聊机器人发送 /审批）")
    ctx.reply("\n".join(lines))


# ---------------------------------------------------------------- /花名册

_ROSTER_USAGE = (
    "/花名册 [查看] [科室或姓名] [单位=代号]\n"
    "/花名册 导入 [单位=代号] [仅正确行]（换行后粘贴表格，首行为表头：姓名,科室,职务,手机,QQ,微信,状态）\n"
    "/花名册 添加 姓名 科室 手机号 [职务] [QQ=号码] [微信=微信号] [单位=代号]\n"
    "/花名册 删除 编号\n"
    f"/花名册 状态 编号 {'|'.join(STATUSES)}"
)
_SUBCOMMANDS = {
    "查看": "show",
    "show": "show",
    "列表": "show",
    "导入": "import",
    "import": "import",
    "添加": "add",
    "add": "add",
    "删除": "remove",
    "remove": "remove",
    "状态": "status",
    "status": "status",
}
_OPTION_RE = re.compile(r"^(单位|unit|QQ|qq|微信|wechat)[=＝:：](.*)$")


def _options(tokens: list[str]) -> tuple[list[str], dict[str, str], bool]:
    """(positional tokens, options by canonical name, good-rows flag)."""
    positional: list[str] = []
    opts: dict[str, str] = {}
    good_rows = False
    for t in tokens:
        m = _OPTION_RE.match(t)
        if m:
            key = {"单位": "unit", "unit": "unit", "qq": "qq", "微信": "wechat", "wechat": "wechat"}[
                m.group(1).casefold() if m.group(1).isascii() else m.group(1)
            ]
            opts[key] = m.group(2).strip()
        elif t in _GOOD_ROWS_FLAGS:
            good_rows = True
        else:
            positional.append(t)
    return positional, opts, good_rows


def _resolve_unit(ctx: CommandContext, explicit: str | None) -> str:
    rt = ctx.runtime
    allowed = managed_units(ctx)
    units = known_units(rt)
    if explicit:
        if explicit not in units:
            raise UsageError(f"没有代号为「{explicit}」的单位。可选：{'、'.join(units)}。")
        if allowed is not None and explicit not in allowed:
            raise _Refused(f"您无权管理{unit_label(rt, explicit)}的花名册，本次未做任何操作。")
        return explicit
    if ctx.record.is_group:
        return unit_of(rt, ctx.record.group_id)
    choices = sorted(allowed) if allowed is not None else units
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise _Refused(
            "未找到您管理的群所属的单位：请先在您管理的群里发送一条消息（以便机器人确认您的管理员身份），或联系运维人员。"
        )
    raise UsageError(f"您可管理多个单位的花名册，请用「单位=代号」指明，可选：{'、'.join(choices)}。")


async def _check_person_unit(ctx: CommandContext, pid: int) -> Person:
    rt = ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    found = await roster.get_person(pid)
    allowed = managed_units(ctx)
    if found is None or (allowed is not None and found.unit not in allowed):
        raise _Refused(f"没有找到您可管理的花名册人员 #{pid}，本次未做任何操作。")
    return decrypt(found, cipher)


@command(
    "花名册",
    aliases=("roster",),
    role=Role.DEPUTY,  # 分管 (SPEC §8): a bot-level admin command, no platform right needed
    summary="单位花名册：查看（群内脱敏）、导入、添加、删除、设置状态",
    usage=_ROSTER_USAGE,
    order=22,
)
async def roster_cmd(ctx: CommandContext) -> None:
    cipher = get_cipher(ctx.runtime)
    if cipher is None:
        ctx.reply(_NO_KEY)
        return
    first_line, _, body = ctx.args.partition("\n")
    tokens = first_line.split()
    sub = _SUBCOMMANDS.get(tokens[0].casefold() if tokens else "", None)
    if tokens and sub is not None:
        tokens = tokens[1:]
    sub = sub or "show"
    try:
        if sub == "import":
            await _roster_import(ctx, tokens, body)
            return
        if body.strip():
            raise UsageError("只有「导入」需要换行粘贴表格。")
        await {"show": _roster_show, "add": _roster_add, "remove": _roster_remove, "status": _roster_status}[
            sub
        ](ctx, tokens)
    except _Refused as e:
        ctx.reply(str(e))


def _private_only(ctx: CommandContext, what: str) -> None:
    if ctx.record.is_group:
        raise _Refused(f"{what}含有姓名、手机号等个人信息，请私聊机器人操作；本次未做任何操作。")


async def _roster_show(ctx: CommandContext, tokens: list[str]) -> None:
    rt = ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    positional, opts, _ = _options(tokens)
    if len(positional) > 1:
        raise UsageError("查看时最多给一个筛选词（科室或姓名）。")
    unit = _resolve_unit(ctx, opts.get("unit"))
    people = [decrypt(p, cipher) for p in await roster.list_people(unit)]
    masked = ctx.record.is_group
    counts: dict[str, int] = {}
    for p in people:
        counts[p.status] = counts.get(p.status, 0) + 1
    summary = "，".join(f"{s} {counts[s]}" for s in STATUSES if s in counts)
    head = f"{unit_label(rt, unit)}花名册：共 {len(people)} 人" + (f"（{summary}）" if summary else "")
    if not people:
        ctx.reply(f"{head}。请私聊机器人发送「/花名册 导入」并换行粘贴表格，或由运维人员用命令行导入。")
        return
    if positional:
        f = positional[0]
        people = [p for p in people if names_equal(p.name, f) or f in p.dept]
        head += f"；「{f if not masked else '筛选'}」匹配 {len(people)} 人"
    lines = [head]
    lines.extend(p.line(masked=masked) for p in people[:_MAX_ROSTER_LINES])
    if len(people) > _MAX_ROSTER_LINES:
        lines.append(f"……另有 {len(people) - _MAX_ROSTER_LINES} 人未列出，请加科室或姓名筛选")
    if masked:
        lines.append("（群内仅显示脱敏信息；完整信息请私聊机器人查看）")
    ctx.reply("\n".join(lines))


async def _roster_import(ctx: CommandContext, tokens: list[str], body: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    _private_only(ctx, "导入花名册")
    positional, opts, good_rows = _options(tokens)
    if positional:
        raise UsageError(f"不认识的参数「{positional[0]}」。")
    if not body.strip():
        if any(s.type == "file" for s in rec.segments):
            raise UsageError(
                "暂不支持直接接收文件：请把表格内容复制后粘贴在命令下一行，或请运维人员用命令行导入。"
            )
        raise UsageError("请在「/花名册 导入」后换行粘贴表格内容（首行为表头）。")
    unit = _resolve_unit(ctx, opts.get("unit"))
    parsed = parse_roster_text(body)
    notes = [f"提示：{w}" for w in parsed.warnings]
    if parsed.fatal or (parsed.errors and not good_rows) or not parsed.rows:
        if parsed.fatal or not parsed.rows:
            text = f"未导入任何数据：\n{parsed.error_report()}"
        else:
            text = (
                f"发现 {len(parsed.errors)} 处错误（行号从表头算起，表头为第 1 行），未导入任何数据：\n"
                f"{parsed.error_report()}\n"
                f"请修正后重新发送；或在「/花名册 导入」后加「仅正确行」，只导入其余 {len(parsed.rows)} 行。"
            )
        ctx.reply("\n".join([text, *notes]))
        return
    summary = await roster.import_rows(unit, parsed.rows, cipher, now=rec.time)
    skipped = len(parsed.errors)
    lines = [f"已导入{unit_label(rt, unit)}花名册：{summary.describe()}。"]
    if skipped:
        lines.append(f"按要求跳过了 {skipped} 行错误：\n{parsed.error_report()}")
    lines.extend(notes)
    ctx.reply("\n".join(lines))
    await audit.record(
        "roster.import",
        actor=rec.user_id,
        platform=rec.platform,
        reason=(
            f"导入花名册（{unit}）：新增 {summary.added}，更新 {summary.updated}，"
            f"未变 {summary.unchanged}，跳过错误行 {skipped}"
        ),
        detail={"unit": unit, "source": "chat"},
        at=rec.time,
    )


async def _roster_add(ctx: CommandContext, tokens: list[str]) -> None:
    rec, rt = ctx.record, ctx.runtime
    cipher = get_cipher(rt)
    assert cipher is not None
    _private_only(ctx, "添加花名册人员")
    positional, opts, _ = _options(tokens)
    phones = [t for t in positional if is_valid_mobile(t)]
    rest = [t for t in positional if t not in phones]
    if len(phones) != 1 or len(rest) < 2 or len(rest) > 3:
        raise UsageError("需要姓名、科室和一个手机号，职务可选。")
    row, problems = make_row(
        name=rest[0],
        dept=rest[1],
        phone=phones[0],
        post=rest[2] if len(rest) > 2 else "",
        qq=opts.get("qq", ""),
        wechat=opts.get("wechat", ""),
    )
    if row is None:
        raise UsageError("；".join(problems) + "。")
    unit = _resolve_unit(ctx, opts.get("unit"))
    pid, created = await roster.add_person(unit, row, cipher, now=rec.time)
    ctx.reply(
        f"{'已添加' if created else '手机号已在花名册中，已更新'}{unit_label(rt, unit)}花名册 #{pid}："
        f"{row.name} {row.dept}{' ' + row.post if row.post else ''}。"
    )
    await audit.record(
        "roster.add" if created else "roster.update",
        actor=rec.user_id,
        platform=rec.platform,
        reason=f"{'添加' if created else '更新'}花名册人员 #{pid}（{unit}）",
        detail={"unit": unit, "person": pid},
        at=rec.time,
    )


async def _roster_remove(ctx: CommandContext, tokens: list[str]) -> None:
    rec = ctx.record
    if len(tokens) != 1:
        raise UsageError("请给出一个花名册编号。")
    person = await _check_person_unit(ctx, _id_arg(tokens[0], "花名册编号"))
    await roster.remove_person(person.id)
    ctx.reply(f"已从花名册删除 {person.line(masked=rec.is_group)}，其加密信息一并删除。")
    await audit.record(
        "roster.remove",
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        reason=f"删除花名册人员 #{person.id}（{person.unit}）",
        detail={"unit": person.unit, "person": person.id},
        at=rec.time,
    )


async def _roster_status(ctx: CommandContext, tokens: list[str]) -> None:
    rec = ctx.record
    if len(tokens) != 2:
        raise UsageError("请给出花名册编号和状态。")
    status = tokens[1]
    if status not in STATUSES:
        raise UsageError(f"状态应为：{'、'.join(STATUSES)}。")
    person = await _check_person_unit(ctx, _id_arg(tokens[0], "花名册编号"))
    await roster.set_status(person.id, status, now=rec.time)
    note = "" if status in ("在岗", "借调", "挂职") else "；该人员所在群的每周巡查会列出此变化"
    shown = person.masked_name if rec.is_group else person.name
    ctx.reply(f"已将花名册 #{person.id} {shown} 的状态改为「{status}」{note}。")
    await audit.record(
        "roster.status",
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        reason=f"花名册人员 #{person.id} 状态：{person.status} → {status}",
        detail={"unit": person.unit, "person": person.id},
        at=rec.time,
    )


__all__ = ["DEFAULT_UNIT", "approve_cmd", "roster_cmd", "verify_cmd"]
