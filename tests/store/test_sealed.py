"""Free text that can carry personal data is sealed at rest (SQLite and PostgreSQL): encrypted with
the personal-data key, or masked when there is none; read back in its shown form (suggestions:
numbers and card names masked) or whole (a notice that will be posted). Migration 0007 converts rows
written before it, and the SQLite file keeps no trace of the old plaintext."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.crypto import PersonalDataCipher, generate_key
from bot.models.sealed import UNREADABLE, use_cipher
from bot.store import notices, suggest
from bot.store.db import Database
from bot.store.notices import NewNotice
from bot.store.suggest import NewSuggestion

T0 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
NAME, PHONE, ID_NUMBER = "欧阳秀英", "13912345678", "11010519491231002X"
CARD = f"{NAME}-办公室"


@pytest.fixture
def cipher() -> Iterator[PersonalDataCipher]:
    c = PersonalDataCipher(generate_key())
    use_cipher(c)
    yield c
    use_cipher(PersonalDataCipher(generate_key()))  # back to a keyed deployment for other tests


@pytest.fixture
def no_key() -> Iterator[None]:
    use_cipher(None)
    yield
    use_cipher(PersonalDataCipher(generate_key()))


def suggestion(message_id: str = "m1") -> NewSuggestion:
    return NewSuggestion(
        platform="qq", group_id="100", self_id="9", user_id="30001", card=CARD, message_id=message_id,
        at=T0, text=f"请联系{NAME}，电话{PHONE}，身份证{ID_NUMBER}", source="command",
    )  # fmt: skip


def notice() -> NewNotice:
    return NewNotice(
        platform="qq", group_id="100", self_id="9", author_id="30001", author_name=CARD,
        text=f"明天开会，联系{PHONE}", created_at=T0, due_at=T0,
    )  # fmt: skip


async def raw(db: Database, sql: str) -> list[str]:
    async with db.engine.connect() as conn:
        return [str(v) for row in (await conn.execute(text(sql))).all() for v in row]


async def test_encrypted_with_a_key_and_shown_masked(db: Database, cipher: PersonalDataCipher) -> None:
    row = await suggest.record(suggestion(), db=db)
    assert row is not None
    assert row.id is not None
    await suggest.set_reply(row.id, f"已转{NAME}处理，回电{PHONE}", "40001", T0, db=db)
    n = await notices.create(notice(), db=db)
    stored = await raw(db, "select text, card, reply from steward_suggestion")
    stored += await raw(db, "select text, author_name from steward_notice")
    assert all(v.startswith("pd1:") for v in stored), stored
    assert not any(secret in v for v in stored for secret in (NAME, PHONE, ID_NUMBER))

    [shown] = await suggest.list_for(["100"], db=db)
    assert (
        shown.text == "请联系欧阳秀英，电话139****5678，身份证110105********002X"
    )  # names in free text: at rest only
    assert shown.card == "欧**英-办*室" and PHONE not in shown.reply
    again = await notices.get(n.id, db=db)
    assert (
        again is not None and again.text == f"明天开会，联系{PHONE}" and again.author_name == CARD
    )  # posted whole


async def test_masked_without_a_key(db: Database, no_key: None) -> None:
    await suggest.record(suggestion(), db=db)
    await notices.create(notice(), db=db)
    stored = await raw(db, "select text, card from steward_suggestion")
    stored += await raw(db, "select text, author_name from steward_notice")
    assert stored == [
        f"请联系{NAME}，电话139****5678，身份证110105********002X",
        "欧**英-办*室",
        "明天开会，联系139****5678",
        "欧**英-办*室",
    ]


async def test_a_replaced_key_reads_as_a_placeholder(db: Database, cipher: PersonalDataCipher) -> None:
    await suggest.record(suggestion(), db=db)
    use_cipher(PersonalDataCipher(generate_key()))
    [shown] = await suggest.list_for(["100"], db=db)
    assert shown.text == UNREADABLE and shown.card == UNREADABLE


async def test_migration_0007_seals_existing_rows(tmp_path: Path, cipher: PersonalDataCipher) -> None:
    path = tmp_path / "steward.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade("0006")
        async with db.engine.begin() as conn:
            await conn.execute(text(
                "insert into steward_suggestion (platform, group_id, self_id, user_id, card, message_id, at,"
                " text, source, score, state, reported_by, reply, replied_by)"
                f" values ('qq', '100', '9', '30001', '{CARD}', 'm1', '2026-11-23 00:30:00', '电话{PHONE}',"
                f" 'auto', 0, 'new', '', '', '')"
            ))  # fmt: skip
        await db.upgrade("head")
        [card, stored] = await raw(db, "select card, text from steward_suggestion")
        assert card.startswith("pd1:") and stored.startswith("pd1:")
        [shown] = await suggest.list_for(["100"], db=db)
        assert shown.text == "电话139****5678" and shown.card == "欧**英-办*室"
        async with db.engine.begin() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        await db.dispose()
    for f in tmp_path.iterdir():  # noqa: ASYNC240 - the bot is stopped; a test reads its files
        data = f.read_bytes()
        assert PHONE.encode() not in data and NAME.encode() not in data, f.name
