"""The guard through the router (FakeGateway): recall, warnings with their citation, strikes and
escalation, observe-only, exemptions, WeChat without recall, file uploads — and a clean message
that gets nothing at all."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dispatch.hooks import notice_hooks, run_hooks
from bot.dispatch.router import handle_message
from bot.gateway.base import Capability
from bot.intake.record import Segment
from bot.models.guard import GuardFinding, GuardStrike
from bot.runtime import get_runtime
from bot.sim.events import mini_program_seg
from bot.store import audit
from bot.store.db import get_db
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import HUANGSHAN, OWNER, T0, YICHUN, calls, msg, upload
from tests.utils import FakeGateway

HUANGSHAN_12 = "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"
YICHUN = YICHUN


async def findings() -> list[GuardFinding]:
    async with get_db().session() as s:
        return list((await s.execute(select(GuardFinding).order_by(GuardFinding.id))).scalars())


async def strikes() -> list[GuardStrike]:
    async with get_db().session() as s:
        return list((await s.execute(select(GuardStrike).order_by(GuardStrike.id))).scalars())


async def send(rec) -> None:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    await handle_message(rec, rt)
    await settle(rt)


async def test_an_evasive_ad_is_recalled_and_warned_with_the_citation(fake: FakeGateway) -> None:
    rec = msg("澳门赌.场上线了，日结高额返利")
    await send(rec)
    assert fake.calls[0] == ("recall", {"message_id": rec.message_id})  # the recall goes out first
    [warning] = calls(fake, "send_group")
    assert warning["mention"] == ("30001",)
    text = warning["text"]
    assert "「赌博」类内容" in text and "已被撤回" in text and HUANGSHAN_12 in text
    assert "严禁发布或讨论反动、色情、赌博" in text and "第 1 次" in text
    assert "赌.场" not in text  # harmful words are not repeated
    rows = await findings()
    assert {r.kind for r in rows} == {"gambling", "fraud"}
    assert all(r.outcome == "enforced" and r.done == "recall,warn" for r in rows)
    [strike] = await strikes()
    assert strike.weight == 1 and strike.expires_at == T0 + timedelta(days=30)
    [entry] = await audit.recent(1, group_id=HUANGSHAN)
    assert entry.action == "guard.enforced" and entry.target == "30001" and "撤回" in entry.reason
    assert "澳门" not in entry.reason + entry.detail


async def test_an_ordinary_message_gets_nothing(fake: FakeGateway) -> None:
    for text in (
        "收到，马上办",
        "请各科室于周五前报送年度工作总结，谢谢",
        "明天召开保密工作会议，请保密员参加",
    ):
        await send(msg(text))
    assert fake.calls == []
    assert await findings() == []


async def test_a_secret_marking_is_recalled_without_echo_and_the_owner_is_told(fake: FakeGateway) -> None:
    rec = msg("機密★5年 关于某某同志任职的通知：经研究决定……", group_id=YICHUN)
    await send(rec)
    assert fake.calls[0][0] == "recall"
    [warning] = calls(fake, "send_group")
    assert "密级标识" in warning["text"] and "不予转述" in warning["text"]
    assert "依据《宜春市政务微信工作群管理规范》第十一条" in warning["text"]
    assert "第 2 次" in warning["text"]  # serious: two strikes
    [note] = calls(fake, "send_private")
    assert note["user_id"] == OWNER and "密级标识" in note["text"]
    for sent in (warning["text"], note["text"]):
        assert "任职" not in sent and "同志" not in sent and "5年" not in sent
    [row] = await findings()
    assert (row.kind, row.excerpt, row.cited) == ("secret", "", True)


async def test_personal_data_is_recalled_and_only_the_masked_number_is_stored(fake: FakeGateway) -> None:
    await send(msg("张三的身份证号是 11010519491231002X，请帮忙核对"))
    assert calls(fake, "recall")
    [warning] = calls(fake, "send_group")
    assert "身份证号码" in warning["text"] and "1101" not in warning["text"] and "张三" not in warning["text"]
    assert "第十二条" in warning["text"]
    [row] = await findings()
    assert row.excerpt == "110105********002X"
    entries = await audit.recent(5)
    assert all("11010519491231002X" not in e.reason + e.detail for e in entries)


async def test_off_topic_gets_a_private_reminder_and_no_strike(fake: FakeGateway) -> None:
    await send(msg("帮我砍一刀，谢谢大家"))
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []
    # Only the sender's messages: a background loop of another capability (reports, invitations) may
    # message its own recipients through the same fake gateway while this test runs.
    [reminder] = [c for c in calls(fake, "send_private") if c["user_id"] == "30001"]
    assert "「办公室工作群」" in reminder["text"]
    assert "「帮我砍」" in reminder["text"] and "不计入违规次数" in reminder["text"]
    assert await strikes() == []


async def test_yichun_warns_off_topic_in_the_group(fake: FakeGateway) -> None:
    await send(msg("今晚王者荣耀五排，谁来", group_id=YICHUN))
    [warning] = calls(fake, "send_group")
    assert "依据《宜春市政务微信工作群管理规范》第八条" in warning["text"] and "特此提醒" in warning["text"]
    assert calls(fake, "recall") == []


async def test_formalism_only_tells_the_owner(fake: FakeGateway) -> None:
    await send(msg("在领导的英明领导下，我们圆满完成了任务"))
    assert calls(fake, "send_group") == [] and calls(fake, "recall") == []
    [note] = calls(fake, "send_private")
    assert note["user_id"] == OWNER and "形式主义" in note["text"] and "机器人未作处理" in note["text"]


async def test_strikes_escalate_to_mute_owner_and_a_removal_proposal(fake: FakeGateway) -> None:
    texts = ["加vx了解兼职日结", "宝妈兼职在家躺赚", "轻松赚钱，日赚三百", "招商加盟一件代发", "私聊有惊喜"]
    for n, text in enumerate(texts):
        await send(msg(text, at=T0 + timedelta(hours=n)))
    warnings = [c["text"] for c in calls(fake, "send_group")]
    assert [f"第 {n} 次" in w for n, w in enumerate(warnings, 1)] == [True] * 5
    assert [c["seconds"] for c in calls(fake, "mute")] == [600, 1200, 2400]
    notes = [c["text"] for c in calls(fake, "send_private")]
    assert len(notes) == 2 and "累计 4 次" in notes[0] and "建议将其移出本群" in notes[1]
    assert "不会因内容自动移出" in notes[1]
    assert calls(fake, "kick") == []  # never an automatic removal


async def test_expired_strikes_do_not_count(fake: FakeGateway) -> None:
    for n in range(2):
        await send(msg("加vx了解兼职日结", at=T0 + timedelta(hours=n)))
    await send(msg("加vx了解兼职日结", at=T0 + timedelta(days=31)))
    assert calls(fake, "mute") == []
    assert "第 1 次" in calls(fake, "send_group")[-1]["text"]


async def test_observe_only_records_and_does_nothing(fake: FakeGateway) -> None:
    rt = get_runtime()
    rt.policy.set_group_overrides(HUANGSHAN, {"guard": {"observe_only": True}})
    await send(msg("澳门赌场上线了"))
    assert fake.calls == []
    [row] = await findings()
    assert row.outcome == "observed" and row.intended == "recall,warn" and row.done == ""
    assert await strikes() == []


async def test_owner_and_admins_are_exempt_but_reminded_of_personal_data(fake: FakeGateway) -> None:
    await send(msg("澳门赌场上线了", user_id="30002", role="admin"))
    assert fake.calls == []
    await send(msg("我的银行卡 6222021234567894 报销用", user_id="30002", role="admin"))
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []
    [reminder] = calls(fake, "send_private")
    assert (
        reminder["user_id"] == "30002" and "银行卡号" in reminder["text"] and "建议您撤回" in reminder["text"]
    )
    assert {r.outcome for r in await findings()} == {"exempt"}


async def test_wechat_cannot_recall_so_the_warning_asks_the_member(fake: FakeGateway) -> None:
    rt = get_runtime()
    wx = FakeGateway(self_id="wxid_bot", platform="wechat")
    wx.capabilities = Capability.SEND | Capability.KICK
    rt.registry.add(wx)
    try:
        rec = dataclasses.replace(
            msg("机密★10年 会议纪要", platform="wechat"), self_id="wxid_bot", sender_role=""
        )
        await send(rec)
    finally:
        rt.registry.remove("wechat", "wxid_bot")
    assert calls(wx, "recall") == []
    [warning] = calls(wx, "send_group")
    assert "不支持机器人撤回" in warning["text"] and "自行撤回" in warning["text"]
    [row] = await findings()
    assert row.done == "warn,notify"


async def test_flooding_is_muted(fake: FakeGateway) -> None:
    for n in range(10):
        await send(msg(f"第{n}条", at=T0 + timedelta(seconds=n * 0.5)))
    [mute] = calls(fake, "mute")
    assert mute["user_id"] == "30001" and mute["seconds"] == 600
    [warning] = calls(fake, "send_group")
    assert "10 秒内发送了 10 条消息" in warning["text"] and "合并成一条" in warning["text"]


async def test_a_repeated_notice_cites_yichun_article_9(fake: FakeGateway) -> None:
    notice = "各科室：请于11月25日（周三）下班前将年度工作总结报送至办公室邮箱，逾期视为未报。"
    await send(msg(notice, group_id=YICHUN, user_id="30001"))
    await send(msg(notice, group_id=YICHUN, user_id="30005", at=T0 + timedelta(hours=2)))
    [warning] = calls(fake, "send_group")
    assert warning["mention"] == ("30005",)
    assert "11月20日 10:00 在本群已发布的通知内容相同" in warning["text"]
    assert "依据《宜春市政务微信工作群管理规范》第九条" in warning["text"]
    await send(msg(f"【更正】{notice.replace('25日', '26日')}", group_id=YICHUN, at=T0 + timedelta(hours=3)))
    assert len(calls(fake, "send_group")) == 1


async def test_links_and_cards(fake: FakeGateway) -> None:
    await send(msg("领取方式见 http://t.cn/AbCd12"))
    assert len(calls(fake, "recall")) == 1 and "短链接（t.cn）" in calls(fake, "send_group")[0]["text"]
    await send(msg("政策原文：https://www.gov.cn/zhengce/content/abc.htm", user_id="30003"))
    await send(msg("参考 https://some-blog.net/post", user_id="30003"))  # recorded only
    assert len(fake.calls) == 2
    card = Segment(**mini_program_seg("帮我砍一刀", "https://mobile.yangkeduo.com/x"))
    await send(msg("", segments=(card,), user_id="30004"))
    assert "小程序或分享卡片" in calls(fake, "send_private")[0]["text"]
    # The card's title goes through the content pass too (砍一刀 is off-topic).
    assert [r.kind for r in await findings()] == ["link_shortener", "link_unknown", "link_card", "offtopic"]


async def test_file_uploads(fake: FakeGateway) -> None:
    rt = get_runtime()
    await run_hooks(notice_hooks, upload("机密★关于机构调整的方案.docx"), rt)
    await run_hooks(notice_hooks, upload("考勤打卡助手.apk", user_id="30007"), rt)
    await run_hooks(notice_hooks, upload("2026年工作总结.docx"), rt)
    await settle(rt)
    first, second = calls(fake, "send_group")
    assert "上传的文件的文件名带有密级标识" in first["text"] and "机构调整" not in first["text"]
    assert "删除该文件" in first["text"] and first["mention"] == ("30001",)
    assert "（「.apk」）" in second["text"]
    notes = calls(fake, "send_private")
    assert len(notes) == 2 and all(n["user_id"] == OWNER for n in notes)
    assert "无法删除群文件" in notes[0]["text"] and "机构调整" not in notes[0]["text"]
    assert calls(fake, "recall") == []
    assert [(r.kind, r.source, r.excerpt) for r in await findings()] == [
        ("file_secret", "file", ""),
        ("file_type", "file", ".apk"),
    ]


async def test_without_a_known_owner_the_deputies_are_told(fake: FakeGateway) -> None:
    fake.members = []
    await send(msg("在领导的英明领导下"))
    # The deputy's note (another capability's background loop may message others meanwhile).
    assert len([c for c in calls(fake, "send_private") if c["user_id"] == "20003"]) == 1  # the deputy


@pytest.mark.parametrize("text", ["/帮助 词库", "/帮助 规则", "/帮助 警告"])
async def test_help_shows_usage(fake: FakeGateway, text: str) -> None:
    await send(msg(text))
    [reply] = calls(fake, "send_group")
    assert "用法：/" in reply["text"]


async def test_a_database_error_does_not_stop_the_recall_or_the_warning(
    fake: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import guard as store

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(store, "active_strike_weight", broken)
    monkeypatch.setattr(store, "record_violation", broken)
    await send(msg("澳门赌场上线了"))
    assert len(calls(fake, "recall")) == 1
    [warning] = calls(fake, "send_group")
    assert "第 1 次" in warning["text"]


async def test_a_huge_odd_message_is_checked_quickly(fake: FakeGateway) -> None:
    import time

    text = (
        ("a.a-" * 5000)
        + "\u200b".join("网赌")
        + ("①" * 20000)
        + ("x." * 20000)
        + "http://t.cn/"
        + "9" * 30000
    )
    started = time.perf_counter()
    await send(msg(text))
    assert time.perf_counter() - started < 2.0
    assert {r.kind for r in await findings()} == {"gambling", "link_shortener"}


# --- tiers --------------------------------------------------------------------------------------


async def test_a_flagged_message_only_tells_the_owner_privately(fake: FakeGateway) -> None:
    # A drug's name with no sale cue: ambiguous, so nothing public happens and no strike counts.
    await send(msg("昨天新闻里说的冰毒到底是什么东西"))
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []
    [note] = [c["text"] for c in calls(fake, "send_private")]
    assert note.startswith("【内容巡查·待核实】") and "「毒品」类内容" in note and "未计入违规次数" in note
    assert "冰毒" not in note  # the message is never repeated
    [row] = await findings()
    assert row.kind == "drugs" and row.outcome == "flagged" and row.done == "notify"
    assert await strikes() == []


async def test_the_same_name_with_a_sale_cue_is_recalled(fake: FakeGateway) -> None:
    await send(msg("冰毒现货，同城面交，私聊"))
    assert len(calls(fake, "recall")) == 1
    assert "「毒品」类内容" in calls(fake, "send_group")[0]["text"]


async def test_an_anti_drug_notice_is_left_alone(fake: FakeGateway) -> None:
    await send(msg("禁毒宣传：冰毒、K粉、摇头丸都是毒品，请大家远离"))
    assert fake.calls == []
    assert await findings() == []


async def test_a_flagged_finding_opens_no_case(fake: FakeGateway) -> None:
    from bot.models.register import Case

    async def cases() -> int:
        async with get_db().session() as s:
            return len(list((await s.execute(select(Case))).scalars()))

    before = await cases()
    await send(msg("这份机密文件的第二页数据对不上"))  # a bare secret level, no leak cue
    assert calls(fake, "recall") == [] and calls(fake, "send_group") == []
    [row] = await findings()
    assert row.kind == "secret" and row.outcome == "flagged" and row.excerpt == ""
    assert await cases() == before
    await send(msg("这份机密文件先发群里，大家看完删掉", at=T0 + timedelta(minutes=1)))  # a leak cue
    assert len(calls(fake, "recall")) == 1
    assert await cases() == before + 1
async def test_a_failed_recall_is_not_called_recalled_and_reaches_the_owner(fake: FakeGateway) -> None:
    """After the last try the member is asked to recall it, the owner's note says so, and one report
    with the count goes to the owner (the retries are 0 in the test settings)."""
    rt = get_runtime()
    assert rt.failures is not None
    rt.failures.clear()  # other tests' failures
    fake.fail["recall"] = 2
    rec = msg("機密★5年 关于某某同志任职的通知：经研究决定……", group_id=YICHUN)
    await send(rec)
    await send(msg("機密★5年 另一份文件……", group_id=YICHUN))
    warnings = [c["text"] for c in calls(fake, "send_group")]
    assert len(warnings) == 2
    assert all("未能撤回" in w and "已被撤回" not in w for w in warnings)
    notes = [c for c in calls(fake, "send_private") if "【内容巡查】" in c["text"]]
    assert notes and all("撤回未成功" in n["text"] and "已撤回" not in n["text"] for n in notes)
    assert rt.failures.open_incidents == 1
    await rt.failures.flush()
    await settle(rt)
    [report] = [c for c in calls(fake, "send_private") if "【操作失败】" in c["text"]]
    assert (
        report["user_id"] == OWNER and "撤回消息 2 次" in report["text"] and "retcode 100" in report["text"]
    )
    [entry] = await audit.recent(1, group_id=YICHUN)
    assert entry.action == "action.failure_reported"


async def test_without_an_owner_the_failure_report_goes_to_the_supervisor(fake: FakeGateway) -> None:
    rt = get_runtime()
    assert rt.failures is not None
    rt.failures.clear()
    fake.members = []
    fake.fail["recall"] = 1
    await send(msg("澳门赌场上线了"))  # group 100: unit finance, supervisor 20001
    await rt.failures.flush()
    await settle(rt)
    [report] = [c for c in calls(fake, "send_private") if "【操作失败】" in c["text"]]
    assert report["user_id"] == "20001" and "撤回消息 1 次" in report["text"]




async def test_a_burst_of_violations_climbs_the_ladder(fake: FakeGateway) -> None:
    """Four violations of one member handled at once: each counts the strikes of the ones before it
    (counting and recording are one step per member), so the ladder climbs as if they came apart."""
    import asyncio

    rt = get_runtime()
    texts = ["加vx了解兼职日结", "宝妈兼职在家躺赚", "轻松赚钱，日赚三百", "招商加盟一件代发"]
    await asyncio.gather(
        *(handle_message(msg(t, at=T0 + timedelta(minutes=n)), rt) for n, t in enumerate(texts))
    )
    await settle(rt)
    assert len(calls(fake, "recall")) == 4
    assert sorted(c["seconds"] for c in calls(fake, "mute")) == [600, 1200]
    assert len(await strikes()) == 4
