"""`python -m bot demo`: the real bot and a built-in OneBot peer play scripted scenes in a work group.

No QQ account is needed: the simulator connects to the bot exactly as NapCat would (reverse WebSocket,
access token), sends the members' messages and join requests, answers the bot's actions, and prints
what the bot did. Each capability adds a scene in `bot/sim/scenes/`; a scene fails loudly when the bot
does not do what the scene expects, so `tests/e2e/test_demo.py` keeps the demo honest.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TextIO

from bot.core.crypto import generate_key
from bot.sim import events as ev
from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import BotProcess

OPERATOR = 10001
BOT_ID = ev.DEFAULT_SELF_ID

#: Who is who in the demo groups (user id → how the transcript names them).
PEOPLE: dict[int, str] = {
    OPERATOR: "运维小刘",
    20001: "群主李主任",
    20002: "管理员王科长",
    30001: "成员张三",
    30002: "成员赵六",
}


@dataclass
class Stage:
    """What a scene plays with: the bot process, the OneBot peer, and a transcript."""

    bot: BotProcess
    peer: OneBotV11Peer
    out: TextIO = sys.stdout
    people: dict[int, str] = field(default_factory=lambda: dict(PEOPLE))
    #: also print the bot's raw API calls (member lists, group info, uploads)
    verbose: bool = False
    _shown: set[int] = field(default_factory=set)

    def narrate(self, text: str) -> None:
        print(f"  · {text}", file=self.out)

    def who(self, user_id: Any) -> str:
        try:
            return self.people.get(int(user_id), f"用户{user_id}")
        except (TypeError, ValueError):
            return f"用户{user_id}"

    async def say(self, group_id: int, user_id: int, text: str, *, role: str = "member", **kw: Any) -> None:
        """A member writes in the group."""
        print(f"  [群{group_id}] {self.who(user_id)}：{text}", file=self.out)
        await self.peer.send_group_message(group_id, user_id, text, role=role, card=self.who(user_id), **kw)

    async def whisper(self, user_id: int, text: str) -> None:
        """A user writes to the bot in private chat."""
        print(f"  [私聊] {self.who(user_id)} → 机器人：{text}", file=self.out)
        await self.peer.send_private_message(user_id, text)

    async def send(self, event: dict[str, Any], caption: str) -> None:
        """Send any prepared event (join request, notice …) with a caption for the transcript."""
        print(f"  [事件] {caption}", file=self.out)
        await self.peer.send_event(event)

    async def expect(
        self,
        action: str | Sequence[str],
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a scene's patience, passed on to the peer's wait
    ) -> Call:
        """Wait for the bot to do something, print it, and return it (AssertionError if it does not)."""
        call = await self.peer.wait_call(action, predicate, timeout=timeout)
        self._flush(through=call)
        return call

    async def settle(self, quiet: float = 0.5) -> list[Call]:
        """Print whatever else the bot did until it has been quiet for `quiet` seconds."""
        rest = await self.peer.drain(quiet=quiet)
        self._flush()
        return rest

    def _flush(self, through: Call | None = None) -> None:
        """Print the calls not printed yet in the order the bot made them, up to `through`: an
        acknowledgement the bot sent before the result a scene waited for is printed before it."""
        for call in list(self.peer.calls):
            if id(call) not in self._shown and call.outcome != "pending":
                self._shown.add(id(call))
                self.show(call)
            if call is through:
                return

    def show(self, call: Call) -> None:
        p = call.params
        a = call.action
        if a in ("send_group_msg", "send_msg") and p.get("group_id") is not None:
            line = f"机器人在群{p['group_id']}回复：{self._mentions(p)}{_indent(call.text.strip())}"
        elif a in ("send_private_msg", "send_msg"):
            line = f"机器人私聊{self.who(p.get('user_id'))}：{_indent(call.text)}"
        elif a == "delete_msg":
            line = f"机器人撤回了消息 #{p.get('message_id')}"
        elif a == "set_group_ban":
            line = f"机器人禁言{self.who(p.get('user_id'))} {p.get('duration')} 秒"
        elif a == "set_group_kick":
            line = f"机器人将{self.who(p.get('user_id'))}移出群{p.get('group_id')}"
        elif a == "set_group_add_request":
            verdict = "通过" if p.get("approve") else "拒绝"
            reason = f"（理由：{p['reason']}）" if p.get("reason") else ""
            line = f"机器人{verdict}了入群申请{reason}"
        elif self.verbose:
            line = f"机器人调用 {a}"
        else:
            return  # member lists, group info, uploads: plumbing, shown with --verbose
        print(f"  ⇒ {line}", file=self.out)

    def _mentions(self, params: dict[str, Any]) -> str:
        message = params.get("message")
        if not isinstance(message, list):
            return ""
        ats = [
            seg.get("data", {}).get("qq")
            for seg in message
            if isinstance(seg, dict) and seg.get("type") == "at"
        ]
        return "".join(f"@{'全体成员' if q == 'all' else self.who(q)} " for q in ats)


def _indent(text: str) -> str:
    return text.replace("\n", "\n      ")


@dataclass(frozen=True)
class Scene:
    name: str
    title: str
    play: Callable[[Stage], Awaitable[None]]
    order: int = 100


SCENES: dict[str, Scene] = {}


def scene(name: str, title: str, *, order: int = 100) -> Callable[[Callable[[Stage], Awaitable[None]]], Any]:
    """Register a demo scene: `@scene("guard", "内容巡查", order=20)` on `async def play(stage)`."""

    def deco(fn: Callable[[Stage], Awaitable[None]]) -> Callable[[Stage], Awaitable[None]]:
        SCENES[name] = Scene(name, title, fn, order)
        return fn

    return deco


def load_scenes() -> list[Scene]:
    import bot.sim.scenes as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
    return sorted(SCENES.values(), key=lambda s: (s.order, s.name))


def describe_scenes(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    for sc in load_scenes():
        print(f"{sc.name:<12}{sc.title}", file=out)
    return 0


async def play(names: Iterable[str] | None = None, out: TextIO = sys.stdout, *, verbose: bool = False) -> int:
    """Play the scenes in order. Each scene gets a fresh bot process, data directory and OneBot
    peer, so it plays the same alone (`--scene`) as in the whole demo, and no scene's scripted
    timestamps or late notices reach the next one."""
    scenes = load_scenes()
    wanted = set(names or ())
    if wanted:
        unknown = wanted - {s.name for s in scenes}
        if unknown:
            print(
                f"没有这些场景：{', '.join(sorted(unknown))}。可选：{', '.join(s.name for s in scenes)}",
                file=out,
            )
            return 2
        scenes = [s for s in scenes if s.name in wanted]
    print("工作群管家演示：启动机器人和内置的 OneBot 模拟器（无需 QQ 账号）…", file=out)
    print("每个场景使用一个全新的机器人进程和数据库；模拟器以 NapCat 的方式接入。", file=out)
    failed = 0
    with resources.as_file(resources.files("bot.sim") / "demo_policy.toml") as policy:
        for sc in scenes:
            print(f"\n=== 场景：{sc.title}（{sc.name}）===", file=out)
            # A generous start-up time: the demo also runs on small, busy machines.
            async with BotProcess(
                superusers=[str(OPERATOR)],
                policy_file=policy,
                secret_key=generate_key(),
                log_level="WARNING",
                start_timeout=120,
            ) as bot:
                if verbose:
                    print(f"  （机器人在 {bot.ws_url_v11} 等待连接）", file=out)
                peer_ = OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token, self_id=BOT_ID)
                async with peer_ as peer:
                    stage = Stage(bot=bot, peer=peer, out=out, verbose=verbose)
                    try:
                        await sc.play(stage)
                        await stage.settle(0.5)
                    except AssertionError as e:
                        failed += 1
                        print(f"  ✗ 场景未按预期进行：{e}", file=out)
    print("\n演示结束。" if not failed else f"\n演示结束：{failed} 个场景未按预期进行。", file=out)
    return 1 if failed else 0


def main(scene_name: str | None = None, *, verbose: bool = False, list_only: bool = False) -> int:
    if list_only:
        return describe_scenes()
    return asyncio.run(play([scene_name] if scene_name else None, verbose=verbose))
