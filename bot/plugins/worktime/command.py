"""/通知: post a work notice now inside working hours, or at the next working-hours start.

The decision uses the command's own timestamp (the event time), like every rule. Sub-commands that
name a notice by number (取消, 批准, 驳回, 补发, 列表) also work in private chat: the notice says
which group it belongs to, and the caller's role is resolved for that group.
"""

from __future__ import annotations

import dataclasses

from bot.core.notice import urgent_marker
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.dispatch.hooks import check_content
from bot.dispatch.roles import resolve_role
from bot.dispatch.router import role_book
from bot.gateway.outbound import Priority
from bot.models.worktime import DeferredNotice, NoticeState
from bot.plugins.worktime.offhours import group_name
from bot.plugins.worktime.scheduler import post_notice
from bot.plugins.worktime.texts import STATE_LABELS, hours_text, notice_line, preview, when
from bot.store import audit, notices
from bot.store.notices import NewNotice
from bot.store.worktime import get_finding, link_repost, reserve_repost

USAGE = (
    "/通知 内容（工作时间内立即发布，否则在下一个工作时间开始时发布）\n"
    "/通知 紧急 内容（确属紧急，立即发布）\n"
    "/通知 列表｜/通知 取消 编号｜/通知 补发 撤回记录编号\n"
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
    elif head in _URGENT:
        if not rest:
            raise UsageError("「紧急」后面请写上通知内容。")
        await _submit(ctx, rest, urgent=True)
    else:
        await _submit(ctx, ctx.args.strip(), urgent=False)


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
    if notice is None or notice.platform != rec.platform:
        ctx.reply(f"没有编号为 #{number} 的通知。发送 /通知 列表 查看。", mention=rec.is_group)
        return None
    if rec.is_group and notice.group_id != rec.group_id:
        ctx.reply(f"通知 #{number} 不是本群的通知，请到所属的群里或私聊机器人操作。", mention=True)
        return None
    return notice


def _author_name(ctx: CommandContext) -> str:
    return ctx.record.card or ctx.record.nickname


# --- submit -----------------------------------------------------------------------------------


async def _submit(ctx: CommandContext, text: str, *, urgent: bool) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not rec.is_group:
        raise UsageError(
            "发布通知请在要发布的群里发送 /通知 内容；私聊中可使用 列表、取消、批准、驳回、补发。"
        )
    if len(text) > MAX_CHARS:
        raise UsageError(f"通知内容过长（{len(text)} 字），请控制在 {MAX_CHARS} 字以内或分条发布。")
    refusal = await check_content(rt, rec, text)
    if refusal:
        ctx.reply(refusal, mention=True)
        return
    preset = rt.policy.for_group(rec.group_id).preset
    marked = urgent_marker(text, preset.urgent_words) is not None
    if urgent and not marked:
        text = f"【紧急】{text}"
    urgent = urgent or marked
    open_counts = await notices.count_open(platform=rec.platform, group_id=rec.group_id)
    if sum(open_counts.values()) >= MAX_OPEN_PER_GROUP:
        ctx.reply(
            f"本群已有 {MAX_OPEN_PER_GROUP} 条待发布或待审核的通知，暂不能再添加。"
            "请先用 /通知 列表 查看，取消不再需要的通知。",
            mention=True,
        )
        return
    await _schedule(
        ctx,
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
    )


async def _schedule(ctx: CommandContext, new: NewNotice) -> DeferredNotice:
    """Queue ``new`` for review, for the next working-hours start, or post it now."""
    rec, rt = ctx.record, ctx.runtime
    preset = rt.policy.for_group(new.group_id).preset
    cal = rt.calendar(new.group_id)
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
        ctx.reply(
            f"通知 #{notice.id} 已提交审核。{preset.cite('review_before_post')}，本群通知须先审后发："
            f"请分管领导或群管理员发送「/通知 批准 {notice.id}」后发布"
            f"（{'紧急通知批准后立即发布' if new.urgent else '批准后在工作时间发布'}）。",
            mention=rec.is_group,
        )
        return notice
    due = rec.time if new.urgent else cal.next_working_start(rec.time)
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


def _ask_reviewers(ctx: CommandContext, notice: DeferredNotice) -> None:
    """Private request to the group's configured leaders and deputies (others see it via 列表)."""
    rt = ctx.runtime
    gp = rt.policy.for_group(notice.group_id)
    who = notice.author_name or f"用户{notice.author_id}"
    text = (
        f"{group_name(rt, notice.group_id)}有一条待审核的通知 #{notice.id}（提交人：{who}"
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
    if not by_author and role_in(ctx, notice.group_id) < CANCEL_ROLE:
        ctx.reply(
            f"只有通知 #{number} 的发布人或本群的管理员可以取消它，本次未做任何操作。", mention=rec.is_group
        )
        return
    if notice.state not in (NoticeState.REVIEW, NoticeState.QUEUED) or not await notices.close(
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


# --- review -----------------------------------------------------------------------------------


async def _reviewable(ctx: CommandContext, number: int, verb: str) -> DeferredNotice | None:
    rec = ctx.record
    notice = await _find(ctx, number)
    if notice is None:
        return None
    if notice.state != NoticeState.REVIEW:
        ctx.reply(f"{_not_open(notice)}，不在待审核状态，无需{verb}。", mention=rec.is_group)
        return None
    if notice.author_id == rec.user_id:
        ctx.reply(f"不能审核自己提交的通知 #{number}，请由分管领导或其他管理员{verb}。", mention=rec.is_group)
        return None
    if role_in(ctx, notice.group_id) < REVIEW_ROLE:
        ctx.reply(
            f"抱歉，{verb}通知需要「{REVIEW_ROLE.label}」及以上权限，本次未做任何操作。", mention=rec.is_group
        )
        return None
    return notice


async def _approve(ctx: CommandContext, number: int) -> None:
    rec, rt = ctx.record, ctx.runtime
    notice = await _reviewable(ctx, number, "批准")
    if notice is None:
        return
    due = rec.time if notice.urgent else rt.calendar(notice.group_id).next_working_start(rec.time)
    if not await notices.approve(number, rec.user_id, rec.time, due):
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
        detail={"notice": number, "due_at": due.isoformat(), "urgent": notice.urgent},
    )
    approved = await notices.get(number)
    assert approved is not None
    if due <= rec.time:
        posted = await post_notice(rt, approved, rec.time)
        result = "已发布到群里" if posted else "发布时遇到问题，机器人会稍后重试"
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
    if finding is None or finding.platform != rec.platform or elsewhere:
        ctx.reply(
            f"没有编号为 {number} 的撤回记录。补发编号见机器人撤回消息后发给您的私聊提醒。",
            mention=rec.is_group,
        )
        return
    if finding.user_id != rec.user_id and role_in(ctx, finding.group_id) < CANCEL_ROLE:
        ctx.reply("只有原消息的发送人或本群管理员可以补发这条消息。", mention=rec.is_group)
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
