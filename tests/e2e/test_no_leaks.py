"""Nothing personal leaks: a realistic run (a fuzz-ish stream of events carrying names, phones and
ID numbers in every field NoneBot or the bot could log or store, an admission flow, /建议 and /通知)
against the real bot process; afterwards no log file, no console output and no database file (the
SQLite file and its WAL) contains any of that personal data."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bot.core.crypto import generate_key
from bot.sim import events as ev
from bot.sim.peer import OneBotV11Peer
from bot.sim.peer_v12 import OneBotV12Peer, v12_group_message, v12_private_message
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

GROUP = 100  # finance, huangshan-finance-2020
OPERATOR, OWNER, ADMIN = 10001, 40001, 40002
PRIVATE = ("send_private_msg", "send_msg")
REPLY = ("send_group_msg", "send_msg")
NAME, PHONE, ID_NUMBER = "欧阳秀英", "13912345678", "11010519491231002X"
ROSTER = f"姓名,科室,职务,手机,状态\n{NAME},办公室,科员,{PHONE},在岗\n"
# What must appear nowhere. The name is only checked where the bot could not know it is a name in
# free text: it goes in through the roster, cards, nicknames and join comments.
SECRETS = (NAME, PHONE, ID_NUMBER)


def _pd_text(rng: random.Random) -> str:
    return rng.choice(
        [
            f"我是{NAME}，电话{PHONE}",
            f"身份证号{ID_NUMBER}，请核对",
            f"{NAME} {PHONE} {ID_NUMBER}",
            f"联系人：{NAME}（{PHONE}）",
        ]
    )


def fuzz_events(self_id: int, n: int, seed: int = 17) -> list[dict[str, Any]]:
    """Well-formed, odd and malformed events, personal data in every free-text field."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        t = _pd_text(rng)
        card = rng.choice([f"{NAME}-办公室", NAME, f"办公室 {NAME} {PHONE}"])
        kind = i % 10
        if kind == 0:
            out.append(ev.group_message(GROUP, 30001 + i, t, card=card, nickname=NAME, self_id=self_id))
        elif kind == 1:
            out.append(ev.private_message(30001 + i, t, nickname=NAME, self_id=self_id))
        elif kind == 2:
            out.append(
                {
                    "post_type": "request",
                    "request_type": "friend",
                    "user_id": 31000 + i,
                    "comment": t,
                    "flag": f"fr{i}",
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
        elif kind == 3:
            out.append(
                {
                    "post_type": "notice",
                    "notice_type": rng.choice(["weird", "essence", "title"]),
                    "group_id": GROUP,
                    "user_id": 30001,
                    "text": t,
                    "title": card,
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
        elif kind == 4:
            out.append(
                {
                    "post_type": "notice",
                    "notice_type": "group_card",
                    "group_id": GROUP,
                    "user_id": 30001,
                    "card_new": card,
                    "card_old": NAME,
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
        elif kind == 5:  # malformed: wrong types, missing fields
            out.append(
                {
                    "post_type": "message",
                    "message_type": rng.choice(["group", "guild", "private"]),
                    "group_id": rng.choice(["x", None, GROUP]),
                    "message": t,
                    "raw_message": t,
                    "sender": {"card": card, "nickname": NAME},
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
        elif kind == 6:
            out.append(ev.group_upload(GROUP, 30001, f"{NAME}{PHONE}.docx", self_id=self_id))
        elif kind == 7:
            out.append(
                ev.group_message(
                    GROUP, 30001, [ev.text_seg(t), ev.at_seg(30002, NAME)], card=card, self_id=self_id
                )
            )
        elif kind == 8:
            out.append(
                {
                    "post_type": "meta_event",
                    "meta_event_type": "heartbeat",
                    "status": {"note": t},
                    "interval": "x",
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
        else:
            out.append(
                {
                    "post_type": rng.choice(["mystery", "notice", "request"]),
                    "comment": t,
                    "nickname": NAME,
                    "time": ev.timestamp(),
                    "self_id": self_id,
                }
            )
    return out


def scanned_files(data: Path) -> list[Path]:
    return [
        p for p in data.rglob("*") if p.is_file() and (p.name.startswith("steward.db") or ".log" in p.name)
    ]


async def test_a_realistic_run_leaves_no_personal_data_in_logs_or_database(tmp_path: Path) -> None:
    data = tmp_path / "bot"
    # A generous stop grace: the 150 events may still be in process at SIGTERM on a busy machine, and
    # the scan needs the logs of a clean stop.
    bot = BotProcess(superusers=[str(OPERATOR)], policy_file=POLICY_FILE, secret_key=generate_key(),
                     data_dir=data, log_level="DEBUG", stop_grace=60.0)  # fmt: skip
    async with bot:
        members = {GROUP: [{"user_id": OWNER, "role": "owner"}, {"user_id": ADMIN, "role": "admin"}]}
        async with OneBotV11Peer(bot.ws_url_v11, access_token=bot.access_token, members=members) as peer:
            # Admission: the roster, a join request naming the person, verification in private.
            await peer.send_private_message(OPERATOR, f"/花名册 导入 单位=finance\n{ROSTER}")
            await peer.wait_call(PRIVATE, lambda c: "已导入" in c.text, timeout=10)
            await peer.send_event(
                ev.group_request_add(GROUP, 50001, f"您好，我是办公室的{NAME}，{PHONE}", flag="f-1")
            )
            await peer.wait_call("set_group_add_request", timeout=10)
            await peer.send_event(ev.group_increase(GROUP, 50004, sub_type="invite", operator_id=50001))
            await peer.send_private_message(50004, f"/实名 {NAME} 办公室 {PHONE}")
            await peer.wait_call(PRIVATE, lambda c: c.user_id == 50004 and "实名" in c.text, timeout=10)

            # Suggestions and notices that carry personal data, by members with real-name cards.
            await peer.send_group_message(GROUP, 30001, f"/建议 食堂问题请联系{PHONE}", card=f"{NAME}-办公室")
            await peer.wait_call(REPLY, lambda c: "建议" in c.text, timeout=10)
            await peer.send_group_message(
                GROUP, 30001, f"建议：会议室预约请统一找{PHONE}登记", card=f"{NAME}-办公室"
            )
            await peer.send_group_message(
                GROUP,
                ADMIN,
                f"/通知 明天 9:00 请各科室联系{PHONE}报送材料",
                role="admin",
                card=f"{NAME}-办公室",
            )

            for event in fuzz_events(peer.self_id, 150):
                await peer.send_event(event)
            # Processed: the operator's /状态 (private, not behind the group's paced warnings) answers.
            await peer.send_private_message(OPERATOR, "/状态")
            await peer.wait_call(PRIVATE, lambda c: "已处理消息" in c.text, timeout=30)
        async with OneBotV12Peer(bot.ws_url_v12, access_token=bot.access_token) as wx:
            await wx.send_event(v12_group_message("demo@chatroom", "wxid_a", _pd_text(random.Random(1))))
            await wx.send_event(v12_private_message("wxid_a", f"{NAME} {ID_NUMBER}"))
            await wx.send_event({"id": "e1", "type": "notice", "detail_type": "weird", "sub_type": "",
                                 "time": 1.0, "self": {"platform": "wechat", "user_id": wx.self_id},
                                 "text": f"{NAME}{PHONE}"})  # fmt: skip
            await wx.send_private_message("wxid_a", "/帮助")
            await wx.wait_call("send_message", lambda c: "可用命令" in c.text, timeout=10)
    assert bot.stopped_cleanly, bot.log_tail()

    files = scanned_files(data)
    assert any(p.name == "steward.db" for p in files) and any(p.name == "process.log" for p in files), files
    assert any(p.name.startswith("steward.log") for p in files), files
    leaks = [
        f"{secret} in {path.name}"
        for path in files
        for secret in SECRETS
        if secret.encode() in path.read_bytes()
    ]
    assert leaks == []
