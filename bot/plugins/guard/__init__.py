"""Content guard (SPEC §3): one pass over every group message — keywords that resist evasion,
secret markings, personal data, links and cards, uploaded files, repeated notices, flooding — one
verdict, and warnings that cite the group's regulation."""

from __future__ import annotations

import asyncio

from nonebot import get_driver
from nonebot.plugin import PluginMetadata

from bot.plugins.guard import deep, enforce, policy_cmd, status, warns_cmd, words_cmd  # noqa: F401  (registers)
from bot.plugins.guard.state import state
from bot.runtime import get_runtime

__plugin_meta__ = PluginMetadata(
    name="内容巡查",
    description=(
        "每条群消息过一遍全部内容规则：违禁词（抗变形）、密级标识、个人信息、链接与卡片、群文件、"
        "合并转发的聊天记录、图片中的二维码（可选：图片中的文字）、重复通知、刷屏；"
        "按本群规定撤回、提醒、禁言或告知群主，并注明依据的条款"
    ),
    usage=f"{words_cmd.USAGE}\n{policy_cmd.USAGE}\n{warns_cmd.USAGE}",
)

driver = get_driver()


_loading: set[asyncio.Task[None]] = set()


@driver.on_startup
async def _load() -> None:
    # Runs after the runtime has opened the database (its startup hook was registered first). The
    # lexicons take seconds to build: start-up does not wait for them (the server listens at once);
    # a message that arrives before they are ready waits for them in state.load.
    task = asyncio.get_running_loop().create_task(state.load(get_runtime()))
    _loading.add(task)
    task.add_done_callback(_loading.discard)


@driver.on_shutdown
async def _stop() -> None:
    await deep.deep.stop()  # the forward / picture workers and their HTTP client
