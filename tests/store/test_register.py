"""The register's and the cases' stores on SQLite and PostgreSQL: each race has exactly one winner."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.core.calendar import TZ, Severity, WorkCalendar
from bot.core.crypto import PersonalDataCipher, generate_key
from bot.models.audit import AuditEntry
from bot.models.group import ChatGroup
from bot.models.register import CaseState, DeregKind, DutyKind, DutyState, FilingStatus
from bot.policy import load_policy
from bot.store import cases
from bot.store import register as store
from bot.store.db import Database
from tests.utils import POLICY_FILE

CAL = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


T0 = at(2026, 11, 16, 10, 0)  # Monday


def duty(kind: DutyKind = DutyKind.FILE, group: str = "100") -> store.NewDuty:
    return store.NewDuty("qq", group, kind, opened_at=T0, starts_at=T0, due_at=at(2026, 11, 25, 17, 30))


async def test_filing_is_created_once_even_by_racing_callers(db: Database) -> None:
    results = await asyncio.gather(*(store.ensure_filing("qq", "100", "999", T0, db=db) for _ in range(5)))
    assert sum(created for _, created in results) == 1
    assert len({row.id for row, _ in results}) == 1
    row = await store.get_filing("qq", "100", db=db)
    assert row is not None and row.status == FilingStatus.UNFILED and row.first_seen == T0


async def test_one_open_duty_per_kind_and_reopening_after_close(db: Database) -> None:
    results = await asyncio.gather(*(store.open_duty(duty(), db=db) for _ in range(4)))
    assert sum(created for _, created in results) == 1
    first = results[0][0]
    assert first.next_at == T0 and first.stage == 0
    other, created = await store.open_duty(duty(DutyKind.DISSOLVE), db=db)
    assert created and other.id != first.id
    closed = await store.close_duty("qq", "100", DutyKind.FILE, DutyState.DONE, at(2026, 11, 26, 9), db=db)
    assert closed is not None and closed.late and closed.state == DutyState.DONE
    assert await store.close_duty("qq", "100", DutyKind.FILE, DutyState.DONE, T0, db=db) is None
    again, created = await store.open_duty(duty(), db=db)
    assert created and again.id != first.id
    assert sorted(d.kind for d in await store.open_duties(group_ids=["100"], db=db)) == ["dissolve", "file"]


async def test_a_reminder_step_is_taken_by_exactly_one_caller(db: Database) -> None:
    row, _ = await store.open_duty(duty(), db=db)
    assert row.id is not None
    nxt = at(2026, 11, 24, 8, 30)
    wins = await asyncio.gather(*(store.advance_duty(row.id, 0, 1, nxt, sent_at=T0, db=db) for _ in range(5)))
    assert wins.count(True) == 1
    [fresh] = await store.open_duties(db=db)
    assert (fresh.stage, fresh.next_at, fresh.reminders, fresh.escalations) == (1, nxt, 1, 0)
    assert await store.due_duties(nxt - timedelta(minutes=1), db=db) == []
    assert [d.id for d in await store.due_duties(nxt, db=db)] == [row.id]
    assert await store.advance_duty(row.id, 1, 3, None, sent_at=nxt, escalated=True, db=db)
    [fresh] = await store.open_duties(db=db)
    assert (fresh.stage, fresh.escalations, fresh.reminders) == (3, 1, 2)


async def test_deregistration_happens_once_and_a_group_can_come_back(db: Database) -> None:
    filing, _ = await store.ensure_filing("qq", "100", "999", T0, db=db)
    assert filing.id is not None
    gone = at(2026, 11, 20, 15)
    results = await asyncio.gather(
        *(store.deregister("qq", "100", DeregKind.DISBANDED, "群已解散", gone, db=db) for _ in range(3))
    )
    assert sum(r is not None for r in results) == 1
    row = await store.get_filing("qq", "100", db=db)
    assert row is not None and row.status == FilingStatus.DEREGISTERED and row.dereg_at == gone
    assert await store.deregister("qq", "100", DeregKind.REMOVED, "x", gone, db=db) is None
    back = at(2026, 11, 23, 9)
    assert await store.reopen(filing.id, back, "999", db=db)
    assert not await store.reopen(filing.id, back, "999", db=db)
    row = await store.get_filing("qq", "100", db=db)
    assert (
        row is not None
        and row.status == FilingStatus.UNFILED
        and row.first_seen == back
        and row.dereg_at is None
    )


async def test_a_scheduled_job_runs_once(db: Database) -> None:
    wins = await asyncio.gather(
        *(store.claim_run("weekly:2026-W48:finance", "w", T0, db=db) for _ in range(4))
    )
    assert wins.count(True) == 1
    assert await store.run_done("weekly:2026-W48:finance", db=db)
    assert not await store.run_done("weekly:2026-W49:finance", db=db)
    await store.finish_run("weekly:2026-W48:finance", T0, "3 个群", db=db)


async def test_activity_counts_add_up_across_writers(db: Database) -> None:
    day = date(2026, 11, 20)
    await asyncio.gather(*(store.add_activity({("qq", "100", day): 3}, db=db) for _ in range(4)))
    await store.add_activity({("qq", "100", date(2026, 10, 1)): 5, ("qq", "200", day): 1}, db=db)
    assert await store.activity_totals(date(2026, 11, 1), db=db) == {("qq", "100"): 12, ("qq", "200"): 1}
    assert await store.activity_totals(date(2026, 9, 1), group_id="100", db=db) == {("qq", "100"): 17}
    assert await store.prune_activity(date(2026, 11, 1), db=db) == 1


async def test_groups_seen_only_through_commands_are_found(db: Database) -> None:
    async with db.session() as s:
        for gid in ("100", "200"):
            s.add(ChatGroup(platform="qq", group_id=gid, self_id="999", first_seen=T0, last_seen=T0))
    await store.ensure_filing("qq", "100", "999", T0, db=db)
    assert [g.group_id for g in await store.unregistered_groups(db=db)] == ["200"]
    assert (await store.last_messages(db=db))[("qq", "200")] == T0


async def test_history_keeps_field_names_only(db: Database) -> None:
    filing, _ = await store.ensure_filing("qq", "100", "999", T0, db=db)
    assert filing.id is not None
    await store.add_history(
        filing.id, "updated", T0, actor="40001", changed=["服务事项", "群主（管理者）"], db=db
    )
    [h] = await store.history(filing.id, db=db)
    assert (h.event, h.actor, h.changed) == ("updated", "40001", "服务事项、群主（管理者）")


async def test_register_sheets_mask_personal_data(db: Database) -> None:
    cipher = PersonalDataCipher(generate_key())
    policy = load_policy(POLICY_FILE)
    filing, _ = await store.ensure_filing("qq", "100", "999", T0, db=db)
    other, _ = await store.ensure_filing("qq", "200", "999", T0, db=db)
    assert filing.id is not None and other.id is not None
    await store.update_filing(
        filing.id,
        {
            "name": "办公室工作群",
            "dept": "办公室",
            "kind": "temporary",
            "end_date": date(2026, 12, 31),
            "owner_name_enc": cipher.encrypt("李四", context=store.OWNER_CONTEXT),
            "contact_enc": cipher.encrypt("13812345678", context=store.CONTACT_CONTEXT),
            "status": FilingStatus.FILED,
            "filed_at": T0,
        },
        db=db,
    )
    await store.open_duty(duty(DutyKind.DISSOLVE), db=db)
    now = at(2026, 11, 26, 9)
    sheets = await store.register_sheets(policy, cipher, now, db=db)
    assert list(sheets) == ["测试市财政局", "未归属单位"]
    [row] = sheets["测试市财政局"]
    assert (row.owner, row.contact, row.kind, row.end_date, row.status) == (
        "李*",
        "138****5678",
        "临时",
        "2026-12-31",
        "已备案",
    )
    assert "待解散" in row.due and "已逾期" in row.due
    full = await store.register_sheets(policy, cipher, now, masked=False, units=["finance"], db=db)
    assert list(full) == ["测试市财政局"] and full["测试市财政局"][0].contact == "13812345678"
    # Without the key nothing personal can be shown (and a token is never shown).
    [row] = (await store.register_sheets(policy, None, now, units=["finance"], db=db))["测试市财政局"]
    assert row.owner == "（无法解密）" and "pd1" not in row.contact


# --- cases ------------------------------------------------------------------------------------


async def test_case_deadlines_follow_kunming_article_15(db: Database) -> None:
    # Inside working hours: serious 30 minutes, general 1 hour.
    serious, created = await cases.open_case(
        platform="qq",
        group_id="100",
        kind="secret",
        severity=Severity.SERIOUS,
        received_at=at(2026, 11, 16, 10),
        calendar=CAL,
        summary="消息含涉密标识，已撤回",
        db=db,
    )
    assert created and serious.due_at == at(2026, 11, 16, 10, 30) and serious.in_working_time
    assert (
        serious.limit_minutes == 30
        and serious.category == "涉密标识"
        and serious.next_escalation_at == serious.due_at
    )
    general, _ = await cases.open_case(
        platform="qq",
        group_id="100",
        kind="privacy",
        severity="general",
        received_at=at(2026, 11, 16, 17, 0),
        calendar=CAL,
        db=db,
    )
    assert general.due_at == at(2026, 11, 16, 18, 0)
    # Outside working hours and on holidays: general 4 hours, serious 2 hours.
    night, _ = await cases.open_case(
        platform="qq",
        group_id="100",
        kind="prohibited",
        category="赌博",
        severity="serious",
        received_at=at(2026, 10, 3, 23, 0),
        calendar=CAL,
        db=db,
    )
    assert night.due_at == at(2026, 10, 4, 1, 0) and not night.in_working_time and night.category == "赌博"
    [entry] = [
        e for e in (await db_rows(db)) if e.action == "case.opened" and f'"case": {serious.id}' in e.detail
    ]
    assert "整改事项" in entry.reason and "已撤回" not in entry.reason


async def db_rows(db: Database) -> list[AuditEntry]:
    async with db.session() as s:
        return list((await s.execute(select(AuditEntry))).scalars())


async def test_a_redelivered_finding_opens_one_case(db: Database) -> None:
    key = "guard:qq:100:555:secret"
    results = await asyncio.gather(
        *(
            cases.open_case(
                platform="qq",
                group_id="100",
                kind="secret",
                severity="serious",
                received_at=T0,
                calendar=CAL,
                dedup_key=key,
                db=db,
            )
            for _ in range(4)
        )
    )
    assert sum(created for _, created in results) == 1 and len({c.id for c, _ in results}) == 1
    assert len([e for e in await db_rows(db) if e.action == "case.opened"]) == 1


async def test_closing_cases(db: Database) -> None:
    case, _ = await cases.open_case(
        platform="qq", group_id="100", kind="secret", severity="serious", received_at=T0, calendar=CAL, db=db
    )
    assert case.id is not None
    closed = await cases.close_case(case.id, "40001", "已撤回并提醒当事人", T0 + timedelta(minutes=10), db=db)
    assert closed is not None and not closed.late and closed.state == CaseState.CLOSED
    assert await cases.close_case(case.id, "40001", "again", T0, db=db) is None
    late, _ = await cases.open_case(
        platform="qq",
        group_id="100",
        kind="filing_overdue",
        severity="general",
        received_at=T0,
        calendar=CAL,
        ref="duty:7",
        notify=False,
        escalate=False,
        db=db,
    )
    assert late.next_escalation_at is None
    other, _ = await cases.open_case(
        platform="qq", group_id="100", kind="privacy", severity="general", received_at=T0, calendar=CAL, db=db
    )
    [done] = await cases.close_open_cases(
        "qq", "100", "bot", "已完成备案", T0 + timedelta(hours=3), ref="duty:7", db=db
    )
    assert done.id == late.id and done.late
    assert [c.id for c in await cases.list_cases(group_ids=["100"], db=db)] == [other.id]
    assert len(await cases.list_cases(states=(CaseState.OPEN, CaseState.CLOSED), db=db)) == 3
    assert await cases.count_open(T0 + timedelta(hours=2), db=db) == (1, 1)
    assert await cases.count_open(T0, group_ids=["200"], db=db) == (0, 0)


async def test_notice_and_escalation_rounds_are_claimed_once(db: Database) -> None:
    case, _ = await cases.open_case(
        platform="qq", group_id="100", kind="secret", severity="serious", received_at=T0, calendar=CAL, db=db
    )
    assert case.id is not None
    assert [c.id for c in await cases.to_notify(db=db)] == [case.id]
    wins = await asyncio.gather(*(cases.mark_notified(case.id, T0, db=db) for _ in range(3)))
    assert wins.count(True) == 1 and await cases.to_notify(db=db) == []
    assert await cases.due_escalations(T0, db=db) == []
    due = case.due_at
    assert [c.id for c in await cases.due_escalations(due, db=db)] == [case.id]
    nxt = at(2026, 11, 17, 8, 30)
    wins = await asyncio.gather(*(cases.advance_escalation(case.id, 0, 1, nxt, db=db) for _ in range(3)))
    assert wins.count(True) == 1
    assert await cases.due_escalations(due + timedelta(hours=1), db=db) == []
    quarter = await cases.cases_between(at(2026, 10, 1), at(2027, 1, 1), db=db)
    assert [c.id for c in quarter] == [case.id]
    assert await cases.cases_between(at(2026, 7, 1), at(2026, 10, 1), db=db) == []


async def test_aware_times_round_trip(db: Database) -> None:
    filing, _ = await store.ensure_filing("qq", "300", "999", datetime(2026, 11, 16, 2, tzinfo=UTC), db=db)
    row = await store.get_filing("qq", "300", db=db)
    assert row is not None and row.first_seen == filing.first_seen and row.first_seen.tzinfo is not None
