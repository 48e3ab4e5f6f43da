"""Suggestions (SPEC §7, huangshan 第十一条 对群组成员发布的…意见建议，要及时做好记录并向有关领导汇报).

Captured from group messages (``bot.core.suggest.classify``) and with /建议 内容; leaders get them
privately (with the weekly review, or at once with /建议 周报); admins list, mark reported, reply to
the author (反馈) and export (CSV and XLSX). The text is never logged.
"""

from __future__ import annotations

from pathlib import Path

from nonebot.plugin import PluginMetadata

from bot.core.calendar import to_local
from bot.core.suggest import classify
from bot.dispatch import CommandContext, Role, UsageError, command, on_group_message
from bot.dispatch.router import role_book
from bot.intake.record import MessageRecord
from bot.models.review import Suggestion, SuggestionState
from bot.runtime import Runtime
from bot.store import audit
from bot.store import suggest as store
from bot.store.suggest import STATE_LABELS as _STATE
from bot.store.suggest import when as _when
from bot.store.suggest import write_csv, write_xlsx
from bot.web import downloads_hint

USAGE = (
    "/建议 内容（提出意见建议，记录并报送领导）\n"
    "管理员：/建议 列表 | /建议 已报送 编号 | /建议 回复 编号 内容 | /建议 导出 | /建议 周报"
)
MAX_TEXT = 2000

__plugin_meta__ = PluginMetadata(
    name="意见建议",
    description="自动识别并记录群内的意见建议，/建议 主动提出；每周私聊报送分管领导，管理员可答复提出人",
    usage=USAGE,
)


def _new(rec: MessageRecord, text: str, source: str, score: int) -> store.NewSuggestion:
    return store.NewSuggestion(
        platform=rec.platform,
        group_id=rec.group_id,
        self_id=rec.self_id,
        user_id=rec.user_id,
        card=rec.card or rec.nickname,
        message_id=rec.message_id if source == "auto" else f"cmd:{rec.message_id}",
        at=rec.time,
        text=text[:MAX_TEXT],
        source=source,
        score=score,
    )


@on_group_message
async def capture(rec: MessageRecord, rt: Runtime) -> None:
    if not rt.policy.for_group(rec.group_id).preset.suggestion_capture or len(rec.text) > MAX_TEXT:
        return
    verdict = classify(rec.text)
    if verdict.is_suggestion:
        row = await store.record(_new(rec, rec.text, "auto", verdict.score))
        if row is not None:
            await audit.record(
                "suggest.captured",
                actor=rec.user_id,
                platform=rec.platform,
                group_id=rec.group_id,
                reason=f"记录意见建议 #{row.id}（自动识别：{'、'.join(verdict.rules)}）",
                detail={"suggestion": row.id},
            )


def _managed(ctx: CommandContext) -> list[str] | None:
    """Groups whose suggestions the caller may see: the group itself, or in private chat every group
    they manage (None: all, for operators and supervisors)."""
    rec = ctx.record
    if rec.is_group:
        return [rec.group_id]
    if ctx.role >= Role.SUPERVISOR:
        return None
    managed = set(role_book.managed_groups(rec.platform, rec.user_id))
    pol = ctx.runtime.policy
    managed |= {
        gid
        for gid in pol.spec.groups
        if rec.user_id in (g := pol.for_group(gid)).deputies or rec.user_id in g.leaders
    }
    return sorted(managed)


async def _one(ctx: CommandContext, raw: str) -> Suggestion:
    if not raw.lstrip("#").isdigit():
        raise UsageError(f"「{raw}」不是编号。")
    row = await store.get(int(raw.lstrip("#")))
    allowed = _managed(ctx)
    if row is None or (allowed is not None and row.group_id not in allowed):
        raise UsageError(f"没有您可处理的建议 #{raw.lstrip('#')}。")
    return row


def export_dir(rt: Runtime) -> Path:
    d = Path(rt.settings.steward_data_dir) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


async def deliver_reply(rt: Runtime, row: Suggestion, reply: str, *, self_id: str = "") -> bool:
    """Send an answer to the suggestion's author privately; when that fails, in the group with an @.
    True when it went privately (/建议 回复 and the dashboard both answer this way)."""
    local = to_local(row.at)
    try:
        await rt.actions.send_private(
            row.platform,
            row.self_id or self_id,
            row.user_id,
            f"您好，您于{local.month}月{local.day}日提出的建议（#{row.id}）有了答复：\n{reply}\n感谢您对工作的关心和支持。",
        )
        return True
    except Exception:
        rt.actions.send_group(
            row.platform,
            row.group_id,
            f"关于建议 #{row.id} 的答复：{reply}",
            mention=(row.user_id,),
        )
        return False


@command(
    "建议",
    aliases=("suggest",),
    role=Role.MEMBER,
    summary="提出意见建议（记录并报送分管领导）；管理员可列出、标记已报送、答复、导出",
    usage=USAGE,
    order=70,
)
async def suggest_cmd(ctx: CommandContext) -> None:
    rec, argv, rt = ctx.record, ctx.argv, ctx.runtime
    if not argv:
        raise UsageError("请写上建议的内容。")
    head = argv[0]
    admin_verbs = ("列表", "已报送", "回复", "导出", "周报", "list", "reported", "reply", "export", "digest")
    if head not in admin_verbs:
        if not rec.is_group:
            raise UsageError("请在工作群内发送 /建议 内容，以便记录所属的群。")
        text = ctx.args.strip()
        if len(text) > MAX_TEXT:
            raise UsageError(f"内容过长（{len(text)} 字），请精简到 {MAX_TEXT} 字以内。")
        row = await store.record(_new(rec, text, "command", 0))
        if row is None:
            return
        await audit.record(
            "suggest.recorded",
            actor=rec.user_id,
            platform=rec.platform,
            group_id=rec.group_id,
            reason=f"记录意见建议 #{row.id}（/建议）",
            detail={"suggestion": row.id},
        )
        ctx.reply(f"感谢您的建议，已记录为 #{row.id}，将报送分管领导。", mention=True)
        return
    reader = ctx.role >= Role.LEADER and head in ("列表", "list", "导出", "export")
    if ctx.role < Role.DEPUTY and not reader:
        ctx.refuse(
            f"抱歉，/建议 {head} 需要「分管管理员」及以上权限，本次未做任何操作。",
            why="需要「分管管理员」及以上权限",
        )
        return
    if head in ("列表", "list"):
        rows = await store.list_for(_managed(ctx), platform=rec.platform, limit=20)
        if not rows:
            ctx.reply("暂无意见建议记录。")
            return
        lines = [f"意见建议（最近 {len(rows)} 条）："]
        for s in rows:
            who = s.card or s.user_id
            lines.append(
                f"#{s.id} [{_STATE.get(SuggestionState(s.state), s.state)}] "
                f"{_when(s.at)} {who}：{s.text[:80]}"
            )
        ctx.reply("\n".join(lines))
    elif head in ("已报送", "reported"):
        if len(argv) != 2:
            raise UsageError("请给出一个编号。")
        row = await _one(ctx, argv[1])
        assert row.id is not None
        if await store.mark_reported(row.id, rec.user_id, rec.time):
            ctx.reply(f"建议 #{row.id} 已标记为已报送。")
        else:
            ctx.reply(f"建议 #{row.id} 此前已报送或已答复。")
    elif head in ("回复", "reply"):
        if len(argv) < 3:
            raise UsageError("请给出编号和答复内容。")
        row = await _one(ctx, argv[1])
        assert row.id is not None
        reply = ctx.args.split(None, 2)[2].strip()
        await store.set_reply(row.id, reply, rec.user_id, rec.time)
        delivered = await deliver_reply(rt, row, reply, self_id=rec.self_id)
        await audit.record(
            "suggest.replied",
            actor=rec.user_id,
            platform=row.platform,
            group_id=row.group_id,
            target=row.user_id,
            reason=f"答复意见建议 #{row.id}" + ("" if delivered else "（私聊失败，已在群内答复）"),
            detail={"suggestion": row.id},
        )
        ctx.reply(f"答复已{'私聊转达' if delivered else '在群内转达'}给建议 #{row.id} 的提出人。")
    elif head in ("导出", "export"):
        rows = await store.list_for(_managed(ctx), platform=rec.platform, limit=100_000)
        if (link := await downloads_hint(rt)) is not None:
            await audit.record(
                "suggest.exported",
                actor=rec.user_id,
                platform=rec.platform,
                group_id=rec.group_id,
                reason=f"导出意见建议 {len(rows)} 条（转到管理页面下载）",
            )
            ctx.reply(f"共有 {len(rows)} 条意见建议可导出（CSV 和 Excel）。{link}")
            return
        stamp = to_local(rec.time).strftime("%Y%m%d-%H%M%S")
        base = export_dir(rt) / f"suggestions-{rec.group_id or 'all'}-{stamp}"
        write_csv(rows, base.with_suffix(".csv"))
        write_xlsx(rows, base.with_suffix(".xlsx"))
        await audit.record(
            "suggest.exported",
            actor=rec.user_id,
            platform=rec.platform,
            group_id=rec.group_id,
            reason=f"导出意见建议 {len(rows)} 条",
        )
        ctx.reply(
            f"已导出 {len(rows)} 条意见建议：数据目录 exports/{base.name}.csv 和 .xlsx（请向运维人员索取）。"
        )
    elif head in ("周报", "digest"):
        if not rec.is_group:
            raise UsageError("请在工作群内发送 /建议 周报。")
        from bot.plugins.review.runner import send_digest

        n = await send_digest(rt, rec.platform, rec.group_id, rec.self_id, rec.time)
        ctx.reply(
            f"已把 {n} 条新的意见建议私聊报送分管领导。"
            if n
            else "没有尚未报送的意见建议，或本群未配置分管领导。"
        )
