"""Real-name admission end to end: the real bot process with a personal-data key, a NapCat-like peer,
a roster pasted by the operator, and join requests answered with `set_group_add_request`. Afterwards
the database file and the logs must not contain any name or phone number of the roster; and the bot
refuses to start on that database without the key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.crypto import generate_key
from bot.sim import events as ev
from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import REPO_ROOT, BotProcess, BotStartError
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

GROUP = 100  # unit finance, huangshan-finance-2020: a roster match is approved at once
OPERATOR, OWNER, ADMIN = 10001, 40001, 40002
PRIVATE = ("send_private_msg", "send_msg")
ROSTER = """姓名,科室,职务,手机,状态
欧阳明月,办公室,科员,13912340001,在岗
司马青云,办公室,科员,13912340002,
司马青云,信息中心,工程师,13912340003,
"""
# Plaintext that must never reach the database or a log line (names, phones, and the phone's tail).
SECRETS = ("欧阳明月", "司马青云", "13912340001", "13912340002", "13912340003")


def is_request(call: Call) -> bool:
    return call.action == "set_group_add_request"


async def test_join_requests_are_answered_and_nothing_personal_is_stored_in_plaintext(tmp_path: Path) -> None:
    key = generate_key()
    data = tmp_path / "bot"
    bot = BotProcess(superusers=[str(OPERATOR)], policy_file=POLICY_FILE, secret_key=key, data_dir=data,
                     log_level="DEBUG")  # fmt: skip
    async with bot:
        members = {GROUP: [{"user_id": OWNER, "role": "owner"}, {"user_id": ADMIN, "role": "admin"}]}
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token, members=members) as peer:
            # The operator pastes the roster in private chat.
            await peer.send_private_message(OPERATOR, f"/花名册 导入 单位=finance\n{ROSTER}")
            done = await peer.wait_call(PRIVATE, lambda c: "已导入" in c.text, timeout=10)
            assert "新增 3 人" in done.text

            # On the roster: approved.
            await peer.send_event(
                ev.group_request_add(GROUP, 50001, "您好，我是办公室的欧阳明月", flag="f-1")
            )
            call = await peer.wait_call("set_group_add_request", timeout=10)
            assert call.params["flag"] == "f-1" and call.params["approve"] is True

            # Gibberish: rejected, and the reason shows the template.
            await peer.send_event(ev.group_request_add(GROUP, 50002, "加群加群！！", flag="f-2"))
            call = await peer.wait_call("set_group_add_request", timeout=10)
            assert call.params["flag"] == "f-2" and call.params["approve"] is False
            assert "「姓名-科室」" in call.params["reason"]

            # Two people of that name, neither in the department given: the admins decide.
            await peer.send_event(ev.group_request_add(GROUP, 50003, "司马青云-财政局", flag="f-3"))
            note = await peer.wait_call(PRIVATE, lambda c: "入群待审批" in c.text and c.user_id == ADMIN)
            assert "司马青云 信息中心" in note.text
            n = re.search(r"#(\d+)", note.text)
            pid = re.search(r"#(\d+) 司马青云 信息中心", note.text)
            assert n and pid
            await peer.wait_no_call("set_group_add_request", within=0.5)
            await peer.send_private_message(ADMIN, f"/审批 通过 {n.group(1)} {pid.group(1)}")
            call = await peer.wait_call("set_group_add_request", timeout=10)
            assert call.params["flag"] == "f-3" and call.params["approve"] is True

            # The approved applicant joins; a newcomer added without a request is asked to verify.
            await peer.send_event(ev.group_increase(GROUP, 50003, sub_type="approve", operator_id=ADMIN))
            await peer.send_event(ev.group_increase(GROUP, 50004, sub_type="invite", operator_id=50001))
            ask = await peer.wait_call(
                ("send_group_msg", "send_msg"), lambda c: "/实名" in c.text, timeout=10
            )
            assert ask.group_id == GROUP and "50004" in str(ask.params.get("message"))
            await peer.wait_call(PRIVATE, lambda c: "邀请入群提醒" in c.text and c.user_id == ADMIN)
            await peer.send_private_message(50004, "/实名 欧阳明月 办公室 13912340001")
            ok = await peer.wait_call(PRIVATE, lambda c: c.user_id == 50004 and "实名认证已完成" in c.text)
            assert ok
    assert bot.stopped_cleanly, bot.log_tail()

    files = [
        p for p in data.rglob("*") if p.is_file() and (p.name.startswith("steward.db") or p.suffix == ".log")
    ]
    assert any(p.name == "steward.db" for p in files) and any(p.suffix == ".log" for p in files), files
    for path in files:
        raw = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in raw, f"{secret} in {path.name}"

    # The same database without the key: the bot refuses to start, and says why.
    again = BotProcess(superusers=[str(OPERATOR)], policy_file=POLICY_FILE, data_dir=data, start_timeout=20)
    with pytest.raises(BotStartError) as err:
        await again.start()
    assert "STEWARD_SECRET_KEY" in str(err.value) and "拒绝启动" in str(err.value)


def _cli(args: list[str], data: Path, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STEWARD_", "ONEBOT_")) and k != "DATABASE_URL"
    }
    env.update(PYTHONPATH=str(REPO_ROOT), STEWARD_DATA_DIR=str(data), STEWARD_POLICY_FILE=str(POLICY_FILE))
    if key:
        env["STEWARD_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=data, env=env, capture_output=True, text=True, timeout=60
    )


def test_cli_keygen_and_roster_import(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    key = _cli(["keygen"], data, None)
    assert key.returncode == 0 and len(key.stdout.strip()) == 44 and "备份" in key.stderr
    csv = data / "花名册.csv"
    csv.write_text("姓名,科室,手机\n欧阳明月,办公室,13912340001\n司马青云,,13912340002\n", encoding="utf-8")
    no_key = _cli(["roster", "import", str(csv), "--unit", "finance"], data, None)
    assert no_key.returncode == 2 and "STEWARD_SECRET_KEY" in no_key.stderr
    k = key.stdout.strip()
    bad = _cli(["roster", "import", str(csv), "--unit", "finance"], data, k)
    assert bad.returncode == 1 and "第 3 行：缺少科室" in bad.stderr and "未导入任何数据" in bad.stderr
    good = _cli(["roster", "import", str(csv), "--unit", "finance", "--good-rows"], data, k)
    assert good.returncode == 0 and "新增 1 人" in good.stdout, good.stderr
    again = _cli(["roster", "import", str(csv), "--unit", "finance", "--good-rows"], data, k)
    assert "未变 1 人" in again.stdout
    unknown = _cli(["roster", "import", str(csv), "--unit", "nope"], data, k)
    assert unknown.returncode == 2 and "finance" in unknown.stderr
    db = (data / "steward.db").read_bytes()
    assert "欧阳明月".encode() not in db and b"13912340001" not in db
