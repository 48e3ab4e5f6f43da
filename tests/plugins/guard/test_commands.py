"""/词库, /规则 and /警告 through the router: live changes, roles, usage on wrong arguments, and the
changes surviving a restart (reloaded from the database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dispatch.router import handle_message
from bot.runtime import get_runtime
from tests.dispatch.conftest import settle
from tests.plugins.guard.conftest import HUANGSHAN, OWNER, T0, YICHUN, calls, msg
from tests.utils import FakeGateway, private_record

ADMIN = {"user_id": "30002", "role": "admin"}
OWNER_ = {"user_id": OWNER, "role": "owner"}


async def send(rec) -> None:  # type: ignore[no-untyped-def]
    rt = get_runtime()
    await handle_message(rec, rt)
    await settle(rt)


def last_reply(fake: FakeGateway) -> str:
    return fake.texts()[-1]


async def restart() -> None:
    from bot.plugins.guard.state import state

    state.reset()
    get_runtime().policy.set_group_overrides(HUANGSHAN, None)  # as if the policy were loaded anew
    get_runtime().policy.set_group_overrides(YICHUN, None)


# --- /词库 ------------------------------------------------------------------------------------------


async def test_words_add_remove_live(fake: FakeGateway) -> None:
    await send(msg("/词库 添加 广告 团购接龙 水果拼单", **ADMIN))
    assert "已在本群的「商业广告」中添加：团购接龙、水果拼单，立即生效" in last_reply(fake)
    await send(msg("今晚团购接龙，要的报名"))
    assert len(calls(fake, "recall")) == 1
    await send(msg("今晚团购接龙，要的报名", group_id=YICHUN))  # another group: not affected
    assert len(calls(fake, "recall")) == 1

    await send(msg("/词库 删除 广告 团购接龙", **ADMIN))
    assert "已从本群的「商业广告」中删除：团购接龙" in last_reply(fake)
    await send(msg("今晚团购接龙，要的报名", at=T0 + timedelta(minutes=5)))
    assert len(calls(fake, "recall")) == 1


async def test_removing_a_default_word_masks_it_in_this_group_only(fake: FakeGateway) -> None:
    await send(msg("/词库 删除 赌博 网赌", **ADMIN))
    assert "不再命中（其他群不受影响）" in last_reply(fake)
    await send(msg("电影《网赌风云》的观后感交一下"))
    assert calls(fake, "recall") == []
    await send(msg("电影《网赌风云》的观后感交一下", group_id=YICHUN))
    assert len(calls(fake, "recall")) == 1


async def test_allow_list_and_refused_words(fake: FakeGateway) -> None:
    await send(msg("/词库 添加 白名单 拼多多年货节调研", **ADMIN))
    await send(msg("拼多多年货节调研报告已上传"))
    assert calls(fake, "send_private") == []  # masked in this group
    await send(msg("/词库 添加 广告 乖乖 。。。", **ADMIN))
    reply = last_reply(fake)
    assert "未添加「乖乖」：规范化后只剩一个字「乖」" in reply and "未添加「。。。」" in reply


async def test_unit_words_need_a_supervisor(fake: FakeGateway) -> None:
    await send(msg("/词库 单位 添加 广告 团购接龙", **ADMIN))
    assert "需要「监管单位」及以上权限" in last_reply(fake)
    await send(msg("/词库 单位 添加 广告 团购接龙", user_id="20001"))  # the unit's supervisor
    assert "「测试市财政局」所有群" in last_reply(fake)
    await send(msg("团购接龙开始了"))
    assert len(calls(fake, "recall")) == 1
    await send(msg("/词库 单位 添加 广告 x", group_id=YICHUN, user_id="10001"))
    assert "本群没有归属单位" in last_reply(fake)


async def test_words_list_and_test(fake: FakeGateway) -> None:
    await send(msg("/词库 添加 无关 抢车位", **ADMIN))
    await send(msg("/词库 列表", **ADMIN))
    reply = last_reply(fake)
    assert "与工作无关：抢车位" in reply and "默认词库" in reply
    await send(msg("/词库 测试 加v信了解兼职日结，身份证 11010519491231002X", **ADMIN))
    reply = last_reply(fake)
    assert "商业广告「加v信、兼职日结」 → 撤回、群内提醒" in reply and "身份证号码 → 撤回" in reply
    assert "11010519491231002X" not in reply.split("命中：", 1)[1]
    assert calls(fake, "recall") == []  # a test never acts
    await send(private_record("/词库 测试 收到", user_id="10001"))
    assert last_reply(fake) == "未命中任何规则。"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("/词库", "请说明要添加、删除、列出还是测试"),
        ("/词库 添加 广告", "请给出类别和至少一个词语"),
        ("/词库 添加 天气 晴", "没有「天气」这个类别"),
        ("/词库 修改 广告 x", "不认识「修改」"),
        ("/词库 测试", "请在「测试」后面写上要测试的文字"),
    ],
)
async def test_words_usage(fake: FakeGateway, text: str, reason: str) -> None:
    await send(msg(text, **ADMIN))
    reply = last_reply(fake)
    assert reason in reply and "用法：/词库" in reply


async def test_words_need_an_admin(fake: FakeGateway) -> None:
    await send(msg("/词库 添加 广告 团购"))
    assert "需要「分管管理员」及以上权限" in last_reply(fake)


# --- /规则 ------------------------------------------------------------------------------------------


async def test_policy_show(fake: FakeGateway) -> None:
    await send(msg("/规则", **ADMIN))
    reply = last_reply(fake)
    assert "预设 huangshan-finance-2020" in reply and "· 赌博：撤回、群内提醒" in reply
    assert "· 反动/政治有害：撤回、群内提醒（严重）" in reply and "豁免：群主、管理员" in reply


async def test_policy_changes_apply_to_the_next_message(fake: FakeGateway) -> None:
    await send(msg("/规则 动作 与工作无关 撤回+群内提醒", **ADMIN))
    assert "「与工作无关」的处理方式改为：撤回、群内提醒" in last_reply(fake)
    await send(msg("帮我砍一刀"))
    assert len(calls(fake, "recall")) == 1
    await send(msg("/规则 动作 与工作无关 默认", **ADMIN))
    await send(msg("帮我砍一刀", user_id="30009"))
    assert len(calls(fake, "recall")) == 1

    await send(msg("/规则 手机号 开", **ADMIN))
    await send(msg("有事打我电话 13812345678", user_id="30008"))
    assert len(calls(fake, "recall")) == 2
    await send(msg("/规则 链接 添加 example.com", **ADMIN))
    await send(msg("/规则 短链接 添加 example.com", **ADMIN))
    await send(msg("见 https://example.com/a", user_id="30010"))
    assert len(calls(fake, "recall")) == 2  # the allow list wins


async def test_policy_observe_and_reset(fake: FakeGateway) -> None:
    await send(msg("/规则 观察 开", **ADMIN))
    assert "观察模式已开启" in last_reply(fake)
    await send(msg("澳门赌场上线了"))
    assert calls(fake, "recall") == []
    await send(msg("/规则", **ADMIN))
    assert "观察模式" in last_reply(fake) and "本群另有调整" in last_reply(fake)
    await send(msg("/规则 重置", **ADMIN))
    assert "需要「群主」" in last_reply(fake)
    await send(msg("/规则 重置", **OWNER_))
    await send(msg("澳门赌场上线了", user_id="30011"))
    assert len(calls(fake, "recall")) == 1


async def test_policy_preset_needs_the_owner(fake: FakeGateway) -> None:
    await send(msg("/规则 预设 yichun-2021", **ADMIN))
    assert "需要「群主」" in last_reply(fake)
    await send(msg("/规则 预设 yichun-2021", **OWNER_))
    assert "《宜春市政务微信工作群管理规范》" in last_reply(fake)
    await send(msg("机密★1年 会议纪要"))
    assert "依据《宜春市政务微信工作群管理规范》第十一条" in calls(fake, "send_group")[-1]["text"]
    await send(msg("/规则 预设 默认", **OWNER_))
    await send(msg("机密★1年 会议纪要", user_id="30012"))
    assert "第十二条" in calls(fake, "send_group")[-1]["text"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("/规则 观察", "「观察」后面缺少参数"),
        ("/规则 观察 也许", "应为「开」或「关」"),
        ("/规则 动作 天气 撤回", "没有「天气」这个类别"),
        ("/规则 动作 广告 爆炸", "不认识动作「爆炸」"),
        ("/规则 刷屏 十 10", "条数应为整数"),
        ("/规则 刷屏 1 10", "设置无效"),
        ("/规则 累计 5 4 3", "依次不减"),
        ("/规则 链接 添加 不是域名", "设置无效"),
        ("/规则 链接 修改 a.com", "应为「添加」或「删除」"),
        ("/规则 预设 nowhere", "没有「nowhere」这个预设"),
        ("/规则 飞行", "不认识「飞行」"),
    ],
)
async def test_policy_usage(fake: FakeGateway, text: str, reason: str) -> None:
    role = OWNER_ if "预设" in text else ADMIN
    await send(msg(text, **role))
    reply = last_reply(fake)
    assert reason in reply and "用法：/规则" in reply


async def test_settings_and_words_survive_a_restart(fake: FakeGateway) -> None:
    await send(msg("/规则 观察 开", **ADMIN))
    await send(msg("/词库 添加 广告 团购接龙", **ADMIN))
    await restart()
    await send(msg("/规则", **ADMIN))
    assert "观察模式（只记录" in last_reply(fake)
    await send(msg("/规则 观察 关", **ADMIN))
    await send(msg("团购接龙开始了"))
    assert len(calls(fake, "recall")) == 1


# --- /警告 ------------------------------------------------------------------------------------------


async def test_warns_list_detail_and_clear(fake: FakeGateway) -> None:
    await send(msg("/警告", **ADMIN))
    assert "没有成员有违规提醒记录" in last_reply(fake)
    await send(msg("加vx了解兼职"))
    await send(msg("机密★ 文件", at=T0 + timedelta(minutes=1)))
    await send(msg("/警告", **ADMIN))
    assert "· 30001：3 次" in last_reply(fake)
    await send(msg("/警告 30001", **ADMIN))
    reply = last_reply(fake)
    assert "累计 3 次" in reply and "商业广告" in reply and "涉密标识（严重，计 2 次）" in reply
    await send(msg("/警告 清除", mentions=("30001",), **ADMIN))
    assert "已清除 30001 的 2 条" in last_reply(fake)
    await send(msg("加vx了解兼职", at=T0 + timedelta(minutes=2)))
    assert "第 1 次" in calls(fake, "send_group")[-1]["text"]


async def test_warns_usage_and_role(fake: FakeGateway) -> None:
    await send(msg("/警告 清除", **ADMIN))
    assert "请 @ 要查看的成员" in last_reply(fake) and "用法：/警告" in last_reply(fake)
    await send(msg("/警告 30001"))
    assert "需要「群管理员」及以上权限" in last_reply(fake)


async def test_reload_picks_up_an_imported_list(fake: FakeGateway) -> None:
    from datetime import UTC, datetime

    from bot.store import guard as store

    await send(msg("今晚团购接龙"))
    assert calls(fake, "recall") == []
    await store.add_words("group", HUANGSHAN, [("ads", "团购接龙")], by="cli", at=datetime.now(UTC))
    await send(msg("/词库 重载", **ADMIN))
    assert "1 个单位或群有自己的词库" in last_reply(fake)
    await send(msg("今晚团购接龙", user_id="30013"))
    assert len(calls(fake, "recall")) == 1


# --- /词库 tiers and explanations ------------------------------------------------------------------


async def test_demote_and_promote_change_what_happens_in_this_group_only(fake: FakeGateway) -> None:
    await send(msg("/词库 降级 赌博 网赌", **ADMIN))
    assert "已改为待核实" in last_reply(fake)
    replies = len(calls(fake, "send_group"))
    await send(msg("昨天看了一部讲网赌的电影"))
    assert calls(fake, "recall") == [] and len(calls(fake, "send_group")) == replies  # nothing public
    assert "【内容巡查·待核实】" in calls(fake, "send_private")[-1]["text"]
    await send(msg("昨天看了一部讲网赌的电影", group_id=YICHUN))  # another group: still acts
    assert len(calls(fake, "recall")) == 1

    await send(msg("/词库 升级 毒品 冰毒", **ADMIN))  # a context term: now it acts even bare
    assert "已改为直接处理" in last_reply(fake)
    await send(msg("有人知道冰毒吗", at=T0 + timedelta(minutes=1)))
    assert len(calls(fake, "recall")) == 2

    await send(msg("/词库 列表 赌博", **ADMIN))
    assert "网赌（改为待核实）" in last_reply(fake)
    await restart()  # the tiers survive a restart (read back from the database)
    await send(msg("昨天看了一部讲网赌的电影", at=T0 + timedelta(minutes=2)))
    assert len(calls(fake, "recall")) == 2


async def test_promoting_an_unknown_word_adds_it_at_that_tier(fake: FakeGateway) -> None:
    await send(msg("/词库 降级 广告 团购接龙", **ADMIN))
    assert "词库中原来没有 团购接龙" in last_reply(fake) and "待核实" in last_reply(fake)
    await send(msg("今晚团购接龙，要的报名"))
    assert calls(fake, "recall") == [] and len(calls(fake, "send_private")) == 1


async def test_the_test_subcommand_names_the_entry_and_the_cue(fake: FakeGateway) -> None:
    await send(msg("/词库 测试 冰毒现货，同城面交", **ADMIN))
    reply = last_reply(fake)
    assert "毒品" in reply and "判断依据" in reply and "「冰毒」" in reply and "「现货」" in reply
    await send(msg("/词库 测试 禁毒宣传月：远离冰毒", **ADMIN))
    reply = last_reply(fake)
    assert reply.startswith("未命中任何规则") and "「禁毒」" in reply and "不处理" in reply
    await send(msg("/词库 测试 无抵押当天下款，加V：dk5566", **ADMIN))
    reply = last_reply(fake)
    assert "病毒链接/诈骗" in reply and "联系方式" in reply and "下款" in reply
    await send(msg("/词库 测试 机密文件发群里了", **ADMIN))
    assert "密级标识" in last_reply(fake) and "机密文件" not in last_reply(fake).split("判断依据")[1]


async def test_tier_commands_refuse_the_allow_list(fake: FakeGateway) -> None:
    await send(msg("/词库 升级 白名单 人大代表", **ADMIN))
    assert "白名单没有级别" in last_reply(fake)
