"""/巡查 (a review now) and /清理 (removals, after a confirmation), and the activity hook."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.dispatch import CommandContext, Role, UsageError, command, on_every_group_message
from bot.intake.record import MessageRecord
from bot.models.review import FindingState, ReviewFinding
from bot.plugins.review.scheduler import review_loop
from bot.plugins.review.texts import CLEANUP_USAGE, CONFIRM_MINUTES, REVIEW_USAGE, day
from bot.runtime import Runtime
from bot.store import activity
from bot.store import review as store

STALE_REVIEW = timedelta(days=14)
_RANGE = re.compile(r"^(\d+)[-~～至](\d+)$")


@on_every_group_message
async def seen(rec: MessageRecord, rt: Runtime) -> None:
    """Member activity from the messages the bot itself saw (kept in memory, flushed in batches)."""
    if activity.note(rec.platform, rec.group_id, rec.user_id, rec.time):
        review_loop.wake()


@command(
    "巡查",
    aliases=("review",),
    role=Role.DEPUTY,  # 分管 (SPEC §8): a bot-level admin command, no platform right needed
    summary="立即检查本群成员（未实名、已调离、不在花名册、长期未发言等），报告私聊发送给群主",
    usage=REVIEW_USAGE,
    scope="group",
    order=60,
)
async def review_cmd(ctx: CommandContext) -> None:
    if ctx.argv:
        raise UsageError("/巡查 不需要参数。")
    rec = ctx.record
    run = await store.request_run(
        rec.platform, rec.group_id, rec.self_id, kind="manual", requested_by=rec.user_id, now=rec.time
    )
    ctx.reply(f"好的，正在检查本群成员（巡查 #{run.id}），完成后报告将私聊发送给群主。")
    review_loop.wake()


def parse_numbers(argv: list[str]) -> list[int]:
    numbers: list[int] = []
    for raw in argv:
        for token in re.split(r"[,，、]", raw):
            if not token:
                continue
            if m := _RANGE.match(token):
                a, b = int(m.group(1)), int(m.group(2))
                if a > b or b - a > 500:
                    raise UsageError(f"编号范围 {token} 不正确。")
                numbers.extend(range(a, b + 1))
            elif token.isdigit() and int(token) > 0:
                numbers.append(int(token))
            else:
                raise UsageError(f"「{token}」不是编号。")
    return sorted(set(numbers))


def _line(f: ReviewFinding) -> str:
    who = f"{f.user_id}（{f.card}）" if f.card else f.user_id
    note = "" if f.removable else "〔仅供参考的事项，按您的指定移出〕"
    return f"{f.number}. {who}：{f.reasons}{note}"


@command(
    "清理",
    aliases=("purge",),
    role=Role.OWNER,
    summary="按最近一次巡查的编号移出成员：先列出名单，确认后逐一移出",
    usage=CLEANUP_USAGE,
    scope="group",
    order=61,
)
async def cleanup_cmd(ctx: CommandContext) -> None:
    rec, argv = ctx.record, ctx.argv
    if not argv:
        raise UsageError("请给出编号、「全部」、「确认」或「取消」。")
    head = argv[0]
    window = timedelta(minutes=CONFIRM_MINUTES)
    if head in ("确认", "confirm"):
        if len(argv) > 1:
            raise UsageError()
        done = await store.confirm(rec.platform, rec.group_id, rec.user_id, rec.time, window)
        if not done:
            ctx.reply(
                f"没有待您确认的清理（确认须在提出后 {CONFIRM_MINUTES} 分钟内）。请先发送 /清理 编号。",
                mention=True,
            )
            return
        pace = ctx.runtime.policy.for_group(rec.group_id).preset.cleanup_pace_seconds
        ctx.reply(
            f"已确认，开始移出 {len(done)} 人（每人间隔约 {pace:g} 秒，以免触发平台风控），"
            "完成后在本群报告结果。"
        )
        review_loop.wake()
        return
    if head in ("取消", "cancel"):
        n = await store.cancel_proposal(rec.platform, rec.group_id, rec.user_id)
        ctx.reply("已取消待确认的清理，未移出任何人。" if n else "没有待确认的清理。")
        return

    run = await store.latest_run(rec.platform, rec.group_id)
    if run is None or run.id is None:
        ctx.reply("本群还没有巡查记录，请先发送 /巡查。")
        return
    if rec.time - (run.finished_at or run.due_at) > STALE_REVIEW:
        ctx.reply(
            f"最近一次巡查是 {day(run.finished_at or run.due_at)}，已超过 14 天，请先发送 /巡查 重新检查。"
        )
        return
    findings = await store.findings_of(run.id)
    by_number = {f.number: f for f in findings}
    if head in ("全部", "all"):
        if len(argv) > 1:
            raise UsageError()
        numbers = [f.number for f in findings if f.removable and f.state == FindingState.OPEN]
        if not numbers:
            ctx.reply(f"最近一次巡查（#{run.id}）没有待移出的人员。")
            return
    else:
        numbers = parse_numbers(argv)
        unknown = [n for n in numbers if n not in by_number]
        if unknown:
            raise UsageError(
                f"编号 {'、'.join(map(str, unknown))} 不在最近一次巡查"
                f"（#{run.id}，共 {len(findings)} 项）的名单中。"
            )
        closed = [
            n
            for n in numbers
            if by_number[n].state not in (FindingState.OPEN, FindingState.PROPOSED, FindingState.FAILED)
        ]
        if closed:
            ctx.reply(f"编号 {'、'.join(map(str, closed))} 已处理或正在处理，请只选择尚未处理的编号。")
            return
    proposed = await store.propose(run.id, numbers, rec.user_id, rec.time)
    pace = ctx.runtime.policy.for_group(rec.group_id).preset.cleanup_pace_seconds
    lines = [f"将按 {day(run.finished_at or run.due_at)} 的巡查（#{run.id}）移出以下 {len(proposed)} 人："]
    lines.extend(_line(f) for f in proposed)
    lines.append(
        f"请在 {CONFIRM_MINUTES} 分钟内发送 /清理 确认 执行，发送 /清理 取消 放弃。"
        f"移出将逐一进行，每人间隔约 {pace:g} 秒；届时已完成实名或已退群的人员会自动跳过。"
    )
    ctx.reply("\n".join(lines))
