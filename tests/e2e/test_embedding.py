"""The capabilities inside someone else's NoneBot bot: a host entry script with the stock OneBot adapter
and its own matchers loads ``bot.plugins.intake`` and the six capabilities with
``nonebot.load_plugin``. The runtime starts from the driver's start-up hook; the host's command and
catch-all matcher still work; an event we acted on (a command of ours, a recalled message) does not
reach the host's matchers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sim.peer import OneBotV11Peer
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

GROUP = 100  # huangshan-finance-2020 (tests/data/policy.toml)
REPLY = ("send_group_msg", "send_msg")
CAPABILITIES = ("guard", "admission", "worktime", "review", "register", "suggest")

# Not named bot.py: a script of that name would shadow the package (`import bot` finds the script).
HOST = """
import nonebot
from nonebot import on_command, on_message
from nonebot.adapters.onebot.v11 import Adapter, GroupMessageEvent

nonebot.init()
nonebot.get_driver().register_adapter(Adapter)  # the stock adapter: the repaired one is optional

weather = on_command("天气", priority=5, block=True)


@weather.handle()
async def _weather() -> None:
    await weather.finish("主机：今天晴")


seen = on_message(priority=10, block=False)


@seen.handle()
async def _seen(event: GroupMessageEvent) -> None:
    await seen.finish("主机：收到 " + event.get_plaintext()[:10])


nonebot.load_plugin("bot.plugins.intake")
for name in {capabilities!r}:
    nonebot.load_plugin("bot.plugins." + name)

if __name__ == "__main__":
    nonebot.run()
"""


def _host(tmp: Path, **env: str) -> BotProcess:
    script = tmp / "host_bot.py"
    script.write_text(HOST.format(capabilities=CAPABILITIES), encoding="utf-8")
    return BotProcess(
        module=str(script), superusers=["onebot:10001"], policy_file=POLICY_FILE, env=env, log_level="INFO",
        stop_grace=60.0,  # its review may still be finishing at SIGTERM on a busy machine
    )


async def test_capabilities_in_a_host_bot(tmp_path: Path) -> None:
    async with _host(tmp_path) as host:
        async with OneBotV11Peer(host.ws_url_v11, access_token=host.access_token) as peer:
            # The host's own command answers; our intake let it through.
            await peer.send_group_message(GROUP, 30101, "/天气")
            answer = await peer.wait_call(REPLY, lambda c: "主机：今天晴" in c.text, timeout=15)
            assert str(answer.group_id) == str(GROUP)
            # An ordinary message reaches the host's catch-all matcher.
            await peer.send_group_message(GROUP, 30102, "收到，下午的会我准时参加")
            await peer.wait_call(REPLY, lambda c: "主机：收到" in c.text, timeout=15)
            peer.clear()
            # Our command answers (runtime started from the start-up hook, database ready), and the
            # host's catch-all does not also answer it.
            await peer.send_group_message(GROUP, 30103, "/建议 食堂的菜价可以公示一下吗")
            ours = await peer.wait_call(REPLY, lambda c: "感谢您的建议" in c.text, timeout=15)
            assert str(ours.group_id) == str(GROUP)
            # A violation: recalled and warned by the guard; the host never sees it.
            await peer.send_group_message(GROUP, 30104, "澳门赌.场上线了，首充送彩金")
            await peer.wait_call("delete_msg", timeout=15)
            await peer.wait_call(REPLY, lambda c: "已被撤回" in c.text, timeout=15)
            await peer.wait_no_call(REPLY, lambda c: "主机：" in c.text, within=1.5)
            # An operator named with NoneBot's prefixed form ("onebot:10001") is an operator.
            peer.clear()
            await peer.send_group_message(GROUP, 10001, "/巡查")
            reply = await peer.wait_call(REPLY, lambda c: "主机：" not in c.text, timeout=15)
            assert "权限" not in reply.text and "巡查" in reply.text, reply.text
    assert host.stopped_cleanly, host.log_tail()
