"""/备案 through the router: guided filing, the one-line form, personal data kept private, roles,
temporary groups, the register list and its export."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.models.audit import AuditEntry
from bot.models.register import DutyKind, DutyState, Filing, FilingDuty, FilingStatus
from bot.runtime import get_runtime
from bot.store import register as store
from bot.store.db import get_db
from tests.plugins.register.conftest import (
    ADMIN,
    MEMBER,
    NR,
    OFFICE,
    OPERATOR,
    OWNER,
    SUPERVISOR,
    RegisterGateway,
    Uploader,
    at,
    msg,
    pm,
    run,
    sent,
)

MONDAY = at(2026, 11, 16, 10, 0)


def owner(text: str, group_id: str = OFFICE, minute: int = 0) -> object:
    return msg(text, MONDAY.replace(minute=minute), group_id=group_id, user_id=OWNER, role="owner")


def read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


async def duties(kind: DutyKind | None = None) -> list[FilingDuty]:
    async with get_db().session() as s:
        rows = list((await s.execute(select(FilingDuty).order_by(FilingDuty.id))).scalars())  # type: ignore[arg-type]
    return [d for d in rows if kind is None or d.kind == kind]


async def audit_rows() -> list[AuditEntry]:
    async with get_db().session() as s:
        return list((await s.execute(select(AuditEntry))).scalars())


async def test_guided_filing_from_the_group_to_private_chat(fake: RegisterGateway) -> None:
    [*_, question] = await run(fake, owner("/备案"))
    assert question["kind"] == "send_group" and question["mention"] == (OWNER,)
    assert "（第 2/8 项）本群归属哪个科室" in question["text"] and "「/备案 办公室」" in question["text"]
    assert "群组名称已按当前群名登记为「工作群700」" in question["text"]
    [status] = [t for t in sent(fake, "send_group") if "备案信息（未备案）" in t]
    assert "成员规模：25 人" in status and "测试市财政局" in status

    answers = ["办公室", "日常工作联络", "常设", "本人申请、群管理员审核后入群", "只发工作信息，不闲聊"]
    for n, answer in enumerate(answers, start=1):
        [reply] = [
            r for r in await run(fake, owner(f"/备案 {answer}", minute=n)) if r["kind"] == "send_group"
        ]
        assert reply["text"].startswith("已登记"), reply  # … and the next question, in one message
        assert "项）" in reply["text"] or "已私聊您填写" in reply["text"]
    # The next question is personal data: asked privately, not in the group.
    [asked] = [t for t in sent(fake, "send_private", to=OWNER) if "群主（管理者）的姓名" in t]
    assert "（第 7/8 项）" in asked and "加密保存" in asked
    assert "已私聊您填写" in sent(fake, "send_group")[-1]
    # Answering it in the group is refused and nothing is stored.
    refused = await run(fake, owner("/备案 李四 13812345678", minute=7))
    assert "请不要在群内发送" in refused[0]["text"]

    done = await run(fake, pm("/备案 李四 13812345678", MONDAY.replace(minute=8)))
    [reply] = [r for r in done if r.get("user_id") == OWNER]
    assert "备案完成" in reply["text"] and "第十条" in reply["text"]
    [note] = sent(fake, "send_private", to=SUPERVISOR)
    assert (
        "测试市财政局" in note and "已完成备案" in note and "13812345678" not in note and "李四" not in note
    )

    filing = await store.get_filing("qq", OFFICE)
    assert (
        filing is not None
        and filing.status == FilingStatus.FILED
        and filing.filed_at == MONDAY.replace(minute=8)
    )
    assert filing.contact_enc.startswith("pd1:") and "138" not in filing.contact_enc
    assert filing.filed_platform_name == "工作群700" and filing.filed_owner_id == OWNER
    [file_duty] = await duties(DutyKind.FILE)
    assert file_duty.state == DutyState.DONE and not file_duty.late
    # Personal data never reaches the audit log.
    assert not [
        e for e in await audit_rows() if "13812345678" in e.reason + e.detail or "李四" in e.reason + e.detail
    ]
    assert any(e.action == "register.filed" for e in await audit_rows())

    # An admin sees the filing, masked.
    view = await run(fake, msg("/备案 查看", MONDAY.replace(minute=9), user_id=ADMIN, role="admin"))
    text = view[0]["text"]
    assert "已备案" in text and "李*" in text and "138****5678" in text and "13812345678" not in text
    assert "归属科室：办公室" in text and "入群方式：本人申请、群管理员审核后入群" in text


async def test_one_line_form_keeps_personal_data_out_of_the_group(fake: RegisterGateway) -> None:
    form = (
        "/备案 科室=办公室 事项=预算编制 类型=常设 入群方式=审核 群规=只发工作信息 "
        "群主=李四 联系方式=13812345678"
    )
    [reply] = [r for r in await run(fake, owner(form)) if r["kind"] == "send_group"]
    text = reply["text"]
    assert "已登记归属科室、服务事项、群类型、入群方式、群规群纪" in text
    assert "属于个人信息，未在群内登记" in text and "13812345678" not in text
    filing = await store.get_filing("qq", OFFICE)
    assert (
        filing is not None
        and filing.dept == "办公室"
        and filing.owner_name_enc == ""
        and filing.contact_enc == ""
    )
    # … and the rest is asked privately.
    assert any("群主（管理者）的姓名" in t for t in sent(fake, "send_private", to=OWNER))
    # In private chat the same form completes the filing.
    done = await run(fake, pm("/备案 群主=李四 联系方式=0559-1234567", MONDAY.replace(minute=5)))
    assert any("备案完成" in r["text"] for r in done)
    view = await run(fake, owner("/备案 查看", minute=6))
    assert "联系方式：0559-***4567" in view[0]["text"] and "1234567" not in view[0]["text"]


async def test_form_errors_store_nothing_and_unknown_keys_get_the_usage(fake: RegisterGateway) -> None:
    [bad] = await run(fake, owner("/备案 科室=办公室 类型=随便 结束=2026-02-30"))
    assert "本次未做任何修改" in bad["text"] and "群类型" in bad["text"] and "结束日期" in bad["text"]
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.dept == ""
    [usage] = await run(fake, owner("/备案 颜色=红 科室=办公室", minute=1))
    assert "不认识的项目：颜色" in usage["text"] and "用法：/备案" in usage["text"]
    # A plain answer fills the current question (科室, after the name taken from the platform).
    [reply] = await run(fake, owner("/备案 综合科", minute=2))
    assert reply["text"].startswith("已登记归属科室") and "服务于哪项工作" in reply["text"]


async def test_roles_admin_views_member_is_refused(fake: RegisterGateway) -> None:
    [refusal] = await run(fake, msg("/备案", MONDAY, user_id=MEMBER))
    assert refusal["text"].startswith("抱歉，/备案 需要「群管理员」及以上权限")
    replies = await run(fake, msg("/备案 办公室", MONDAY, user_id=ADMIN, role="admin"))
    assert "备案由群主填写" in replies[-1]["text"] and "本次未做任何修改" in replies[-1]["text"]
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.dept == ""
    # The unit's supervisor may fill it in (supervisor ⊃ owner).
    replies = await run(fake, msg("/备案 科室=办公室", MONDAY, user_id=SUPERVISOR))
    assert replies[0]["text"].startswith("已登记归属科室")


async def test_help_and_usage() -> None:
    from bot.dispatch.commands import registry

    cmd = registry.get("备案")
    assert cmd is not None and "用法：/备案" in cmd.help_text() and "最低权限：群管理员" in cmd.help_text()
    assert registry.get("register") is cmd
    case = registry.get("处理")
    assert case is not None and registry.get("case") is case and "/处理 编号 处理说明" in case.usage


async def test_temporary_group_is_told_when_to_dissolve(fake: RegisterGateway, reg: object) -> None:
    from bot.plugins.register import scheduler

    rt = get_runtime()
    now = at(2026, 11, 23, 10, 0)  # Monday; the work ended on Friday 11-20
    form = "/备案 科室=规划科 事项=项目评审 类型=临时 结束=2026-11-20 入群方式=邀请 群规=只谈评审工作"
    [reply] = [
        r
        for r in await run(fake, msg(form, now, group_id=NR, user_id=OWNER, role="owner"))
        if r["text"].startswith("已登记")
    ]
    # huangshi 第九条: dissolve within 2 working days after the work ends: Mon 11-23, Tue 11-24.
    assert (
        "结束日期已过" in reply["text"]
        and "11月24日（周二）17:30" in reply["text"]
        and "第九条" in reply["text"]
    )
    [dissolve] = await duties(DutyKind.DISSOLVE)
    assert dissolve.due_at == at(2026, 11, 24, 17, 30) and dissolve.starts_at == at(2026, 11, 23, 8, 30)

    fake.calls.clear()
    await scheduler.run_due(rt, now.replace(minute=1))
    await _settle()
    [reminder] = [t for t in sent(fake, "send_private", to=OWNER) if "解散" in t]
    assert "登记为临时工作群，结束日期为 2026年11月20日" in reminder and "第九条" in reminder
    assert "/备案 结束=新日期" in reminder

    # The work is extended: the duty moves.
    [moved] = await run(
        fake, msg("/备案 结束 2026-11-30", now.replace(minute=5), group_id=NR, user_id=OWNER, role="owner")
    )
    assert "已登记本群工作于 2026年11月30日 结束" in moved["text"] and "12月2日（周三）17:30" in moved["text"]
    states = [(d.state, d.due_at) for d in await duties(DutyKind.DISSOLVE)]
    assert states == [
        (DutyState.CANCELLED, at(2026, 11, 24, 17, 30)),
        (DutyState.OPEN, at(2026, 12, 2, 17, 30)),
    ]


async def _settle() -> None:
    from tests.dispatch.conftest import settle

    await settle(get_runtime())


async def test_end_applies_only_to_temporary_groups(fake: RegisterGateway) -> None:
    await run(fake, owner("/备案 类型=常设"))
    [usage] = await run(fake, owner("/备案 结束", minute=1))
    assert "「结束」用于临时或专项群" in usage["text"] and "用法：" in usage["text"]


async def test_deregistration_by_command_needs_a_reason(fake: RegisterGateway) -> None:
    [usage] = await run(fake, owner("/备案 注销"))
    assert "请写明注销原因" in usage["text"]
    [done] = await run(fake, owner("/备案 注销 已改为非工作群", minute=1))
    assert "已注销登记（已改为非工作群）" in done["text"]
    filing = await store.get_filing("qq", OFFICE)
    assert filing is not None and filing.status == FilingStatus.DEREGISTERED
    assert all(d.state == DutyState.CANCELLED for d in await duties())
    [again] = await run(fake, owner("/备案 办公室", minute=2))
    assert "已于 2026年11月16日 注销登记" in again["text"]


async def test_private_chat_needs_a_group_when_the_owner_has_several(fake: RegisterGateway) -> None:
    await run(fake, owner("/备案 科室=办公室"), owner("/备案 科室=预算科", group_id="701"))
    from bot.plugins.register import command

    command.forget_selections()
    [usage] = await run(fake, pm("/备案 日常工作联络", MONDAY))
    assert "您管理多个群" in usage["text"] and "/备案 群 群号" in usage["text"]
    replies = await run(fake, pm("/备案 群 701 事项=预算编制", MONDAY))
    assert replies[0]["text"].startswith("已登记服务事项")
    filing = await store.get_filing("qq", "701")
    assert filing is not None and filing.matter == "预算编制"
    [unknown] = await run(fake, pm("/备案 群 999999", MONDAY))
    assert "没有找到您管理的群 999999" in unknown["text"]


# --- the register -----------------------------------------------------------------------------


async def _two_groups(fake: RegisterGateway) -> None:
    await run(
        fake,
        owner("/备案 科室=办公室 事项=日常工作联络 类型=常设 入群方式=审核 群规=只发工作信息"),
        owner("/备案 科室=规划科 事项=项目评审", group_id=NR, minute=1),
    )
    await run(fake, pm("/备案 群 700 群主=李四 联系方式=13812345678", MONDAY.replace(minute=2)))


async def test_supervisor_lists_the_register_of_the_unit(fake: RegisterGateway) -> None:
    await _two_groups(fake)
    [listing] = await run(fake, pm("/备案 列表", MONDAY.replace(minute=3), user_id=SUPERVISOR))
    assert "【测试市财政局】共 1 个群" in listing["text"] and "已备案" in listing["text"]
    assert "自然资源" not in listing["text"]
    [everything] = await run(fake, pm("/备案 列表", MONDAY.replace(minute=4), user_id=OPERATOR))
    assert "【测试自然资源局】" in everything["text"] and "未备案（备案期限" in everything["text"]


async def test_export_by_supervisor_falls_back_to_a_summary_and_writes_the_file(
    fake: RegisterGateway,
) -> None:
    await _two_groups(fake)
    [refused] = await run(fake, msg("/备案 导出", MONDAY, user_id=ADMIN, role="admin"))
    assert "需要「监管单位」及以上权限" in refused["text"]
    [reply] = await run(fake, pm("/备案 导出", MONDAY.replace(minute=5), user_id=SUPERVISOR))
    text = reply["text"]
    assert "测试市财政局：共 1 个群（已备案 1）" in text and "exports/工作群登记备案表-" in text
    assert "无法直接发送文件" in text
    name = text.split("exports/")[1].split("，")[0]
    path = Path(get_runtime().settings.steward_data_dir) / "exports" / name
    wb = load_workbook(io.BytesIO(read(path)))
    assert wb.sheetnames == ["测试市财政局"]
    ws = wb["测试市财政局"]
    row = [c.value for c in ws[3]]
    assert "700" in row and "李*" in row and "138****5678" in row and "13812345678" not in row
    assert any(e.action == "register.exported" for e in await audit_rows())
    [usage] = await run(fake, pm("/备案 导出 pdf", MONDAY, user_id=SUPERVISOR))
    assert "导出格式可为 xlsx" in usage["text"]


async def test_export_links_to_the_dashboard_once_it_has_an_account(fake: RegisterGateway) -> None:
    from sqlalchemy import delete

    from bot.models.types import utcnow
    from bot.models.web import WebUser
    from bot.store import web as web_store

    await _two_groups(fake)
    await web_store.create_user("jiguan", "supervisor", "x", utcnow(), units=["finance"])
    try:
        [reply] = await run(fake, pm("/备案 导出", MONDAY.replace(minute=5), user_id=SUPERVISOR))
    finally:
        async with get_db().session() as s:
            await s.execute(delete(WebUser))
    text = reply["text"]
    assert "测试市财政局：共 1 个群（已备案 1）" in text and "无法直接发送文件" in text
    assert "请登录管理页面" in text and "/steward/downloads" in text
    assert "exports/" not in text and "运维人员取出" not in text


async def test_export_is_sent_as_a_file_where_the_implementation_can(fake: RegisterGateway) -> None:
    await _two_groups(fake)
    uploader = Uploader()
    fake.bot = uploader  # type: ignore[attr-defined]
    [reply] = await run(fake, pm("/备案 导出 csv", MONDAY.replace(minute=6), user_id=OPERATOR))
    assert "已发送，请查收" in reply["text"] and "测试自然资源局：共 1 个群（未备案 1）" in reply["text"]
    [(api, params)] = uploader.calls
    assert (
        api == "upload_private_file"
        and params["user_id"] == int(OPERATOR)
        and params["name"].endswith(".csv")
    )
    data = read(params["file"])
    assert data.startswith("\ufeff".encode()) and "办公室" in data.decode("utf-8")


async def test_filing_rows_survive_for_the_command_from_a_brand_new_group(fake: RegisterGateway) -> None:
    """/备案 as the very first message of a group creates its filing with the deadline."""
    await run(fake, owner("/备案 查看"))
    filing = await store.get_filing("qq", OFFICE)
    assert isinstance(filing, Filing) and filing.first_seen == MONDAY
    [duty] = await duties(DutyKind.FILE)
    assert duty.due_at == at(2026, 11, 25, 17, 30) and duty.starts_at == MONDAY


async def test_export_asked_in_a_group_is_sent_privately(fake: RegisterGateway) -> None:
    await _two_groups(fake)
    uploader = Uploader()
    fake.bot = uploader  # type: ignore[attr-defined]
    [reply] = await run(fake, msg("/备案 导出", MONDAY.replace(minute=7), user_id=SUPERVISOR))
    assert reply["kind"] == "send_group" and "已私聊发送给您" in reply["text"]
    [(api, params)] = uploader.calls
    assert api == "upload_private_file" and params["user_id"] == int(SUPERVISOR)
    sheets = load_workbook(io.BytesIO(read(params["file"]))).sheetnames
    assert sheets == ["测试市财政局"]  # the group's unit only
