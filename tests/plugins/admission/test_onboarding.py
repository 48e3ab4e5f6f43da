"""Onboarding a populated group: roster-column members bound, the rest invited privately in paced
batches, one reminder, then listed — and nothing for owner, admins, operators or the bot."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.gateway.base import Member
from bot.models.admission import Admission
from bot.runtime import Runtime
from bot.store import admission as adm
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.admission.conftest import ADMIN, HUANGSHAN, OWNER, at, load_roster, sent
from tests.utils import FakeGateway

TUESDAY = at(2026, 12, 1, 10, 0)


async def _rows() -> list[Admission]:
    async with get_db().session() as s:
        rows = (await s.execute(select(Admission).where(Admission.flag == "onboarding"))).scalars()
        return sorted(rows, key=lambda a: a.id or 0)


async def test_onboarding_binds_roster_column_and_paces_invitations(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import run_due
    from bot.plugins.admission.onboarding import onboard_members

    await load_roster()  # 王芳's QQ column holds 40050
    members = [
        Member(OWNER, role="owner"),
        Member(ADMIN, role="admin"),
        Member("999"),  # the bot
        Member("10001"),  # an operator
        Member("40050"),
        *(Member(str(41000 + i)) for i in range(25)),
    ]
    result = await onboard_members(rt, "qq", HUANGSHAN, members, self_id="999", now=TUESDAY)
    assert (result.bound, result.invited, result.skipped) == (1, 25, 4)
    assert await adm.open_binding("qq", HUANGSHAN, "40050") is not None
    await settle(rt)
    [announcement] = sent(fake, "send_group")
    assert "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十一条" in announcement["text"]
    assert "5 个工作日内" in announcement["text"] and "/实名" in announcement["text"]
    assert not sent(fake, "send_private")  # invitations wait for their slots
    rows = await _rows()
    assert len(rows) == 25 and all(r.state == "queued" for r in rows)
    first, second = rows[0].due_at, rows[10].due_at
    assert first is not None and second is not None and second - first == timedelta(minutes=5)
    # Calling it again (a member-list diff) invites nobody twice.
    again = await onboard_members(rt, "qq", HUANGSHAN, members, self_id="999", now=TUESDAY)
    assert again.invited == 0 and again.known == 26

    # The first batch goes out at its slot, the second five minutes later.
    await run_due(rt, TUESDAY)
    await settle(rt)
    invited = sent(fake, "send_private")
    assert len(invited) == 10 and all("/实名" in p["text"] for p in invited)
    assert {p["user_id"] for p in invited} == {str(41000 + i) for i in range(10)}
    # Both later slots are past (the bot was busy): still one batch per pass.
    await run_due(rt, TUESDAY + timedelta(minutes=11))
    await settle(rt)
    assert len(sent(fake, "send_private")) == 20
    await run_due(rt, TUESDAY + timedelta(minutes=12))
    await settle(rt)
    assert len(sent(fake, "send_private")) == 25
    assert not {OWNER, ADMIN, "999", "10001", "40050"} & {p["user_id"] for p in sent(fake, "send_private")}

    # One reminder before the grace ends, then listed; never removed by the campaign.
    later = TUESDAY + timedelta(days=14)
    await run_due(rt, later)
    await run_due(rt, later + timedelta(days=7))
    await settle(rt)
    states = {r.state for r in await _rows()}
    assert states == {"listed"}
    assert not [k for k, _ in fake.calls if k == "kick"]
    reminders = [p for p in sent(fake, "send_private") if p["text"].startswith("提醒")]
    assert len(reminders) == 25
