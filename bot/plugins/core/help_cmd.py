"""/帮助: what the bot does here and the commands the caller's role may use."""

from __future__ import annotations

from bot.core.guard.carried import coverage
from bot.core.guard.images import ocr_available
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.dispatch.commands import registry
from bot.gateway.base import CAPABILITY_LABELS
from bot.gateway.onebot import OneBotV11Gateway, OneBotV12Gateway

V12_NOTE = (
    "本群通过微信（OneBot v12）接入：平台不支持{missing}，相关规则改为提醒和记录；"
    "移出成员通过实现的 wx.delete_groupmember 扩展完成。"
)
# What works in a WeChat group and what cannot (the README's "WeChat" section says the same).
V12_DETAIL = (
    "微信群中可用：新成员实名认证（定期比对群成员列表发现新成员，在群内 @ 并私聊邀请 /实名，"
    "私聊仅对机器人的好友送达）、内容巡查（文字、链接卡片、小程序、文件名、图片）、工作时间、"
    "每周巡查与 /清理、备案登记；违规消息无法撤回时，提醒发送者自行撤回，并私下告知群主。"
    "微信群中不可用：审核入群申请（微信没有入群申请）、禁言、撤回、合并转发的聊天记录（不会送达机器人）。"
    "微信成员列表不含群主和管理员：请运维或监管人员发送 /规则 群主 @成员、/规则 管理员 添加 @成员 指定；"
    "指定前，需告知群主的事项改发给本单位监管人员。"
)


def _missing_capabilities() -> str:
    missing = [
        label
        for cap, label in CAPABILITY_LABELS.items()
        if cap in OneBotV11Gateway.capabilities and cap not in OneBotV12Gateway.capabilities
    ]
    return "、".join(missing)


@command("帮助", aliases=("help",), summary="本群的管理规则和您可用的命令", usage="/帮助 [命令名]", order=0)
async def help_(ctx: CommandContext) -> None:
    if ctx.args:
        name = ctx.args.lstrip("/／").split()[0]
        cmd = registry.get(name)
        if cmd is None:  # echo a short name only: never repeat what a member typed at length
            raise UsageError(f"没有 /{name} 这个命令。" if len(name) <= 12 else "没有这个命令。")
        ctx.reply(cmd.help_text())
        return
    rec, rt = ctx.record, ctx.runtime
    lines: list[str] = []
    if rec.is_group:
        preset = rt.policy.for_group(rec.group_id).preset
        lines.append(f"工作群管家依据《{preset.regulation}》管理本群（预设 {preset.name}）。")
        if preset.description:
            lines.append(preset.description)
    else:
        lines.append(
            "工作群管家：实名准入、内容巡查、工作时间、每周巡查、备案登记，依据各单位的工作群管理规定。"
        )
    if rec.platform == "wechat":
        lines.append(V12_NOTE.format(missing=_missing_capabilities()))
        lines.append(V12_DETAIL)
    if rec.is_group:
        lines.append(coverage(rec.platform, ocr=ocr_available()))
    usable = [c for c in registry.all() if ctx.role >= c.min_role]
    lines.append(f"您的身份：{ctx.role.label}。可用命令：")
    lines.extend(
        f"/{c.name}（/{c.aliases[0]}）— {c.summary}" if c.aliases else f"/{c.name} — {c.summary}"
        for c in usable
    )
    if ctx.role < Role.ADMIN:
        lines.append("管理命令仅对群主、管理员和运维人员显示。")
    lines.append("发送「/帮助 命令名」查看用法，例如 /帮助 状态。")
    ctx.reply("\n".join(lines))
