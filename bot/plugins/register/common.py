"""Shared pieces of the register plugin: accounts able to do register work, the group's owner, the
personal-data cipher, who is told what, and labels."""

from __future__ import annotations

import asyncio
from datetime import datetime

from loguru import logger

from bot.core.crypto import InvalidKeyError, PersonalDataCipher
from bot.dispatch import CommandContext, Role
from bot.dispatch.roles import resolve_role
from bot.dispatch.router import role_book
from bot.gateway.base import Capability, Gateway, GatewayError, GroupInfo, Member
from bot.gateway.outbound import Priority
from bot.models.register import Filing
from bot.runtime import Runtime
from bot.store import register as store
from bot.store.register import NO_UNIT

NEEDED = Capability.MEMBER_LIST | Capability.GROUP_INFO
"""What register work needs from an account: the owner comes from the member list, changes from the
group info. Accounts without both (none of the supported implementations) get no register work."""
FETCH_TIMEOUT = 60.0  # longer than the outbound queue's own retries of one action
_PLATFORM_LABEL = {"qq": "QQ", "wechat": "微信"}


# --- accounts ---------------------------------------------------------------------------------


def capable(gw: Gateway) -> bool:
    return (gw.capabilities & NEEDED) == NEEDED


def platform_ready(rt: Runtime, platform: str) -> bool:
    """Whether an account of ``platform`` that can do register work is connected."""
    return any(c.gateway.platform == platform and capable(c.gateway) for c in rt.registry.connections())


def group_ready(rt: Runtime, platform: str, group_id: str) -> bool:
    """Whether the account serving this group can do register work (is connected and capable)."""
    try:
        return capable(rt.registry.for_group(platform, group_id))
    except GatewayError:
        return False


def ready_platforms(rt: Runtime) -> set[str]:
    return {c.gateway.platform for c in rt.registry.connections() if capable(c.gateway)}


async def fetch_members(rt: Runtime, platform: str, group_id: str) -> list[Member]:
    """The member list through the outbound queue (paced like every action)."""
    fut = rt.actions.member_list(platform, group_id)
    result: list[Member] = await asyncio.wait_for(asyncio.shield(fut), FETCH_TIMEOUT)
    return result


async def fetch_info(rt: Runtime, platform: str, group_id: str) -> GroupInfo:
    fut = rt.actions.group_info(platform, group_id)
    result: GroupInfo = await asyncio.wait_for(asyncio.shield(fut), FETCH_TIMEOUT)
    return result


def owner_in(members: list[Member]) -> str:
    return next((m.user_id for m in members if m.role == "owner"), "")


async def find_owner(rt: Runtime, filing: Filing, now: datetime, *, refresh: bool = False) -> str:
    """The group's owner: from the member list (through the queue), else the one last seen; "" if
    unknown (WeChat lists no roles). The owner is noted for the router, so that they can answer in
    private chat with their owner's rights."""
    if filing.owner_id and not refresh:
        role_book.note(filing.platform, filing.group_id, filing.owner_id, "owner")
        return filing.owner_id
    try:
        members = await fetch_members(rt, filing.platform, filing.group_id)
    except Exception as e:
        logger.warning(f"register: member list of group {filing.group_id} unavailable ({type(e).__name__})")
        return filing.owner_id or next(iter(role_book.owners(filing.platform, filing.group_id)), "")
    owner = owner_in(members)
    assert filing.id is not None
    await store.note_observed(
        filing.id, at=now, owner_id=owner or None, member_count=len(members) or None, full=False
    )
    if owner:
        filing.owner_id = owner
        role_book.note(filing.platform, filing.group_id, owner, "owner")
    named = next(iter(role_book.owners(filing.platform, filing.group_id)), "")
    return owner or filing.owner_id or named or rt.policy.for_group(filing.group_id).owner


# --- personal data ----------------------------------------------------------------------------

_cipher: tuple[str, PersonalDataCipher] | None = None
_warned = False


def cipher(rt: Runtime) -> PersonalDataCipher | None:
    """The personal-data cipher, or None (logged once) when ``STEWARD_SECRET_KEY`` is missing or bad:
    the owner's name and contact are then not stored at all."""
    global _cipher, _warned
    key = rt.settings.steward_secret_key
    raw = key.get_secret_value() if key is not None else ""
    if _cipher is not None and _cipher[0] == raw:
        return _cipher[1]
    try:
        made = PersonalDataCipher(raw) if raw else None
    except InvalidKeyError:
        made = None
    if made is None:
        if not _warned:
            logger.warning(
                "register: STEWARD_SECRET_KEY not usable; owners' names and contacts are not stored"
            )
            _warned = True
        return None
    _cipher, _warned = (raw, made), False
    return made


# --- people -----------------------------------------------------------------------------------


def supervisors(rt: Runtime, group_id: str) -> list[str]:
    """Who receives escalations for a group: its unit's supervisors, else the operators."""
    gp = rt.policy.for_group(group_id)
    return sorted(gp.supervisors) or sorted(rt.superusers)


def unit_key(rt: Runtime, group_id: str) -> str:
    return rt.policy.for_group(group_id).unit_key or ""


def unit_name(rt: Runtime, group_id: str) -> str:
    return rt.policy.for_group(group_id).unit_name or NO_UNIT


def group_label(rt: Runtime, platform: str, group_id: str, name: str = "") -> str:
    """「办公室工作群」（群号 100） — the filed name, else the configured or observed one."""
    spec = rt.policy.spec.groups.get(group_id)
    shown = name or (spec.name if spec is not None else "")
    number = (
        f"群号 {group_id}" if platform == "qq" else f"{_PLATFORM_LABEL.get(platform, platform)}群 {group_id}"
    )
    return f"「{shown}」（{number}）" if shown else f"群（{number}）"


def filing_label(rt: Runtime, filing: Filing) -> str:
    return group_label(rt, filing.platform, filing.group_id, filing.name or filing.observed_name)


def role_in(ctx: CommandContext, group_id: str) -> Role:
    """The caller's role in ``group_id`` (a command about a group may come from private chat)."""
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


def visible_groups(ctx: CommandContext, filings: list[Filing], minimum: Role = Role.ADMIN) -> list[Filing]:
    """The filings the caller may see: in a group that group; in private the groups where their role
    is at least ``minimum`` (supervisors: their units; operators: all)."""
    rec = ctx.record
    if rec.is_group:
        return [f for f in filings if f.group_id == rec.group_id and f.platform == rec.platform]
    return [
        f
        for f in filings
        if f.platform == rec.platform and (role_in(ctx, f.group_id) >= minimum or f.owner_id == rec.user_id)
    ]


# --- sending ----------------------------------------------------------------------------------


def self_id_of(rt: Runtime, filing: Filing) -> str:
    try:
        return filing.self_id or rt.registry.for_group(filing.platform, filing.group_id).self_id
    except GatewayError:
        return filing.self_id


def tell(rt: Runtime, filing: Filing, user_id: str, text: str) -> None:
    rt.actions.send_private(filing.platform, self_id_of(rt, filing), user_id, text, priority=Priority.BULK)


def tell_owner(rt: Runtime, filing: Filing, owner: str, text: str) -> str:
    """Privately to the owner; in the group when the owner is unknown (on WeChat, where no owner is known
    until an operator names one: to the unit's supervisors, else the operators). Returns who was told."""
    if owner:
        tell(rt, filing, owner, text)
        return owner
    if filing.platform == "wechat":
        told = tell_supervisors(rt, filing, text)
        return ",".join(told) or "nobody"
    rt.actions.send_group(filing.platform, filing.group_id, text, priority=Priority.BULK)
    return "group"


def tell_supervisors(rt: Runtime, filing: Filing, text: str) -> list[str]:
    targets = supervisors(rt, filing.group_id)
    for user in targets:
        tell(rt, filing, user, text)
    return targets
