"""The demo is part of the product: every scene must still do what it shows."""

import io

from bot.sim.demo import play


async def test_every_demo_scene_plays() -> None:
    out = io.StringIO()
    code = await play(out=out)
    transcript = out.getvalue()
    assert code == 0, transcript
    assert "场景：连接与基础命令" in transcript and "演示结束。" in transcript
