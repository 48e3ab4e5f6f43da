"""The message path: record → the content gate → command (dict lookup) or the message hooks.

One NoneBot matcher feeds this; capabilities register hooks here instead of adding matchers.
The content gate (the guard) sees every group message first, commands included: a command is
no way around the content rules (`/帮助 ` + an ID number is recalled like the number alone).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from loguru import logger

from bot.dispatch import rolestore
from bot.dispatch.commands import Command, UsageError, registry, split_command
from bot.dispatch.context import CommandContext
from bot.dispatch.roles import Role, resolve_role, role_book
from bot.intake.clock import bookkeeping_time, skewed
from bot.intake.record import MessageRecord
from bot.intake.stats import stats
from bot.runtime import Runtime
from bot.store import audit, groups

MessageHook = Callable[[MessageRecord, Runtime], Awaitable[None]]
# A gate sees a group message before anything acts on it; `command` is the command it invokes (None
# for a plain message). True means the gate acted on the message (a violation): a command is then
# not run (a plain message still reaches the message hooks, which record activity and the like).
MessageGate = Callable[[MessageRecord, Runtime, "Command | None"], Awaitable[bool]]
message_hooks: list[MessageHook] = []
every_message_hooks: list[MessageHook] = []
message_gates: list[MessageGate] = []
REPLY_WAIT = 2.0  # seconds a command's task waits for its replies to be sent


def on_group_message(hook: MessageHook) -> MessageHook:
    """Register a hook that sees every group message that is not a command (content rules …)."""
    message_hooks.append(hook)
    return hook


def on_every_group_message(hook: MessageHook) -> MessageHook:
    """Register a hook that sees every group message, commands included, before dispatch (activity
    and the like). It must be cheap and must not reply."""
    every_message_hooks.append(hook)
    return hook


def gate_group_message(gate: MessageGate) -> MessageGate:
    """Register a gate over every group message, commands included (the content guard)."""
    message_gates.append(gate)
    return gate


async def _gated(rec: MessageRecord, rt: Runtime, cmd: Command | None) -> bool:
    if cmd is not None and cmd.quotes_content:
        await rolestore.refresh_user(rec.platform, rec.user_id)
        if _role(rec, rt) >= cmd.min_role:
            return False  # /词库 添加 <word> by someone who may: the word is the point
    for gate in message_gates:
        try:
            if await gate(rec, rt, cmd):
                return True
        except Exception:  # a broken gate must not stop the group's commands
            logger.exception(f"message gate {getattr(gate, '__qualname__', gate)} failed")
    return False


async def _run(hooks: list[MessageHook], rec: MessageRecord, rt: Runtime) -> None:
    for hook in hooks:
        try:
            await hook(rec, rt)
        except Exception:
            logger.exception(f"message hook {getattr(hook, '__qualname__', hook)} failed")


async def handle_message(rec: MessageRecord, rt: Runtime) -> bool:
    """Returns True when a command of ours handled the message (the intake matcher then blocks)."""
    stats.messages += 1
    if rec.is_group:
        rt.registry.note_group(rec.platform, rec.group_id, rec.self_id)
        await rolestore.note_platform_role(
            rec.platform, rec.group_id, rec.user_id, rec.sender_role, by="message", now=rec.time
        )
        if skewed(rec):
            stats.time_skewed += 1
        try:
            await groups.touch(rec.platform, rec.group_id, rec.self_id, bookkeeping_time(rec))
        except Exception as e:  # bookkeeping; the message's content check must still run
            logger.warning(f"could not record group {rec.group_id} as seen: {type(e).__name__}")
        await _run(every_message_hooks, rec, rt)
    parsed = split_command(rec.text)
    cmd = registry.get(parsed[0]) if parsed else None
    if rec.is_group and await _gated(rec, rt, cmd) and cmd is not None:
        return True  # refused for its content: handled as that violation
    if parsed:
        if cmd is not None:
            await run_command(cmd, parsed[1], rec, rt)
            return True
        if not rec.is_group and not rt.embedded:  # in a host bot, the command may be the host's
            await rt.actions.send_private(
                rec.platform,
                rec.self_id,
                rec.user_id,
                f"没有 /{parsed[0]} 这个命令。发送 /帮助 查看可用命令。",
            )
            return True
    if rec.is_group:
        await _run(message_hooks, rec, rt)
    return False


def _role(rec: MessageRecord, rt: Runtime) -> Role:
    return resolve_role(
        rec.user_id,
        group_id=rec.group_id,
        platform=rec.platform,
        platform_role=rec.sender_role,
        policy=rt.policy,
        superusers=rt.superusers,
        book=role_book,
    )


async def run_command(cmd: Command, args: str, rec: MessageRecord, rt: Runtime) -> None:
    await rolestore.refresh_user(rec.platform, rec.user_id)  # a role stored by another process holds now
    role = _role(rec, rt)
    ctx = CommandContext(record=rec, command=cmd, args=args, role=role, runtime=rt, held=[])
    try:
        if await _execute(cmd, ctx):
            refused = f" 被拒绝：{ctx.refused}" if ctx.refused else ""
            await audit.record(
                f"command.{cmd.name}" + (".refused" if ctx.refused else ""),
                actor=rec.user_id,
                platform=rec.platform,
                group_id=rec.group_id,
                reason=f"{role.label}执行 /{cmd.name}{refused}",
            )
    except Exception:
        logger.exception(f"audit of /{cmd.name} failed")
    finally:
        replies = ctx.flush()  # the replies go out after the audit row is committed
    if replies:
        # Like a NoneBot matcher awaiting its send: the event's task ends once its reply is out
        # (bounded: a reply held for a reconnect must not keep the task alive).
        await asyncio.wait(replies, timeout=REPLY_WAIT)


async def _execute(cmd: Command, ctx: CommandContext) -> bool:
    """Run the command; True when it ran to the end or was refused (both are audited)."""
    rec, role = ctx.record, ctx.role
    if cmd.scope == "group" and not rec.is_group:
        ctx.reply(f"/{cmd.name} 需要在群内使用。")
        return False
    if cmd.scope == "private" and rec.is_group:
        ctx.reply(f"/{cmd.name} 涉及个人信息，请私聊机器人使用。", mention=True)
        return False
    if role < cmd.min_role:
        logger.info(
            f"refused /{cmd.name} for user {rec.user_id} ({role.name}) in {rec.group_id or 'private'}"
        )
        ctx.refuse(
            f"抱歉，/{cmd.name} 需要「{cmd.min_role.label}」及以上权限，您当前为「{role.label}」，"
            "本次未做任何操作。",
            why=f"需要「{cmd.min_role.label}」及以上权限",
            mention=rec.is_group,
        )
        return True
    try:
        await cmd.handler(ctx)
    except UsageError as e:
        reason = f"{e.reason}\n" if e.reason else ""
        ctx.reply(f"{reason}用法：{cmd.usage}")
        return False
    except Exception:
        logger.exception(f"command /{cmd.name} failed")
        ctx.reply(f"抱歉，处理 /{cmd.name} 时出错，已记录日志。请稍后重试或联系运维人员。")
        return False
    return True
