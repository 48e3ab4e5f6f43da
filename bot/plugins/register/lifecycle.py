"""A group's life in the register: first seen → unfiled (a filing duty) → filed → changed (a refiling
duty) → ended (a dissolution duty, for temporary groups) → deregistered.

Inputs: every group message (activity, and the first sight of a group), the notices (the bot added
to a group; the group disbanded — ``group_decrease``/``disband`` from NapCat and Lagrange,
``group_dismiss`` from LLOneBot — or the bot removed or gone; a group renamed), and the daily sync of
group info and member lists (change of name or owner, member count, dormant groups).

The message hook costs a dict increment per message; the database is touched once per group per
process (its first message here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from loguru import logger

from bot.core.calendar import to_local
from bot.core.register import (
    ACTIVITY_WINDOW_DAYS,
    GroupKind,
    Observed,
    activity_label,
    detect_changes,
    filing_deadline,
)
from bot.dispatch.router import role_book
from bot.intake.clock import bookkeeping_time
from bot.intake.record import MessageRecord, NoticeRecord
from bot.models.register import DeregKind, DutyKind, DutyState, Filing, FilingStatus
from bot.plugins.register.common import (
    fetch_info,
    fetch_members,
    filing_label,
    find_owner,
    group_ready,
    owner_in,
    tell_owner,
    tell_supervisors,
    unit_name,
)
from bot.plugins.register.texts import day_text
from bot.runtime import Runtime
from bot.store import audit, cases
from bot.store import register as store

_known: set[tuple[str, str]] = set()
_activity: Counter[tuple[str, str, date]] = Counter()
_wake: list[Callable[[], None]] = []  # the scheduler registers its wake() here (no import cycle)

DEREG_REASONS = {
    DeregKind.DISBANDED: "群已解散",
    DeregKind.REMOVED: "机器人被移出群",
    DeregKind.LEFT: "机器人已退出群",
    DeregKind.MANUAL: "按群主申请注销",
}


def wake() -> None:
    for fn in _wake:
        fn()


def forget() -> None:
    """For tests: forget the groups seen and the counts not yet written."""
    _known.clear()
    _activity.clear()


# --- messages ---------------------------------------------------------------------------------


async def watch(rec: MessageRecord, rt: Runtime) -> None:
    """Every group message: count it for 「活跃程度」; the first one of a group starts its filing."""
    _activity[(rec.platform, rec.group_id, to_local(rec.time).date())] += 1
    if (rec.platform, rec.group_id) not in _known:
        await first_sight(rt, rec.platform, rec.group_id, rec.self_id, bookkeeping_time(rec))


async def flush_activity() -> None:
    """Write the message counts gathered since the last flush (they are kept if writing fails)."""
    if not _activity:
        return
    counts = dict(_activity)
    _activity.clear()
    try:
        await store.add_activity(counts)
    except Exception:
        _activity.update(counts)
        raise


async def activity_of(filing: Filing, now: datetime) -> str:
    """The filing's 「活跃程度」 from the messages the bot saw (see core.register.activity_label)."""
    since = to_local(now).date() - timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    totals = await store.activity_totals(since, platform=filing.platform, group_id=filing.group_id)
    observed = (to_local(now).date() - to_local(filing.first_seen).date()).days + 1
    return activity_label(totals.get((filing.platform, filing.group_id), 0), observed)


async def first_sight(
    rt: Runtime, platform: str, group_id: str, self_id: str, seen_at: datetime, *, joined: bool = False
) -> Filing:
    """Make sure the group has a filing; a new (or returning) group gets its filing duty.

    The deadline counts from when the bot first saw the group (the router's first record of it, or
    ``seen_at``). ``joined``: the bot was just added, so the owner hears from it at once; a group first
    seen through its messages is reminded at the next start of working hours.
    """
    _known.add((platform, group_id))
    seen = await store.chat_group(platform, group_id)
    first_seen = min(seen.first_seen, seen_at) if seen is not None else seen_at
    filing, created = await store.ensure_filing(platform, group_id, self_id, first_seen)
    assert filing.id is not None
    if created:
        await store.add_history(
            filing.id, "seen", seen_at, note="机器人加入群" if joined else "首次看到群消息"
        )
        await open_file_duty(rt, filing, seen_at, joined=joined)
    elif filing.status == FilingStatus.DEREGISTERED and filing.dereg_kind != DeregKind.MANUAL:
        if filing.dereg_at is None or seen_at > filing.dereg_at:
            if await store.reopen(filing.id, seen_at, self_id):
                filing = await store.get_filing_by_id(filing.id) or filing
                await store.add_history(filing.id or 0, "reopened", seen_at, note="机器人重新加入群")
                await audit.record(
                    "register.reopened",
                    platform=platform,
                    group_id=group_id,
                    rule="filing",
                    reason="已注销的群重新出现，重新计算备案期限",
                    detail={"filing": filing.id},
                )
                await open_file_duty(rt, filing, seen_at, joined=joined)
    return filing


async def open_file_duty(rt: Runtime, filing: Filing, at: datetime, *, joined: bool) -> None:
    preset = rt.policy.for_group(filing.group_id).preset
    cal = rt.calendar(filing.group_id)
    due = filing_deadline(filing.first_seen, preset.filing_days, cal)
    starts = at if joined else cal.next_working_start(at)
    await store.open_duty(
        store.NewDuty(
            filing.platform, filing.group_id, DutyKind.FILE, opened_at=at, starts_at=starts, due_at=due
        )
    )
    wake()


# --- notices ----------------------------------------------------------------------------------


async def on_notice_record(rec: NoticeRecord, rt: Runtime) -> None:
    """Bot added → first sight; disbanded (three payload shapes) or bot removed → deregistered;
    renamed (NapCat's ``notify``/``group_name``) → change detection."""
    bot_self = rec.user_id == rec.self_id and rec.user_id != ""
    if rec.kind == "member_join" and bot_self:
        await first_sight(rt, rec.platform, rec.group_id, rec.self_id, bookkeeping_time(rec), joined=True)
    elif rec.kind == "group_disbanded":
        await deregister_group(
            rt,
            rec.platform,
            rec.group_id,
            DeregKind.DISBANDED,
            rec.time,
            actor=rec.operator_id or rec.user_id,
        )
    elif rec.kind == "bot_kicked":
        await deregister_group(
            rt, rec.platform, rec.group_id, DeregKind.REMOVED, rec.time, actor=rec.operator_id
        )
    elif rec.kind == "member_leave" and bot_self:
        await deregister_group(rt, rec.platform, rec.group_id, DeregKind.LEFT, rec.time)
    elif rec.kind == "other" and rec.sub_type == "group_name":
        new_name = str(rec.extra.get("name_new") or rec.extra.get("group_name") or "").strip()
        if new_name:
            filing = await store.get_filing(rec.platform, rec.group_id)
            if filing is not None and filing.id is not None and filing.status != FilingStatus.DEREGISTERED:
                await store.note_observed(filing.id, at=rec.time, name=new_name, full=False)
                filing.observed_name = new_name
                await check_changes(rt, filing, rec.time)


async def deregister_group(
    rt: Runtime,
    platform: str,
    group_id: str,
    kind: DeregKind,
    at: datetime,
    *,
    actor: str = "",
    reason: str = "",
) -> Filing | None:
    """Deregister a group (once, whatever the number of notices); close its duties and cases, record
    it, tell the unit's supervisors. Returns the filing as it was, or None if nothing was to do."""
    why = reason or DEREG_REASONS[kind]
    before = await store.deregister(platform, group_id, kind, why, at)
    if before is None:
        return None
    assert before.id is not None
    _known.discard((platform, group_id))
    dissolved = None
    for duty_kind in (DutyKind.FILE, DutyKind.REFILE, DutyKind.DISSOLVE):
        done = duty_kind is DutyKind.DISSOLVE and kind in (DeregKind.DISBANDED, DeregKind.MANUAL)
        closed = await store.close_duty(
            platform, group_id, duty_kind, DutyState.DONE if done else DutyState.CANCELLED, at, note=why
        )
        if closed is not None:
            await cases.close_open_cases(
                platform, group_id, "bot", f"{why}，自动结案", at, ref=f"duty:{closed.id}"
            )
            if duty_kind is DutyKind.DISSOLVE:
                dissolved = closed
    await store.add_history(before.id, "deregistered", at, actor=actor or "bot", note=why)
    temporary = before.kind in ("temporary", "special")
    await audit.record(
        "register.deregistered",
        actor=actor or "bot",
        platform=platform,
        group_id=group_id,
        rule="temporary_group" if temporary else "filing",
        reason=f"{why}，自动注销登记" if kind is not DeregKind.MANUAL else f"注销登记：{why}",
        detail={"filing": before.id, "kind": str(kind), "was": before.status},
    )
    if group_ready(rt, platform, group_id):
        label = filing_label(rt, before)
        text = f"{unit_name(rt, group_id)} {label}{why}，已于 {day_text(to_local(at).date())} 自动注销登记。"
        if kind is DeregKind.MANUAL:
            text = f"{unit_name(rt, group_id)} {label}已注销登记（{why}）。"
        if dissolved is not None:
            group_kind = GroupKind(before.kind).label if before.kind else "临时"
            text += f"（{group_kind}群，{'已超过解散期限' if dissolved.late else '按期解散'}。）"
        if before.status == FilingStatus.FILED or dissolved is not None:
            tell_supervisors(rt, before, text)
    logger.info(f"register: group {group_id} deregistered ({kind})")
    return before


# --- change detection -------------------------------------------------------------------------


async def check_changes(rt: Runtime, filing: Filing, at: datetime) -> list[str]:
    """Compare a filed group with what the platform says now; open (or close) its refiling duty."""
    if filing.status != FilingStatus.FILED:
        return []
    changes = detect_changes(
        Observed(filing.filed_platform_name, filing.filed_owner_id),
        Observed(filing.observed_name, filing.owner_id),
    )
    if not changes:
        closed = await store.close_duty(
            filing.platform,
            filing.group_id,
            DutyKind.REFILE,
            DutyState.CANCELLED,
            at,
            note="已恢复为备案时的信息",
        )
        if closed is not None:
            await cases.close_open_cases(
                filing.platform, filing.group_id, "bot", "信息已恢复，自动结案", at, ref=f"duty:{closed.id}"
            )
        return []
    preset = rt.policy.for_group(filing.group_id).preset
    cal = rt.calendar(filing.group_id)
    detail = "、".join(
        f"{c.label}（原「{c.old}」，现「{c.new}」）" if c.field == "name" else c.label for c in changes
    )
    duty, created = await store.open_duty(
        store.NewDuty(
            filing.platform,
            filing.group_id,
            DutyKind.REFILE,
            opened_at=at,
            starts_at=cal.next_working_start(at),
            due_at=filing_deadline(at, preset.refiling_days, cal),
            detail=detail,
        )
    )
    if created:
        assert filing.id is not None
        await store.add_history(filing.id, "change_detected", at, changed=[c.label for c in changes])
        await audit.record(
            "register.change_detected",
            platform=filing.platform,
            group_id=filing.group_id,
            rule="filing",
            reason=f"备案后{'、'.join(c.label for c in changes)}发生变更，"
            f"须在 {preset.refiling_days} 个工作日内变更备案",
            detail={"filing": filing.id, "duty": duty.id, "fields": [c.field for c in changes]},
        )
        wake()
    return [c.label for c in changes]


async def sync_group(rt: Runtime, filing: Filing, now: datetime) -> bool:
    """Refresh a group's name, member count and owner from the platform; detect changes."""
    assert filing.id is not None
    try:
        info = await fetch_info(rt, filing.platform, filing.group_id)
        members = await fetch_members(rt, filing.platform, filing.group_id)
    except Exception as e:
        logger.warning(f"register: sync of group {filing.group_id} failed ({type(e).__name__})")
        await store.note_observed(filing.id, at=now, failed=True)
        return False
    owner = owner_in(members)
    if owner and filing.owner_id and owner != filing.owner_id:
        role_book.note(filing.platform, filing.group_id, filing.owner_id, "member")  # no longer the owner
    if owner:
        role_book.note(filing.platform, filing.group_id, owner, "owner")
    count = info.member_count if info.member_count is not None else (len(members) or None)
    await store.note_observed(
        filing.id, at=now, name=info.name or None, member_count=count, owner_id=owner or None
    )
    filing.observed_name = info.name or filing.observed_name
    filing.owner_id = owner or filing.owner_id
    filing.member_count = count if count is not None else filing.member_count
    await check_changes(rt, filing, now)
    return True


async def note_dormant(rt: Runtime, filing: Filing, last_message: datetime | None, now: datetime) -> bool:
    """Tell the owner once when a group becomes dormant (huaibei 第十五条); reset when it wakes up."""
    preset = rt.policy.for_group(filing.group_id).preset
    assert filing.id is not None
    since = last_message or filing.first_seen
    idle = (now - since).days
    if preset.dormant_days <= 0 or idle < preset.dormant_days:
        if (
            filing.dormant_noted_at is not None
            and last_message is not None
            and last_message > filing.dormant_noted_at
        ):
            await store.update_filing(filing.id, {"dormant_noted_at": None})
        return False
    if filing.dormant_noted_at is not None:
        return False
    await store.update_filing(filing.id, {"dormant_noted_at": now})
    owner = await find_owner(rt, filing, now)
    tell_owner(
        rt,
        filing,
        owner,
        f"您好！{filing_label(rt, filing)}已有 {idle} 天没有消息。{preset.cite('dormant')}，"
        "「休眠」「僵尸」工作群应当关停。如本群已不再使用，请解散本群，机器人会自动注销登记；"
        "仍需保留的，请在群内说明近期用途。此情况已列入监管单位的每周汇总。",
    )
    await audit.record(
        "register.dormant",
        platform=filing.platform,
        group_id=filing.group_id,
        target=owner,
        rule="dormant",
        reason=f"群已 {idle} 天没有消息，建议解散",
        detail={"filing": filing.id, "idle_days": idle},
    )
    return True


async def remember_owners() -> int:
    """Tell the router who owns which registered group (after a restart it knows no roles yet), so
    that an owner answering a reminder in private chat has the owner's rights at once."""
    known = 0
    for filing in await store.list_filings(statuses=(FilingStatus.UNFILED, FilingStatus.FILED)):
        if filing.owner_id:
            role_book.note(filing.platform, filing.group_id, filing.owner_id, "owner")
            known += 1
    return known


async def sync_all(rt: Runtime, now: datetime) -> int:
    """The daily sync: register groups seen only through commands, refresh every registered group the
    bot can reach, note dormant groups. Returns how many groups were refreshed."""
    for group in await store.unregistered_groups():
        await first_sight(rt, group.platform, group.group_id, group.self_id, now)
    last = await store.last_messages()
    synced = 0
    for filing in await store.list_filings(statuses=(FilingStatus.UNFILED, FilingStatus.FILED)):
        if not group_ready(rt, filing.platform, filing.group_id):
            continue
        synced += await sync_group(rt, filing, now)
        await note_dormant(rt, filing, last.get((filing.platform, filing.group_id)), now)
    await store.prune_activity(to_local(now).date() - timedelta(days=400))
    return synced
