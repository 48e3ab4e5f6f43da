"""/规则 (/policy): show and change this group's guard settings and preset, live.

Changes are kept in ``steward_guard_setting`` and applied on top of config/bot.toml (the policy's
per-group runtime overrides); the next message already runs with them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.core.guard import KINDS, Act, kind_key, kind_label, parse_act
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.plugins.guard import dayone_cmd
from bot.plugins.guard.state import state
from bot.plugins.guard.texts import duration
from bot.policy import GroupPolicy, PolicyError
from bot.store import guard as store

USAGE = (
    "/规则 ｜ /规则 观察 开|关|记录 ｜ /规则 群主 @成员 ｜ /规则 管理员 添加|移除 @成员 ｜ "
    "/规则 动作 类别 动作[+动作]|默认 ｜ /规则 严重 类别 开|关 ｜ "
    "/规则 手机号 开|关 ｜ /规则 链接 添加|删除 域名 ｜ /规则 短链接 添加|删除 域名 ｜ "
    "/规则 文件 添加|删除 扩展名 ｜ /规则 重复 天数 ｜ /规则 刷屏 条数 秒数 ｜ /规则 禁言 分钟 ｜ "
    "/规则 累计 禁言次数 告知群主次数 建议移出次数 ｜ /规则 豁免 角色…|无 ｜ "
    "/规则 预设 名称|默认 ｜ /规则 重置。"
    "动作：撤回、群内提醒、私聊提醒、禁言、通知群主、仅记录"
)

ROLE_NAMES: dict[str, str] = {
    "群主": "owner",
    "管理员": "admin",
    "分管管理员": "deputy",
    "分管领导": "leader",
    "监管单位": "supervisor",
    "运维人员": "operator",
}
ROLE_LABELS = {v: k for k, v in ROLE_NAMES.items()}
_ON = ("开", "开启", "on", "是")
_OFF = ("关", "关闭", "off", "否")


def _switch(value: str) -> bool:
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise UsageError(f"「{value}」应为「开」或「关」。")


def _int(value: str, what: str) -> int:
    if not re.fullmatch(r"\d{1,6}", value):
        raise UsageError(f"{what}应为整数，收到「{value}」。")
    return int(value)


def _kind(name: str) -> str:
    key = kind_key(name)
    if key is None:
        raise UsageError(f"没有「{name}」这个类别。")
    return key


def _acts(text: str) -> list[str]:
    out = []
    for part in re.split(r"[+＋、,，/ ]+", text.strip()):
        if not part:
            continue
        act = parse_act(part)
        if act is None:
            raise UsageError(f"不认识动作「{part}」。")
        out.append(act.value)
    if not out:
        raise UsageError("请给出至少一个动作。")
    return list(dict.fromkeys(out))


def describe(gp: GroupPolicy, *, changed: bool) -> str:
    """The group's guard settings, one topic a line."""
    p = gp.preset
    g = p.guard
    lines = [
        f"本群内容巡查设置：预设 {p.name}（《{p.regulation}》）" + ("，本群另有调整。" if changed else "。"),
        "模式：" + ("观察模式（只记录会怎样处理，不做任何操作）" if g.observe_only else "正常处理"),
        "处理方式：",
    ]
    for kind in KINDS:
        acts = sorted((Act(a) for a in g.actions.get(kind.key, ("log",))), key=lambda a: -a.strength)
        serious = "（严重）" if kind.key in g.serious else ""
        lines.append(f"· {kind.label}：{'、'.join(a.label for a in acts)}{serious}")
    lines += [
        f"手机号检测：{'开' if g.detect_mobile else '关'}（身份证号、银行卡号始终检测）",
        f"链接白名单：{'、'.join(g.link_allow[:6])}{' 等' if len(g.link_allow) > 6 else ''}"
        f"共 {len(g.link_allow)} 个域名；短链接域名 {len(g.link_shorteners)} 个",
        f"禁止上传的文件类型：{'、'.join(g.blocked_extensions) or '无'}",
        f"重复通知：{g.repeat_window_days} 天内（{g.repeat_min_chars} 字以上的通知）"
        if g.repeat_window_days
        else "重复通知：不检测",
        f"刷屏：{g.flood_seconds} 秒内 {g.flood_messages} 条，或 {g.flood_same_seconds} 秒内同一内容 "
        f"{g.flood_same_text} 次",
        f"豁免：{'、'.join(ROLE_LABELS.get(r, r) for r in g.exempt) or '无'}",
        f"违规累计（{p.strike_expiry_days} 天内，严重类别计 2 次）：{g.mute_after} 次起禁言"
        f"（{duration(g.mute_seconds)}起，逐次加倍，最长 1 天），{g.notify_after} 次告知群主，"
        f"{g.propose_removal_after} 次建议群主移出（不会自动移出）",
    ]
    return "\n".join(lines)


@command(
    "规则",
    aliases=("policy",),
    role=Role.ADMIN,
    summary="查看和调整本群的内容巡查设置",
    usage=USAGE,
    scope="group",
    order=41,
)
async def policy(ctx: CommandContext) -> None:
    try:
        await _policy(ctx)
    except _Refused:
        return  # the caller was told why


async def _policy(ctx: CommandContext) -> None:
    rec, rt = ctx.record, ctx.runtime
    if not state.loaded:
        await state.load(rt)
    argv = ctx.argv
    if not argv or argv[0] in ("查看", "show"):
        preset, values = rt.policy.group_overrides(rec.group_id)
        ctx.reply(describe(rt.policy.for_group(rec.group_id), changed=bool(preset or values)))
        return
    sub, rest = argv[0], argv[1:]
    g = rt.policy.for_group(rec.group_id).preset.guard

    def need(n: int) -> None:
        if len(rest) < n:
            raise UsageError(f"「{sub}」后面缺少参数。")

    change: Callable[[dict[str, Any]], str]
    if sub in ("群主", "owner", "管理员", "admins"):
        await dayone_cmd.name_roles(ctx, sub, rest)
        return
    if sub in ("观察", "observe") and rest[:1] in (["记录"], ["log"]):
        await dayone_cmd.observed_log(ctx)
        return
    if sub in ("观察", "observe"):
        need(1)
        on = _switch(rest[0])
        first_days = "" if on else await dayone_cmd.end_first_days(ctx)
        change = _set(
            "observe_only",
            on,
            "观察模式已" + ("开启：只记录，不处理。" if on else f"关闭：恢复正常处理。{first_days}"),
        )
    elif sub in ("动作", "action"):
        need(2)
        kind = _kind(rest[0])
        if rest[1] == "默认":

            def change(guard: dict[str, Any]) -> str:
                guard.get("actions", {}).pop(kind, None)
                return f"「{kind_label(kind)}」恢复为预设的处理方式。"

        else:
            acts = _acts(" ".join(rest[1:]))

            def change(guard: dict[str, Any]) -> str:
                guard.setdefault("actions", {})[kind] = acts
                return f"「{kind_label(kind)}」的处理方式改为：{'、'.join(Act(a).label for a in acts)}。"

    elif sub in ("严重", "serious"):
        need(2)
        kind, on = _kind(rest[0]), _switch(rest[1])
        serious = [k for k in g.serious if k != kind] + ([kind] if on else [])
        change = _set("serious", serious, f"「{kind_label(kind)}」{'列为' if on else '不再列为'}严重类别。")
    elif sub in ("手机号", "mobile"):
        need(1)
        on = _switch(rest[0])
        change = _set("detect_mobile", on, f"手机号检测已{'开启' if on else '关闭'}。")
    elif sub in ("链接", "短链接", "文件"):
        need(2)
        key, noun = {
            "链接": ("link_allow", "链接白名单"),
            "短链接": ("link_shorteners", "短链接域名"),
            "文件": ("blocked_extensions", "禁止上传的文件类型"),
        }[sub]
        op, items = rest[0], rest[1:]
        current = list(getattr(g, key))
        if op in ("添加", "add"):
            new = current + [i for i in items if i not in current]
        elif op in ("删除", "remove"):
            new = [c for c in current if c not in {i.lower().lstrip(".") for i in items}]
        else:
            raise UsageError(f"「{op}」应为「添加」或「删除」。")
        change = _set(key, new, f"{noun}已{op}：{'、'.join(items)}。")
    elif sub in ("重复", "repeat"):
        need(1)
        days = _int(rest[0], "天数")
        change = _set(
            "repeat_window_days", days, f"重复通知：{days} 天内。" if days else "不再检测重复通知。"
        )
    elif sub in ("刷屏", "flood"):
        need(2)
        count, seconds = _int(rest[0], "条数"), _int(rest[1], "秒数")
        change = _set_many(
            {"flood_messages": count, "flood_seconds": seconds}, f"刷屏：{seconds} 秒内 {count} 条。"
        )
    elif sub in ("禁言", "mute"):
        need(1)
        minutes = _int(rest[0], "分钟数")
        change = _set("mute_seconds", minutes * 60, f"首次禁言时长改为 {minutes} 分钟。")
    elif sub in ("累计", "ladder"):
        need(3)
        m, n, r = (_int(x, "次数") for x in rest[:3])
        if not m <= n <= r:
            raise UsageError("三个次数应依次不减：禁言 ≤ 告知群主 ≤ 建议移出。")
        change = _set_many(
            {"mute_after": m, "notify_after": n, "propose_removal_after": r},
            f"违规累计：{m} 次起禁言，{n} 次告知群主，{r} 次建议群主移出。",
        )
    elif sub in ("豁免", "exempt"):
        need(1)
        await _require(ctx, Role.OWNER, "修改豁免")
        roles = [] if rest == ["无"] else [ROLE_NAMES.get(r, "?" + r) for r in rest]
        bad = [r[1:] for r in roles if r.startswith("?")]
        if bad:
            raise UsageError(f"不认识角色「{'、'.join(bad)}」（可选：{'、'.join(ROLE_NAMES)}）。")
        change = _set("exempt", roles, f"豁免改为：{'、'.join(rest) if roles else '无'}。")
    elif sub in ("预设", "preset"):
        need(1)
        await _require(ctx, Role.OWNER, "更换预设")
        await _preset(ctx, rest[0])
        return
    elif sub in ("重置", "reset"):
        await _require(ctx, Role.OWNER, "重置本群设置")
        rt.policy.set_group_overrides(rec.group_id, None)
        await store.delete_setting(rec.group_id)
        state.remember_setting(rec.group_id, None, {})
        ctx.reply("已清除本群的全部调整，恢复为配置文件中的设置。")
        return
    else:
        raise UsageError(f"不认识「{sub}」。")
    await _apply(ctx, change)


class _Refused(Exception):
    """A sub-command above the caller's role (the refusal has been sent)."""


_KEEP = "\0keep"


async def _require(ctx: CommandContext, role: Role, what: str) -> None:
    if ctx.role < role:
        ctx.refuse(
            f"抱歉，{what}需要「{role.label}」及以上权限，您当前为「{ctx.role.label}」，本次未做任何操作。",
            why=f"{what}需要「{role.label}」及以上权限",
            mention=True,
        )
        raise _Refused


def _set(key: str, value: Any, message: str) -> Callable[[dict[str, Any]], str]:
    return _set_many({key: value}, message)


def _set_many(values: dict[str, Any], message: str) -> Callable[[dict[str, Any]], str]:
    def change(guard: dict[str, Any]) -> str:
        guard.update(values)
        return message

    return change


async def _apply(
    ctx: CommandContext, change: Callable[[dict[str, Any]], str], preset: str | None = _KEEP
) -> None:
    rec, rt = ctx.record, ctx.runtime
    current_preset, values = rt.policy.group_overrides(rec.group_id)
    values = copy.deepcopy(values)
    message = change(values.setdefault("guard", {}))
    if not values["guard"].get("actions", True):
        values["guard"].pop("actions")
    if not values["guard"]:
        values.pop("guard")
    new_preset = current_preset if preset == _KEEP else preset
    try:
        rt.policy.set_group_overrides(rec.group_id, values, preset=new_preset)
    except PolicyError as e:
        raise UsageError(f"设置无效：{e}") from None
    await store.save_setting(rec.group_id, new_preset, values, by=rec.user_id, at=datetime.now(UTC))
    state.remember_setting(rec.group_id, new_preset, values)
    ctx.reply(f"{message}立即生效。发送 /规则 查看本群的全部设置。")


async def _preset(ctx: CommandContext, name: str) -> None:
    rt = ctx.runtime
    if name == "默认":
        name = ""
    elif name not in rt.policy.preset_names:
        raise UsageError(f"没有「{name}」这个预设（可选：{'、'.join(rt.policy.preset_names)}）。")

    def change(guard: dict[str, Any]) -> str:
        if not name:
            return "本群恢复使用配置文件中的预设。"
        return f"本群改用预设 {name}（《{rt.policy.preset(name).regulation}》）。"

    await _apply(ctx, change, preset=name or None)
