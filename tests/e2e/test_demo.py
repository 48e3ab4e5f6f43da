"""The demo is part of the product: every scene must still do what it shows."""

import io

from bot.sim.demo import play


async def test_every_demo_scene_plays() -> None:
    out = io.StringIO()
    code = await play(out=out)
    transcript = out.getvalue()
    assert code == 0, transcript
    assert "场景：连接与基础命令" in transcript and "演示结束。" in transcript
    # Plumbing (member lists, group info, uploads) only with --verbose.
    assert "机器人调用" not in transcript
    # A scene's late notices stay in that scene: the guard's rectification case is shown there.
    guard = transcript.split("（guard）===")[1].split("=== 场景")[0]
    assert "【整改通知】" in guard
    worktime = transcript.split("（worktime）===")[1].split("=== 场景")[0]
    assert "【整改通知】" not in worktime
