"""Admission tests: a personal-data key on the session runtime, clean admission tables, a fake QQ
account whose member list names the group's owner and admin, and the background timer loop paused
(the tests drive the grace periods with explicit times).

The plugin's modules are imported inside fixtures and tests, after NoneBot has loaded the plugin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import delete

from bot.core.calendar import TZ
from bot.core.crypto import generate_key
from bot.gateway.base import Member
from bot.intake.record import MessageRecord, NoticeRecord, RequestRecord
from bot.runtime import Runtime, get_runtime
from bot.store.db import get_db
from tests.utils import FakeGateway, forget_groups, group_record, private_record

KEY = generate_key()
HUANGSHAN = "100"  # unit finance, huangshan-finance-2020: approve on a match, no card rule, list
YICHUN = "200"  # no unit (default roster), yichun-2021: confirm each entry, card rule, 请出制
OWNER, ADMIN = "40001", "40002"
MEMBER = "40010"
USERS = (OWNER, ADMIN, MEMBER)

ROSTER_CSV = """姓名,科室,职务,手机,QQ,状态
张三,办公室,科员,13812345678,,在岗
李明,办公室,科员,13812340001,,
李明,信息中心,工程师,13812340002,,
王芳,财务科,科长,13812340003,40050,
赵六,人事科,,13812340004,,调离
"""
# Every plaintext personal value of the roster above, for "never stored or logged" checks.
SECRETS = ("张三", "李明", "王芳", "赵六", "13812345678", "13812340001", "13812340003")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def request(
    comment: str,
    *,
    user_id: str = "40100",
    group_id: str = HUANGSHAN,
    invitor_id: str = "",
    flag: str | None = None,
    when: datetime | None = None,
) -> RequestRecord:
    return RequestRecord(
        platform="qq",
        self_id="999",
        kind="group_add",
        group_id=group_id,
        user_id=user_id,
        comment=comment,
        flag=flag or f"flag-{group_id}-{user_id}-{comment[:4]}",
        invitor_id=invitor_id,
        time=when or datetime.now(UTC),
    )


def notice(
    kind: str,
    user_id: str,
    *,
    group_id: str = HUANGSHAN,
    sub_type: str = "invite",
    operator_id: str = "",
    when: datetime | None = None,
) -> NoticeRecord:
    return NoticeRecord(
        platform="qq",
        self_id="999",
        kind=kind,
        sub_type=sub_type,
        group_id=group_id,
        user_id=user_id,
        operator_id=operator_id,
        time=when or datetime.now(UTC),
        extra={},
    )


def gmsg(
    text: str, user_id: str, *, group_id: str = HUANGSHAN, role: str = "member", card: str = ""
) -> MessageRecord:
    return dataclasses.replace(group_record(text, user_id=user_id, group_id=group_id, role=role), card=card)


def pmsg(text: str, user_id: str) -> MessageRecord:
    return private_record(text, user_id=user_id)


def sent(fake: FakeGateway, kind: str, **match: Any) -> list[dict[str, Any]]:
    return [p for k, p in fake.calls if k == kind and all(p.get(key) == v for key, v in match.items())]


@pytest.fixture
async def rt() -> AsyncIterator[Runtime]:
    from bot.dispatch.router import role_book
    from bot.models.admission import Admission, MemberIdentity, RosterPerson
    from bot.plugins.admission import common, flow, timers

    runtime = get_runtime()
    await timers.stop()
    old_key = runtime.settings.steward_secret_key
    runtime.settings.steward_secret_key = SecretStr(KEY)
    async with get_db().session() as s:
        for table in (MemberIdentity, Admission, RosterPerson):
            await s.execute(delete(table))
    common.forget_admins()
    flow._card_seen.clear()
    yield runtime
    runtime.settings.steward_secret_key = old_key
    common.forget_admins()
    for user in (*USERS, "40020", "40100", "40101", "40102", "40103"):
        for gid in (HUANGSHAN, YICHUN):
            role_book.note("qq", gid, user, "member")
    await forget_groups(HUANGSHAN, YICHUN)  # the groups' messages registered them; others count groups
    timers.start(get_runtime)


@pytest.fixture
async def fake(rt: Runtime) -> AsyncIterator[FakeGateway]:
    gw = FakeGateway()
    gw.members = [Member(OWNER, role="owner"), Member(ADMIN, role="admin"), Member(MEMBER)]
    rt.registry.add(gw)
    yield gw
    rt.registry.remove(gw.platform, gw.self_id)


async def load_roster(unit: str = "finance", csv: str = ROSTER_CSV) -> dict[str, int]:
    """Import the test roster into a unit; returns person ids by "name/dept"."""
    from bot.plugins.admission.common import get_cipher
    from bot.roster_io import parse_roster_text
    from bot.store import roster

    cipher = get_cipher(get_runtime())
    assert cipher is not None
    parsed = parse_roster_text(csv)
    assert parsed.ok, parsed.error_report()
    await roster.import_rows(unit, parsed.rows, cipher, now=datetime.now(UTC))
    people = [roster.decrypt(p, cipher) for p in await roster.list_people(unit)]
    return {f"{p.name}/{p.dept}": p.id for p in people}
