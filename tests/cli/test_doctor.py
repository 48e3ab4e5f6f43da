"""`python -m bot doctor`: each check says what is wrong and what to do; exit 1 when a fix is needed."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.doctor import Level, report, run_checks
from bot.runtime import get_runtime, set_runtime
from bot.sim.process import REPO_ROOT


async def test_doctor_in_a_running_bot_without_connections(tmp_path: Path) -> None:
    # The test session's runtime is started (database at head, its status file written) but no
    # OneBot implementation is connected to it.
    session = get_runtime()
    try:
        findings = await run_checks(tmp_path, now=datetime.now(UTC))
    finally:
        set_runtime(session)  # the doctor builds its own (unstarted) runtime
    lines = [f.line() for f in findings]
    text = "\n".join(lines)
    assert "没有 .env 文件" in text
    assert any(f.level is Level.OK and "结构为最新" in f.what for f in findings), text
    year = datetime.now(UTC).year
    assert sum(f"{y} 年节假日安排" in text for y in (year, year + 1)) == 2, text
    [running] = [f for f in findings if "机器人正在运行" in f.what]
    assert running.level is Level.FAIL and "没有 OneBot 实现连接" in running.what
    assert "/onebot/v11/ws" in running.fix
    out: list[str] = []
    assert report(findings, out.append) == 1 and out[-1].startswith("发现")


def test_doctor_names_a_bad_key_and_a_database_it_cannot_open(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "ONEBOT_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        STEWARD_SECRET_KEY="not-a-key",
        DATABASE_URL="postgresql+asyncpg://nobody@127.0.0.1:1/none",
    )
    (tmp_path / ".env").write_text("LOG_LEVEL=INFO\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("✓ 读取 .env")
    assert any(line.startswith("✗ 无法打开数据库") and "DATABASE_URL" in line for line in lines), done.stdout
    assert any(line.startswith("✗") and "STEWARD_SECRET_KEY" in line for line in lines), done.stdout
    assert "NoneBot" not in done.stdout  # quiet: no start-up log
