"""Day one end to end: the real bot process meets a populated QQ group — owner, two admins, a deputy,
five members whose QQ number is in the roster, twenty unknown — binds the five, announces once, invites
the twenty privately in paced batches, proposes no removal inside the grace, and recognises a platform
admin in private chat after a restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.crypto import generate_key
from bot.sim.peer import Call, OneBotV11Peer
from bot.sim.process import BotProcess
from tests.utils import POLICY_FILE

pytestmark = pytest.mark.e2e

GROUP = 100  # unit finance (huangshan-finance-2020), deputy 20003 (tests/data/policy.toml)
OPERATOR, OWNER, ADMINS, DEPUTY = 10001, 40001, (40002, 40003), 20003
BOUND = [41001 + i for i in range(5)]
UNKNOWN = [42001 + i for i in range(20)]
PRIVATE = ("send_private_msg", "send_msg")
ROSTER = "姓名,科室,职务,手机,QQ,状态\n" + "".join(
    f"成员{chr(0x4E00 + i)}{chr(0x4E10 + i)},办公室,科员,139000010{i:02d},{qq},在岗\n"
    for i, qq in enumerate(BOUND)
)
PACE_SECONDS = 3.0


def _policy(tmp: Path) -> Path:
    text = POLICY_FILE.read_text(encoding="utf-8")
    # Invitations at any hour (the test runs whenever CI does), 10 per batch, a few seconds apart.
    text = text.replace(
        '[groups."100"]\nname = "办公室工作群"\nunit = "finance"\ndeputies = ["20003"]',
        '[groups."100"]\nname = "办公室工作群"\nunit = "finance"\ndeputies = ["20003"]\n'
        "overrides = { onboarding_working_hours_only = false, "
        f"onboarding_pace_minutes = {PACE_SECONDS / 60} }}",
    )
    assert "onboarding_working_hours_only" in text
    path = tmp / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def private_to(user: int) -> object:
    return lambda c: (
        str(c.params.get("user_id")) == str(user) and c.params.get("message_type", "private") == "private"
    )


def is_invitation(c: Call) -> bool:
    return c.action in PRIVATE and "已启用工作群管家" in c.text and "/实名" in c.text


async def test_bot_meets_a_populated_group(tmp_path: Path) -> None:
    members = [
        {"user_id": OWNER, "role": "owner"},
        *({"user_id": a, "role": "admin"} for a in ADMINS),
        {"user_id": DEPUTY},
        *({"user_id": u} for u in (*BOUND, *UNKNOWN)),
    ]
    bot = BotProcess(
        superusers=[str(OPERATOR)],
        policy_file=_policy(tmp_path),
        secret_key=generate_key(),
        data_dir=tmp_path / "bot",
        env={"STEWARD_FIRST_SIGHT": "true", "STEWARD_TRUST_EVENT_TIME": "false"},
    )
    async with bot:
        async with OneBotV11Peer(
            bot.ws_url_v11, access_token=bot.access_token, members={GROUP: members}
        ) as peer:
            await peer.send_private_message(OPERATOR, f"/花名册 导入 单位=finance\n{ROSTER}")
            done = await peer.wait_call(PRIVATE, lambda c: "已导入" in c.text, timeout=15)
            assert "新增 5 人" in done.text, done.text

            # The group's first event: the bot meets the group.
            t0 = time.monotonic()
            await peer.send_group_message(GROUP, UNKNOWN[0], "大家早上好")
            announcement = await peer.wait_call(
                ("send_group_msg", "send_msg"), lambda c: "已启用工作群管家" in c.text, timeout=30
            )
            assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十一条" in announcement.text
            assert "5 位同事已自动完成认证" in announcement.text
            await peer.wait_call(PRIVATE, is_invitation, timeout=30)
            first_delay = time.monotonic() - t0
            assert first_delay < 20, first_delay

            # All twenty, in paced batches; nobody else.
            deadline = time.monotonic() + 60
            while len(peer.calls_of(PRIVATE, is_invitation)) < 20 and time.monotonic() < deadline:
                await peer.drain(quiet=1.0, timeout=5)
            invited = peer.calls_of(PRIVATE, is_invitation)
            assert sorted(int(c.params["user_id"]) for c in invited) == UNKNOWN
            assert invited[10].time - invited[9].time >= PACE_SECONDS * 0.9  # the second batch waited
            assert (
                len(peer.calls_of(("send_group_msg", "send_msg"), lambda c: "已启用工作群管家" in c.text))
                == 1
            )

            # The review inside the grace: progress, no removal proposed.
            await peer.send_group_message(GROUP, OWNER, "/巡查", role="owner")
            report = await peer.wait_call(PRIVATE, lambda c: "每周成员巡查" in c.text, timeout=30)
            assert str(report.params["user_id"]) == str(OWNER)
            assert "实名进度：已认证 5 / 29" in report.text
            assert "成员 29 人，本周未发现需要清理的人员" in report.text  # nobody proposed inside the grace
            for quiet in (OWNER, *ADMINS, DEPUTY):
                assert f"{quiet}（" not in report.text and f"{quiet}：" not in report.text

        # A restart: the admin who never spoke is known from the member list, in private chat.
        await bot.restart()
        async with OneBotV11Peer(
            bot.ws_url_v11, access_token=bot.access_token, members={GROUP: members}
        ) as peer:
            await peer.send_private_message(ADMINS[1], "/审批")
            answer = await peer.wait_call(PRIVATE, private_to(ADMINS[1]), timeout=15)
            assert not answer.text.startswith("抱歉"), answer.text
            assert "现有成员在实名宽限期内" in answer.text
    print(f"time to first invitation: {first_delay:.2f} s")
