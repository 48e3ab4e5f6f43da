"""`python -m bot notices` lists one-off, recurring and broadcast notices."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.models.sealed import current_cipher, use_cipher
from bot.models.worktime import NoticeKind
from bot.store import notices
from bot.store.db import Database
from bot.store.notices import NewNotice
from tests.cli.test_cli import _cli


async def test_notices_lists_series_and_broadcasts(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    # The CLI below runs without a personal-data key: store the notices the keyless way (masked).
    keyed = current_cipher()
    use_cipher(None)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'steward.db'}")
    await db.prepare(auto_migrate=True)
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    base = NewNotice("qq", "300", "999", "20003", "李四", "请报送周报。", now, now)
    try:
        await notices.create(base, db=db)
        await notices.create(
            NewNotice(
                "qq",
                "300",
                "999",
                "20003",
                "李四",
                "周例会提醒。",
                now,
                now,
                kind=NoticeKind.RECURRING,
                recurrence="weekly:0@09:00",
            ),
            db=db,
        )
        await notices.create(
            NewNotice(
                "qq",
                "",
                "999",
                "20009",
                "监管",
                "年终检查。",
                now,
                None,
                kind=NoticeKind.BROADCAST,
                targets=("300", "301"),
            ),
            db=db,
        )
    finally:
        use_cipher(keyed)
        await db.dispose()
    result = _cli(["notices"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert "qq:300 周期（每周一 09:00）" in result.stdout and "周例会提醒" in result.stdout
    assert "qq:群发 2 个群" in result.stdout and "待审核" in result.stdout
