"""Real-name admission (实名准入, SPEC §2): roster, join requests checked against it, post-join
verification with grace periods (请出制), card rule, identities kept private.

Wiring: the request and notice hooks of the intake plugin, one group-message hook (admins seen, card
rule), three commands, a /状态 line, and a timer loop started on driver start-up (due times live in the
database, so grace periods survive restarts)."""

from __future__ import annotations

from loguru import logger
from nonebot import get_driver
from nonebot.plugin import PluginMetadata

from bot.dispatch import (
    CommandContext,
    on_every_group_message,
    on_group_message,
    on_notice,
    on_request,
    status_line,
)
from bot.plugins.admission import commands  # noqa: F401  (registers the commands)
from bot.plugins.admission.common import get_cipher
from bot.plugins.admission.flow import TimerLoop, on_notice_record, on_request_record, watch_group_message
from bot.plugins.admission.member_diff import member_diff, on_member_notice
from bot.plugins.admission.onboarding import day_one, on_day_one_message, on_day_one_notice
from bot.runtime import Runtime, get_runtime
from bot.store import admission as adm
from bot.store import roster
from bot.store.roster import KEY_ENV, check_key_at_startup

__plugin_meta__ = PluginMetadata(
    name="实名准入",
    description="花名册、入群申请核对、入群后实名认证与请出制、群名片实名；个人信息加密保存",
    usage="/实名 姓名 科室 手机号（私聊）  /审批  /花名册",
)

on_request(on_request_record)
on_notice(on_day_one_notice)
on_notice(on_notice_record)
on_notice(on_member_notice)
on_group_message(watch_group_message)
on_every_group_message(on_day_one_message)


timers = TimerLoop()
driver = get_driver()


@driver.on_startup
async def _startup() -> None:
    rt = get_runtime()
    # Raises PersonalDataKeyError (start-up fails) for an invalid key, or a missing key while the
    # database holds personal data; a missing key on an empty database only switches admission off.
    if not await check_key_at_startup(rt.settings.steward_secret_key, db=rt.db):
        logger.warning(
            f"未设置 {KEY_ENV}：实名准入未启用（入群申请留给管理员在客户端处理）。"
            "生成密钥：python -m bot keygen"
        )
    timers.start(get_runtime)
    day_one.after_onboarding = timers.wake
    day_one.start(get_runtime)
    member_diff.start(get_runtime)


@driver.on_shutdown
async def _shutdown() -> None:
    await timers.stop()
    await day_one.stop()
    await member_diff.stop()


@status_line
async def _status(rt: Runtime, ctx: CommandContext) -> list[str]:
    if get_cipher(rt) is None:
        return [f"实名准入：未启用（未设置 {KEY_ENV}）"]
    requests, arrivals = await adm.count_open()
    people = sum((await roster.count_people()).values())
    return [f"实名准入：待审批 {requests} 项，待实名 {arrivals} 人；花名册共 {people} 人"]
