"""Each role × a representative command → allowed or refused (and a refusal does nothing)."""

import pytest

from bot.dispatch.commands import split_command
from bot.dispatch.roles import Role, RoleBook, resolve_role
from bot.dispatch.router import handle_message
from bot.runtime import get_runtime
from bot.store import audit
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, group_record, private_record

# users from tests/data/policy.toml: 10001 operator (SUPERUSERS), 20001 supervisor of unit finance,
# 20002 leader, 20003 deputy of group 100; platform roles come with the message.
GROUP_CASES = [
    ("30001", "member", Role.MEMBER),
    ("20002", "member", Role.LEADER),
    ("20003", "member", Role.DEPUTY),
    ("30002", "admin", Role.ADMIN),
    ("30003", "owner", Role.OWNER),
    ("20001", "member", Role.SUPERVISOR),
    ("10001", "member", Role.OPERATOR),
]


@pytest.mark.parametrize(("user", "platform_role", "role"), GROUP_CASES)
def test_resolve_role_in_group(user: str, platform_role: str, role: Role) -> None:
    rt = get_runtime()
    got = resolve_role(
        user,
        group_id="100",
        platform="qq",
        platform_role=platform_role,
        policy=rt.policy,
        superusers=rt.superusers,
    )
    assert got is role


def test_supervisor_is_unit_wide_only() -> None:
    rt = get_runtime()
    # group 200 belongs to no unit: the finance supervisor is an ordinary member there
    assert (
        resolve_role(
            "20001",
            group_id="200",
            platform="qq",
            platform_role="member",
            policy=rt.policy,
            superusers=rt.superusers,
        )
        is Role.MEMBER
    )


def test_private_chat_roles_come_from_records() -> None:
    rt = get_runtime()
    book = RoleBook()
    book.note("qq", "100", "30002", "admin")
    kw = {
        "group_id": "",
        "platform": "qq",
        "platform_role": "",
        "policy": rt.policy,
        "superusers": rt.superusers,
        "book": book,
    }
    assert resolve_role("10001", **kw) is Role.OPERATOR  # type: ignore[arg-type]
    assert resolve_role("20001", **kw) is Role.SUPERVISOR  # type: ignore[arg-type]
    assert resolve_role("30002", **kw) is Role.ADMIN  # type: ignore[arg-type]
    assert resolve_role("20003", **kw) is Role.DEPUTY  # type: ignore[arg-type]
    assert resolve_role("30001", **kw) is Role.MEMBER  # type: ignore[arg-type]
    book.note("qq", "100", "30002", "member")  # demoted: forgotten
    assert resolve_role("30002", **kw) is Role.MEMBER  # type: ignore[arg-type]


@pytest.mark.parametrize(("user", "platform_role", "role"), GROUP_CASES)
async def test_status_command_allowed_from_admin_up(
    fake: FakeGateway, user: str, platform_role: str, role: Role
) -> None:
    rt = get_runtime()
    before = len([r for r in await audit.recent(1000) if r.action.startswith("command.")])
    await handle_message(group_record("/状态", user_id=user, role=platform_role), rt)
    await settle(rt)
    assert len(fake.texts("send_group")) == 1, fake.calls
    [text] = fake.texts("send_group")
    after = len([r for r in await audit.recent(1000) if r.action.startswith("command.")])
    if role >= Role.ADMIN:
        assert "工作群管家" in text and "已处理消息：" in text and "发送队列：" in text
        assert after == before + 1  # the command it obeyed is audited
    else:
        assert text.startswith("抱歉，/状态 需要「群管理员」及以上权限") and role.label in text
        assert after == before + 1  # a refusal does nothing, but is audited as refused
        [last] = await audit.recent(1)
        assert last.action == "command.状态.refused" and "被拒绝" in last.reason


async def test_help_is_for_everyone_and_lists_only_usable_commands(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/帮助"), rt)
    await handle_message(group_record("/help", user_id="30002", role="admin"), rt)
    await settle(rt)
    member_help, admin_help = fake.texts("send_group")
    assert "《黄山市财政局政务新媒体平台和互联网工作群组管理办法》" in member_help
    assert "/状态" not in member_help and "/帮助" in member_help
    assert "/状态" in admin_help and "/审计" in admin_help and "群管理员" in admin_help


async def test_help_for_one_command_shows_usage_and_role(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/帮助 审计"), rt)
    await handle_message(group_record("/帮助 不存在"), rt)
    await settle(rt)
    usage, unknown = fake.texts("send_group")
    assert "用法：/审计" in usage and "最低权限：群管理员" in usage
    assert "没有 /不存在 这个命令" in unknown and "用法：/帮助" in unknown


async def test_wrong_arguments_get_the_usage_back(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/审计 很多", user_id="30002", role="admin"), rt)
    await settle(rt)
    [text] = fake.texts("send_group")
    assert "参数应为条数" in text and "用法：/审计" in text


async def test_audit_in_private_needs_supervisor(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(private_record("/审计 3", user_id="10001"), rt)
    await handle_message(private_record("/审计", user_id="30001"), rt)
    await settle(rt)
    ops, member = fake.texts("send_private")
    assert ops.startswith("最近") or ops == "暂无审计记录。"
    assert member.startswith("抱歉，/审计 需要「群管理员」")
    assert not fake.texts("send_group")


async def test_audit_verify_reports_intact_chain(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/审计 校验", user_id="30003", role="owner"), rt)
    await settle(rt)
    assert fake.texts("send_group")[0].startswith("审计链完整")


async def test_unknown_command_in_group_is_left_alone(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("/天气 北京"), rt)
    await settle(rt)
    assert fake.texts("send_group") == []


async def test_v12_help_explains_degraded_capabilities() -> None:
    rt = get_runtime()
    gw = FakeGateway(self_id="wxid_bot", platform="wechat")
    rt.registry.add(gw)
    try:
        await handle_message(
            group_record("/帮助", platform="wechat", self_id="wxid_bot", group_id="g@chatroom"), rt
        )
        await settle(rt)
        [text] = gw.texts("send_group")
        assert "微信（OneBot v12）" in text and "撤回消息" in text and "禁言" in text
    finally:
        rt.registry.remove("wechat", "wxid_bot")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/状态", ("状态", "")),
        ("  /审计 5", ("审计", "5")),
        ("／帮助　审计", ("帮助", "审计")),
        ("/帮助\n审计", ("帮助", "审计")),
        ("状态", None),
        ("/", None),
        ("/ 状态", None),
    ],
)
def test_split_command(text: str, expected: tuple[str, str] | None) -> None:
    assert split_command(text) == expected
