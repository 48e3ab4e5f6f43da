"""Admission through the hooks and the router with a fake QQ account: join requests, arrivals and their
grace periods, /实名, /审批, departures, the card rule; every decision audited without personal data."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from bot.dispatch.router import handle_message
from bot.gateway.base import Member
from bot.runtime import Runtime
from bot.store import admission as adm
from bot.store import audit
from tests.dispatch.conftest import settle
from tests.plugins.admission.conftest import (
    ADMIN,
    HUANGSHAN,
    MEMBER,
    OWNER,
    SECRETS,
    YICHUN,
    at,
    gmsg,
    load_roster,
    notice,
    pmsg,
    request,
    sent,
)
from tests.utils import FakeGateway

FRIDAY_10 = at(2026, 11, 20, 10, 0)


def admission_id(text: str) -> int:
    m = re.search(r"#(\d+)", text)
    assert m, text
    return int(m.group(1))


async def no_personal_data_in_audit() -> None:
    rows = await audit.recent(500)
    blob = "\n".join(f"{r.actor}{r.target}{r.reason}{r.detail}" for r in rows)
    for secret in SECRETS:
        assert secret not in blob, secret


# ---------------------------------------------------------------- join requests


async def test_request_on_the_roster_is_approved(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    ids = await load_roster()
    await on_request_record(request("您好！我是办公室的张三，申请入群", user_id="40100"), rt)
    await settle(rt)
    [call] = sent(fake, "join_request")
    assert call["approve"] is True and call["reason"] == ""
    assert sent(fake, "send_private") == []  # nothing for the admins to do
    [row] = [r for r in await audit.recent(5, group_id=HUANGSHAN) if r.action == "admission.approve"]
    assert row.rule == "admission" and row.target == "40100"
    assert f"#{ids['张三/办公室']}" in row.reason
    await no_personal_data_in_audit()


async def test_unparseable_comment_is_rejected_with_the_template(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    await load_roster()
    await on_request_record(request("你好，申请入群", user_id="40100"), rt)
    await on_request_record(request("asdfgh 123", user_id="40101"), rt)
    await settle(rt)
    first, second = sent(fake, "join_request")
    assert (
        first["approve"] is False and "「姓名-科室」" in first["reason"] and "张三-办公室" in first["reason"]
    )
    assert second["approve"] is False and "未能从申请备注中识别出姓名" in second["reason"]
    rows = [r for r in await audit.recent(5, group_id=HUANGSHAN) if r.action == "admission.reject"]
    assert len(rows) == 2 and all("申请备注无法识别" in r.reason for r in rows)


async def test_a_request_event_delivered_twice_is_answered_once(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    await load_roster()
    rec = request("张三-办公室", user_id="40100", flag="same-flag")
    await on_request_record(rec, rt)
    await on_request_record(rec, rt)
    await settle(rt)
    assert len(sent(fake, "join_request")) == 1


async def test_no_roster_match_goes_to_the_admins_who_approve_in_private(
    rt: Runtime, fake: FakeGateway
) -> None:
    from bot.plugins.admission.flow import on_notice_record, on_request_record

    ids = await load_roster()
    await on_request_record(request("李明-财政局", user_id="40101"), rt)
    await settle(rt)
    assert sent(fake, "join_request") == []
    notes = sent(fake, "send_private")
    assert sorted(n["user_id"] for n in notes) == [OWNER, ADMIN]
    text = notes[0]["text"]
    assert "入群待审批" in text and "QQ 40101" in text and "李明-财政局" in text
    assert "李明 办公室" in text and "李明 信息中心" in text and "同名，但科室不同" in text
    assert "138****0001" in text and "13812340001" not in text  # phones stay masked even for admins
    n = admission_id(text)
    assert f"/审批 通过 {n}" in text and f"/审批 拒绝 {n}" in text

    fake.calls.clear()
    # Several candidates: the admin must say which one.
    await handle_message(pmsg(f"/审批 通过 {n}", ADMIN), rt)
    await settle(rt)
    assert sent(fake, "join_request") == []
    assert "请指明要绑定的花名册编号" in fake.texts()[-1]

    target = ids["李明/信息中心"]
    await handle_message(pmsg(f"/审批 通过 {n} {target}", ADMIN), rt)
    await settle(rt)
    [call] = sent(fake, "join_request")
    assert call["approve"] is True
    reply = fake.texts()[-1]
    assert f"审批 #{n}：已同意入群申请" in reply and "李明 信息中心" in reply  # unmasked: private chat
    # A second approval (another admin, or a repeat) does nothing.
    await handle_message(pmsg(f"/审批 通过 {n} {target}", OWNER), rt)
    await settle(rt)
    assert len(sent(fake, "join_request")) == 1 and "已处理" in fake.texts()[-1]

    # The member joins: bound to the person the admin chose, not asked to verify.
    await on_notice_record(notice("member_join", "40101", sub_type="approve", operator_id="999"), rt)
    await settle(rt)
    b = await adm.open_binding("qq", HUANGSHAN, "40101")
    assert b is not None and b.person_id == target and b.method == "request" and b.verified_by == ADMIN
    assert not [t for t in fake.texts() if "/实名" in t]
    await no_personal_data_in_audit()


async def test_admins_reject_with_a_reason(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    await load_roster()
    await on_request_record(request("孙悟空-花果山办公室", user_id="40101"), rt)
    await settle(rt)
    n = admission_id(sent(fake, "send_private")[0]["text"])
    await handle_message(pmsg(f"/审批 拒绝 {n} 非本单位人员，电话 13812345678", ADMIN), rt)
    await settle(rt)
    [call] = sent(fake, "join_request")
    assert call["approve"] is False and call["reason"].startswith("非本单位人员")
    [row] = [r for r in await audit.recent(10) if r.action == "admission.reject"]
    assert row.actor == ADMIN and "138****5678" in row.reason and "13812345678" not in row.reason


async def test_confirm_each_entry_queues_even_a_match(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    ids = await load_roster("default")  # group 200 has no unit: the default roster
    await on_request_record(request("张三-办公室", user_id="40100", group_id=YICHUN), rt)
    await settle(rt)
    assert sent(fake, "join_request") == []
    text = sent(fake, "send_private")[0]["text"]
    assert "逐一确认" in text and f"#{ids['张三/办公室']} 张三 办公室 科员" in text
    assert f"/审批 通过 {admission_id(text)}\n" in text
    n = admission_id(text)
    # In the group: the matched person is taken, and the reply is masked.
    await handle_message(gmsg(f"/审批 通过 {n}", ADMIN, group_id=YICHUN, role="admin"), rt)
    await settle(rt)
    [call] = sent(fake, "join_request")
    assert call["approve"] is True
    [reply] = [p["text"] for p in sent(fake, "send_group", group_id=YICHUN)]
    assert "张*" in reply and "张三" not in reply


async def test_invitation_by_a_member_is_flagged(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    await load_roster()
    await on_request_record(request("张三-办公室", user_id="40100", invitor_id=MEMBER), rt)
    await on_request_record(request("王芳-财务科", user_id="40102", invitor_id=ADMIN), rt)
    await settle(rt)
    assert [c["approve"] for c in sent(fake, "join_request")] == [True, True]
    notes = [p["text"] for p in sent(fake, "send_private")]
    assert len(notes) == 2
    assert all(f"群成员 {MEMBER} 邀请" in t and "及本群群规" in t and "宜春" not in t for t in notes)
    flagged = [r for r in await audit.recent(10) if r.action == "admission.invited_by_member"]
    assert [(r.actor, r.target, r.rule) for r in flagged] == [(MEMBER, "40100", "real_name")]


async def test_the_bot_accepts_group_invitations_only_from_operators(rt: Runtime, fake: FakeGateway) -> None:
    import dataclasses

    from bot.plugins.admission.flow import on_request_record

    base = request("", user_id="10001")
    await on_request_record(dataclasses.replace(base, kind="group_invite", flag="inv-1"), rt)
    await on_request_record(dataclasses.replace(base, kind="group_invite", flag="inv-2", user_id="55555"), rt)
    await settle(rt)
    assert [(c["flag"], c["approve"]) for c in sent(fake, "join_request")] == [
        ("inv-1", True),
        ("inv-2", False),
    ]


async def test_without_a_key_requests_are_left_to_the_admins(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    rt.settings.steward_secret_key = None
    await on_request_record(request("张三-办公室", user_id="40100"), rt)
    await settle(rt)
    assert fake.calls == []
    await handle_message(pmsg("/花名册", "10001"), rt)
    await settle(rt)
    assert "STEWARD_SECRET_KEY" in fake.texts()[-1]


# ---------------------------------------------------------------- arrivals and grace periods


async def test_an_invited_newcomer_is_asked_then_reminded_then_removed(
    rt: Runtime, fake: FakeGateway
) -> None:
    from bot.plugins.admission.flow import on_notice_record, run_due

    await load_roster("default")
    await on_notice_record(
        notice("member_join", "40102", group_id=YICHUN, operator_id=MEMBER, when=FRIDAY_10), rt
    )
    await settle(rt)
    [ask] = sent(fake, "send_group", group_id=YICHUN)
    assert ask["mention"] == ("40102",) and "/实名 姓名 科室 手机号" in ask["text"]
    [dm] = [p for p in sent(fake, "send_private") if p["user_id"] == "40102"]
    assert "加密保存" in dm["text"]
    flags = [p for p in sent(fake, "send_private") if p["user_id"] in (OWNER, ADMIN)]
    assert len(flags) == 2 and f"群成员 {MEMBER}（非管理员）邀请" in flags[0]["text"]

    [a] = await adm.open_arrivals_of_user("qq", "40102")
    grace = rt.calendar(YICHUN).add_working_hours(FRIDAY_10, 24)
    assert a.due_at == grace  # 24 working hours of 09:00–17:00 days: Wednesday 10:00
    fake.calls.clear()
    assert await run_due(rt, grace - timedelta(minutes=1)) == 0
    assert await run_due(rt, grace) == 1
    await settle(rt)
    [reminder] = sent(fake, "send_group", group_id=YICHUN)
    assert "尚未完成实名认证" in reminder["text"] and "请出" in reminder["text"]
    assert await run_due(rt, grace) == 0  # the next step has its own due time
    a = await adm.get(a.id or 0)
    assert a is not None and a.state == "reminded"
    assert a.due_at == rt.calendar(YICHUN).add_working_hours(grace, 8)
    assert await run_due(rt, a.due_at) == 1
    await settle(rt)
    assert sent(fake, "kick") == [{"group_id": YICHUN, "user_id": "40102"}]
    assert any("第六条" in p["text"] and "请出本群" in p["text"] for p in sent(fake, "send_group"))
    actions = [r.action for r in await audit.recent(10, group_id=YICHUN)]
    assert {
        "admission.ask_verify",
        "admission.remind",
        "admission.remove",
        "admission.invited_by_member",
    } <= set(actions)


async def test_where_removal_is_off_the_unverified_are_listed_for_the_review(
    rt: Runtime, fake: FakeGateway
) -> None:
    from bot.plugins.admission.flow import on_notice_record, run_due

    await on_notice_record(
        notice("member_join", "40102", sub_type="approve", operator_id=ADMIN, when=FRIDAY_10), rt
    )
    [a] = await adm.open_arrivals_of_user("qq", "40102")
    assert a.invited_by_member is False and a.due_at is not None
    assert await run_due(rt, a.due_at) == 1
    a = await adm.get(a.id or 0)
    assert a is not None and a.due_at is not None
    assert await run_due(rt, a.due_at) == 1
    await settle(rt)
    assert sent(fake, "kick") == []
    a = await adm.get(a.id or 0)
    assert a is not None and a.state == "listed" and a.due_at is None
    items = await adm.review_items("qq", HUANGSHAN)
    assert [(i.kind, i.user_id, i.detail) for i in items] == [("unverified", "40102", "listed")]
    assert any("已列入每周巡查名单" in t for t in fake.texts())


async def test_timers_act_once_when_two_pollers_race(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record, run_due

    for user in ("40102", "40103"):
        await on_notice_record(notice("member_join", user, when=FRIDAY_10), rt)
    later = FRIDAY_10 + timedelta(days=30)
    results = await asyncio.gather(run_due(rt, later), run_due(rt, later), run_due(rt, later))
    assert sum(results) == 2
    await settle(rt)
    reminders = [p for p in sent(fake, "send_group") if "尚未完成实名认证" in p["text"]]
    assert sorted(p["mention"][0] for p in reminders) == ["40102", "40103"]


async def test_verify_in_private_binds_the_roster_person(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record, run_due

    ids = await load_roster()
    await on_notice_record(notice("member_join", "40103", when=FRIDAY_10), rt)
    await handle_message(pmsg("/实名 我是张三，办公室，138-1234-5678", "40103"), rt)
    await settle(rt)
    assert "实名认证已完成" in fake.texts()[-1]
    b = await adm.open_binding("qq", HUANGSHAN, "40103")
    assert b is not None and b.person_id == ids["张三/办公室"] and b.method == "verify"
    assert await adm.open_arrivals_of_user("qq", "40103") == []
    assert await run_due(rt, FRIDAY_10 + timedelta(days=60)) == 0
    await handle_message(pmsg("/实名 张三 办公室 13812345678", "40103"), rt)
    await settle(rt)
    assert "没有需要实名认证的群" in fake.texts()[-1] and "已在 1 个群" in fake.texts()[-1]
    await no_personal_data_in_audit()


async def test_verify_mismatch_goes_to_the_admins_without_telling_the_member_why(
    rt: Runtime, fake: FakeGateway
) -> None:
    from bot.plugins.admission.flow import on_notice_record, run_due

    ids = await load_roster()
    await on_notice_record(notice("member_join", "40103", when=FRIDAY_10), rt)
    await settle(rt)
    fake.calls.clear()
    await handle_message(pmsg("/实名 张三 办公室 13812345670", "40103"), rt)
    await settle(rt)
    member = [p["text"] for p in sent(fake, "send_private", user_id="40103")]
    assert member == [
        f"群「办公室工作群」（{HUANGSHAN}）：您提供的信息与花名册不一致，已转交管理员核对，请耐心等待。"
    ]
    admins = [p["text"] for p in sent(fake, "send_private") if p["user_id"] in (OWNER, ADMIN)]
    assert len(admins) == 2 and "实名待核对" in admins[0] and "手机号不在花名册中" in admins[0]
    assert "138****5670" in admins[0] and "张三 办公室" in admins[0]  # the candidate, for the admin
    [a] = await adm.open_arrivals_of_user("qq", "40103")
    assert a.state == "needs_admin" and a.due_at is None and a.attempts == 1
    assert await run_due(rt, FRIDAY_10 + timedelta(days=60)) == 0  # the member did their part

    # A second wrong try does not message the admins again.
    fake.calls.clear()
    await handle_message(pmsg("/实名 张三 办公室 13812345671", "40103"), rt)
    await settle(rt)
    assert [p["user_id"] for p in sent(fake, "send_private")] == ["40103"]

    await handle_message(pmsg(f"/审批 通过 {a.id} {ids['张三/办公室']}", ADMIN), rt)
    await settle(rt)
    assert "已确认成员身份" in fake.texts()[-1]
    b = await adm.open_binding("qq", HUANGSHAN, "40103")
    assert b is not None and b.method == "admin" and b.verified_by == ADMIN


async def test_admins_can_remove_an_unidentified_arrival(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record

    await on_notice_record(notice("member_join", "40103", when=FRIDAY_10), rt)
    [a] = await adm.open_arrivals_of_user("qq", "40103")
    await handle_message(gmsg(f"/审批 拒绝 {a.id} 非本单位人员", ADMIN, role="admin"), rt)
    await settle(rt)
    assert sent(fake, "kick") == [{"group_id": HUANGSHAN, "user_id": "40103"}]
    got = await adm.get(a.id or 0)
    assert got is not None and got.state == "removed"


async def test_verify_command_usage_and_scope(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record

    await handle_message(pmsg("/实名", "40103"), rt)
    await handle_message(gmsg("/实名 张三 办公室 13812345678", "40103"), rt)
    await handle_message(pmsg("/实名 张三 办公室 13812345678", "40103"), rt)
    await on_notice_record(notice("member_join", "40103", when=FRIDAY_10), rt)
    await handle_message(pmsg("/实名 张三 办公室", "40103"), rt)
    await settle(rt)
    usage, scope, nothing, *_, no_phone = fake.texts()
    assert usage.startswith("请提供姓名") and "用法：/实名 姓名 科室 手机号" in usage
    assert "请私聊机器人使用" in scope
    assert "没有需要实名认证的群" in nothing
    assert "手机号" in no_phone and "用法" in no_phone


async def test_an_account_on_the_roster_is_bound_on_arrival(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record

    ids = await load_roster()
    await on_notice_record(notice("member_join", "40050", when=FRIDAY_10), rt)  # 王芳's QQ is on the roster
    await settle(rt)
    b = await adm.open_binding("qq", HUANGSHAN, "40050")
    assert b is not None and b.person_id == ids["王芳/财务科"] and b.method == "account"
    assert fake.texts() == []


async def test_departure_closes_the_binding(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_notice_record

    await adm.bind("qq", HUANGSHAN, "40103", None, method="admin", by=ADMIN, now=FRIDAY_10)
    await on_notice_record(notice("member_leave", "40103", sub_type="leave", when=FRIDAY_10), rt)
    assert await adm.open_binding("qq", HUANGSHAN, "40103") is None
    [row] = [r for r in await audit.recent(5) if r.action == "admission.unbind"]
    assert row.target == "40103" and "成员退群" in row.reason


# ---------------------------------------------------------------- card rule


async def test_card_rule_reminds_privately_once(rt: Runtime, fake: FakeGateway) -> None:
    ids = await load_roster("default")
    await adm.bind("qq", YICHUN, "40103", ids["张三/办公室"], method="verify", by="bot", now=FRIDAY_10)
    await handle_message(gmsg("大家好", "40103", group_id=YICHUN, card="小张"), rt)
    await handle_message(gmsg("收到", "40103", group_id=YICHUN, card="小张"), rt)
    await settle(rt)
    [dm] = sent(fake, "send_private", user_id="40103")
    assert "「张三-办公室」" in dm["text"] and "第六条" in dm["text"]
    b = await adm.open_binding("qq", YICHUN, "40103")
    assert b is not None and b.card_mismatch_since is not None
    assert [i.kind for i in await adm.review_items("qq", YICHUN)] == ["card"]
    await handle_message(gmsg("已改", "40103", group_id=YICHUN, card="办公室 张三"), rt)
    b = await adm.open_binding("qq", YICHUN, "40103")
    assert b is not None and b.card_mismatch_since is None
    # Huangshan: 前台自愿, no card rule.
    await adm.bind("qq", HUANGSHAN, "40103", ids["张三/办公室"], method="verify", by="bot", now=FRIDAY_10)
    await handle_message(gmsg("好", "40103", card="小张"), rt)
    await settle(rt)
    assert len(sent(fake, "send_private", user_id="40103")) == 1


def test_card_matching() -> None:
    from bot.plugins.admission.card import card_matches, expected_card

    yes = [
        "张三-办公室",
        "办公室-张三",
        "张三（办公室）",
        "张 三 / 办公室",
        "张三-黄山市财政局办公室",
        "张三办公",
    ]
    no = ["小张", "张三", "张三-财务科", "", "李四-办公室", "张-办公室"]
    assert all(card_matches(c, "张三", "办公室") for c in yes)
    assert not any(card_matches(c, "张三", "办公室") for c in no)
    assert card_matches("张三", "张三", "办公室", "{name}")
    assert card_matches("阿依古丽·买买提-办公室", "阿依古丽·买买提", "办公室")
    assert expected_card("张三", "办公室", "{dept}-{name}") == "办公室-张三"


# ---------------------------------------------------------------- /审批 and /花名册


async def test_approve_command_usage_list_and_permissions(rt: Runtime, fake: FakeGateway) -> None:
    from bot.plugins.admission.flow import on_request_record

    await load_roster()
    await load_roster("default")
    await on_request_record(request("李明-财政局", user_id="40101"), rt)  # group 100
    fake.members = [Member("40020", role="owner")]  # group 200 has another admin
    await on_request_record(request("张三-办公室", user_id="40100", group_id=YICHUN), rt)  # group 200
    await settle(rt)
    n100 = admission_id(sent(fake, "send_private")[0]["text"])
    fake.calls.clear()
    await handle_message(gmsg("/审批 同意", ADMIN, role="admin"), rt)
    await handle_message(gmsg("/审批 通过 abc", ADMIN, role="admin"), rt)
    await handle_message(gmsg("/审批 删除 1", ADMIN, role="admin"), rt)
    await handle_message(gmsg("/审批", MEMBER), rt)
    await handle_message(gmsg("/审批", ADMIN, role="admin"), rt)
    await settle(rt)
    no_id, bad_id, bad_verb, member, listing = fake.texts()
    assert "请给出审批编号" in no_id and "用法：/审批" in no_id
    assert "审批编号应为数字" in bad_id
    assert "不认识的操作" in bad_verb
    assert "需要「分管管理员」" in member
    assert f"#{n100} 入群申请" in listing and "李*" in listing and "李明" not in listing
    assert "张*" not in listing  # group 200's request is not listed in group 100
    # In private chat an admin of group 100 sees group 100 only, unmasked, and cannot decide group 200's.
    fake.calls.clear()
    n200 = n100 + 1
    await handle_message(pmsg("/审批", ADMIN), rt)
    await handle_message(pmsg(f"/审批 通过 {n200}", ADMIN), rt)
    await settle(rt)
    listing, refused = fake.texts()
    assert "李明-财政局" in listing and "办公室工作群" in listing and "宜春" not in listing
    assert f"没有找到您可处理的审批 #{n200}" in refused
    assert sent(fake, "join_request") == []
    # The operator sees everything.
    await handle_message(pmsg("/审批 列表", "10001"), rt)
    await settle(rt)
    assert f"#{n100}" in fake.texts()[-1] and f"#{n200}" in fake.texts()[-1]


async def test_roster_import_in_private_reports_bad_rows_and_imports_nothing(
    rt: Runtime, fake: FakeGateway
) -> None:
    from bot.store import roster

    table = "姓名,科室,手机\n张三,办公室,13812345678\n李四,,13912345678\n王五,财务科,123\n"
    await handle_message(pmsg(f"/花名册 导入\n{table}", "10001"), rt)  # operator: two units, say which
    await handle_message(pmsg(f"/花名册 导入 单位=finance\n{table}", "10001"), rt)
    await settle(rt)
    which, report = fake.texts()
    assert "单位=代号" in which and "finance" in which
    assert "发现 2 处错误" in report and "第 3 行：缺少科室" in report and "第 4 行：手机号" in report
    assert "未导入任何数据" in report and "仅正确行" in report
    assert await roster.list_people("finance") == []
    await handle_message(pmsg(f"/花名册 导入 单位=finance 仅正确行\n{table}", "10001"), rt)
    await settle(rt)
    done = fake.texts()[-1]
    assert "新增 1 人" in done and "跳过了 2 行错误" in done
    assert len(await roster.list_people("finance")) == 1
    # Again, corrected: an update by mobile number, not a duplicate.
    fixed = "姓名,科室,手机\n张三,综合科,13812345678\n李四,财务科,13912345678\n"
    await handle_message(pmsg(f"/花名册 导入 单位=finance\n{fixed}", "10001"), rt)
    await settle(rt)
    assert "新增 1 人，更新 1 人" in fake.texts()[-1]
    assert len(await roster.list_people("finance")) == 2
    [row] = [r for r in await audit.recent(3) if r.action == "roster.import"]
    assert row.actor == "10001" and "新增 1，更新 1" in row.reason
    await no_personal_data_in_audit()


async def test_roster_import_and_add_are_refused_in_the_group(rt: Runtime, fake: FakeGateway) -> None:
    from bot.store import roster

    await handle_message(
        gmsg("/花名册 导入\n姓名,科室,手机\n张三,办公室,13812345678", ADMIN, role="admin"), rt
    )
    await handle_message(gmsg("/花名册 添加 张三 办公室 13812345678", ADMIN, role="admin"), rt)
    await settle(rt)
    assert all("请私聊机器人操作" in t for t in fake.texts()) and len(fake.texts()) == 2
    assert await roster.list_people("finance") == []


async def test_roster_show_is_masked_in_the_group(rt: Runtime, fake: FakeGateway) -> None:
    ids = await load_roster()
    await handle_message(gmsg("/花名册", ADMIN, role="admin"), rt)
    await handle_message(gmsg("/花名册 查看 办公室", ADMIN, role="admin"), rt)
    await settle(rt)
    full, office = fake.texts()
    assert "测试市财政局（finance）花名册：共 5 人（在岗 4，调离 1）" in full
    assert f"#{ids['张三/办公室']} 张* 办公室 在岗" in full and "1381234" not in full
    assert "张三" not in full and "李明" not in full and "脱敏" in full
    assert office.count("办公室 在岗") == 2
    # In private chat, an admin of group 100 (seen speaking as admin above) gets the details.
    fake.calls.clear()
    await handle_message(pmsg("/花名册 查看 张三", ADMIN), rt)
    await settle(rt)
    [detail] = fake.texts()
    assert f"#{ids['张三/办公室']} 张三 办公室 科员 138****5678 在岗" in detail


async def test_roster_add_status_remove(rt: Runtime, fake: FakeGateway) -> None:
    from bot.store import roster

    await handle_message(gmsg("你好", ADMIN, role="admin"), rt)  # the router learns who administers 100
    await handle_message(pmsg("/花名册 添加 钱七 办公室 13600000000 科员 QQ=40060", ADMIN), rt)
    await handle_message(pmsg("/花名册 添加 钱七 办公室", ADMIN), rt)
    await settle(rt)
    added, usage = fake.texts()
    pid = admission_id(added)
    assert "已添加测试市财政局（finance）花名册" in added and "钱七 办公室 科员" in added
    assert "用法：/花名册" in usage
    from bot.plugins.admission.common import get_cipher

    cipher = get_cipher(rt)
    assert cipher is not None
    p = await roster.find_by_account("finance", "qq", "40060", cipher)
    assert p is not None and p.id == pid
    fake.calls.clear()
    await handle_message(gmsg(f"/花名册 状态 {pid} 调离", ADMIN, role="admin"), rt)
    await handle_message(gmsg(f"/花名册 状态 {pid} 出差", ADMIN, role="admin"), rt)
    await handle_message(gmsg(f"/花名册 删除 {pid}", ADMIN, role="admin"), rt)
    await handle_message(gmsg(f"/花名册 删除 {pid}", ADMIN, role="admin"), rt)
    await settle(rt)
    status, bad_status, removed, gone = fake.texts()
    assert f"#{pid} 钱* 的状态改为「调离」" in status and "每周巡查" in status
    assert "状态应为" in bad_status
    assert "已从花名册删除" in removed and "钱*" in removed
    assert "没有找到您可管理的花名册人员" in gone
    # Group 200's admin may not touch unit finance's roster.
    await handle_message(gmsg("/花名册 单位=finance", "40020", group_id=YICHUN, role="admin"), rt)
    await settle(rt)
    assert fake.texts()[-1] == "您无权管理测试市财政局（finance）的花名册，本次未做任何操作。"


async def test_help_and_status(rt: Runtime, fake: FakeGateway) -> None:
    await handle_message(gmsg("/帮助 审批", ADMIN, role="admin"), rt)
    await handle_message(gmsg("/帮助 花名册", ADMIN, role="admin"), rt)
    await handle_message(pmsg("/帮助 实名", "40103"), rt)
    await handle_message(gmsg("/状态", ADMIN, role="admin"), rt)
    await settle(rt)
    approve, roster_help, verify, status = fake.texts()
    assert "/审批 通过 编号" in approve and "最低权限：分管管理员" in approve
    assert "/花名册 导入" in roster_help and "仅正确行" in roster_help
    assert "仅限私聊" in verify and "/实名 姓名 科室 手机号" in verify
    assert "实名准入：待审批 0 项，待实名 0 人" in status


async def test_decide_is_pure_and_reports_ambiguity() -> None:
    from bot.core.identity import parse_join_comment
    from bot.plugins.admission.flow import decide
    from bot.store.roster import Person

    people = [
        Person(1, "u", "李明", "办公室", "13800000001"),
        Person(2, "u", "李明", "办公室", "13800000002"),
        Person(3, "u", "王芳", "财务科", "13800000003", status="调离"),
    ]
    d = decide(parse_join_comment("李明-办公室"), people, confirm_each_entry=False)
    assert (d.state, d.outcome, [c.entry.id for c in d.candidates]) == ("pending", "ambiguous", ["1", "2"])
    d = decide(parse_join_comment("王芳-财务科"), people, confirm_each_entry=False)
    assert (d.state, d.outcome) == ("pending", "not_found") and "状态为「调离」" in d.notes[0]
    d = decide(parse_join_comment("哈哈"), people, confirm_each_entry=False)
    assert (d.state, d.outcome) == ("rejected", "unparsed")
    # A name only (no department): queued for the admins with the roster's namesakes, not rejected.
    d = decide(parse_join_comment("我是李明"), people, confirm_each_entry=False)
    assert (d.state, d.outcome) == ("pending", "ambiguous")
    assert [c.entry.id for c in d.candidates] == ["1", "2"]
    assert "只有姓名、没有科室" in d.reason
    d = decide(parse_join_comment("我是赵云"), people, confirm_each_entry=False)
    assert (d.state, d.outcome, d.candidates) == ("pending", "not_found", ())


def test_join_template_from_the_preset() -> None:
    import pytest
    from pydantic import ValidationError

    from bot.plugins.admission.common import join_template
    from bot.policy import Preset

    t = join_template(Preset(join_template="姓名-部门", join_example="张三-综合部"))
    assert t.require_dept and t.describe() == "「姓名-部门」（例如「张三-综合部」）"
    assert not join_template(Preset(join_template="姓名")).require_dept
    with pytest.raises(ValidationError, match="姓名-科室"):
        Preset(join_template="名字+科室")
