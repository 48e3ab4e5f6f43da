"""/清理 never removes the bot, an operator, anyone whose role the bot knows (WeChat lists carry no
roles: named by an operator or stored), nor the person who confirmed the cleanup — even when a finding
for them is already confirmed."""

from __future__ import annotations

from sqlalchemy import update

from bot.dispatch import rolestore
from bot.gateway.base import Member
from bot.models.review import ReviewFinding
from bot.runtime import get_runtime
from bot.store.db import get_db
from tests.plugins.review.conftest import GROUP, NOW, OWNER, SILENT, TRANSFERRED, UNVERIFIED, calls, seed
from tests.plugins.review.test_review_flow import msg, review_now, say
from tests.utils import FakeGateway

OPERATOR = "10001"


async def test_known_roles_operators_and_the_confirmer_are_never_kicked(fake: FakeGateway) -> None:
    from bot.plugins.review.cleanup import process_group

    rt = get_runtime()
    assert OPERATOR in rt.superusers
    await seed()
    await review_now(fake)
    await say(fake, msg("/清理 1 2 3", OWNER, "owner"), msg("/清理 确认", OWNER, "owner"))
    # Since the review: SILENT was named admin; the finding of UNVERIFIED now points at the operator;
    # the finding of TRANSFERRED was confirmed by TRANSFERRED.
    await rolestore.name_role("qq", GROUP, SILENT, "admin", by=OPERATOR, now=NOW)
    fake.members = [*fake.members, Member(OPERATOR, card="运维")]
    async with get_db().session() as s:
        await s.execute(
            update(ReviewFinding).where(ReviewFinding.user_id == UNVERIFIED).values(user_id=OPERATOR)
        )
        await s.execute(
            update(ReviewFinding).where(ReviewFinding.user_id == TRANSFERRED).values(confirmed_by=TRANSFERRED)
        )
    try:
        results = await process_group(rt, "qq", GROUP, pace=0)
    finally:
        await rolestore.name_role("qq", GROUP, SILENT, None, by=OPERATOR, now=NOW)
    assert not calls(fake, "kick"), results
    assert any(SILENT in r and "群主或管理员" in r for r in results)
    assert any(OPERATOR in r and "不会被移出" in r for r in results)
    assert any(TRANSFERRED in r and "不会被移出" in r for r in results)
