"""The log sink: NoneBot's event lines are dropped whatever model produced them, and ID- and
mobile-shaped numbers are masked in every message and exception text, from any logger."""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from bot.core.identity.redact import mask_in_text, scrub_for_log
from bot.logs import configure_logging

ID_NUMBER, PHONE = "11010519491231002X", "13912345678"


def test_sink_drops_event_lines_and_masks_numbers(tmp_path: Path) -> None:
    configure_logging("DEBUG", tmp_path)
    try:
        nb = logger.patch(lambda r: r.update(name="nonebot"))
        nb.success(f"OneBot V11 3889000001 | [request.friend]: {{'comment': '欧阳秀英 {PHONE}'}}")
        nb.success('Succeeded to load plugin "guard"')
        logger.info(f"member gave {PHONE} and {ID_NUMBER}")
        try:
            raise ValueError(f"input_value='{ID_NUMBER}'")
        except ValueError:
            logger.exception("parse failed")
        logger.complete()
    finally:
        configure_logging("INFO", None)
    text = (tmp_path / "steward.log").read_text("utf-8")
    assert "欧阳秀英" not in text and PHONE not in text and ID_NUMBER not in text
    assert "request.friend" not in text and "Succeeded to load plugin" in text
    assert "139****5678" in text and "110105********002X" in text and "ValueError" in text


def test_masking_in_free_text() -> None:
    assert (
        mask_in_text(f"请联系 {PHONE}，身份证 {ID_NUMBER}") == "请联系 139****5678，身份证 110105********002X"
    )
    assert mask_in_text("会议 3 楼 301 室") == "会议 3 楼 301 室"
    # A mistyped ID number is still an ID number in a log line; message ids and timestamps stay.
    assert scrub_for_log("id 110105194912310021 ts 1796240099575 msg 3889000001") == (
        "id 110105********0021 ts 1796240099575 msg 3889000001"
    )
