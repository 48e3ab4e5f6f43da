"""Guard store on SQLite and PostgreSQL: findings and strikes in one transaction, expiry and
clearing, lexicon changes per scope, group settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.models.guard import GuardFinding, GuardStrike
from bot.store import guard
from bot.store.db import Database

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def violation(user: str = "30001", *, at: datetime = T0, weight: int = 1, days: int = 30) -> guard.Violation:
    return guard.Violation(
        platform="qq",
        group_id="100",
        user_id=user,
        message_id="m1",
        at=at,
        findings=[
            guard.FindingRow("ads", "keywords", "prohibited", "加vx"),
            guard.FindingRow("id_number", "personal_data", "privacy", "110105********002X", cited=True),
        ],
        outcome="enforced",
        intended=["recall", "warn"],
        done=["recall", "warn"],
        strike_weight=weight,
        strike_kind="id_number",
        strike_expires=at + timedelta(days=days),
    )


async def test_findings_and_strike_are_stored_together(db: Database) -> None:
    ids = await guard.record_violation(violation(), db=db)
    assert len(ids) == 2
    async with db.session() as s:
        rows = list((await s.execute(select(GuardFinding).order_by(GuardFinding.id))).scalars())
        [strike] = list((await s.execute(select(GuardStrike))).scalars())
    assert [(r.kind, r.excerpt, r.cited, r.done) for r in rows] == [
        ("ads", "加vx", False, "recall,warn"),
        ("id_number", "110105********002X", True, "recall,warn"),
    ]
    assert strike.finding_id == ids[1] and strike.weight == 1 and strike.expires_at == T0 + timedelta(days=30)
    assert [r.id for r in await guard.recent_findings("100", user_id="30001", db=db)] == ids[::-1]
    assert await guard.count_findings(T0, db=db) == {"enforced": 2}


async def test_no_strike_for_a_reminder(db: Database) -> None:
    await guard.record_violation(violation(weight=0), db=db)
    assert await guard.active_strike_weight("qq", "100", "30001", T0, db=db) == 0


async def test_strikes_expire_and_clear(db: Database) -> None:
    await guard.record_violation(violation(at=T0, weight=2, days=30), db=db)
    await guard.record_violation(violation(at=T0 + timedelta(days=10), days=30), db=db)
    await guard.record_violation(violation("30002", at=T0), db=db)
    assert await guard.active_strike_weight("qq", "100", "30001", T0 + timedelta(days=11), db=db) == 3
    assert await guard.active_strike_weight("qq", "100", "30001", T0 + timedelta(days=31), db=db) == 1
    assert await guard.active_strike_weight("qq", "200", "30001", T0, db=db) == 0  # another group
    assert await guard.members_with_strikes("qq", "100", T0 + timedelta(days=11), db=db) == [
        ("30001", 3),
        ("30002", 1),
    ]
    now = T0 + timedelta(days=12)
    assert len(await guard.active_strikes("qq", "100", "30001", now, db=db)) == 2
    assert await guard.clear_strikes("qq", "100", "30001", by="20001", at=now, db=db) == 2
    assert await guard.active_strike_weight("qq", "100", "30001", now, db=db) == 0
    assert await guard.active_strike_weight("qq", "100", "30002", now, db=db) == 1


async def test_words_per_scope(db: Database) -> None:
    assert await guard.add_word("group", "100", "ads", "团购接龙", by="1", at=T0, db=db) is True
    assert await guard.add_word("group", "100", "ads", "团购接龙", by="1", at=T0, db=db) is False
    assert await guard.add_word("group", "100", "gambling", "赌场", op="remove", by="1", at=T0, db=db)
    assert await guard.add_word("unit", "finance", "allow", "赌场风云", by="2", at=T0, db=db)
    assert await guard.add_word("group", "100", "gambling", "赌场", op="add", by="1", at=T0, db=db)
    rows = await guard.words_of("group", "100", db=db)
    assert [(r.category, r.word, r.op) for r in rows] == [
        ("ads", "团购接龙", "add"),
        ("gambling", "赌场", "add"),
    ]
    assert len(await guard.load_words(db=db)) == 3
    assert await guard.delete_word("group", "100", "ads", "团购接龙", db=db) is True
    assert await guard.delete_word("group", "100", "ads", "团购接龙", db=db) is False


async def test_bulk_import_skips_what_is_there(db: Database) -> None:
    await guard.add_word("unit", "finance", "ads", "团购接龙", by="1", at=T0, db=db)
    entries = [("ads", "团购接龙"), ("ads", "水果拼单"), ("gambling", "赌场"), ("ads", "水果拼单")]
    assert await guard.add_words("unit", "finance", entries, by="cli", at=T0, db=db) == 2
    assert len(await guard.words_of("unit", "finance", db=db)) == 3


async def test_settings(db: Database) -> None:
    await guard.save_setting("100", None, {"guard": {"observe_only": True}}, by="1", at=T0, db=db)
    await guard.save_setting("200", "yichun-2021", {}, by="1", at=T0, db=db)
    await guard.save_setting("100", "kunming", {"guard": {"detect_mobile": True}}, by="2", at=T0, db=db)
    assert await guard.load_settings(db=db) == {
        "100": ("kunming", {"guard": {"detect_mobile": True}}),
        "200": ("yichun-2021", {}),
    }
    assert await guard.delete_setting("200", db=db) is True
    assert set(await guard.load_settings(db=db)) == {"100"}


async def test_count_by_kind_for_the_weekly_report(db: Database) -> None:
    """Findings in [since, until) by kind; exempt senders (owners, admins) are left out."""

    def row(kind: str, at: datetime, outcome: str = "enforced", group: str = "100") -> GuardFinding:
        return GuardFinding(
            platform="qq", group_id=group, user_id="1", at=at, kind=kind, rule=kind, outcome=outcome
        )

    async with db.session() as s:
        s.add_all(
            [
                row("ads", T0),
                row("ads", T0 + timedelta(hours=1)),
                row("secret", T0),
                row("ads", T0, outcome="exempt"),  # an admin: not counted
                row("porn", T0 - timedelta(days=8)),  # before the window
                row("ads", T0, group="200"),  # another group
            ]
        )
    counts = await guard.count_by_kind("qq", "100", T0 - timedelta(days=7), T0 + timedelta(days=1), db=db)
    assert counts == {"ads": 2, "secret": 1}
