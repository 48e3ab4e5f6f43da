"""The weekly review end to end: the admission and review demo scenes against the real bot process."""

import io

import pytest

from bot.sim.demo import play

pytestmark = pytest.mark.e2e


async def test_review_scene_plays() -> None:
    out = io.StringIO()
    code = await play(["admission", "review"], out=out)
    transcript = out.getvalue()
    assert code == 0, transcript
    assert "场景：每周巡查" in transcript and "演示结束。" in transcript
