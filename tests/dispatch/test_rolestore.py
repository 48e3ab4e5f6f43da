"""Roles remembered in the database: a platform admin is recognised in private chat after a restart
and across processes; member lists and group_admin notices refresh them; operators name roles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.dispatch import rolestore
from bot.dispatch.roles import Role, RoleBook, resolve_role, role_book
from bot.dispatch.router import handle_message
from bot.gateway.base import Member
from bot.runtime import get_runtime
from bot.store import roles as store
from tests.dispatch.conftest import settle
from tests.utils import FakeGateway, forget_groups, group_record, private_record

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def _forget_group_100() -> AsyncIterator[None]:
    yield
    await forget_groups("100")  # a plain message registers the group; other tests count groups


def _private_role(book: RoleBook, user: str) -> Role:
    rt = get_runtime()
    return resolve_role(
        user,
        group_id="",
        platform="qq",
        platform_role="",
        policy=rt.policy,
        superusers=rt.superusers,
        book=book,
    )


async def test_admin_seen_in_group_is_known_in_private_after_restart(fake: FakeGateway) -> None:
    rt = get_runtime()
    await handle_message(group_record("早上好", user_id="30002", role="admin"), rt)
    stored = await store.roles_of_user("qq", "30002")
    assert [(r.group_id, r.role, r.source) for r in stored] == [("100", "admin", "platform")]
    # A restart: the process's book starts empty, then loads what is stored.
    role_book.load([])
    role_book._seen.clear()
    assert _private_role(role_book, "30002") is Role.MEMBER
    await rolestore.load_all()
    assert _private_role(role_book, "30002") is Role.ADMIN
    # Another process demotes them: this one learns it before the next command.
    await store.set_role("qq", "100", "30002", None, source="platform", by="other", now=NOW)
    await handle_message(private_record("/审计", user_id="30002"), rt)
    await settle(rt)
    assert fake.texts("send_private")[-1].startswith("抱歉，/审计 需要「群管理员」")


async def test_a_role_stored_by_another_process_holds_at_the_next_command(fake: FakeGateway) -> None:
    rt = get_runtime()
    await store.set_role("qq", "100", "30005", "owner", source="platform", by="member_list", now=NOW)
    await handle_message(private_record("/审计 1", user_id="30005"), rt)
    await settle(rt)
    assert not fake.texts("send_private")[-1].startswith("抱歉")


async def test_member_list_replaces_the_groups_platform_roles() -> None:
    await rolestore.sync_member_list(
        "qq", "100", [Member("30002", role="admin"), Member("30003", role="owner"), Member("30001")], now=NOW
    )
    assert role_book.role_in("qq", "100", "30002") is Role.ADMIN
    assert role_book.owners("qq", "100") == ["30003"]
    changed, removed = await rolestore.sync_member_list(
        "qq", "100", [Member("30002"), Member("30003", role="owner")], now=NOW
    )
    assert removed == {"30002"} and not changed
    assert role_book.role_in("qq", "100", "30002") is Role.MEMBER
    assert {r.user_id for r in await store.roles_of_group("qq", "100")} == {"30003"}
    # A list without any role (WeChat) says nothing about roles.
    assert await rolestore.sync_member_list("wechat", "w@chatroom", [Member("wxid_a", role="")], now=NOW) == (
        set(),
        set(),
    )


async def test_group_admin_notice_sets_and_unsets(fake: FakeGateway) -> None:
    from bot.dispatch.hooks import notice_hooks, run_hooks
    from bot.intake.record import NoticeRecord

    rt = get_runtime()

    def notice(sub: str) -> NoticeRecord:
        return NoticeRecord("qq", "999", "admin_change", sub, "100", "30007", "", NOW, {})

    await run_hooks(notice_hooks, notice("set"), rt)
    assert [(r.role, r.source) for r in await store.roles_of_user("qq", "30007")] == [("admin", "platform")]
    assert _private_role(role_book, "30007") is Role.ADMIN
    await run_hooks(notice_hooks, notice("unset"), rt)
    assert await store.roles_of_user("qq", "30007") == []
    assert _private_role(role_book, "30007") is Role.MEMBER


async def test_operator_named_roles_for_wechat() -> None:
    rt = get_runtime()
    gid = "123@chatroom"
    await rolestore.name_role("wechat", gid, "wxid_owner", "owner", by="10001", now=NOW)
    await rolestore.name_role("wechat", gid, "wxid_admin", "admin", by="10001", now=NOW)
    kw = {"group_id": gid, "platform": "wechat", "platform_role": "", "policy": rt.policy}
    assert resolve_role("wxid_owner", superusers=rt.superusers, book=role_book, **kw) is Role.OWNER  # type: ignore[arg-type]
    assert resolve_role("wxid_admin", superusers=rt.superusers, book=role_book, **kw) is Role.ADMIN  # type: ignore[arg-type]
    # A new owner replaces the one named before.
    before = await rolestore.name_role("wechat", gid, "wxid_admin", "owner", by="10001", now=NOW)
    assert before == ["wxid_owner"]
    assert role_book.owners("wechat", gid) == ["wxid_admin"]
    assert resolve_role("wxid_owner", superusers=rt.superusers, book=role_book, **kw) is Role.MEMBER  # type: ignore[arg-type]
