"""The guard on the message path: one hook for group messages, one for group file uploads.

Order on a violation: the recall goes out first (URGENT in the outbound queue), then the strike
count is read, then mute, warnings and the note to the owner are queued, then the findings, the
strike and the audit row are written. A clean message costs the content pass and nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from loguru import logger

from bot.core.calendar import Severity
from bot.core.guard import Finding, GuardInput, Plan, Verdict, decide, escalate, plan
from bot.core.guard.carried import is_plain
from bot.core.guard.categories import kind_label
from bot.core.guard.finding import Act
from bot.dispatch import on_notice
from bot.dispatch.commands import Command
from bot.dispatch.hooks import content_check
from bot.dispatch.roles import Role
from bot.dispatch.router import gate_group_message, role_book
from bot.gateway.base import Capability, GatewayError
from bot.gateway.outbound import Priority
from bot.intake.clock import bookkeeping_time
from bot.intake.record import MessageRecord, NoticeRecord
from bot.plugins.guard import deep, texts
from bot.plugins.guard.state import Compiled, state
from bot.runtime import Runtime
from bot.store import audit, cases, sight
from bot.store import guard as store

_RECALLABLE_ROLES = ("member", "")  # the bot (an admin at most) cannot recall or mute owners and admins


@dataclass(frozen=True, slots=True)
class Incident:
    """Who did what where, for a message or an upload."""

    platform: str
    self_id: str
    group_id: str
    user_id: str
    message_id: str
    at: datetime
    role: str  # platform role: owner | admin | member | ""
    name: str  # group card or nickname ("" when unknown)
    source: str = "message"  # message | file (an upload) | forward | image | qr (what the content was in)

    @property
    def member(self) -> str:
        return f"{self.name}（{self.user_id}）" if self.name else self.user_id


def group_name(rt: Runtime, group_id: str) -> str:
    spec = rt.policy.spec.groups.get(group_id)
    return f"「{spec.name}」" if spec is not None and spec.name else f"群 {group_id}"


def capabilities(rt: Runtime, inc: Incident) -> tuple[bool, bool]:
    """Whether the bot can recall and mute here (the platform, and the sender's role)."""
    try:
        gw = rt.registry.for_group(inc.platform, inc.group_id)
        can_recall, can_mute = gw.can(Capability.RECALL), gw.can(Capability.MUTE)
    except GatewayError:
        can_recall = can_mute = inc.platform == "qq"  # not connected right now: the queue will retry
    if inc.role not in _RECALLABLE_ROLES:
        return False, False
    return can_recall and inc.source != "file", can_mute


async def guard_message(rec: MessageRecord, rt: Runtime, command: Command | None = None) -> bool:
    """The content pass over every group message, commands included; True when it acted on a
    violation. A command is judged as the same text sent as a plain message would be: when that
    would be recalled, the command is refused and handled as that violation (the router does not
    run it). A command is judged as a dry run (no repeat / flood memory), and only what would be
    recalled stops it: a minor finding in a command's arguments is not worth refusing it."""
    if rec.user_id == rec.self_id:
        return False
    if not state.loaded:
        await state.load(rt)
    c = state.compiled(rt, rec.group_id)
    exempt = c.is_exempt(rec.user_id, rec.sender_role, rt.superusers)
    msg = GuardInput(
        rec.text, rec.segments, rec.group_id, rec.user_id, rec.message_id, rec.time, c.scope, rec.at_all
    )
    verdict = state.engine.judge(msg, c.cfg, exempt=exempt, remember=command is None)
    state.counters.checked += 1
    if not is_plain(rec.segments):
        verdict, what = deep.with_carried(rec, c, verdict)
        if what.deep and (verdict is None or Act.RECALL not in verdict.acts):
            deep.deep.submit(rt, rec, what, exempt=exempt)
    if verdict is None:
        return False
    if command is not None and (exempt or c.observe or not _recall_worthy(verdict)):
        return False  # not recalled as a plain message either: the command runs
    inc = Incident(
        rec.platform,
        rec.self_id,
        rec.group_id,
        rec.user_id,
        rec.message_id,
        bookkeeping_time(rec),  # a strike never starts in the past (clock sanity)
        rec.sender_role,
        rec.card or rec.nickname,
    )
    p = await enforce(rt, inc, c, verdict, exempt=exempt)
    if command is not None:
        logger.info(f"guard refused /{command.name} in {inc.group_id} by {inc.user_id}")
        if not (p.warn_group or p.warn_private):  # the member is told why nothing answered
            cite = c.preset.cite(verdict.cite_key)
            rt.actions.send_private(
                inc.platform, inc.self_id, inc.user_id, texts.command_refused(command.name, verdict, cite)
            )
    return True


def _recall_worthy(verdict: Verdict) -> bool:
    if verdict.flagged:
        return False  # ambiguous words alone stop neither a command nor a notice
    return Act.RECALL in verdict.acts or verdict.serious or verdict.sensitive


# The content pass runs before everything else on a group message: a recall must not wait for
# other capabilities' I/O, and a command is no way around it.
gate_group_message(guard_message)


@on_notice
async def guard_upload(notice: NoticeRecord, rt: Runtime) -> None:
    """A file uploaded to the group: secret markings in its name, blocked extensions."""
    if notice.kind != "file_upload" or notice.user_id == notice.self_id:
        return
    file = notice.extra.get("file")
    name = str(file.get("name", "")) if isinstance(file, dict) else ""
    if not name or not deep.recent_files.first(notice.platform, notice.group_id, notice.user_id, name):
        return
    if not state.loaded:
        await state.load(rt)
    c = state.compiled(rt, notice.group_id)
    verdict = decide(state.engine.check_file(name, c.cfg), c.cfg.actions, c.cfg.serious)
    if verdict is None:
        return
    if notice.platform == "wechat":  # the bot cannot recall the file there: the owner hears of it too
        verdict = dataclasses.replace(verdict, acts=verdict.acts | {Act.NOTIFY})
    # Uploads carry no sender role: use what the bot has seen of the member in this group.
    seen = role_book.managed_groups(notice.platform, notice.user_id).get(notice.group_id)
    role = {Role.OWNER: "owner", Role.ADMIN: "admin"}.get(seen, "member") if seen else "member"
    message_id = str(notice.extra.get("message_id") or "")  # v12 (ComWeChatBotClient) names the message
    inc = Incident(
        notice.platform,
        notice.self_id,
        notice.group_id,
        notice.user_id,
        message_id,
        notice.time,
        role,
        "",
        "file",
    )
    exempt = c.is_exempt(inc.user_id, role, rt.superusers)
    await enforce(rt, inc, c, verdict, exempt=exempt)


async def enforce(rt: Runtime, inc: Incident, c: Compiled, verdict: Verdict, *, exempt: bool) -> Plan:
    """Act on a verdict; returns what was done."""
    g = c.preset.guard
    can_recall, can_mute = capabilities(rt, inc)
    p = plan(
        verdict,
        # observe-only by policy, or in the first days of a group the bot has never seen before
        observe=c.observe or sight.observing(inc.platform, inc.group_id, inc.at),
        exempt=exempt,
        can_recall=can_recall,
        can_mute=can_mute,
        mute_seconds=g.mute_seconds,
    )
    if verdict.flagged and p.outcome == "enforced":
        p = dataclasses.replace(p, outcome="flagged")  # ambiguous: a note to the admins, nothing public
    recall = (
        rt.actions.recall(inc.platform, inc.group_id, inc.message_id, sent_at=inc.at) if p.recall else None
    )
    # Counting the member's strikes and recording the new one is one step per member: two violations
    # of a burst must not both count "no strike yet" (the ladder would never climb). The recall above
    # never waits for it.
    key = (inc.platform, inc.group_id, inc.user_id)
    lock = _strike_locks.get(key)
    if lock is None:
        lock = _strike_locks[key] = asyncio.Lock()
    async with lock:
        return await _strike_and_tell(rt, inc, c, verdict, p, recall, can_mute=can_mute, exempt=exempt)


# Held while in use only (weak values): one lock per member currently being acted on.
_strike_locks: weakref.WeakValueDictionary[tuple[str, str, str], asyncio.Lock] = weakref.WeakValueDictionary()


async def _strike_and_tell(
    rt: Runtime,
    inc: Incident,
    c: Compiled,
    verdict: Verdict,
    p: Plan,
    recall: Any,
    *,
    can_mute: bool,
    exempt: bool,
) -> Plan:
    if p.strike_weight:
        try:
            before = await store.active_strike_weight(inc.platform, inc.group_id, inc.user_id, inc.at)
        except Exception:  # the database is down: still warn (as a first strike), record nothing
            logger.exception("guard: strike count unavailable")
            before = 0
        p = escalate(p, before, c.ladder, can_mute=can_mute)
    if p.mute_seconds:
        rt.actions.mute(inc.platform, inc.group_id, inc.user_id, p.mute_seconds)
    told = p

    async def tell(recall_error: BaseException | None) -> None:
        """The warning and the owner's note say what really happened to the message."""
        failed = recall_error is not None
        cite = c.preset.cite(verdict.cite_key)
        group = group_name(rt, inc.group_id)
        where = _repeat_where(rt, verdict.primary, inc.group_id)
        file = inc.source == "file"
        within = texts.CARRIERS.get(inc.source, "")
        withdraw = (
            file and inc.platform == "wechat"
        )  # no recall, no group file space: the sender withdraws it
        if told.warn_group:
            text = texts.group_warning(
                verdict,
                told,
                cite=cite,
                expiry_days=c.preset.strike_expiry_days,
                file=file,
                where=where,
                within=within,
                withdraw=withdraw,
                recall_failed=failed,
            )
            rt.actions.send_group(inc.platform, inc.group_id, text, mention=(inc.user_id,))
        elif told.warn_private:
            text = texts.private_reminder(
                verdict, cite=cite, group=group, where=where, exempt=exempt, within=within
            )
            # A reminder is no strike and can wait: command replies and warnings go first.
            rt.actions.send_private(inc.platform, inc.self_id, inc.user_id, text, priority=Priority.BULK)
        if told.notify_owner and told.outcome == "flagged":
            note = texts.flag_note(verdict, cite=cite, group=group, member=inc.member, file=file)
            await notify_owner(rt, inc, c, note)
        elif told.notify_owner:
            note = texts.owner_note(
                verdict,
                told,
                cite=cite,
                group=group,
                member=inc.member,
                expiry_days=c.preset.strike_expiry_days,
                ladder_removal_at=c.ladder.propose_removal_after,
                file=file,
                where=where,
                within=within,
                withdraw=withdraw,
                recall_failed=failed,
            )
            await notify_owner(rt, inc, c, note)

    if recall is not None and (p.warn_group or p.notify_owner) and rt.queue is not None:
        # Said once the recall's outcome is known (milliseconds normally; after the retries, or the
        # reconnect, when it fails), so that 「已被撤回」 is never said of a message still there.
        rt.queue.after(recall, tell)
    else:
        await tell(None)
    _count(p)
    try:
        await _record(rt, inc, c, verdict, p)
    except Exception:  # the actions are queued already; a failed write must not undo them
        logger.exception(f"guard: findings of message {inc.message_id} in {inc.group_id} not stored")
    return p


def _repeat_where(rt: Runtime, finding: Finding, group_id: str) -> str:
    ref = finding.ref
    original = getattr(ref, "group_id", group_id)
    return "本群" if original == group_id else group_name(rt, original)


async def owner_of(rt: Runtime, inc: Incident) -> str | None:
    """The group's owner (from the member list, cached for hours); None when it cannot be found."""
    known, owner = state.cached_owner(inc.platform, inc.group_id)
    if known:
        return owner or _named_owner(rt, inc)
    try:
        members = await rt.registry.for_group(inc.platform, inc.group_id).member_list(inc.group_id)
    except Exception as e:  # a platform error must not stop the rest of the enforcement
        logger.warning(f"guard: member list of {inc.group_id} unavailable: {type(e).__name__}")
        return _named_owner(rt, inc)
    owner = next((m.user_id for m in members if m.role == "owner"), None)
    state.note_owner(inc.platform, inc.group_id, owner)
    return owner or _named_owner(rt, inc)


def _named_owner(rt: Runtime, inc: Incident) -> str | None:
    """WeChat lists carry no roles: the owner stored or named by an operator (config or /规则 群主)."""
    return next(iter(role_book.owners(inc.platform, inc.group_id)), None) or (
        rt.policy.for_group(inc.group_id).owner or None
    )


async def notify_owner(rt: Runtime, inc: Incident, c: Compiled, note: str) -> None:
    """Tell the owner privately; without a known owner, the group's deputies; else the group (on WeChat,
    where no owner is known until an operator names one: the unit's supervisors, else the operators)."""
    owner = await owner_of(rt, inc)
    targets = [owner] if owner else sorted(c.source.deputies)
    if not targets and inc.platform == "wechat":  # no owner known yet: never into the group
        targets = sorted(c.source.supervisors) or sorted(rt.superusers)
    targets = [t for t in targets if t and t != inc.user_id]
    for target in targets:
        rt.actions.send_private(inc.platform, inc.self_id, target, note)
    if not targets:
        rt.actions.send_group(
            inc.platform, inc.group_id, "请群主或管理员关注：" + note.removeprefix("【内容巡查】")
        )


def _count(p: Plan) -> None:
    state.counters.flagged += 1
    state.counters.recalled += int(p.recall)
    state.counters.observed += int(p.outcome == "observed")


async def _record(rt: Runtime, inc: Incident, c: Compiled, verdict: Verdict, p: Plan) -> None:
    rows = [
        store.FindingRow(
            kind=f.kind,
            rule=f.rule,
            cite_key=f.cite_key,
            # Secret markings keep nothing; personal data its masked number; others a word/domain.
            excerpt="" if f.kind in ("secret", "file_secret") else f.excerpt,
            detail=f.detail,
            cited=f is verdict.primary,
        )
        for f in verdict.findings
    ]
    intended = sorted(a.value for a in p.intended)
    ids = await store.record_violation(
        store.Violation(
            platform=inc.platform,
            group_id=inc.group_id,
            user_id=inc.user_id,
            message_id=inc.message_id,
            at=inc.at,
            findings=rows,
            outcome=p.outcome,
            intended=intended,
            done=p.done,
            source=inc.source,
            strike_weight=p.strike_weight,
            strike_kind=verdict.primary.kind,
            strike_expires=inc.at + timedelta(days=c.preset.strike_expiry_days),
        )
    )
    if not p.done:
        return  # nothing was done: the findings table has it; the audit log records actions
    labels = "、".join(dict.fromkeys(kind_label(f.kind) for f in verdict.findings))
    outcome = "（发送人为本群管理人员）" if p.outcome == "exempt" else ""
    done = "、".join(texts_done(p))
    await audit.record(
        f"guard.{p.outcome}",
        platform=inc.platform,
        group_id=inc.group_id,
        target=inc.user_id,
        rule=verdict.primary.kind,
        reason=f"{'上传文件' if inc.source == 'file' else '消息'}含{labels}：{done}{outcome}",
        detail={
            "message_id": inc.message_id,
            "findings": ids,
            "kinds": [f.kind for f in verdict.findings],
            "intended": intended,
            "done": list(p.done),
            "cannot": list(p.cannot),
            "strikes": p.strikes_total,
        },
    )
    if (verdict.serious or verdict.sensitive) and p.outcome != "flagged":
        await _open_case(rt, inc, verdict, labels, done)
    logger.info(
        f"guard {p.outcome} in {inc.group_id} by {inc.user_id}: "
        f"{','.join(f.kind for f in verdict.findings)} → {','.join(p.done) or 'nothing'}"
    )


async def _open_case(rt: Runtime, inc: Incident, verdict: Verdict, labels: str, done: str) -> None:
    """Serious findings, secret markings and personal data open a rectification case (SPEC §9) with
    kunming 第十五条's deadline; idempotent per message, so a redelivered event opens no second one."""
    kind = verdict.primary.kind
    await cases.open_case(
        platform=inc.platform,
        group_id=inc.group_id,
        self_id=inc.self_id,
        kind=kind,
        category=kind_label(kind),
        severity=Severity.SERIOUS if verdict.serious else Severity.GENERAL,
        rule=verdict.cite_key,
        # Never the message text: only what the bot found and did.
        summary=f"{'上传文件' if inc.source == 'file' else '消息'}含{labels}，已{done}",
        user_id=inc.user_id,
        message_id=inc.message_id,
        received_at=inc.at,
        calendar=rt.calendar(inc.group_id),
        source="guard",
        dedup_key=f"guard:{inc.platform}:{inc.group_id}:{inc.source}:{inc.message_id}",
    )


_DONE_LABELS = {
    "recall": "撤回",
    "mute": "禁言",
    "warn": "群内提醒",
    "warn_private": "私聊提醒",
    "notify": "通知群主",
    "propose_removal": "建议群主移出",
}


def texts_done(p: Plan) -> list[str]:
    return [_DONE_LABELS.get(a, a) for a in p.done]


@content_check
async def refuse_prohibited(rt: Runtime, rec: MessageRecord, text: str) -> str | None:
    """Text the bot would post for a member (/通知): refused when the guard would recall it from the
    member. A dry run: the repeat and flood memory are left alone."""
    if not state.loaded:
        await state.load(rt)
    c = state.compiled(rt, rec.group_id)
    msg = GuardInput(text, (), rec.group_id, rec.user_id, rec.message_id, rec.time, c.scope)
    verdict = state.engine.judge(msg, c.cfg, remember=False)
    if verdict is None or not _recall_worthy(verdict):
        return None
    labels = "、".join(dict.fromkeys(kind_label(f.kind) for f in verdict.findings))
    cite = c.preset.cite(verdict.cite_key)
    return f"通知未发布：内容含「{labels}」（{cite}）。请修改后重新发送；机器人不会代为发布本群禁止的内容。"
