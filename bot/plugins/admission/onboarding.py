"""Day one in a group (SPEC §2 "existing members", §3 observe-only, §8 roles from the platform).

First sight of a group — the bot joins, the group's first event, or the start-up sync — inserts one
``steward_group_sight`` row (``bot.store.sight``); the day-one loop then claims it (one process), fetches
the member list once through the paced queue, remembers its owner / admin roles, and onboards the
existing members with :func:`onboard_members`:

* roster entries whose QQ / WeChat column holds a member's account bind at once (audited);
* everyone else gets one group announcement citing the group's own 实名 clause, then a private
  invitation to ``/实名`` in small batches at a safe pace inside working hours (``arrival`` admissions
  with ``flag = "onboarding"``, state ``queued`` until their slot), ``onboarding_grace_days`` working
  days to verify, one reminder, then ``listed`` for the weekly review (proposed for removal only where
  the preset has 请出制); nobody is removed by the campaign itself;
* the bot, operators, supervisors, deputies, leaders, owner and admins are never invited.

A group never seen before also starts in observe-only mode for ``observe_days`` days; its owner is told
once, privately. :func:`onboard_members` is the entry point for any other source of member lists (e.g.
a periodic WeChat member-list diff: its first diff of a group is that group's onboarding).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from loguru import logger

from bot.core.onboarding import MemberFacts, decide, invitation_slots
from bot.dispatch import rolestore
from bot.dispatch.roles import Role, role_book
from bot.gateway.base import Member
from bot.gateway.outbound import Priority
from bot.intake.record import MessageRecord, NoticeRecord
from bot.models.admission import Admission
from bot.plugins.admission.common import get_cipher, group_label, local_time, unit_of
from bot.polling import PollingLoop
from bot.runtime import Runtime
from bot.store import admission as adm
from bot.store import audit, roster, sight
from bot.store import review as review_store
from bot.store.roster import decrypt

WORKER = f"{socket.gethostname()[:40]}:{os.getpid()}"
TICK_SECONDS = 30.0
STALE_CLAIM = timedelta(minutes=10)
MEMBER_LIST_ATTEMPTS = 3
MEMBER_LIST_TIMEOUT = 15.0
ONBOARDING_FLAG = "onboarding"
VERIFY_HOWTO = "请私聊我发送「/实名 姓名 科室 手机号」完成实名认证（例如：/实名 张三 办公室 13800000000）"


def is_onboarding(a: Admission) -> bool:
    return a.kind == "arrival" and a.flag == ONBOARDING_FLAG


@dataclass(frozen=True, slots=True)
class OnboardResult:
    members: int
    skipped: int
    known: int
    bound: int
    invited: int
    first_invitation: datetime | None = None
    last_invitation: datetime | None = None


def _member_role(platform: str, group_id: str, m: Member) -> str:
    if m.role in ("owner", "admin"):
        return m.role
    role = role_book.role_in(platform, group_id, m.user_id)
    return "owner" if role is Role.OWNER else "admin" if role is Role.ADMIN else "member"


async def onboard_members(
    rt: Runtime,
    platform: str,
    group_id: str,
    members: Sequence[Member],
    *,
    self_id: str,
    now: datetime,
    announce: bool = True,
) -> OnboardResult:
    """Bind, invite or leave alone each member of ``members`` (see the module's docstring).

    Idempotent: members already bound or already asked (an open admission) are left as they are, so
    calling it again with a longer list (a member-list diff) invites only the new ones.
    """
    gp = rt.policy.for_group(group_id)
    preset = gp.preset
    cipher = get_cipher(rt)
    facts = [MemberFacts(m.user_id, _member_role(platform, group_id, m)) for m in members]
    if cipher is None or not preset.onboarding:
        skipped = sum(1 for f in facts if f.user_id == self_id or f.role in ("owner", "admin"))
        return OnboardResult(len(facts), skipped, len(facts) - skipped, 0, 0)
    bound = set(await review_store.open_bindings(platform, group_id))
    asked = {
        a.user_id for a in await adm.pending(platform=platform, group_ids=[group_id]) if a.kind == "arrival"
    }
    unit = unit_of(rt, group_id)
    accounts: dict[str, int] = {}
    for f in facts:
        if f.user_id in bound or f.user_id in asked or f.role in ("owner", "admin") or f.user_id == self_id:
            continue
        person = await roster.find_by_account(unit, platform, f.user_id, cipher)
        if person is not None and person.id is not None and decrypt(person, cipher).active:
            accounts[f.user_id] = person.id
    d = decide(
        facts,
        self_id=self_id,
        # named by the operator already: operators, the unit's supervisors, deputies, leaders
        operators=set(rt.superusers) | set(gp.supervisors) | set(gp.deputies) | set(gp.leaders),
        bound=bound,
        open_admissions=asked,
        roster_accounts=accounts,
    )
    for uid, person_id in d.bind.items():
        await adm.bind(platform, group_id, uid, person_id, method="account", by="bot", now=now)
        await audit.record(
            "admission.bind",
            actor="bot",
            platform=platform,
            group_id=group_id,
            target=uid,
            rule="admission",
            reason=f"身份绑定：花名册的账号列登记了该账号（入群前已在群内，花名册人员 #{person_id}）",
            detail={"person": person_id, "method": "account", "source": "roster_column"},
            at=now,
        )
    cal = rt.calendar(group_id)
    slots = invitation_slots(
        len(d.invite),
        now,
        batch=preset.onboarding_batch,
        pace=timedelta(minutes=preset.onboarding_pace_minutes),
        next_open=cal.next_working_start if preset.onboarding_working_hours_only else (lambda t: t),
    )
    invited = 0
    for uid, at in zip(d.invite, slots, strict=True):
        row = await adm.create(
            Admission(
                dedup_key=f"onboard:{platform}:{group_id}:{uid}",
                kind="arrival",
                platform=platform,
                self_id=self_id,
                group_id=group_id,
                user_id=uid,
                flag=ONBOARDING_FLAG,
                state="queued",
                due_at=at.astimezone(UTC),
                reason="机器人入群前已在群内，按批次邀请其实名认证",
                created_at=now,
                updated_at=now,
            )
        )
        invited += row is not None
    if invited and announce:
        grace = preset.onboarding_grace_days
        rt.actions.send_group(
            platform,
            group_id,
            f"各位同事好，本群已启用工作群管家。{preset.cite('admission')}，群成员须进行真实身份认证"
            "（后台实名，您的信息加密保存，仅群管理员可见）。"
            + (f"花名册中登记了账号的 {len(d.bind)} 位同事已自动完成认证；" if d.bind else "")
            + f"其余同事将陆续收到我的私聊邀请，请在收到邀请后 {grace} 个工作日内完成。{VERIFY_HOWTO}。",
            priority=Priority.BULK,
        )
    await audit.record(
        "onboarding.start",
        actor="bot",
        platform=platform,
        group_id=group_id,
        rule="admission",
        reason=f"现有成员实名：成员 {len(facts)} 人，按花名册账号绑定 {len(d.bind)} 人，"
        f"分批邀请 {invited} 人，群主/管理员等 {len(d.skipped)} 人无需邀请",
        detail={"members": len(facts), "bound": len(d.bind), "invited": invited, "known": len(d.known)},
        at=now,
    )
    return OnboardResult(
        len(facts),
        len(d.skipped),
        len(d.known),
        len(d.bind),
        invited,
        slots[0] if slots else None,
        slots[-1] if slots else None,
    )


# ---------------------------------------------------------------- the campaign's timer steps


async def run_onboarding_step(rt: Runtime, a: Admission, now: datetime) -> bool:
    """One due step of an onboarding admission: invite, remind once, then list. True when done here."""
    assert a.id is not None
    preset = rt.policy.for_group(a.group_id).preset
    cal = rt.calendar(a.group_id)
    label = group_label(rt, a.group_id)
    if a.state == "queued":
        grace_end = cal.add_working_days(now, preset.onboarding_grace_days).astimezone(UTC)
        remind_at = (
            cal.add_working_days(now, preset.onboarding_grace_days - 1)
            if preset.onboarding_grace_days > 1
            else cal.add_working_hours(now, 4)
        ).astimezone(UTC)
        if not await adm.transition(a.id, ("queued",), "unverified", now=now, due_at=remind_at):
            return False
        rt.actions.send_private(
            a.platform,
            a.self_id,
            a.user_id,
            f"您好，{label}已启用工作群管家。{preset.cite('admission')}，群成员须进行真实身份认证"
            "（后台实名，您的信息加密保存，仅群管理员可见）。\n"
            f"{VERIFY_HOWTO}，请在 {local_time(grace_end)} 前完成。",
            priority=Priority.BULK,
        )
        await audit.record(
            "onboarding.invite",
            platform=a.platform,
            group_id=a.group_id,
            target=a.user_id,
            rule="admission",
            reason=f"已私聊邀请现有成员实名认证，期限 {local_time(grace_end)}",
            detail={"admission": a.id},
            at=now,
        )
        return True
    if a.state == "unverified":
        grace_end = (
            cal.add_working_days(now, 1)
            if preset.onboarding_grace_days > 1
            else cal.add_working_hours(now, 4)
        ).astimezone(UTC)
        if not await adm.transition(a.id, ("unverified",), "reminded", now=now, due_at=grace_end):
            return False
        then = (
            "逾期将列入每周巡查名单，由群主决定是否请出本群"
            if preset.remove_unverified
            else "逾期将列入每周巡查名单，由管理员跟进"
        )
        rt.actions.send_private(
            a.platform,
            a.self_id,
            a.user_id,
            f"提醒：您在{label}尚未完成实名认证。{VERIFY_HOWTO}，"
            f"请在 {local_time(grace_end)} 前完成，{then}。",
            priority=Priority.BULK,
        )
        await audit.record(
            "onboarding.remind",
            platform=a.platform,
            group_id=a.group_id,
            target=a.user_id,
            rule="admission",
            reason=f"现有成员尚未实名认证，已提醒一次，期限 {local_time(grace_end)}",
            detail={"admission": a.id},
            at=now,
        )
        return True
    if a.state == "reminded":
        reason = "现有成员在宽限期内未完成实名认证，列入每周巡查"
        if not await adm.transition(a.id, ("reminded",), "listed", now=now, due_at=None, reason=reason):
            return False
        await audit.record(
            "admission.listed",
            platform=a.platform,
            group_id=a.group_id,
            target=a.user_id,
            rule="weekly_review",
            reason=reason,
            detail={"admission": a.id, "onboarding": True},
            at=now,
        )
        return True
    return False


# ---------------------------------------------------------------- first sight and the day-one loop


async def meet_group(
    rt: Runtime, platform: str, group_id: str, self_id: str, now: datetime, *, how: str
) -> bool:
    """The bot sees ``group_id`` for the first time (memory check first: cheap on the message path).
    True when this call recorded the first sight; the day-one loop does the rest."""
    if not rt.settings.steward_first_sight or not group_id or sight.known(platform, group_id):
        return False
    preset = rt.policy.for_group(group_id).preset
    row = await sight.first_sight(platform, group_id, self_id, now, how=how, observe_days=preset.observe_days)
    if row is None:
        return False
    await audit.record(
        "group.first_sight",
        platform=platform,
        group_id=group_id,
        reason={
            "joined": "机器人加入本群",
            "sync": "启动时同步群列表发现本群",
            "event": "首次收到本群消息或通知",
        }.get(how, how)
        + (f"；前 {preset.observe_days} 天为观察模式（只记录，不处理）" if row.observe_until else ""),
        at=now,
    )
    day_one.wake()
    return True


async def fetch_members(rt: Runtime, platform: str, group_id: str) -> list[Member]:
    last: BaseException | None = None
    for attempt in range(MEMBER_LIST_ATTEMPTS):
        try:
            fut = rt.actions.member_list(platform, group_id, priority=Priority.BULK)
            members: list[Member] = await asyncio.wait_for(asyncio.shield(fut), MEMBER_LIST_TIMEOUT)
            if members:
                return members
            last = RuntimeError("成员列表为空")
        except Exception as e:
            last = e
        if attempt + 1 < MEMBER_LIST_ATTEMPTS:
            await asyncio.sleep(2.0 * (attempt + 1))
    raise RuntimeError(f"无法获取群成员列表：{type(last).__name__ if last else '?'}")


async def _tell_owner_observing(
    rt: Runtime, platform: str, group_id: str, self_id: str, until: datetime, sight_id: int, now: datetime
) -> None:
    owners = role_book.owners(platform, group_id) or [rt.policy.for_group(group_id).owner]
    owners = [o for o in owners if o]
    if not owners or not await sight.mark_owner_told(sight_id, now):
        return
    rt.actions.send_private(
        platform,
        self_id,
        owners[0],
        f"您好，工作群管家已加入{group_label(rt, group_id)}。为避免误处理，{local_time(until)} 前为观察模式："
        "只记录会如何处理违规内容，不撤回、不提醒、不禁言。\n"
        "在群内发送 /规则 观察 记录 可查看观察期间的记录；/规则 观察 关 可立即结束观察、正常处理。",
        priority=Priority.BULK,
    )


def _account_of(rt: Runtime, platform: str, group_id: str) -> str:
    try:
        return rt.registry.for_group(platform, group_id).self_id
    except Exception:
        return ""


async def onboard_pending(rt: Runtime, now: datetime) -> int:
    """Claim and onboard every group whose first sight is not yet done; returns how many were done."""
    done = 0
    stale = now - STALE_CLAIM
    for row in await sight.to_onboard(stale_before=stale):
        assert row.id is not None
        if not await sight.claim(row.id, WORKER, now, stale_before=stale):
            continue
        self_id = row.self_id or _account_of(rt, row.platform, row.group_id)
        try:
            members = await fetch_members(rt, row.platform, row.group_id)
        except Exception as e:
            logger.warning(f"day one: member list of group {row.group_id} unavailable: {e}")
            await sight.finish(row.id, now, state="failed", error=str(e))
            continue
        try:
            await rolestore.sync_member_list(row.platform, row.group_id, members, now=now)
            result = await onboard_members(rt, row.platform, row.group_id, members, self_id=self_id, now=now)
        except Exception as e:
            logger.exception(f"day one: onboarding of group {row.group_id} failed")
            await sight.finish(row.id, now, state="failed", error=type(e).__name__)
            continue
        await sight.finish(
            row.id, now, state="done", members=result.members, bound=result.bound, invited=result.invited
        )
        if row.observe_until is not None and not row.observe_ended_by and now < row.observe_until:
            await _tell_owner_observing(
                rt, row.platform, row.group_id, self_id, row.observe_until, row.id, now
            )
        done += 1
    return done


async def on_day_one_message(rec: MessageRecord, rt: Runtime) -> None:
    """Every group message: a group this process has not seen is met (a set lookup otherwise)."""
    if not sight.known(rec.platform, rec.group_id):
        await meet_group(rt, rec.platform, rec.group_id, rec.self_id, _received(rec), how="event")


async def on_day_one_notice(rec: NoticeRecord, rt: Runtime) -> None:
    """The bot joined (or sees a group's first notice); roles changed; the bot left the group."""
    now = _received(rec)
    if rec.kind in ("bot_kicked", "group_disbanded"):
        await rolestore.forget_group(rec.platform, rec.group_id)
        return
    if not sight.known(rec.platform, rec.group_id):
        joined = rec.kind == "member_join" and rec.user_id == rec.self_id
        await meet_group(
            rt, rec.platform, rec.group_id, rec.self_id, now, how="joined" if joined else "event"
        )
    if rec.kind == "admin_change" and rec.user_id:
        role = "admin" if rec.sub_type == "set" else "member"
        if await rolestore.note_platform_role(
            rec.platform, rec.group_id, rec.user_id, role, by="notice", now=now
        ):
            await audit.record(
                "role.platform",
                actor=rec.operator_id or "platform",
                platform=rec.platform,
                group_id=rec.group_id,
                target=rec.user_id,
                reason="平台通知：设为群管理员" if role == "admin" else "平台通知：取消群管理员",
                at=now,
            )


def _received(rec: MessageRecord | NoticeRecord) -> datetime:
    """When the bot received the event (clock sanity: never backdate first sight by an event's time)."""
    received = getattr(rec, "received", None)
    return received if isinstance(received, datetime) else datetime.now(UTC)


class DayOneLoop(PollingLoop):
    """Onboards first-seen groups and keeps the role book in step with the database (other processes'
    changes arrive within a minute)."""

    name = "day-one"

    def __init__(self, interval: float = TICK_SECONDS) -> None:
        super().__init__(interval)
        self._rt_getter: Callable[[], Runtime] | None = None
        self._last_sync = 0.0
        self.after_onboarding: Callable[[], None] = lambda: None  # wakes the admission timers

    def start(self, rt_getter: Callable[[], Runtime] | None = None) -> None:  # type: ignore[override]
        if rt_getter is not None:
            self._rt_getter = rt_getter
        super().start()

    async def setup(self) -> None:
        await rolestore.load_all()
        await sight.load()

    async def tick(self) -> None:
        assert self._rt_getter is not None, "DayOneLoop.start(rt_getter) first"
        rt = self._rt_getter()
        loop = asyncio.get_running_loop()
        if loop.time() - self._last_sync >= rolestore.SYNC_SECONDS:
            self._last_sync = loop.time()
            await rolestore.load_all()
            await sight.load()
        if await onboard_pending(rt, datetime.now(UTC)):
            self.after_onboarding()  # the first batch of invitations is due now


day_one = DayOneLoop()
