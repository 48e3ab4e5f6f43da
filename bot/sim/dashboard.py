"""A seeded database for the dashboard: units of work groups with filings, duties (some overdue),
cases (open, overdue, closed), guard findings over several weeks, strikes, review runs, suggestions,
message counts and audit rows. Used by the dashboard's browser test, its request tests and
``bench/web_pages.py`` (200 groups). Deterministic for a given ``seed``.

No real person appears: cards and names are made up; owners' personal data is not stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.calendar import to_local
from bot.models.admission import MemberIdentity
from bot.models.group import ChatGroup
from bot.models.guard import GuardFinding, GuardStrike
from bot.models.register import (
    Case,
    CaseState,
    DutyKind,
    DutyState,
    Filing,
    FilingDuty,
    FilingStatus,
    GroupActivity,
)
from bot.models.review import GroupDayCount, ReviewFinding, ReviewRun, RunState, Suggestion
from bot.store import audit
from bot.store.db import Database

KINDS = ("ads", "offtopic", "mobile", "link_unknown", "fraud", "rumor", "id_number", "flood")
DEPTS = ("办公室", "财务科", "人事科", "综合科", "业务一科", "业务二科", "法规科", "信息中心")
MATTERS = ("日常工作联络", "文件通知转发", "专项工作调度", "值班值守联络", "项目推进协调")
SUGGESTIONS = (
    "建议把每周例会材料提前一天发到群里，方便大家准备。",
    "建议统一报送表格的模板，减少来回修改。",
    "希望值班安排能提前一周公布。",
    "建议在群公告里置顶常用的办事指南链接。",
)


@dataclass
class Unit:
    key: str
    name: str
    groups: list[str]
    preset: str = "default"
    supervisors: list[str] = field(default_factory=list)


def policy_toml(units: list[Unit]) -> str:
    """config/bot.toml for these units and their groups."""
    lines = ['default_preset = "default"', ""]
    for u in units:
        sup = ", ".join(f'"{s}"' for s in u.supervisors)
        lines += [
            f"[units.{u.key}]",
            f'name = "{u.name}"',
            f'preset = "{u.preset}"',
            f"supervisors = [{sup}]",
            "",
        ]
        for gid in u.groups:
            lines += [f'[groups."{gid}"]', f'unit = "{u.key}"', ""]
    return "\n".join(lines)


def group_name(unit: Unit, index: int) -> str:
    return f"{unit.name.removeprefix('测试市')}{DEPTS[index % len(DEPTS)]}工作群{index + 1}"


async def seed(
    db: Database, units: list[Unit], now: datetime, *, seed: int = 1, audit_rows: bool = True
) -> None:
    """Fill ``db`` (migrated, empty) with a realistic picture of the units' groups as of ``now``."""
    rnd = random.Random(seed)
    case_no = 0
    async with db.session() as s:
        for unit in units:
            for i, gid in enumerate(unit.groups):
                first = now - timedelta(days=60 + i % 30)
                name = group_name(unit, i)
                members = 20 + rnd.randrange(60)
                s.add(
                    ChatGroup(
                        platform="qq", group_id=gid, self_id="999", name=name, first_seen=first, last_seen=now
                    )
                )
                unfiled = i % 4 == 3
                filing = Filing(
                    platform="qq",
                    group_id=gid,
                    self_id="999",
                    status=FilingStatus.UNFILED if unfiled else FilingStatus.FILED,
                    first_seen=first,
                    observed_name=name,
                    member_count=members,
                    owner_id=f"6{gid[-4:]}",
                    synced_at=now - timedelta(hours=3),
                )
                if not unfiled:
                    filing.name, filing.dept = name, DEPTS[i % len(DEPTS)]
                    filing.matter, filing.kind = MATTERS[i % len(MATTERS)], "standing"
                    filing.entry, filing.rules = "本人申请、群管理员审核后入群", "只发工作信息，不闲聊"
                    filing.filed_at = filing.updated_at = first + timedelta(days=2)
                    filing.filed_by = filing.owner_id
                s.add(filing)
                if unfiled:
                    due = now - timedelta(days=2) if i % 8 == 3 else now + timedelta(days=3)
                    s.add(
                        FilingDuty(
                            platform="qq",
                            group_id=gid,
                            kind=DutyKind.FILE,
                            state=DutyState.OPEN,
                            opened_at=due - timedelta(days=7),
                            starts_at=due - timedelta(days=5),
                            due_at=due,
                            next_at=now + timedelta(hours=1),
                        )
                    )
                # Verification: most members bound, a few still pending.
                for m in range(members - rnd.randrange(6)):
                    s.add(
                        MemberIdentity(
                            platform="qq",
                            group_id=gid,
                            user_id=f"7{gid[-4:]}{m:03d}",
                            method="verify",
                            verified_by="bot",
                            verified_at=first + timedelta(days=1, minutes=m),
                        )
                    )
                # Cases: one closed; an open one in some groups, overdue in a few.
                for k in range(1 + (i % 3 == 0) + (i % 5 == 0)):
                    case_no += 1
                    received = now - timedelta(days=rnd.randrange(1, 20), hours=rnd.randrange(8))
                    open_ = k > 0
                    overdue = open_ and i % 5 == 0
                    due = (
                        received + timedelta(hours=1) if not open_ or overdue else now + timedelta(minutes=40)
                    )
                    kind = rnd.choice(("privacy", "prohibited", "secret"))
                    s.add(
                        Case(
                            platform="qq",
                            group_id=gid,
                            self_id="999",
                            kind=kind,
                            category={"privacy": "个人信息", "prohibited": "违规内容", "secret": "涉密标识"}[
                                kind
                            ],
                            severity="serious" if kind == "secret" else "general",
                            rule=kind,
                            summary="消息已撤回，当事人已收到提醒",
                            user_id=f"7{gid[-4:]}001",
                            source="guard",
                            received_at=received,
                            in_working_time=True,
                            limit_minutes=60,
                            due_at=due,
                            state=CaseState.OPEN if open_ else CaseState.CLOSED,
                            closed_at=None if open_ else received + timedelta(minutes=35),
                            closed_by="" if open_ else filing.owner_id,
                            close_note="" if open_ else "已撤回并提醒当事人",
                            dedup_key=f"seed:{gid}:{k}",
                        )
                    )
                # Guard findings over the last eight weeks, and strikes for two members.
                for _ in range(rnd.randrange(4, 30)):
                    at = now - timedelta(days=rnd.randrange(56), minutes=rnd.randrange(600))
                    kind = rnd.choice(KINDS)
                    s.add(
                        GuardFinding(
                            platform="qq",
                            group_id=gid,
                            user_id=f"7{gid[-4:]}{rnd.randrange(members):03d}",
                            message_id=str(rnd.randrange(10**9)),
                            at=at,
                            kind=kind,
                            rule="keywords",
                            excerpt="",
                            outcome="enforced",
                        )
                    )
                for m in range(2):
                    s.add(
                        GuardStrike(
                            platform="qq",
                            group_id=gid,
                            user_id=f"7{gid[-4:]}{m:03d}",
                            at=now - timedelta(days=3),
                            expires_at=now + timedelta(days=27),
                            weight=1 + m,
                            kind="ads",
                        )
                    )
                # Messages per day: the register's 活跃程度 (30 days) and the review's off-topic share (7).
                for d in range(30):
                    s.add(
                        GroupActivity(
                            platform="qq",
                            group_id=gid,
                            day=to_local(now).date() - timedelta(days=d),
                            messages=rnd.randrange(0, 60),
                        )
                    )
                for d in range(7):
                    s.add(
                        GroupDayCount(
                            platform="qq",
                            group_id=gid,
                            day=(to_local(now).date() - timedelta(days=d)).isoformat(),
                            messages=20 + rnd.randrange(80),
                        )
                    )
                # Two finished reviews; the latest lists two members.
                for w in (2, 1):
                    run = ReviewRun(
                        platform="qq",
                        group_id=gid,
                        self_id="999",
                        kind="scheduled",
                        slot=f"seed-{gid}-{w}",
                        state=RunState.DONE,
                        due_at=now - timedelta(weeks=w),
                        finished_at=now - timedelta(weeks=w, minutes=-2),
                        members=members,
                        findings=2,
                    )
                    s.add(run)
                    await s.flush()
                    if w == 1:
                        assert run.id is not None
                        for n in (1, 2):
                            s.add(
                                ReviewFinding(
                                    run_id=run.id,
                                    number=n,
                                    platform="qq",
                                    group_id=gid,
                                    user_id=f"7{gid[-4:]}{n + 10:03d}",
                                    card=f"成员{n}",
                                    kinds="unverified",
                                    reasons="入群后未完成实名认证",
                                    removable=False,
                                )
                            )
                for n in range(1 + i % 2):
                    s.add(
                        Suggestion(
                            platform="qq",
                            group_id=gid,
                            self_id="999",
                            user_id=f"7{gid[-4:]}{n + 20:03d}",
                            card=f"建议人{n + 1}-{DEPTS[i % len(DEPTS)]}",
                            message_id=f"seed-{gid}-{n}",
                            at=now - timedelta(days=n + 1),
                            text=SUGGESTIONS[(i + n) % len(SUGGESTIONS)],
                            source="command",
                        )
                    )
    if audit_rows:
        for unit in units:
            for gid in unit.groups:
                await audit.record(
                    "recall",
                    platform="qq",
                    group_id=gid,
                    target=f"7{gid[-4:]}001",
                    rule="ads",
                    reason="撤回含广告的消息",
                    at=now - timedelta(days=1),
                    db=db,
                )
                await audit.record(
                    "case.opened",
                    platform="qq",
                    group_id=gid,
                    rule="privacy",
                    reason="新整改事项",
                    at=now - timedelta(hours=5),
                    db=db,
                )
