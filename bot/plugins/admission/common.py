"""Shared pieces of the admission plugin: the cipher, units, the groups' admins, who may decide what,
and the small texts used in several messages."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime

from loguru import logger

from bot.core.calendar import to_local
from bot.core.crypto import PersonalDataCipher
from bot.core.identity import JoinTemplate
from bot.dispatch import CommandContext, Role
from bot.dispatch.roles import configured_role
from bot.dispatch.router import role_book
from bot.gateway.base import Member
from bot.gateway.outbound import Priority
from bot.intake.record import MessageRecord
from bot.policy import Preset
from bot.runtime import Runtime
from bot.store.roster import PersonalDataKeyError, cipher_from_settings

DEFAULT_UNIT = "default"
ADMIN_CACHE_SECONDS = 600.0
MEMBER_LIST_TIMEOUT = 8.0
_PLATFORM_LABEL = {"qq": "QQ", "wechat": "微信"}

# ---------------------------------------------------------------- the cipher

_cipher: tuple[str, PersonalDataCipher] | None = None
_warned_no_key = False


def get_cipher(rt: Runtime) -> PersonalDataCipher | None:
    """The personal-data cipher, or None (logged once) when ``STEWARD_SECRET_KEY`` is not usable.

    Without it the plugin stores nothing: join requests are left to the admins in the QQ client.
    """
    global _cipher, _warned_no_key
    key = rt.settings.steward_secret_key
    raw = key.get_secret_value() if key is not None else ""
    if _cipher is not None and _cipher[0] == raw:
        return _cipher[1]
    try:
        cipher = cipher_from_settings(key)
    except PersonalDataKeyError as e:
        if not _warned_no_key:
            logger.error(f"实名准入未启用：{e}")
            _warned_no_key = True
        return None
    _cipher = (raw, cipher)
    _warned_no_key = False
    return cipher


# ---------------------------------------------------------------- units, groups, templates


def unit_of(rt: Runtime, group_id: str) -> str:
    """The unit whose roster a group uses; groups without a unit share the ``default`` roster."""
    return rt.policy.for_group(group_id).unit_key or DEFAULT_UNIT


def known_units(rt: Runtime) -> list[str]:
    return [*rt.policy.spec.units, DEFAULT_UNIT]


def unit_label(rt: Runtime, unit: str) -> str:
    spec = rt.policy.spec.units.get(unit)
    if spec is not None:
        return f"{spec.name}（{unit}）"
    return "未归属单位的群（default）" if unit == DEFAULT_UNIT else unit


def group_label(rt: Runtime, group_id: str) -> str:
    spec = rt.policy.spec.groups.get(group_id)
    return f"群「{spec.name}」（{group_id}）" if spec and spec.name else f"群 {group_id}"


def platform_label(platform: str) -> str:
    return _PLATFORM_LABEL.get(platform, platform)


def join_template(preset: Preset) -> JoinTemplate:
    """The preset's 「姓名-科室」 as the parser's template."""
    m = re.match(r"^姓名(?:[-－—_/+ ](\S+))?$", preset.join_template)
    label = m.group(1) if m else "科室"
    if m and label is None:
        return JoinTemplate(require_dept=False, example=preset.join_example or None)
    return JoinTemplate(require_dept=True, dept_label=label or "科室", example=preset.join_example or None)


def local_time(moment: datetime) -> str:
    """「11月23日 10:30」 in China time."""
    t = to_local(moment)
    return f"{t.month}月{t.day}日 {t:%H:%M}"


# ---------------------------------------------------------------- the groups' admins

_seen_admins: dict[tuple[str, str], set[str]] = {}
_fetched: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}


def note_sender(rec: MessageRecord) -> None:
    """Remember owners and admins seen in group messages (cheap: one dict operation)."""
    key = (rec.platform, rec.group_id)
    if rec.sender_role in ("owner", "admin"):
        _seen_admins.setdefault(key, set()).add(rec.user_id)
    elif rec.sender_role == "member":
        seen = _seen_admins.get(key)
        if seen:
            seen.discard(rec.user_id)


def forget_admins() -> None:
    """For tests: drop what was learnt about admins."""
    _seen_admins.clear()
    _fetched.clear()


async def _member_list(rt: Runtime, platform: str, group_id: str) -> list[Member]:
    fut = rt.actions.member_list(platform, group_id, priority=Priority.REPLY)
    members: list[Member] = await asyncio.wait_for(asyncio.shield(fut), MEMBER_LIST_TIMEOUT)
    return members


async def group_admins(rt: Runtime, platform: str, group_id: str, self_id: str = "") -> set[str]:
    """Owners and admins of a group: the member list (fetched through the outbound queue, cached for
    ten minutes) plus those seen speaking as admins; never the bot itself."""
    key = (platform, group_id)
    cached = _fetched.get(key)
    admins: frozenset[str] = cached[1] if cached else frozenset()
    if cached is None or time.monotonic() - cached[0] > ADMIN_CACHE_SECONDS:
        try:
            members = await _member_list(rt, platform, group_id)
            admins = frozenset(m.user_id for m in members if m.role in ("owner", "admin"))
            _fetched[key] = (time.monotonic(), admins)
            # Admins we message about a request must be able to answer in private chat, where the
            # router knows roles only from what it has seen: tell it.
            for m in members:
                if m.role in ("owner", "admin") or m.user_id in _seen_admins.get(key, ()):
                    role_book.note(platform, group_id, m.user_id, m.role)
        except Exception as e:
            logger.warning(f"admission: member list of group {group_id} unavailable ({type(e).__name__})")
    return (set(admins) | _seen_admins.get(key, set())) - {self_id, ""}


async def is_admin(rt: Runtime, platform: str, group_id: str, user_id: str) -> bool:
    if user_id in rt.superusers:
        return True
    if role_book.managed_groups(platform, user_id).get(group_id, Role.MEMBER) >= Role.ADMIN:
        return True
    return user_id in await group_admins(rt, platform, group_id)


async def notify_admins(rt: Runtime, platform: str, self_id: str, group_id: str, text: str) -> list[str]:
    """A private message to each admin of the group (the operators when no admin is known)."""
    admins = await group_admins(rt, platform, group_id, self_id)
    targets = sorted(admins) or sorted(rt.superusers)
    for user in targets:
        rt.actions.send_private(platform, self_id, user, text)
    return targets


# ---------------------------------------------------------------- who may decide what


def managed_groups(ctx: CommandContext) -> set[str] | None:
    """The groups whose admissions the caller may decide; None = every group (operators)."""
    if ctx.role >= Role.OPERATOR:
        return None
    rec, rt = ctx.record, ctx.runtime
    if rec.is_group:
        return {rec.group_id} if ctx.role >= Role.DEPUTY else set()
    groups = {g for g, r in role_book.managed_groups(rec.platform, rec.user_id).items() if r >= Role.ADMIN}
    # 分管 (deputies, config/bot.toml) and operator-named owners / admins manage their groups too.
    for gid in rt.policy.spec.groups:
        gp = rt.policy.for_group(gid)
        if rec.user_id in gp.deputies or configured_role(gp, rec.user_id) >= Role.ADMIN:
            groups.add(gid)
    groups |= {g for (p, g), users in _seen_admins.items() if p == rec.platform and rec.user_id in users}
    groups |= {g for (p, g), (_, users) in _fetched.items() if p == rec.platform and rec.user_id in users}
    units = set(rt.policy.supervised_units(rec.user_id))
    if units:
        groups |= {gid for gid, g in rt.policy.spec.groups.items() if g.unit in units}
    return groups


def managed_units(ctx: CommandContext) -> set[str] | None:
    """The units whose roster the caller may see and edit; None = every unit (operators)."""
    if ctx.role >= Role.OPERATOR:
        return None
    rt = ctx.runtime
    groups = managed_groups(ctx) or set()
    units = {unit_of(rt, g) for g in groups}
    if not ctx.record.is_group:
        units |= set(rt.policy.supervised_units(ctx.record.user_id))
    return units
