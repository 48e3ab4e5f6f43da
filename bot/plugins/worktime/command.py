"""/通知: post a work notice now inside working hours, or at the next working-hours start.

The decision uses the command's own timestamp (the event time), like every rule. Sub-commands that
name a notice by number (取消, 批准, 驳回, 补发, 列表) also work in private chat: the notice says
which group it belongs to, and the caller's role is resolved for that group.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from bot.core.notice import urgent_marker
from bot.core.schedule import Recurrence, ScheduleError, parse_moment, parse_recurrence
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.dispatch.hooks import check_content
from bot.dispatch.roles import resolve_role
from bot.dispatch.router import role_book
from bot.gateway.outbound import Priority
from bot.models.worktime import DeferredNotice, NoticeKind, NoticeState
from bot.plugins.worktime import series
from bot.plugins.worktime.offhours import group_name
from bot.plugins.worktime.scheduler import notice_loop, post_notice
from bot.plugins.worktime.texts import STATE_LABELS, hours_text, notice_line, preview, when
from bot.runtime import Runtime
from bot.store import audit, groups, notices
from bot.store.notices import NewNotice
from bot.store.worktime import get_finding, link_repost, reserve_repost

USAGE = (
    "/通知 内容（工作时间内立即发布，否则在下一个工作时间开始时发布）\n"
    "/通知 紧急 内容（确属紧急，立即发布）\n"
    "/通知 定时 时间 内容（如「明天 9:00」「12月8日 14:30」「下周一 上午」）\n"
    "/通知 每周一 9:00 内容｜每个工作日 8:30 …｜每月1日 9:00 …（周期通知，节假日不发）\n"
    "/通知 群发 全部|群名1,群名2 内容（私聊；监管单位或多个群的群主）\n"
    "/通知 列表｜/通知 取消 编号｜/通知 暂停 编号｜/通知 恢复 编号｜/通知 修改 编号 新内容\n"
    "/通知 补发 撤回记录编号\n"
    "/通知 批准 编号｜/通知 驳回 编号 [理由]（本群要求先审后发时）"
)
MAX_CHARS = 3000
MAX_OPEN_PER_GROUP = 50
CANCEL_ROLE = Role.DEPUTY  # besides the author
REVIEW_ROLE = Role.LEADER  # 分管领导 and every manager above; never the author

_LIST = ("列表", "list", "ls")
_CANCEL = ("取消", "cancel")
_APPROVE = ("批准", "通过", "approve")
_REJECT = ("驳回", "reject")
_REPOST = ("补发", "repost")
_URGENT = ("紧急", "urgent")
_AT = ("定时", "schedule")
_BROADCAST = ("群发", "broadcast")
_PAUSE = ("暂停", "pause")
_RESUME = ("恢复", "resume")
_EDIT = ("修改", "编辑", "edit")
SERIES_ROLE = Role.DEPUTY
"""Recurring notices and broadcasts are for managers (a member's notice is a one-off)."""
BROADCAST_ROLE = Role.OWNER
"""Broadcasts go to the groups where the caller is owner, supervisor or operator."""
URGENT_SCHEDULE_ROLE = Role.DEPUTY
"""Who may keep a scheduled notice at an off-hours time by marking it 紧急."""


@command(
    "通知",
    aliases=("notice",),
    role=Role.MEMBER,
    summary="发布工作通知；非工作时间自动延到下一个工作时间开始发布",
    usage=USAGE,
    order=40,
)
async def notice_cmd(ctx: CommandContext) -> None:
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        raise UsageError("请在 /通知 后写上通知内容。")
    head, rest = parts[0].casefold(), (parts[1].strip() if len(parts) > 1 else "")
    if head in _LIST:
        if rest:
            raise UsageError("「列表」后面不需要参数。")
        await _list(ctx)
    elif head in _CANCEL:
        await _cancel(ctx, _number(rest, "取消"))
    elif head in _APPROVE:
        await _approve(ctx, _number(rest, "批准"))
    elif head in _REJECT:
        number, _, reason = rest.partition(" ")
        await _reject(ctx, _number(number, "驳回"), reason.strip())
    elif head in _REPOST:
        await _repost(ctx, _number(rest, "补发"))
    elif head in _PAUSE:
        await _pause(ctx, _number(rest, "暂停"), pause=True)
    elif head in _RESUME:
        await _pause(ctx, _number(rest, "恢复"), pause=False)
    elif head in _EDIT:
        number, _, text = rest.partition(" ")
        await _edit(ctx, _number(number, "修改"), text.strip())
    elif head in _BROADCAST:
        await _broadcast(ctx, rest)
    elif head in _AT:
        await _submit_at(ctx, rest)
    elif head in _URGENT:
        if not rest:
            raise UsageError("「紧急」后面请写上通知内容。")
        if rest.split(maxsplit=1)[0] in _AT:
            await _submit_at(ctx, rest, urgent=True)
            return
        await _submit(ctx, rest, urgent=True)
    else:
        text = ctx.args.strip()
        try:
            recurring = parse_recurrence(text, ctx.runtime.calendar(ctx.record.group_id))
        except ScheduleError as e:
            raise UsageError(str(e)) from None
        if recurring is not None:
            await _submit_recurring(ctx, recurring.recurrence, recurring.phrase, recurring.rest)
        else:
            await _submit(ctx, text, urgent=False)


def _number(text: str, word: str) -> int:
    value = text.strip().lstrip("#＃")
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise UsageError(f"「{word}」后面应为编号，例如 /通知 {word} 12。")
    return int(value)


def role_in(ctx: CommandContext, group_id: str) -> Role:
    """The caller's role in ``group_id`` (a command about a notice may come from private chat)."""
    rec, rt = ctx.record, ctx.runtime
    if rec.is_group and rec.group_id == group_id:
        return ctx.role
    role = resolve_role(
        rec.user_id,
        group_id=group_id,
        platform=rec.platform,
        platform_role="",
        policy=rt.policy,
        superusers=rt.superusers,
    )
    return max(role, role_book.managed_groups(rec.platform, rec.user_id).get(group_id, Role.MEMBER))


async def _find(ctx: CommandContext, number: int) -> DeferredNotice | None:
    """The notice numbered ``number`` if it belongs here (this group, or any group in private)."""
    rec = ctx.record
    notice = await notices.get(number)
    # Role before state: a notice of this group is listed for its members anyway (each subcommand
    # checks the role before the state); one of another group does not exist for someone who may
    # do nothing with it.
    here = rec.is_group and notice is not None and notice.group_id == rec.group_id
    if notice is None or notice.platform != rec.platform or not (here or _may_see(ctx, notice)):
        ctx.reply(f"没有编号为 #{number} 的通知。发送 /通知 列表 查看。", mention=rec.is_group)
        return None
    if rec.is_group and notice.group_id != rec.group_id:
        ctx.reply(f"通知 #{number} 不是本群的通知，请到所属的群里或私聊机器人操作。", mention=True)
        return None
    return notice


def _may_see(ctx: CommandContext, notice: DeferredNotice) -> bool:
    """The author, or a manager (a reviewing leader at least) of one of the notice's groups."""
    if notice.author_id == ctx.record.user_id:
        return True
    scope = series.target_ids(notice) if notice.kind == NoticeKind.BROADCAST else [notice.group_id]
    return any(role_in(ctx, g) >= min(REVIEW_ROLE, CANCEL_ROLE) for g in scope)


def _author_name(ctx: CommandContext) -> str:
    return ctx.record.card or ctx.record.nickname


# --- submit -----------------------------------------------------------------------------------


async def _checked(ctx: CommandContext, text: str, *, urgent: bool, group_id: str) -> tuple[str, bool] | None:
    """The text as it will be posted and whether it is urgent, or None when it was refused (the
    caller was told why). Raises UsageError for what the usage explains."""
    rec, rt = ctx.record, ctx.runtime
    if not text:
        raise UsageError("请在时间后面写上通知内容。")
    if len(text) > MAX_CHARS:
        raise UsageError(f"通知内容过长（{len(text)} 字），请控制在 {MAX_CHARS} 字以内或分条发布。")
    refusal = await check_content(rt, rec, text)
    if refusal:
        ctx.refuse(refusal, why="内容不符合本群规定", mention=rec.is_group)
        return None
    preset = rt.policy.for_group(group_id).preset
    marked = urgent_marker(text, preset.urgent_words) is not None
    if urgent and not marked:
        text = f"【紧急】{text}"
    if group_id:
        open_counts = await notices.count_open(platform=rec.platform, group_id=group_id)
        if sum(open_counts.values()) >= MAX_OPEN_PER_GROUP:
            ctx.reply(
                f"本群已有 {MAX_OPEN_PER_GROUP} 条待发布或待审核的通知，暂不能再添加。"
                "请先用 /通知 列表 查看，取消不再需要的通知。",
                mention=rec.is_group,
            )
            return None
    return text, urgent or marked


def _new(ctx: CommandContext, text: str, *, urgent: bool, **fields: Any) -> NewNotice:
    rec = ctx.record
    return dataclasses.replace(
        NewNotice(
            platform=rec.platform,
            group_id=rec.group_id,
            self_id=rec.self_id,
            author_id=rec.user_id,
            author_name=_author_name(ctx),
            text=text,
            created_at=rec.time,
            due_at=None,
            at_all=rec.at_all,
            urgent=urgent,
        ),
        **fields,
    )


def _in_group_only(ctx: CommandContext, what: str) -> None:
    if not ctx.record.is_group:
        raise UsageError(
            f"{what}请在要发布的群里发送；私聊中可使用 列表、取消、暂停、恢复、批准、驳回、补发、群发。"
        )


async def _submit(ctx: CommandContext, text: str, *, urgent: bool) -> None:
    _in_group_only(ctx, "发布通知")
    checked = await _checked(ctx, text, urgent=urgent, group_id=ctx.record.group_id)
    if checked is not None:
        await _schedule(ctx, _new(ctx, checked[0], urgent=checked[1]))


async def _submit_at(ctx: CommandContext, args: str, *, urgent: bool = False) -> None:
    """/通知 定时 [紧急] 时间 内容: a one-off notice at a chosen moment."""
    rec, rt = ctx.record, ctx.runtime
    _in_group_only(ctx, "定时通知")
    head, _, tail = args.partition(" ")
    if head in _URGENT:
        urgent, args = True, tail.strip()
    elif head in _AT:  # 「紧急 定时 …」
        args = tail.strip()
    try:
        moment = parse_moment(args, rec.time, rt.calendar(rec.group_id))
    except ScheduleError as e:
        raise UsageError(str(e)) from None
    if moment is None:
        raise UsageError("没有看懂发布时间。请写成「明天 9:00」「12月8日 14:30」「下周一 上午」等形式。")
    if urgent and ctx.role < URGENT_SCHEDULE_ROLE:
        urgent = False  # a member's 紧急 does not keep an off-hours time (the reply says so)
        ctx.reply(f"定时通知标注紧急需要「{URGENT_SCHEDULE_ROLE.label}」及以上权限，已按普通通知安排。")
    checked = await _checked(ctx, moment.rest, urgent=urgent, group_id=rec.group_id)
    if checked is None:
        return
    text, urgent = checked
    await _schedule(ctx, _new(ctx, text, urgent=urgent, requested_at=moment.at), phrase=moment.phrase)


async def _submit_recurring(ctx: CommandContext, rec_: Recurrence, phrase: str, text: str) -> None:
    """/通知 每周一 9:00 内容: a recurring notice in this group."""
    rec, rt = ctx.record, ctx.runtime
    _in_group_only(ctx, "周期通知")
    if ctx.role < SERIES_ROLE:
        ctx.reply(
            f"抱歉，周期通知需要「{SERIES_ROLE.label}」及以上权限，您当前为「{ctx.role.label}」，本次未做任何操作。",
            mention=True,
        )
        return
    checked = await _checked(ctx, text, urgent=False, group_id=rec.group_id)
    if checked is None:
        return
    text, urgent = checked
    preset = rt.policy.for_group(rec.group_id).preset
    first = series.first_due(rec_, rt, rec.group_id, rec.time)
    new = _new(
        ctx,
        text,
        urgent=urgent,
        kind=NoticeKind.RECURRING,
        recurrence=rec_.spec,
        due_at=None if preset.notice_review else first,
    )
    notice = await notices.create(new)
    await audit.record(
        "notice.recurring",
        actor=rec.user_id,
        platform=rec.platform,
        group_id=rec.group_id,
        rule="off_hours",
        reason=f"周期通知 #{notice.id}：{rec_.describe()}",
        detail={"notice": notice.id, "recurrence": rec_.spec, "review": preset.notice_review},
    )
    moved = _moved_note(rt, rec.group_id, first, urgent)
    if preset.notice_review:
        _ask_reviewers(ctx, notice)
        ctx.reply(
            f"周期通知 #{notice.id}（{rec_.describe()}）已提交审核。{preset.cite('review_before_post')}，"
            f"本群通知须先审后发：请分管领导或群管理员发送「/通知 批准 {notice.id}」，批准后按周期发布，"
            f"此后每次发布无需再审；修改内容后须重新审核。{moved}",
            mention=True,
        )
        return
    ctx.reply(
        f"好的，已安排周期通知 #{notice.id}：{rec_.describe()}（理解为「{phrase}」），"
        f"节假日不发，调休上班日照常。首次发布：{when(first, rec.time)}。{moved}\n"
        f"暂停「/通知 暂停 {notice.id}」，恢复「/通知 恢复 {notice.id}」，取消「/通知 取消 {notice.id}」。",
        mention=True,
    )


def _moved_note(rt: Runtime, group_id: str, moment: datetime, urgent: bool) -> str:
    """「该时间不在工作时间内，将于 … 发布」 when a chosen time is outside working hours."""
    cal = rt.calendar(group_id)
    if urgent or cal.is_working_time(moment):
        return ""
    preset = rt.policy.for_group(group_id).preset
    why = f"{preset.cite('off_hours')}，" if preset.off_hours_notice else ""
    return (
        f"{when(moment)} 不在本群工作时间（{hours_text(cal.hours)}）内，{why}"
        f"届时将顺延到 {when(cal.next_working_start(moment))} 发布。"
    )


async def _schedule(ctx: CommandContext, new: NewNotice, *, phrase: str = "") -> DeferredNotice:
    """Queue ``new`` for review, for its chosen moment or the next working-hours start, or post it
    now."""
    rec, rt = ctx.record, ctx.runtime
    preset = rt.policy.for_group(new.group_id).preset
    cal = rt.calendar(new.group_id)
    understood = f"（理解为「{phrase}」，即 {when(new.requested_at, rec.time)}）" if new.requested_at else ""
    if preset.notice_review:
        notice = await notices.create(new)
        await audit.record(
            "notice.submitted",
            actor=rec.user_id,
            platform=new.platform,
            group_id=new.group_id,
            rule="review_before_post",
            reason=f"通知 #{notice.id} 提交审核",
            detail={"notice": notice.id, "urgent": new.urgent, "source": new.source},
        )
        _ask_reviewers(ctx, notice)
        after = (
            "紧急通知批准后立即发布"
            if new.urgent and not new.requested_at
            else ("批准后按定时发布" if new.requested_at else "批准后在工作时间发布")
        )
        ctx.reply(
            f"通知 #{notice.id}{understood} 已提交审核。{preset.cite('review_before_post')}，"
            "本群通知须先审后发："
            f"请分管领导或群管理员发送「/通知 批准 {notice.id}」后发布（{after}）。",
            mention=rec.is_group,
        )
        return notice
    due = _due(rt, new, rec.time)
    notice = await notices.create(dataclasses.replace(new, due_at=due))
    await audit.record(
        "notice.queued",
        actor=rec.user_id,
        platform=new.platform,
        group_id=new.group_id,
        rule="off_hours",
        reason=f"通知 #{notice.id} " + (f"定于 {when(due, rec.time)} 发布" if due > rec.time else "立即发布"),
        detail={"notice": notice.id, "urgent": new.urgent, "due_at": due.isoformat(), "source": new.source},
    )
    if due <= rec.time:
        posted = await post_notice(rt, notice, rec.time)
        if posted and (new.source == "repost" or not rec.is_group):
            ctx.reply(f"通知 #{notice.id} 已发布到{group_name(rt, new.group_id)}。", mention=rec.is_group)
        return notice
    if new.requested_at is not None:
        moved = _moved_note(rt, new.group_id, new.requested_at, new.urgent)
        ctx.reply(
            f"好的，定时通知 #{notice.id}{understood} 将于 {when(due, rec.time)} 自动发布到"
            f"{group_name(rt, new.group_id)}。{moved}如需取消请发送「/通知 取消 {notice.id}」，"
            f"修改内容请发送「/通知 修改 {notice.id} 新内容」。",
            mention=rec.is_group,
        )
        return notice
    why = f"现在不在本群工作时间（{hours_text(cal.hours)}）内"
    if preset.off_hours_notice:
        why += f"，{preset.cite('off_hours')}，非紧急工作信息不在非工作时间发布"
    ctx.reply(
        f"好的。{why}。通知 #{notice.id} 将于 {when(due, rec.time)} "
        f"自动发布到{group_name(rt, new.group_id)}。"
        f"如需取消请发送「/通知 取消 {notice.id}」；确属紧急请发送「/通知 紧急 内容」。",
        mention=rec.is_group,
    )
    return notice


def _due(rt: Runtime, new: NewNotice | DeferredNotice, now: datetime) -> datetime:
    """When a one-off notice goes out: its chosen moment (or now), moved into working hours unless
    it is urgent."""
    moment = max(new.requested_at or now, now)
    return series.post_time(rt, new.group_id, moment, urgent=new.urgent)


def _ask_reviewers(ctx: CommandContext, notice: DeferredNotice, *, group_id: str | None = None) -> None:
    """Private request to the group's configured leaders and deputies (others see it via 列表)."""
    rt = ctx.runtime
    group_id = notice.group_id if group_id is None else group_id
    gp = rt.policy.for_group(group_id)
    who = notice.author_name or f"用户{notice.author_id}"
    kind = {"recurring": "周期", "broadcast": "群发"}.get(str(notice.kind), "")
    text = (
        f"{group_name(rt, group_id)}有一条待审核的{kind}通知 #{notice.id}（提交人：{who}"
        f"{'，标注为紧急' if notice.urgent else ''}）：\n{preview(notice.text, 300)}\n"
        f"批准请发送「/通知 批准 {notice.id}」，驳回请发送「/通知 驳回 {notice.id} 理由」。"
    )
    for reviewer in sorted(gp.leaders | gp.deputies):
        if reviewer != notice.author_id:
            rt.actions.send_private(notice.platform, notice.self_id, reviewer, text, priority=Priority.BULK)


# --- list, cancel -----------------------------------------------------------------------------


async def _list(ctx: CommandContext) -> None:
    rec = ctx.record
    if rec.is_group:
        rows = await notices.list_open(platform=rec.platform, group_id=rec.group_id)
        if not rows:
            ctx.reply("本群没有待发布或待审核的通知。")
            return
        lines = [f"本群待发布/待审核的通知（{len(rows)} 条）："]
    else:
        candidates = await notices.list_open(platform=rec.platform, limit=500)
        rows = [
            n
            for n in candidates
            if n.author_id == rec.user_id
            or role_in(ctx, n.group_id) >= CANCEL_ROLE
            or (n.state == NoticeState.REVIEW and role_in(ctx, n.group_id) >= REVIEW_ROLE)
        ]
        if not rows:
            ctx.reply("您没有待发布或待审核的通知，也没有需要您审核的通知。")
            return
        lines = [f"与您有关的待发布/待审核通知（{len(rows)} 条）："]
    for n in rows:
        where = "" if rec.is_group else f"{group_name(ctx.runtime, n.group_id)} "
        lines.append(f"{where}{notice_line(n, rec.time)}")
    in_review = any(n.state == NoticeState.REVIEW for n in rows)
    lines.append("取消：/通知 取消 编号" + ("；审核：/通知 批准 编号" if in_review else ""))
    ctx.reply("\n".join(lines))


def _not_open(notice: DeferredNotice) -> str:
    return f"通知 #{notice.id} 当前为「{STATE_LABELS.get(notice.state, notice.state)}」"


async def _cancel(ctx: CommandContext, number: int) -> None:
    rec = ctx.record
    notice = await _find(ctx, number)
    if notice is None:
        return
    by_author = notice.author_id == rec.user_id
    if not await _may_manage(ctx, notice, "取消"):
        return
    if notice.kind == NoticeKind.BROADCAST and notice.state == NoticeState.DISPATCHED:
        await _cancel_broadcast(ctx, notice)
        return
    cancellable = (NoticeState.REVIEW, NoticeState.QUEUED, NoticeState.ACTIVE, NoticeState.PAUSED)
    if notice.state not in cancellable or not await notices.close(
        number, NoticeState.CANCELLED, rec.user_id, "发布人取消" if by_author else "管理员取消"
    ):
        current = await notices.get(number) or notice
        ctx.reply(f"{_not_open(current)}，无法取消。", mention=rec.is_group)
        return
    await audit.record(
        "notice.cancelled",
        actor=rec.user_id,
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        reason=f"取消通知 #{number}" + ("（发布人本人）" if by_author else ""),
        detail={"notice": number, "state": notice.state},
    )
    planned = f"（原定 {when(notice.due_at, rec.time)} 发布）" if notice.due_at else "（尚在审核中）"
    ctx.reply(f"已取消通知 #{number}{planned}。", mention=rec.is_group)
    if not by_author:
        ctx.runtime.actions.send_private(
            notice.platform,
            notice.self_id,
            notice.author_id,
            f"您提交的通知 #{number}（{preview(notice.text)}）已被管理员取消。如有疑问请联系群管理员。",
            priority=Priority.BULK,
        )


async def _cancel_broadcast(ctx: CommandContext, notice: DeferredNotice) -> None:
    """Cancel the posts of a broadcast that have not gone out yet."""
    rec = ctx.record
    assert notice.id is not None
    cancelled, posted = 0, 0
    for child in await notices.children(notice.id):
        assert child.id is not None
        if child.state == NoticeState.QUEUED and await notices.close(
            child.id, NoticeState.CANCELLED, rec.user_id, "群发取消"
        ):
            cancelled += 1
        elif child.state in (NoticeState.POSTED, NoticeState.POSTING):
            posted += 1
    await audit.record(
        "notice.cancelled",
        actor=rec.user_id,
        platform=notice.platform,
        target=notice.author_id,
        reason=f"取消群发通知 #{notice.id} 尚未发布的 {cancelled} 个群",
        detail={"notice": notice.id, "cancelled": cancelled, "posted": posted},
    )
    ctx.reply(
        f"群发通知 #{notice.id}：已取消尚未发布的 {cancelled} 个群"
        + (f"，已有 {posted} 个群发布，无法撤销。" if posted else "。"),
        mention=rec.is_group,
    )


# --- review -----------------------------------------------------------------------------------


async def _reviewable(ctx: CommandContext, number: int, verb: str) -> DeferredNotice | None:
    rec = ctx.record
    notice = await _find(ctx, number)
    if notice is None:
        return None
    # A broadcast is reviewed once for every target group that requires review: the reviewer must
    # be entitled in each of them.
    scope = _review_groups(ctx, notice)
    if any(role_in(ctx, g) < REVIEW_ROLE for g in scope):
        ctx.refuse(
            f"抱歉，{verb}通知需要「{REVIEW_ROLE.label}」及以上权限，本次未做任何操作。",
            why=f"{verb}通知需要「{REVIEW_ROLE.label}」及以上权限",
            mention=rec.is_group,
        )
        return None
    if notice.state != NoticeState.REVIEW:
        ctx.reply(f"{_not_open(notice)}，不在待审核状态，无需{verb}。", mention=rec.is_group)
        return None
    if notice.author_id == rec.user_id:
        ctx.refuse(
            f"不能审核自己提交的通知 #{number}，请由分管领导或其他管理员{verb}。",
            why="不能审核自己提交的通知",
            mention=rec.is_group,
        )
        return None
    return notice


def _review_groups(ctx: CommandContext, notice: DeferredNotice) -> list[str]:
    if notice.kind != NoticeKind.BROADCAST:
        return [notice.group_id]
    rt = ctx.runtime
    reviewed = [g for g in series.target_ids(notice) if rt.policy.for_group(g).preset.notice_review]
    return reviewed or series.target_ids(notice)


async def _approve(ctx: CommandContext, number: int) -> None:
    rec, rt = ctx.record, ctx.runtime
    notice = await _reviewable(ctx, number, "批准")
    if notice is None:
        return
    if notice.kind == NoticeKind.RECURRING:
        due = series.first_due(Recurrence.from_spec(notice.recurrence), rt, notice.group_id, rec.time)
        state = NoticeState.ACTIVE
    elif notice.kind == NoticeKind.BROADCAST:
        due, state = rec.time, NoticeState.DISPATCHED
    else:
        due, state = _due(rt, notice, rec.time), NoticeState.QUEUED
    if not await notices.approve(number, rec.user_id, rec.time, due, state=state):
        current = await notices.get(number) or notice
        ctx.reply(f"{_not_open(current)}，已由他人处理。", mention=rec.is_group)
        return
    await audit.record(
        "notice.approved",
        actor=rec.user_id,
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        rule="review_before_post",
        reason=f"批准通知 #{number}，定于 {when(due, rec.time)} 发布",
        detail={"notice": number, "due_at": due.isoformat(), "urgent": notice.urgent, "kind": notice.kind},
    )
    approved = await notices.get(number)
    assert approved is not None
    if notice.kind == NoticeKind.RECURRING:
        result = (
            f"将按「{Recurrence.from_spec(notice.recurrence).describe()}」发布，首次 {when(due, rec.time)}"
        )
    elif notice.kind == NoticeKind.BROADCAST:
        await series.dispatch(rt, approved, rec.time)
        notice_loop.wake()
        result = (
            f"将发布到 {len(series.target_ids(notice))} 个群"
            "（工作时间内立即发布，否则在各群下一个工作时间开始时发布）"
        )
    elif due <= rec.time:
        posted = await post_notice(rt, approved, rec.time)
        result = "已发布到群里" if posted else "发布时遇到问题，机器人会稍后重试"
    elif notice.requested_at is not None and due == max(notice.requested_at, rec.time):
        result = f"将按定时于 {when(due, rec.time)} 发布"
    else:
        result = f"将于 {when(due, rec.time)}（下一个工作时间开始）发布"
    ctx.reply(f"已批准通知 #{number}，{result}。", mention=rec.is_group)
    rt.actions.send_private(
        notice.platform,
        notice.self_id,
        notice.author_id,
        f"您提交的通知 #{number}（{preview(notice.text)}）已通过审核，{result}。",
        priority=Priority.BULK,
    )


async def _reject(ctx: CommandContext, number: int, reason: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    notice = await _reviewable(ctx, number, "驳回")
    if notice is None:
        return
    if not await notices.close(number, NoticeState.REJECTED, rec.user_id, reason, reviewed_at=rec.time):
        current = await notices.get(number) or notice
        ctx.reply(f"{_not_open(current)}，已由他人处理。", mention=rec.is_group)
        return
    await audit.record(
        "notice.rejected",
        actor=rec.user_id,
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        rule="review_before_post",
        reason=f"驳回通知 #{number}" + (f"：{reason}" if reason else ""),
        detail={"notice": number},
    )
    ctx.reply(f"已驳回通知 #{number}，不会发布。", mention=rec.is_group)
    rt.actions.send_private(
        notice.platform,
        notice.self_id,
        notice.author_id,
        f"您提交的通知 #{number}（{preview(notice.text)}）未通过审核"
        + (f"，理由：{reason}" if reason else "")
        + "。修改后可重新发送 /通知。",
        priority=Priority.BULK,
    )


# --- re-post a recalled off-hours message -----------------------------------------------------


async def _repost(ctx: CommandContext, number: int) -> None:
    rec = ctx.record
    finding = await get_finding(number)
    elsewhere = finding is not None and rec.is_group and finding.group_id != rec.group_id
    # Role before state: only the sender or a manager learns anything about the record.
    allowed = finding is not None and (
        finding.user_id == rec.user_id or role_in(ctx, finding.group_id) >= CANCEL_ROLE
    )
    if finding is None or finding.platform != rec.platform or elsewhere or not allowed:
        ctx.reply(
            f"没有编号为 {number} 的、您可补发的撤回记录（只有原消息的发送人或本群管理员可以补发）。"
            "补发编号见机器人撤回消息后发给您的私聊提醒。",
            mention=rec.is_group,
        )
        return
    if not finding.recalled or not finding.text:
        ctx.reply(f"记录 {number} 的消息没有被撤回，仍在群里，无需补发。", mention=rec.is_group)
        return
    assert finding.id is not None
    if finding.reposted_notice_id is not None or not await reserve_repost(finding.id):
        current = await get_finding(number)
        linked = current.reposted_notice_id if current is not None else None
        ctx.reply(
            "这条消息已安排补发" + (f"（通知 #{linked}）" if linked else "") + "，发送 /通知 列表 查看。",
            mention=rec.is_group,
        )
        return
    preset = ctx.runtime.policy.for_group(finding.group_id).preset
    try:
        notice = await _schedule(
            ctx,
            NewNotice(
                platform=finding.platform,
                group_id=finding.group_id,
                self_id=finding.self_id,
                author_id=finding.user_id,
                author_name=_author_name(ctx) if finding.user_id == rec.user_id else "",
                text=finding.text,
                created_at=rec.time,
                due_at=None,
                urgent=urgent_marker(finding.text, preset.urgent_words) is not None,
                source="repost",
            ),
        )
    except BaseException:
        await link_repost(finding.id, None)
        raise
    await link_repost(finding.id, notice.id)


# --- broadcast, pause / resume, edit ----------------------------------------------------------

_ALL = ("全部", "所有", "all")
_SEPARATORS = re.compile(r"[,，、;；]+")


async def _broadcast_groups(ctx: CommandContext) -> dict[str, str]:
    """The groups the caller may broadcast to (group id → label): those where they are owner or
    above — a unit's supervisor, the owner of several groups, an operator."""
    rec, rt = ctx.record, ctx.runtime
    names = {gid: spec.name for gid, spec in rt.policy.spec.groups.items()}
    for g in await groups.known_groups():
        if g.platform == rec.platform:
            names.setdefault(g.group_id, g.name)
    return {
        gid: name or f"群 {gid}" for gid, name in sorted(names.items()) if role_in(ctx, gid) >= BROADCAST_ROLE
    }


async def _broadcast(ctx: CommandContext, args: str) -> None:
    """/通知 群发 全部|群1,群2 [定时 时间] 内容 (private chat): one notice, several groups."""
    rec, rt = ctx.record, ctx.runtime
    if rec.is_group:
        raise UsageError("群发通知请私聊机器人发送，例如：/通知 群发 全部 请各科室……")
    which, _, text = args.replace("\u3000", " ").partition(" ")
    text = text.strip()
    if not which or not text:
        raise UsageError("请写明发往哪些群和通知内容，例如：/通知 群发 全部 请各科室……")
    allowed = await _broadcast_groups(ctx)
    if not allowed:
        ctx.reply(
            "群发通知面向监管单位和多个群的群主：您目前不是任何已知群的群主或监管单位，本次未做任何操作。"
        )
        return
    if which.casefold() in _ALL:
        targets = list(allowed)
    else:
        targets, unknown = [], []
        by_name = {label: gid for gid, label in allowed.items()}
        for part in filter(None, _SEPARATORS.split(which)):
            gid = part if part in allowed else by_name.get(part)
            if gid is None:
                unknown.append(part)
            elif gid not in targets:
                targets.append(gid)
        if unknown:
            choices = "、".join(allowed.values())
            ctx.reply(f"找不到或无权群发到：{'、'.join(unknown)}。您可以群发到：{choices}（或写「全部」）。")
            return
    urgent, requested, phrase = False, None, ""
    head, _, tail = text.partition(" ")
    if head in _URGENT:
        urgent, text = True, tail.strip()
        head, _, tail = text.partition(" ")
    if head in _AT:
        try:
            moment = parse_moment(tail.strip(), rec.time, rt.calendar(targets[0]))
        except ScheduleError as e:
            raise UsageError(str(e)) from None
        if moment is None:
            raise UsageError("没有看懂发布时间。请写成「明天 9:00」「12月8日 14:30」「下周一 上午」等形式。")
        requested, phrase, text = moment.at, moment.phrase, moment.rest
    checked = await _checked(ctx, text, urgent=urgent, group_id="")
    if checked is None:
        return
    text, urgent = checked
    review = [g for g in targets if rt.policy.for_group(g).preset.notice_review]
    new = _new(
        ctx,
        text,
        urgent=urgent,
        group_id="",
        kind=NoticeKind.BROADCAST,
        targets=tuple(targets),
        due_at=None if review else rec.time,
        requested_at=requested,
    )
    notice = await notices.create(new)
    labels = "、".join(allowed[g] for g in targets)
    await audit.record(
        "notice.broadcast",
        actor=rec.user_id,
        platform=rec.platform,
        rule="off_hours",
        reason=f"群发通知 #{notice.id} 到 {len(targets)} 个群",
        detail={"notice": notice.id, "targets": targets, "review": bool(review), "urgent": urgent},
    )
    understood = f"（理解为「{phrase}」，即 {when(requested, rec.time)}）" if requested else ""
    if review:
        for gid in review:
            _ask_reviewers(ctx, notice, group_id=gid)
        cite = rt.policy.for_group(review[0]).preset.cite("review_before_post")
        ctx.reply(
            f"群发通知 #{notice.id}{understood}（{len(targets)} 个群：{labels}）已提交审核。{cite}，"
            f"{'、'.join(allowed[g] for g in review)}的通知须先审后发：请分管领导或管理员发送"
            f"「/通知 批准 {notice.id}」，批准后一并发布。"
        )
        return
    created = await series.dispatch(rt, notice, rec.time)
    notice_loop.wake()
    now_or_later = [c for c in created if c.due_at is not None and c.due_at > rec.time]
    later = [c.due_at for c in now_or_later if c.due_at is not None]
    when_text = (
        f"其中 {len(later)} 个群将于 {when(min(later), rec.time)} 起发布（定时或不在工作时间）"
        if later
        else "工作时间内逐个群发布"
    )
    ctx.reply(
        f"好的，群发通知 #{notice.id}{understood} 发往 {len(targets)} 个群：{labels}。{when_text}。"
        "这是一条通知、多个发布对象，不算多头发布。发送 /通知 列表 查看，/通知 取消 编号 取消尚未发布的部分。"
    )


async def _may_manage(ctx: CommandContext, notice: DeferredNotice, verb: str) -> bool:
    """The author or a manager of the notice's group(s); tells the caller otherwise."""
    rec = ctx.record
    scope = series.target_ids(notice) if notice.kind == NoticeKind.BROADCAST else [notice.group_id]
    if notice.author_id == rec.user_id or all(role_in(ctx, g) >= CANCEL_ROLE for g in scope):
        return True
    ctx.reply(
        f"只有通知 #{notice.id} 的发布人或本群的管理员可以{verb}它，本次未做任何操作。", mention=rec.is_group
    )
    return False


async def _pause(ctx: CommandContext, number: int, *, pause: bool) -> None:
    rec, rt = ctx.record, ctx.runtime
    verb = "暂停" if pause else "恢复"
    notice = await _find(ctx, number)
    if notice is None or not await _may_manage(ctx, notice, verb):
        return
    if notice.kind != NoticeKind.RECURRING:
        ctx.reply(f"通知 #{number} 不是周期通知，无需{verb}；不再需要请发送「/通知 取消 {number}」。")
        return
    recurrence = Recurrence.from_spec(notice.recurrence)
    if pause:
        won = await notices.change(number, (NoticeState.ACTIVE,), {"state": NoticeState.PAUSED})
    else:
        due = series.first_due(recurrence, rt, notice.group_id, rec.time)
        won = await notices.change(
            number, (NoticeState.PAUSED,), {"state": NoticeState.ACTIVE, "due_at": due}
        )
    if not won:
        current = await notices.get(number) or notice
        ctx.reply(f"{_not_open(current)}，无法{verb}。", mention=rec.is_group)
        return
    await audit.record(
        f"notice.{'paused' if pause else 'resumed'}",
        actor=rec.user_id,
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        reason=f"{verb}周期通知 #{number}（{recurrence.describe()}）",
        detail={"notice": number},
    )
    if pause:
        ctx.reply(f"已暂停周期通知 #{number}（{recurrence.describe()}），恢复请发送「/通知 恢复 {number}」。")
    else:
        ctx.reply(f"已恢复周期通知 #{number}（{recurrence.describe()}），下次发布：{when(due, rec.time)}。")


_EDITABLE: dict[str, tuple[NoticeState, ...]] = {
    NoticeKind.ONCE: (NoticeState.REVIEW, NoticeState.QUEUED),
    NoticeKind.RECURRING: (NoticeState.REVIEW, NoticeState.ACTIVE, NoticeState.PAUSED),
    NoticeKind.BROADCAST: (NoticeState.REVIEW,),
}


async def _edit(ctx: CommandContext, number: int, text: str) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not text:
        raise UsageError("请在编号后写上新的通知内容，例如 /通知 修改 12 新内容。")
    notice = await _find(ctx, number)
    if notice is None or not await _may_manage(ctx, notice, "修改"):
        return
    editable = _EDITABLE.get(notice.kind, ())
    if notice.state not in editable:
        ctx.reply(f"{_not_open(notice)}，不能再修改。", mention=rec.is_group)
        return
    if len(text) > MAX_CHARS:
        raise UsageError(f"通知内容过长（{len(text)} 字），请控制在 {MAX_CHARS} 字以内或分条发布。")
    refusal = await check_content(rt, rec, text)
    if refusal:
        ctx.reply(refusal, mention=rec.is_group)
        return
    review = any(rt.policy.for_group(g).preset.notice_review for g in _review_groups(ctx, notice))
    if not await notices.edit_text(number, text, editable, review=review):
        current = await notices.get(number) or notice
        ctx.reply(f"{_not_open(current)}，不能再修改。", mention=rec.is_group)
        return
    await audit.record(
        "notice.edited",
        actor=rec.user_id,
        platform=notice.platform,
        group_id=notice.group_id,
        target=notice.author_id,
        reason=f"修改通知 #{number}" + ("，重新提交审核" if review else ""),
        detail={"notice": number, "old_chars": len(notice.text), "new_chars": len(text), "review": review},
    )
    if review:
        edited = await notices.get(number)
        assert edited is not None
        for gid in _review_groups(ctx, edited):
            _ask_reviewers(ctx, edited, group_id=gid)
        ctx.reply(f"已修改通知 #{number}。本群通知须先审后发，修改后已重新提交审核。", mention=rec.is_group)
    else:
        ctx.reply(f"已修改通知 #{number}，将按原定时间发布新内容。", mention=rec.is_group)
