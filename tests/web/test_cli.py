"""python -m bot web …: accounts made from the shell, audited, argon2 hashes, one-line refusals."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.sim.process import REPO_ROOT
from tests.utils import POLICY_FILE


def web(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "ONEBOT_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(REPO_ROOT), STEWARD_DATA_DIR=str(cwd / "data"), STEWARD_POLICY_FILE=str(POLICY_FILE)
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "web", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_accounts_from_the_shell(tmp_path: Path) -> None:
    made = web(
        ["adduser", "jiguan", "--role", "supervisor", "--unit", "finance"], tmp_path, "a-long-password\n"
    )
    assert made.returncode == 0, made.stderr
    assert "已创建账号 jiguan（监管单位）" in made.stdout and "http://127.0.0.1:8080/steward/" in made.stdout
    assert "a-long-password" not in made.stdout and "NoneBot" not in made.stdout + made.stderr
    generated = web(["adduser", "ops", "--role", "operator"], tmp_path)  # empty standard input: generated
    assert generated.returncode == 0, generated.stderr
    [line] = [ln for ln in generated.stdout.splitlines() if "初始密码" in ln]
    password = line.split("：", 1)[1].strip()
    assert len(password) == 16

    dup = web(["adduser", "jiguan", "--role", "operator"], tmp_path, "another-password\n")
    unit = web(["adduser", "x", "--role", "supervisor", "--unit", "nowhere"], tmp_path, "another-password\n")
    assert dup.returncode == 1 and "已存在" in dup.stderr and len(dup.stderr.strip().splitlines()) == 1
    assert unit.returncode == 2 and "未定义的单位：nowhere（可选：finance）" in unit.stderr

    listed = web(["users"], tmp_path)
    assert (
        "jiguan\t监管单位\tfinance\t最近登录：从未登录" in listed.stdout
        and "ops\t运维人员\t全部" in listed.stdout
    )

    db = sqlite3.connect(tmp_path / "data" / "steward.db")
    (before,) = db.execute("SELECT password_hash FROM steward_web_user WHERE name='jiguan'").fetchone()
    assert before.startswith("$argon2id$") and "a-long-password" not in before
    changed = web(["passwd", "jiguan"], tmp_path, "a-new-long-password\n")
    assert changed.returncode == 0 and "会话已失效" in changed.stdout
    (after, epoch) = db.execute(
        "SELECT password_hash, epoch FROM steward_web_user WHERE name='jiguan'"
    ).fetchone()
    assert after != before and epoch == 1

    assert web(["deluser", "jiguan"], tmp_path).returncode == 0
    last = web(["deluser", "ops"], tmp_path)
    assert "已没有任何账号：管理页面随之关闭" in last.stdout
    rows = db.execute("SELECT action, actor, target FROM steward_audit ORDER BY id").fetchall()
    assert rows == [
        ("web.user_added", "cli", "jiguan"),
        ("web.user_added", "cli", "ops"),
        ("web.password_changed", "cli", "jiguan"),
        ("web.user_deleted", "cli", "jiguan"),
        ("web.user_deleted", "cli", "ops"),
    ]
    db.close()


def test_account_rules() -> None:
    from bot.web.cli import account_problem

    units = ["finance", "nr"]
    assert account_problem("supervisor", ["finance"], [], units) is None
    assert account_problem("operator", [], [], units) is None
    assert account_problem("owner", [], ["123"], units) is None
    assert "--unit 指定至少一个单位" in (account_problem("supervisor", [], [], units) or "")
    assert account_problem("supervisor", ["tax"], [], units) == "未定义的单位：tax（可选：finance、nr）"
    assert "--group 指定至少一个群号" in (account_problem("owner", [], [], units) or "")
    assert "只用于" in (account_problem("operator", ["finance"], [], units) or "")
    assert "只用于" in (account_problem("supervisor", ["finance"], ["123"], units) or "")
