"""The admission flow (SPEC §2): join requests, arrivals without a request, /实名, admins' decisions,
departures, the grace-period timers and the card rule.

Every decision is audited with its reason and the roster person's id — never a name or a phone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loguru import logger

from bot.core.crypto import PersonalDataCipher
from bot.core.identity import (
    Candidate,
    CandidateReason,
    JoinTemplate,
    MatchOutcome,
    ParsedComment,
    ParseFailure,
    find_mobile_numbers,
    find_personal_data,
    mask_mobile,
    match_roster,
    parse_join_comment,
)
from bot.dispatch.roles import Role
from bot.dispatch.router import role_book
from bot.gateway.outbound import Priority
from bot.intake.clock import bookkeeping_time
from bot.intake.record import MessageRecord, NoticeRecord, RequestRecord
from bot.models.admission import Admission
from bot.plugins.admission.card import card_matches, expected_card
from bot.plugins.admission.common import (
    get_cipher,
    group_label,
    is_admin,
    join_template,
    local_time,
    note_sender,
    notify_admins,
    platform_label,
    unit_of,
)
from bot.plugins.admission.onboarding import is_onboarding, run_onboarding_step
from bot.polling import PollingLoop
from bot.roster_io import canonical_name
from bot.runtime import Runtime
from bot.store import admission as adm
from bot.store import audit, roster
from bot.store.roster import Person, decrypt

MAX_VERIFY_ATTEMPTS = 5
APPROVED_REQUEST_WINDOW = timedelta(days=7)
CARD_REMINDER_INTERVAL = timedelta(days=1)
TICK_SECONDS = 30.0
_CARD_CACHE_LIMIT = 200_000

_OUTCOME_LABELS = {
    "matched": "花名册中唯一匹配",
    "ambiguous": "花名册中有多位可能的人员",
    "not_found": "花名册中未找到此人",
    "unparsed": "申请备注无法识别",
    "mismatch": "提交的信息与花名册不一致",
}
_STATE_LABELS = {
    "pending": "待审批",
    "approved": "已通过",
    "rejected": "已拒绝",
    "queued": "待邀请实名（现有成员，分批邀请）",
    "unverified": "待实名",
    "reminded": "已提醒",
    "listed": "逾期未实名（已列入巡查）",
    "needs_admin": "待管理员核对",
    "verified": "已实名",
    "removed": "已请出",
    "left": "已退群",
}


def state_label(state: str) -> str:
    return _STATE_LABELS.get(state, state)


def outcome_label(outcome: str) -> str:
    return _OUTCOME_LABELS.get(outcome, outcome)


def _enc(cipher: PersonalDataCipher, value: str | None, context: str) -> str:
    return cipher.encrypt(value, context=context) if value else ""


def claimed_name(cipher: PersonalDataCipher, a: Admission) -> str:
    return cipher.decrypt(a.claimed_name_enc, context="admission.name") if a.claimed_name_enc else ""


def comment_text(cipher: PersonalDataCipher, a: Admission) -> str:
    return cipher.decrypt(a.comment_enc, context="admission.comment") if a.comment_enc else ""


def names_equal(a: str, b: str) -> bool:
    return canonical_name(a).replace("·", "").casefold() == canonical_name(b).replace("·", "").casefold()


def scrub(text: str) -> str:
    """Mask phone, ID-card and bank-card numbers in free text an admin typed (for audit rows)."""
    for m in sorted(find_personal_data(text), key=lambda m: -m.start):
        text = text[: m.start] + m.masked + text[m.end :]
    return text


async def _people(unit: str, cipher: PersonalDataCipher) -> list[Person]:
    return [decrypt(p, cipher) for p in await roster.list_people(unit)]


def candidate_lines(cands: Sequence[Candidate], people: dict[int, Person]) -> list[str]:
    """Roster candidates for an admin, unmasked (private chat only)."""
    out = []
    for i, c in enumerate(cands, start=1):
        p = people.get(int(c.entry.id))
        if p is not None:
            out.append(f"  {i}) 花名册{p.line(masked=False)} —— {c.reason.label}")
    return out


# ---------------------------------------------------------------- join requests


async def on_request_record(rec: RequestRecord, rt: Runtime) -> None:
    if rec.kind == "group_invite":
        await _bot_invited(rec, rt)
        return
    cipher = get_cipher(rt)
    if cipher is None:
        return
    await handle_join_request(rec, rt, cipher)


async def _bot_invited(rec: RequestRecord, rt: Runtime) -> None:
    """SPEC §2: the bot accepts invitations into a group only from operators or known owners."""
    owner = any(r >= Role.OWNER for r in role_book.managed_groups(rec.platform, rec.user_id).values())
    ok = rec.user_id in rt.superusers or owner
    reason = "" if ok else "机器人只接受运维人员或已知群主的邀请，请联系运维人员"
    rt.actions.answer_join_request(rec.platform, rec.group_id, rec.flag, "invite", ok, reason)
    await audit.record(
        "admission.bot_invite",
        platform=rec.platform,
        group_id=rec.group_id,
        target=rec.user_id,
        reason="接受运维人员或群主的邀请" if ok else "邀请人不是运维人员或已知群主，已拒绝",
    )


@dataclass
class _Decision:
    state: str  # approved | rejected | pending
    outcome: str
    reason: str
    person_id: int | None = None
    candidates: tuple[Candidate, ...] = ()
    notes: tuple[str, ...] = ()


def decide(parsed: ParsedComment, people: Sequence[Person], *, confirm_each_entry: bool) -> _Decision:
    """What to do with a join request, given the parse of its comment and the unit's roster (pure)."""
    if not parsed.ok and parsed.failure is ParseFailure.NO_DEPT and parsed.name:
        # A name without a department is readable: the admins decide, with the roster's namesakes.
        by_name = match_roster(ParsedComment(parsed.name, None), [p.entry() for p in people if p.active])
        ids = "、".join(f"#{c.entry.id}" for c in by_name.candidates)
        outcome = "ambiguous" if by_name.candidates else "not_found"
        reason = "申请备注只有姓名、没有科室" + (f"（花名册候选 {ids}）" if ids else "（花名册中无同名人员）")
        return _Decision("pending", outcome, reason + "，转管理员审批", None, by_name.candidates)
    if not parsed.ok:
        assert parsed.failure is not None
        return _Decision("rejected", "unparsed", f"申请备注无法识别：{parsed.failure.reason}")
    active = [p for p in people if p.active]
    match = match_roster(parsed, [p.entry() for p in active])
    notes: list[str] = []
    inactive_same = [
        p for p in people if not p.active and any(names_equal(p.name, r.name) for r in parsed.readings)
    ]
    for p in inactive_same:
        notes.append(f"花名册中有同名人员 #{p.id}（{p.dept}），状态为「{p.status}」")
    if match.outcome is MatchOutcome.MATCHED:
        assert match.entry is not None
        pid = int(match.entry.id)
        if confirm_each_entry:
            return _Decision(
                "pending",
                "matched",
                f"花名册唯一匹配（人员 #{pid}）；本群要求管理员逐一确认入群",
                pid,
                match.candidates,
                tuple(notes),
            )
        return _Decision("approved", "matched", f"花名册唯一匹配（人员 #{pid}）", pid, (), tuple(notes))
    outcome = "ambiguous" if match.outcome is MatchOutcome.AMBIGUOUS else "not_found"
    ids = "、".join(f"#{c.entry.id}" for c in match.candidates)
    reason = outcome_label(outcome) + (f"（候选 {ids}）" if ids else "") + "，转管理员审批"
    return _Decision("pending", outcome, reason, None, match.candidates, tuple(notes))


async def handle_join_request(
    rec: RequestRecord, rt: Runtime, cipher: PersonalDataCipher
) -> Admission | None:
    preset = rt.policy.for_group(rec.group_id).preset
    unit = unit_of(rt, rec.group_id)
    people = await _people(unit, cipher)
    parsed = parse_join_comment(rec.comment, join_template(preset), known_depts={p.dept for p in people})
    d = decide(parsed, people, confirm_each_entry=preset.confirm_each_entry)
    invited_by_member = bool(rec.invitor_id) and not await is_admin(
        rt, rec.platform, rec.group_id, rec.invitor_id
    )
    now = rec.time
    row = await adm.create(
        Admission(
            dedup_key=f"request:{rec.platform}:{rec.self_id}:{rec.flag}"[:200],
            kind="request",
            platform=rec.platform,
            self_id=rec.self_id,
            group_id=rec.group_id,
            user_id=rec.user_id,
            flag=rec.flag,
            invitor_id=rec.invitor_id,
            invited_by_member=invited_by_member,
            comment_enc=_enc(cipher, rec.comment, "admission.comment"),
            claimed_name_enc=_enc(cipher, parsed.name, "admission.name"),
            claimed_dept=(parsed.dept or "")[:100],
            outcome=d.outcome,
            candidates=",".join(c.entry.id for c in d.candidates)[:200],
            person_id=d.person_id,
            state=d.state,
            reason=d.reason,
            decided_by="" if d.state == "pending" else "bot",
            decided_at=None if d.state == "pending" else now,
            created_at=now,
            updated_at=now,
        )
    )
    if row is None:
        logger.info(f"admission: join request {rec.flag} in {rec.group_id} seen before, skipped")
        return None
    detail = {
        "admission": row.id,
        "outcome": d.outcome,
        "person": d.person_id,
        "candidates": [int(c.entry.id) for c in d.candidates],
    }
    if rec.invitor_id:
        detail.update(invitor=rec.invitor_id, invited_by_member=invited_by_member)
    if d.state == "approved":
        rt.actions.answer_join_request(rec.platform, rec.group_id, rec.flag, "add", True)
    elif d.state == "rejected":
        assert parsed.message is not None
        rt.actions.answer_join_request(rec.platform, rec.group_id, rec.flag, "add", False, parsed.message)
    await audit.record(
        {"approved": "admission.approve", "rejected": "admission.reject"}.get(d.state, "admission.queue"),
        platform=rec.platform,
        group_id=rec.group_id,
        target=rec.user_id,
        rule="admission",
        reason=d.reason,
        detail=detail,
        at=now,
    )
    if invited_by_member:
        await audit.record(
            "admission.invited_by_member",
            platform=rec.platform,
            group_id=rec.group_id,
            actor=rec.invitor_id,
            target=rec.user_id,
            rule="real_name",
            reason="非管理员成员邀请他人入群",
            detail={"admission": row.id},
            at=now,
        )
    if d.state == "pending" or invited_by_member:
        by_id = {p.id: p for p in people}
        await notify_admins(
            rt, rec.platform, rec.self_id, rec.group_id, _request_notice(rt, row, rec, parsed, d, by_id)
        )
    return row


def _request_notice(
    rt: Runtime,
    row: Admission,
    rec: RequestRecord,
    parsed: ParsedComment,
    d: _Decision,
    people: dict[int, Person],
) -> str:
    preset = rt.policy.for_group(rec.group_id).preset
    head = "入群待审批" if d.state == "pending" else "入群申请提醒"
    lines = [
        f"【{head} #{row.id}】{group_label(rt, rec.group_id)}",
        f"申请人：{platform_label(rec.platform)} {rec.user_id}",
        f"申请备注：{rec.comment[:120] or '（空）'}",
    ]
    if parsed.name:
        lines.append(
            f"识别结果：姓名 {parsed.name}，{'科室 ' + parsed.dept if parsed.dept else '未填写科室'}"
        )
    matched = people.get(d.person_id) if d.person_id is not None else None
    if d.state == "approved":
        lines.append(f"已自动通过：花名册唯一匹配 {matched.line(masked=False) if matched else ''}".rstrip())
    else:
        lines.append(f"判断：{d.reason}")
        if matched is not None:
            lines.append(f"  花名册{matched.line(masked=False)}")
        lines.extend(candidate_lines(d.candidates, people))
    lines.extend(f"注意：{n}" for n in d.notes)
    if row.invited_by_member:
        lines.append(
            f"⚠ 此人由群成员 {rec.invitor_id} 邀请，该成员不是管理员。"
            f"{preset.cite('real_name')}，群成员不得擅自邀请人员入群。"
        )
    if d.state == "pending":
        if matched is not None:
            hint = f"通过：/审批 通过 {row.id}"
        elif d.candidates:
            hint = (
                f"通过：/审批 通过 {row.id} 花名册编号（如 /审批 通过 {row.id} {d.candidates[0].entry.id}）"
            )
        else:
            hint = f"通过：/审批 通过 {row.id} 无（此人不在花名册中）"
        lines.append(f"{hint}\n拒绝：/审批 拒绝 {row.id} 理由")
    return "\n".join(lines)


# ---------------------------------------------------------------- notices: arrivals and departures


async def on_notice_record(rec: NoticeRecord, rt: Runtime) -> None:
    if rec.kind == "member_join":
        await member_joined(rec, rt)
    elif rec.kind in ("member_leave", "member_kicked"):
        await member_left(rec, rt, reason=rec.kind.removeprefix("member_"))
    elif rec.kind in ("bot_kicked", "group_disbanded"):
        await member_left(rec, rt, reason=rec.kind, whole_group=True)


async def member_joined(rec: NoticeRecord, rt: Runtime) -> None:
    if rec.user_id == rec.self_id or not rec.user_id:
        return
    cipher = get_cipher(rt)
    if cipher is None:
        return
    now = bookkeeping_time(rec)  # the grace never starts in the past (clock sanity)
    platform, gid, uid = rec.platform, rec.group_id, rec.user_id
    if await adm.open_binding(platform, gid, uid) is not None:
        return  # the same notice twice
    req = await adm.latest_approved_request(platform, gid, uid, since=now - APPROVED_REQUEST_WINDOW)
    if req is not None:
        await _bind(rt, platform, gid, uid, req.person_id, "request", req.decided_by or "bot", now, req.id)
        return
    for a in await adm.open_for_member(platform, gid, uid):
        if a.kind != "request" or a.id is None:
            continue
        # Approved in the QQ client by an admin while it waited here.
        by = rec.operator_id or "platform"
        if await adm.transition(
            a.id,
            ("pending",),
            "approved",
            now=now,
            decided_by=by,
            decided_at=now,
            reason="管理员在客户端中直接同意了入群申请",
        ):
            await audit.record(
                "admission.approve",
                actor=by,
                platform=platform,
                group_id=gid,
                target=uid,
                rule="admission",
                reason="管理员在客户端中直接同意了入群申请",
                detail={"admission": a.id, "person": a.person_id},
                at=now,
            )
            if a.person_id is not None:
                await _bind(rt, platform, gid, uid, a.person_id, "request", by, now, a.id)
                return
    unit = unit_of(rt, gid)
    known = await roster.find_by_account(unit, platform, uid, cipher)
    if known is not None and decrypt(known, cipher).active:
        await _bind(rt, platform, gid, uid, known.id, "account", "bot", now, None)
        return
    await _ask_to_verify(rec, rt, now)


async def _bind(
    rt: Runtime,
    platform: str,
    gid: str,
    uid: str,
    person_id: int | None,
    method: str,
    by: str,
    now: datetime,
    admission_id: int | None,
) -> None:
    await adm.bind(platform, gid, uid, person_id, method=method, by=by, now=now)
    forget_card(platform, gid, uid)
    how = {
        "request": "经入群申请审核",
        "account": "花名册登记了该账号",
        "verify": "成员私聊 /实名 核对一致",
        "admin": "管理员确认",
    }.get(method, method)
    await audit.record(
        "admission.bind",
        actor=by,
        platform=platform,
        group_id=gid,
        target=uid,
        rule="admission",
        reason=f"身份绑定：{how}" + (f"（花名册人员 #{person_id}）" if person_id else "（未关联花名册）"),
        detail={"admission": admission_id, "person": person_id, "method": method},
        at=now,
    )


VERIFY_HOWTO = "请私聊我发送「/实名 姓名 科室 手机号」完成实名认证（例如：/实名 张三 办公室 13800000000）"


async def _ask_to_verify(rec: NoticeRecord, rt: Runtime, now: datetime) -> None:
    platform, gid, uid = rec.platform, rec.group_id, rec.user_id
    preset = rt.policy.for_group(gid).preset
    due = rt.calendar(gid).add_working_hours(now, preset.verify_grace_hours).astimezone(UTC)
    invited_by_member = (
        rec.sub_type == "invite"
        and bool(rec.operator_id)
        and rec.operator_id != uid
        and not await is_admin(rt, platform, gid, rec.operator_id)
    )
    row = await adm.create(
        Admission(
            dedup_key=f"arrival:{platform}:{gid}:{uid}:{int(now.timestamp())}",
            kind="arrival",
            platform=platform,
            self_id=rec.self_id,
            group_id=gid,
            user_id=uid,
            invitor_id=rec.operator_id,
            invited_by_member=invited_by_member,
            state="unverified",
            due_at=due,
            reason=f"未经入群申请加入（{rec.sub_type or '未知方式'}），请其实名认证",
            created_at=now,
            updated_at=now,
        )
    )
    if row is None:
        return
    howto = VERIFY_HOWTO
    rt.actions.send_group(
        platform,
        gid,
        f"欢迎加入本群。{preset.cite('admission')}，群成员须进行真实身份认证。"
        f"{howto}，请在 {local_time(due)} 前完成。",
        mention=(uid,),
    )
    rt.actions.send_private(
        platform,
        rec.self_id,
        uid,
        f"您好，您已加入{group_label(rt, gid)}。{preset.cite('admission')}，群成员须进行真实身份认证"
        "（后台实名，您的信息加密保存，仅群管理员可见）。\n"
        f"{howto}，请在 {local_time(due)} 前完成。",
    )
    await audit.record(
        "admission.ask_verify",
        platform=platform,
        group_id=gid,
        target=uid,
        rule="admission",
        reason=f"未经入群申请加入，已请其实名认证，期限 {local_time(due)}",
        detail={"admission": row.id, "sub_type": rec.sub_type, "operator": rec.operator_id},
        at=now,
    )
    if invited_by_member:
        await audit.record(
            "admission.invited_by_member",
            actor=rec.operator_id,
            platform=platform,
            group_id=gid,
            target=uid,
            rule="real_name",
            reason="非管理员成员邀请他人入群",
            detail={"admission": row.id},
            at=now,
        )
        await notify_admins(
            rt,
            platform,
            rec.self_id,
            gid,
            f"【邀请入群提醒 #{row.id}】{group_label(rt, gid)}\n"
            f"群成员 {rec.operator_id}（非管理员）邀请 {platform_label(platform)} {uid} 加入了本群。"
            f"{preset.cite('real_name')}，群成员不得擅自邀请人员入群。\n"
            f"已请新成员私聊完成实名认证，期限 {local_time(due)}。"
            f"如需直接移出：/审批 拒绝 {row.id} 理由；确认其身份：/审批 通过 {row.id} 花名册编号",
        )


async def member_left(rec: NoticeRecord, rt: Runtime, *, reason: str, whole_group: bool = False) -> None:
    user = None if whole_group else rec.user_id
    closed = await adm.close_bindings(rec.platform, rec.group_id, user, reason=reason, now=rec.time)
    if user:
        forget_card(rec.platform, rec.group_id, user)
    if closed:
        await audit.record(
            "admission.unbind",
            platform=rec.platform,
            group_id=rec.group_id,
            target=user or "",
            rule="admission",
            reason={"leave": "成员退群", "kicked": "成员被移出", "bot_kicked": "机器人被移出本群"}.get(
                reason, "群已解散"
            )
            + f"，关闭身份绑定 {closed} 条",
            at=rec.time,
        )


# ---------------------------------------------------------------- timers (grace periods)


async def run_due(rt: Runtime, now: datetime) -> int:
    """Act on every arrival whose grace period has passed: remind, then remove or list. Each step is
    claimed with one conditional UPDATE, so several processes never act twice. Returns the steps done."""
    done = 0
    invited: dict[tuple[str, str], int] = {}  # onboarding invitations sent per group in this pass
    for a in await adm.due(now):
        assert a.id is not None
        preset = rt.policy.for_group(a.group_id).preset
        if is_onboarding(a):
            if a.state == "queued":
                # At most one batch per group per pass, even when several slots are past (the bot was
                # down, or busy): bulk private messages trigger the platform's risk control.
                key = (a.platform, a.group_id)
                if invited.get(key, 0) >= preset.onboarding_batch:
                    continue
                invited[key] = invited.get(key, 0) + 1
            done += await run_onboarding_step(rt, a, now)
        elif a.state == "unverified":
            due = rt.calendar(a.group_id).add_working_hours(now, preset.verify_reminder_hours).astimezone(UTC)
            if await adm.transition(a.id, ("unverified",), "reminded", now=now, due_at=due):
                done += 1
                await _remind(rt, a, due, remove=preset.remove_unverified)
        elif a.state == "reminded":
            if preset.remove_unverified:
                reason = "逾期未完成实名认证，依据请出制移出本群"
                decided: dict[str, Any] = {"decided_by": "bot", "decided_at": now, "reason": reason}
                if await adm.transition(a.id, ("reminded",), "removed", now=now, due_at=None, **decided):
                    done += 1
                    await _remove(rt, a, now, reason)
            else:
                reason = "逾期未完成实名认证，列入每周巡查"
                if await adm.transition(a.id, ("reminded",), "listed", now=now, due_at=None, reason=reason):
                    done += 1
                    await audit.record(
                        "admission.listed",
                        platform=a.platform,
                        group_id=a.group_id,
                        target=a.user_id,
                        rule="weekly_review",
                        reason="逾期未完成实名认证，列入每周巡查名单",
                        detail={"admission": a.id},
                        at=now,
                    )
                    await notify_admins(
                        rt,
                        a.platform,
                        a.self_id,
                        a.group_id,
                        f"【逾期未实名 #{a.id}】{group_label(rt, a.group_id)} 的成员 {a.user_id} "
                        "提醒后仍未完成实名认证，已列入每周巡查名单。"
                        f"确认其身份：/审批 通过 {a.id} 花名册编号；移出：/审批 拒绝 {a.id} 理由",
                    )
    return done


async def _remind(rt: Runtime, a: Admission, due: datetime, *, remove: bool) -> None:
    preset = rt.policy.for_group(a.group_id).preset
    then = (
        f"逾期将被请出本群（{preset.cite('real_name')}）"
        if remove
        else "逾期将列入每周巡查名单，由管理员处理"
    )
    howto = VERIFY_HOWTO
    rt.actions.send_group(
        a.platform,
        a.group_id,
        f"提醒：您尚未完成实名认证。{howto}，请在 {local_time(due)} 前完成，{then}。",
        mention=(a.user_id,),
        priority=Priority.BULK,
    )
    rt.actions.send_private(
        a.platform,
        a.self_id,
        a.user_id,
        f"提醒：您在{group_label(rt, a.group_id)}尚未完成实名认证。{howto}，"
        f"请在 {local_time(due)} 前完成，{then}。",
        priority=Priority.BULK,
    )
    await audit.record(
        "admission.remind",
        platform=a.platform,
        group_id=a.group_id,
        target=a.user_id,
        rule="admission",
        reason=f"实名认证期限已过，已提醒；新期限 {local_time(due)}",
        detail={"admission": a.id},
    )


async def _remove(rt: Runtime, a: Admission, now: datetime, reason: str) -> None:
    preset = rt.policy.for_group(a.group_id).preset
    rt.actions.send_group(
        a.platform,
        a.group_id,
        f"{preset.cite('real_name')}（实名制和请出制），成员 {a.user_id} 未在期限内完成实名认证，现请出本群。"
        "如确属本单位人员，请联系管理员后重新申请入群。",
        priority=Priority.BULK,
    )
    rt.actions.kick(a.platform, a.group_id, a.user_id)
    await audit.record(
        "admission.remove",
        platform=a.platform,
        group_id=a.group_id,
        target=a.user_id,
        rule="real_name",
        reason=reason,
        detail={"admission": a.id},
        at=now,
    )


class TimerLoop(PollingLoop):
    """Polls the database for due grace periods; started on driver start-up, stopped on shutdown.
    Due times live in the database, so a restart loses nothing: the next tick picks them up."""

    name = "admission-timers"

    def __init__(self, interval: float = TICK_SECONDS) -> None:
        super().__init__(interval)
        self._rt_getter: Callable[[], Runtime] | None = None

    def start(self, rt_getter: Callable[[], Runtime] | None = None) -> None:  # type: ignore[override]
        if rt_getter is not None:
            self._rt_getter = rt_getter
        super().start()

    async def tick(self) -> None:
        assert self._rt_getter is not None, "TimerLoop.start(rt_getter) first"
        await run_due(self._rt_getter(), datetime.now(UTC))


# ---------------------------------------------------------------- /实名


@dataclass(frozen=True)
class VerifyResult:
    group_id: str
    ok: bool
    text: str


async def verify_member(
    rt: Runtime,
    platform: str,
    self_id: str,
    user_id: str,
    text: str,
    now: datetime,
    cipher: PersonalDataCipher,
) -> list[VerifyResult] | None:
    """Check a member's /实名 against the roster of every group where they still have to identify.

    None when nothing is open for them. Raises ValueError with a message for the member when the text
    lacks a mobile number or a name.
    """
    opens = await adm.open_arrivals_of_user(platform, user_id)
    if not opens:
        return None
    phones = find_mobile_numbers(text)
    if not phones:
        raise ValueError("请同时提供花名册中登记的手机号，用于核对身份（仅用于核对，加密保存，不会公开）。")
    phone = phones[0].value
    rest = text
    for m in sorted(phones, key=lambda m: -m.start):
        rest = rest[: m.start] + " " + rest[m.end :]
    parsed = parse_join_comment(rest, JoinTemplate(require_dept=False))
    if parsed.name is None:
        raise ValueError("未能识别您的姓名。")
    results: list[VerifyResult] = []
    for a in opens:
        assert a.id is not None
        label = group_label(rt, a.group_id)
        if a.attempts >= MAX_VERIFY_ATTEMPTS:
            results.append(VerifyResult(a.group_id, False, f"{label}：核对次数已达上限，请联系群管理员。"))
            continue
        unit = unit_of(rt, a.group_id)
        found = await roster.find_by_phone(unit, phone, cipher)
        person = decrypt(found, cipher) if found is not None else None
        if person is not None and person.active and names_equal(person.name, parsed.name):
            if await adm.transition(
                a.id,
                adm.ARRIVAL_OPEN,
                "verified",
                now=now,
                person_id=person.id,
                due_at=None,
                outcome="matched",
                decided_by="bot",
                decided_at=now,
                reason=f"成员私聊 /实名，与花名册人员 #{person.id} 一致",
            ):
                await _bind(rt, platform, a.group_id, user_id, person.id, "verify", "bot", now, a.id)
                results.append(VerifyResult(a.group_id, True, f"{label}：实名认证已完成，谢谢配合。"))
            continue
        if person is None:
            why = "手机号不在花名册中"
        elif not person.active:
            why = f"花名册中该人员状态为「{person.status}」"
        else:
            why = "姓名与花名册中该手机号的登记不一致"
        people = await _people(unit, cipher)
        match = match_roster(parsed, [p.entry() for p in people if p.active])
        cands = match.candidates
        if match.entry is not None:  # name and department agree with someone; the phone did not
            cands = (Candidate(match.entry, CandidateReason.SAME_NAME_SAME_DEPT), *cands)
        first_time = a.state != "needs_admin"
        await adm.transition(
            a.id,
            adm.ARRIVAL_OPEN,
            "needs_admin",
            now=now,
            due_at=None,
            attempts=a.attempts + 1,
            outcome="mismatch",
            claimed_name_enc=_enc(cipher, parsed.name, "admission.name"),
            claimed_dept=(parsed.dept or "")[:100],
            candidates=",".join(c.entry.id for c in cands)[:200],
            reason=f"/实名 与花名册不一致：{why}",
        )
        await audit.record(
            "admission.verify_mismatch",
            platform=platform,
            group_id=a.group_id,
            target=user_id,
            rule="admission",
            reason=f"/实名 与花名册不一致：{why}，转管理员核对",
            detail={"admission": a.id, "attempt": a.attempts + 1},
            at=now,
        )
        if first_time:
            by_id = {p.id: p for p in people}
            dept_part = f"科室 {parsed.dept}，" if parsed.dept else ""
            lines = [
                f"【实名待核对 #{a.id}】{group_label(rt, a.group_id)}",
                f"成员：{platform_label(platform)} {user_id}",
                f"提交：姓名 {parsed.name}，{dept_part}手机 {mask_mobile(phone)}",
                f"判断：{why}",
                *candidate_lines(cands, by_id),
                f"确认：/审批 通过 {a.id} 花名册编号\n移出：/审批 拒绝 {a.id} 理由",
            ]
            await notify_admins(rt, platform, a.self_id, a.group_id, "\n".join(lines))
        results.append(
            VerifyResult(
                a.group_id, False, f"{label}：您提供的信息与花名册不一致，已转交管理员核对，请耐心等待。"
            )
        )
    return results


# ---------------------------------------------------------------- admins' decisions


async def approve(rt: Runtime, a: Admission, person: Person | None, *, by: str, now: datetime) -> bool:
    """An admin lets the request in, or confirms an arrival's identity. False if already decided."""
    assert a.id is not None
    pid = person.id if person else None
    ref = f"花名册人员 #{pid}" if pid else "未关联花名册"
    if a.kind == "request":
        reason = f"管理员审批通过（{ref}）"
        if not await adm.transition(
            a.id,
            ("pending",),
            "approved",
            now=now,
            person_id=pid,
            decided_by=by,
            decided_at=now,
            reason=reason,
        ):
            return False
        rt.actions.answer_join_request(a.platform, a.group_id, a.flag, "add", True)
        action = "admission.approve"
    else:
        reason = f"管理员确认身份（{ref}）"
        decided: dict[str, Any] = {"decided_by": by, "decided_at": now, "reason": reason}
        if not await adm.transition(
            a.id, adm.ARRIVAL_OPEN, "verified", now=now, person_id=pid, due_at=None, **decided
        ):
            return False
        await _bind(rt, a.platform, a.group_id, a.user_id, pid, "admin", by, now, a.id)
        action = "admission.confirm"
    await audit.record(
        action,
        actor=by,
        platform=a.platform,
        group_id=a.group_id,
        target=a.user_id,
        rule="admission",
        reason=reason,
        detail={"admission": a.id, "person": pid},
        at=now,
    )
    return True


async def reject(rt: Runtime, a: Admission, reason: str, *, by: str, now: datetime) -> bool:
    """An admin turns the request down, or removes an arrival who could not be identified."""
    assert a.id is not None
    safe = scrub(reason)
    if a.kind == "request":
        if not await adm.transition(
            a.id,
            ("pending",),
            "rejected",
            now=now,
            decided_by=by,
            decided_at=now,
            reason=f"管理员拒绝：{safe}",
        ):
            return False
        rt.actions.answer_join_request(a.platform, a.group_id, a.flag, "add", False, reason)
        action = "admission.reject"
    else:
        decided: dict[str, Any] = {"decided_by": by, "decided_at": now, "reason": f"管理员移出：{safe}"}
        if not await adm.transition(a.id, adm.ARRIVAL_OPEN, "removed", now=now, due_at=None, **decided):
            return False
        rt.actions.kick(a.platform, a.group_id, a.user_id)
        action = "admission.remove"
    await audit.record(
        action,
        actor=by,
        platform=a.platform,
        group_id=a.group_id,
        target=a.user_id,
        rule="admission",
        reason=f"管理员{'拒绝入群申请' if a.kind == 'request' else '移出未实名成员'}：{safe}",
        detail={"admission": a.id},
        at=now,
    )
    return True


# ---------------------------------------------------------------- card rule

_card_seen: dict[tuple[str, str, str], str] = {}


def forget_card(platform: str, group_id: str, user_id: str) -> None:
    _card_seen.pop((platform, group_id, user_id), None)


async def watch_group_message(rec: MessageRecord, rt: Runtime) -> None:
    """Every group message: note admins; where the preset asks, check the card once per card seen."""
    note_sender(rec)
    if not rec.sender_role:  # no card information (OneBot v12)
        return
    preset = rt.policy.for_group(rec.group_id).preset
    if not preset.card_must_be_real_name:
        return
    key = (rec.platform, rec.group_id, rec.user_id)
    if _card_seen.get(key) == rec.card:
        return
    if len(_card_seen) >= _CARD_CACHE_LIMIT:
        _card_seen.clear()
    _card_seen[key] = rec.card
    cipher = get_cipher(rt)
    if cipher is None:
        return
    b = await adm.open_binding(rec.platform, rec.group_id, rec.user_id)
    if b is None or b.person_id is None or b.id is None:
        return
    found = await roster.get_person(b.person_id)
    if found is None:
        return
    person = decrypt(found, cipher)
    if card_matches(rec.card or rec.nickname, person.name, person.dept, preset.card_pattern):
        if b.card_mismatch_since is not None:
            await adm.set_card_state(b.id, mismatch_since=None)
        return
    now = rec.time
    remind = b.card_reminded_at is None or now - b.card_reminded_at >= CARD_REMINDER_INTERVAL
    await adm.set_card_state(
        b.id, mismatch_since=b.card_mismatch_since or now, reminded_at=now if remind else None
    )
    if remind:
        want = expected_card(person.name, person.dept, preset.card_pattern)
        rt.actions.send_private(
            rec.platform,
            rec.self_id,
            rec.user_id,
            f"您好，{preset.cite('real_name')}，{group_label(rt, rec.group_id)}要求群名片使用实名，"
            f"格式为「{expected_card('姓名', '科室', preset.card_pattern)}」。"
            f"请将您在本群的群名片改为「{want}」。谢谢配合。",
        )
        await audit.record(
            "admission.card_reminder",
            platform=rec.platform,
            group_id=rec.group_id,
            target=rec.user_id,
            rule="real_name",
            reason="群名片未按实名格式填写，已私聊提醒",
            detail={"person": b.person_id},
            at=now,
        )


__all__ = [
    "MAX_VERIFY_ATTEMPTS",
    "TimerLoop",
    "VerifyResult",
    "approve",
    "decide",
    "handle_join_request",
    "member_joined",
    "member_left",
    "on_notice_record",
    "on_request_record",
    "reject",
    "run_due",
    "verify_member",
    "watch_group_message",
]
