"""The operator CLI: Chinese help, quiet by default, one line and a non-zero exit on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from bot.cli import _zh_usage, main
from bot.heartbeat import Account, Heartbeat, live_beats, run_dir
from bot.sim.process import REPO_ROOT
from tests.utils import POLICY_FILE


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "ONEBOT_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(REPO_ROOT), STEWARD_DATA_DIR=str(cwd / "data"), STEWARD_POLICY_FILE=str(POLICY_FILE)
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "用法：" in result.output and "选项" in result.output and "命令" in result.output
    assert "显示本帮助并退出" in result.output
    assert "Usage:" not in result.output and "Show this message" not in result.output
    sub = CliRunner().invoke(main, ["review", "run", "--help"])
    assert "请运行中的机器人立即巡查" in sub.output and "Options" not in sub.output


def test_every_command_has_chinese_help() -> None:
    def walk(cmd, path):  # type: ignore[no-untyped-def]
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path, cmd in walk(main, []):
        text = cmd.help or ""
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{' '.join(path)}: {text!r}"
        for param in cmd.params:
            helptext = getattr(param, "help", None)
            if helptext:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in helptext), f"{path} {param.name}"


def test_quiet_by_default_and_one_line_errors(tmp_path: Path) -> None:
    ok = _cli(["check-config"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().startswith("配置有效"), ok.stdout
    assert "NoneBot" not in ok.stdout + ok.stderr and "Current Env" not in ok.stdout + ok.stderr
    loud = _cli(["--verbose", "check-config"], tmp_path)
    assert loud.returncode == 0 and "Current" in loud.stdout + loud.stderr
    bad = _cli(["review", "run"], tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip() == "用法错误：缺少参数 GROUP（用 --help 查看用法）"
    assert bad.stdout == ""
    # No bot process on this data directory: said so, nothing registered, exit 1.
    none = _cli(["review", "run", "123"], tmp_path)
    assert none.returncode == 1 and len(none.stderr.strip().splitlines()) == 1
    assert "没有运行中的机器人进程" in none.stderr and "--queue" in none.stderr
    assert _cli(["db", "upgrade"], tmp_path).returncode == 0
    queued = _cli(["review", "run", "123", "--queue"], tmp_path)
    assert queued.returncode == 0 and "将在机器人启动后执行" in queued.stdout


def test_usage_messages_in_chinese() -> None:
    assert _zh_usage("No such command 'x'.") == "没有命令 x"
    assert _zh_usage("Missing option '--unit'.") == "缺少选项 --unit"
    assert _zh_usage("No such option: --nope") == "没有选项 --nope"


async def test_heartbeat_live_and_stale(tmp_path: Path) -> None:
    beat = Heartbeat(tmp_path, "1.0", lambda: [Account("qq", "999", "2026-01-01T00:00:00+00:00")])
    beat.start()
    try:
        import asyncio

        await asyncio.sleep(0.05)
        [live] = live_beats(tmp_path)
        assert live.pid == os.getpid() and live.accounts[0].self_id == "999"
        # An old file of this very process is stale: not running as far as anyone can tell.
        later = datetime.now(UTC) + timedelta(minutes=5)
        assert live_beats(tmp_path, now=later) == []
    finally:
        await beat.stop()
    assert live_beats(tmp_path) == []
    # A file left by a process that no longer exists is ignored and cleaned up.
    dead = run_dir(tmp_path) / "steward-999999999.json"
    dead.write_text(
        json.dumps(
            {
                "pid": 999_999_999,
                "started_at": datetime.now(UTC).isoformat(),
                "updated_at": datetime.now(UTC).isoformat(),
            }
        ),
        encoding="utf-8",
    )
    assert live_beats(tmp_path) == [] and not dead.exists()


def test_demo_lists_its_scenes() -> None:
    result = CliRunner().invoke(main, ["demo", "--list"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names[:2] == ["foundation", "admission"] and "guard" in names and "register" in names
