"""Roster and admission stores on SQLite and PostgreSQL: import keyed by mobile number, lookups by
blind index, nothing personal in plaintext, atomic state claims, bindings and the review's list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from bot.core.crypto import PersonalDataCipher, generate_key
from bot.models.admission import Admission, RosterPerson
from bot.roster_io import parse_roster_text
from bot.store import admission as adm
from bot.store import roster
from bot.store.db import Database
from bot.store.roster import PersonalDataKeyError, check_key_at_startup, cipher_from_settings

CIPHER = PersonalDataCipher(generate_key())
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
CSV = """姓名,科室,职务,手机,QQ,微信,状态
张三,办公室,科员,13812345678,12345,zhangsan_01,在岗
李四,财务科,,13912345678,,,
王五,财务科,科长,13712345678,,,退休
"""
PLAIN = ("张三", "李四", "王五", "13812345678", "13912345678", "12345", "zhangsan_01", "科员", "科长")


def rows(csv: str = CSV):  # type: ignore[no-untyped-def]
    parsed = parse_roster_text(csv)
    assert parsed.ok, parsed.error_report()
    return parsed.rows


async def test_import_adds_then_updates_by_mobile_number(db: Database) -> None:
    s = await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    assert (s.added, s.updated, s.unchanged, s.not_in_file) == (3, 0, 0, 0)
    # Same file again: nothing changes.
    s = await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    assert (s.added, s.updated, s.unchanged) == (0, 0, 3)
    # 张三 moved to 人事科 and 李四 left the file; a newcomer arrives.
    later = T0 + timedelta(days=1)
    s = await roster.import_rows(
        "finance",
        rows("姓名,科室,手机,状态\n张三,人事科,13812345678,调离\n赵六,办公室,13612345678,\n"),
        CIPHER,
        now=later,
        db=db,
    )
    assert (s.added, s.updated, s.unchanged, s.not_in_file) == (1, 1, 0, 2)
    people = {
        p.name: p for p in (roster.decrypt(r, CIPHER) for r in await roster.list_people("finance", db=db))
    }
    assert sorted(people) == ["张三", "李四", "王五", "赵六"]
    z = people["张三"]
    assert (z.dept, z.status, z.status_changed_at, z.post, z.qq) == ("人事科", "调离", later, "", "")
    assert people["李四"].status == "在岗" and people["李四"].status_changed_at == T0
    # Another unit's roster is separate, even with the same phones.
    s = await roster.import_rows("other", rows(), CIPHER, now=T0, db=db)
    assert s.added == 3
    assert sum((await roster.count_people("finance", db=db)).values()) == 4
    assert await roster.count_people(db=db) == {"在岗": 4, "调离": 1, "退休": 2}


async def test_possible_phone_change_is_pointed_out(db: Database) -> None:
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    s = await roster.import_rows(
        "finance", rows("姓名,科室,手机\n李四,财务科,13500000000\n"), CIPHER, now=T0, db=db
    )
    old = await roster.find_by_phone("finance", "13912345678", CIPHER, db=db)
    assert old is not None
    assert s.added == 1 and s.possible_phone_changes == [(2, old.id)]
    assert "同名同科室但手机号不同" in s.describe()


async def test_import_is_all_or_nothing(db: Database) -> None:
    good = rows()
    # The same mobile number twice in one batch violates the unique key: nothing at all is kept.
    dup = rows("姓名,科室,手机\n甲乙,办公室,13800000001\n")[0]
    bad = [*good, dup, type(dup)(99, "丙丁", "办公室", "13800000001")]
    with pytest.raises(Exception):  # noqa: B017  (IntegrityError, wrapped differently per driver)
        await roster.import_rows("finance", bad, CIPHER, now=T0, db=db)
    assert await roster.list_people("finance", db=db) == []


async def test_lookups_by_blind_index(db: Database) -> None:
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    p = await roster.find_by_phone("finance", "+86 138-1234-5678", CIPHER, db=db)
    assert p is not None and roster.decrypt(p, CIPHER).name == "张三"
    assert await roster.find_by_phone("other", "13812345678", CIPHER, db=db) is None
    assert [
        roster.decrypt(x, CIPHER).phone for x in await roster.find_by_name("finance", "张 三", CIPHER, db=db)
    ] == ["13812345678"]
    q = await roster.find_by_account("finance", "qq", "12345", CIPHER, db=db)
    w = await roster.find_by_account("finance", "wechat", "zhangsan_01", CIPHER, db=db)
    assert q is not None and w is not None and q.id == w.id == p.id
    assert await roster.find_by_account("finance", "wechat", "12345", CIPHER, db=db) is None
    # Another key finds nothing (and cannot read the tokens).
    other = PersonalDataCipher(generate_key())
    assert await roster.find_by_phone("finance", "13812345678", other, db=db) is None


async def test_no_personal_data_in_plaintext(db: Database) -> None:
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    await adm.create(
        Admission(
            dedup_key="request:qq:1:f",
            kind="request",
            platform="qq",
            group_id="100",
            user_id="40100",
            comment_enc=CIPHER.encrypt("我是张三，办公室 13812345678", context="admission.comment"),
            claimed_name_enc=CIPHER.encrypt("张三", context="admission.name"),
            claimed_dept="办公室",
            state="pending",
            created_at=T0,
            updated_at=T0,
        ),
        db=db,
    )
    async with db.engine.connect() as conn:
        dump = []
        for table in ("steward_roster_person", "steward_admission"):
            for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all():
                dump.extend(str(v) for v in row)
    blob = "\n".join(dump)
    for value in PLAIN:
        assert value not in blob, value
    assert "办公室" in blob  # departments are not personal data


async def test_status_remove_and_bindings(db: Database) -> None:
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    p = await roster.find_by_phone("finance", "13912345678", CIPHER, db=db)
    assert p is not None and p.id is not None
    assert (await roster.set_status(p.id, "调离", now=T0 + timedelta(hours=1), db=db)).status == "调离"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        await roster.set_status(p.id, "出差", now=T0, db=db)
    await adm.bind("qq", "100", "40100", p.id, method="verify", by="bot", now=T0, db=db)
    items = await adm.review_items("qq", "100", db=db)
    assert [(i.kind, i.user_id, i.person_id, i.detail) for i in items] == [("status", "40100", p.id, "调离")]
    assert await roster.remove_person(p.id, db=db) is True
    assert await roster.remove_person(p.id, db=db) is False
    b = await adm.open_binding("qq", "100", "40100", db=db)
    assert b is not None and b.person_id is None  # the link goes, the fact of the binding stays
    assert [i.kind for i in await adm.review_items("qq", "100", db=db)] == ["no_roster"]


async def test_bind_close_and_rebind(db: Database) -> None:
    first = await adm.bind("qq", "100", "40100", None, method="admin", by="40002", now=T0, db=db)
    second = await adm.bind("qq", "100", "40100", 7, method="verify", by="bot", now=T0, db=db)
    open_ = await adm.open_binding("qq", "100", "40100", db=db)
    assert open_ is not None and open_.id == second.id and open_.id != first.id
    await adm.bind("qq", "200", "40100", 7, method="verify", by="bot", now=T0, db=db)
    assert len(await adm.bindings_of("qq", "40100", db=db)) == 2
    assert await adm.close_bindings("qq", "100", "40100", reason="leave", now=T0, db=db) == 1
    assert await adm.open_binding("qq", "100", "40100", db=db) is None
    assert await adm.close_bindings("qq", "200", None, reason="group_disbanded", now=T0, db=db) == 1
    assert await adm.bindings_of("qq", "40100", db=db) == []
    assert len(await adm.bindings_of("qq", "40100", open_only=False, db=db)) == 3


def arrival(user: str, due: datetime, *, key: str | None = None, group: str = "100") -> Admission:
    return Admission(
        dedup_key=key or f"arrival:qq:{group}:{user}:{int(due.timestamp())}",
        kind="arrival",
        platform="qq",
        group_id=group,
        user_id=user,
        state="unverified",
        due_at=due,
        created_at=T0,
        updated_at=T0,
    )


async def test_create_is_idempotent_per_event(db: Database) -> None:
    a = await adm.create(arrival("40100", T0), db=db)
    assert a is not None and a.id is not None
    assert await adm.create(arrival("40100", T0), db=db) is None
    assert [x.id for x in await adm.pending(db=db)] == [a.id]


async def test_due_and_claims_are_atomic(db: Database) -> None:
    a = await adm.create(arrival("40100", T0), db=db)
    b = await adm.create(arrival("40101", T0 + timedelta(hours=5)), db=db)
    assert a is not None and b is not None and a.id is not None
    assert [x.id for x in await adm.due(T0 + timedelta(hours=1), db=db)] == [a.id]
    # Ten claimers at once (processes, or the timer and an admin): exactly one wins.
    results = await asyncio.gather(
        *(
            adm.transition(a.id, ("unverified",), "reminded", now=T0, due_at=T0 + timedelta(hours=9), db=db)
            for _ in range(10)
        )
    )
    assert results.count(True) == 1
    got = await adm.get(a.id, db=db)
    assert got is not None and got.state == "reminded" and got.due_at == T0 + timedelta(hours=9)
    assert await adm.due(T0 + timedelta(hours=1), db=db) == []
    assert {x.id for x in await adm.due(T0 + timedelta(hours=10), db=db)} == {a.id, b.id}
    assert await adm.count_open(db=db) == (0, 2)
    assert [x.id for x in await adm.open_arrivals_of_user("qq", "40100", db=db)] == [a.id]
    # A departure ends the open arrival: the timer will not act on it any more.
    await adm.close_bindings("qq", "100", "40100", reason="leave", now=T0, db=db)
    got = await adm.get(a.id, db=db)
    assert got is not None and got.state == "left" and got.due_at is None
    assert [x.id for x in await adm.due(T0 + timedelta(hours=10), db=db)] == [b.id]


async def test_latest_approved_request(db: Database) -> None:
    r = Admission(
        dedup_key="request:qq:999:f1",
        kind="request",
        platform="qq",
        group_id="100",
        user_id="40100",
        state="pending",
        created_at=T0,
        updated_at=T0,
    )
    row = await adm.create(r, db=db)
    assert row is not None and row.id is not None
    assert (
        await adm.latest_approved_request("qq", "100", "40100", since=T0 - timedelta(days=7), db=db) is None
    )
    assert await adm.transition(row.id, ("pending",), "approved", now=T0, person_id=3, db=db)
    got = await adm.latest_approved_request("qq", "100", "40100", since=T0 - timedelta(days=7), db=db)
    assert got is not None and got.person_id == 3
    assert (
        await adm.latest_approved_request("qq", "100", "40100", since=T0 + timedelta(days=1), db=db) is None
    )


async def test_startup_key_check(db: Database) -> None:
    key = generate_key()
    assert await check_key_at_startup(key, db=db) is True
    with pytest.raises(PersonalDataKeyError, match="无效"):
        await check_key_at_startup("not-a-key", db=db)
    assert await check_key_at_startup(None, db=db) is False  # empty database: admission just stays off
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    with pytest.raises(PersonalDataKeyError, match="拒绝启动"):
        await check_key_at_startup(None, db=db)
    with pytest.raises(PersonalDataKeyError, match="keygen"):
        cipher_from_settings("")


async def test_rows_reach_the_database_encrypted_with_their_context(db: Database) -> None:
    await roster.import_rows("finance", rows(), CIPHER, now=T0, db=db)
    async with db.session() as s:
        p = (await s.execute(select(RosterPerson).limit(1))).scalar_one()
    assert p.name_enc.startswith("pd1:") and p.phone_enc.startswith("pd1:")
    with pytest.raises(Exception, match="不属于这一字段"):
        CIPHER.decrypt(p.name_enc, context="roster.phone")
