"""Work-notice classifier and urgency markers (yichun 第十条), on real office and chat phrasings."""

from __future__ import annotations

import time

import pytest

from bot.core.notice import FEATURES, NOTICE_THRESHOLD, classify_notice, is_urgent, urgent_marker

# Phrasings as they appear in government work groups (dates, places and names varied).
NOTICES = [
    "通知：请各科室于3月10日前将第一季度工作总结报送至办公室邮箱。",
    "【会议通知】定于明天上午9:00在三楼会议室召开全体干部大会，请准时参加，不得缺席。",
    "关于做好2026年国庆节期间值班工作的通知",
    "各位同事：明天下午3点在305会议室开会，请准时参加。",
    "请各单位于本周五下班前报送安全生产检查情况，逾期视为未报。",
    "下午3点的会取消了，请相互转告。",
    "会议时间：5月9日上午9:00\n会议地点：二楼报告厅\n参会人员：各股室负责人",
    "请大家明天上午8点准时到岗",
    "接上级通知，请各乡镇今晚8点前上报疫情防控数据，收到请回复。",
    "截止今天下午5点，还有3个科室未提交材料，请抓紧。",
    "请各位同志登录学习强国完成本周学习任务，周日前截图发群里。",
    "明早8点开会",
    "各科室注意：明天上午10点市里来检查，请做好办公室卫生。",
    "一、时间：6月19日\n二、地点：市民中心\n三、要求：着正装",
    "本周例会改期至周四下午两点半，地点不变。",
    "请相关人员携带身份证原件于9月20日（周日）到人社局办理。",
    "温馨提示：国庆假期后第一天（10月8日）请各科室按时上班。",
    "请于今天下班前将统计表发至邮箱，谢谢！",
    "各股室：根据县委办要求，请于15日前报送2026年度工作计划。",
    "明天下午两点半在多功能厅举办消防安全培训，全体工作人员参加。",
    "值班安排：10月1日张三，10月2日李四，请值班人员保持通讯畅通。",
    "请全体党员本周六上午9点到党员活动室参加主题党日活动。",
    "【提醒】个人所得税汇算清缴截止6月30日，请大家抓紧办理。",
    "经研究，原定周三的调度会推迟到周五上午召开。",
    "请各网格员今晚9点前完成入户排查并在群内接龙。",
    "各单位：请于3月15日前填报《固定资产清查登记表》，报送至财务科。",
    "辛苦大家，明天上午继续加班整理档案，8:30到。",
    "按照市委组织部要求，请各支部书记于周四前将党费收缴情况报组织科。",
    "紧急通知：今晚20:00召开防汛工作视频调度会，请各乡镇主要负责人准时参会。",
    "请各处室明天上午十点前把年度考核材料交到302办公室。",
    "重要通知\n根据工作安排，本周六（10月10日）正常上班，请大家相互转告。",
    "各位领导、同事：市纪委督查组明日上午到我局开展作风督查，请大家严格遵守工作纪律。",
    "请还未提交体检表的同志尽快提交，最迟不晚于本周五。",
    "第二季度报表已发群文件，请各部门负责人查收并于5个工作日内反馈意见。",
    "特此通知",
    "请于３月１０日前报送材料",  # full-width digits
]

# Notices whose only group-wide signal is the @全体成员 segment (passed as a flag).
AT_ALL_NOTICES = [
    "请查看群文件中的培训安排，并按要求填写回执。",
    "明天9:00视频会，请提前10分钟进入会议室调试设备。",
    "明天上午9点到",
    "5月9日（周六）正常上班",
]

# Ordinary chat in the same groups, much of it after hours — none of it is a work notice.
CHAT = [
    "今天辛苦了",
    "收到",
    "明天见",
    "吃饭了吗",
    "好的，收到",
    "大家晚安",
    "哈哈哈哈",
    "谢谢领导",
    "明天见！早点休息",
    "今天开会好累",
    "明天开会吗？",
    "收到通知了吗？",
    "晚上8点一起吃饭吗",
    "我在办公室",
    "会议室空调坏了",
    "谁有会议室的钥匙？",
    "周末愉快",
    "下雨了记得带伞",
    "今天的饭菜不错",
    "生日快乐！",
    "我到家了",
    "明天下午3点的高铁，回来给大家带特产",
    "聚餐改到明天了",
    "祝大家国庆快乐",
    "辛苦了，早点回去吧",
    "嗯嗯",
    "路上注意安全",
    "这个材料写得真好",
    "好的好的",
    "请大家吃西瓜，在茶水间",
    "刚开完会，累死了",
    "哪位知道附近有什么好吃的？",
    "我家孩子发烧了，急诊科人好多",
    "各位晚安",
    "周五晚上7点聚餐，地点在老地方",
    "明天上午10点的飞机，到了跟大家说",
    "收到，马上改",
    "今天的晚霞真好看",
    "下班了吗",
    "恭喜恭喜！",
]


@pytest.mark.parametrize("text", NOTICES)
def test_office_notices_are_notices(text: str) -> None:
    verdict = classify_notice(text)
    assert verdict.is_notice, verdict
    assert verdict.score >= NOTICE_THRESHOLD


@pytest.mark.parametrize("text", AT_ALL_NOTICES)
def test_at_all_notices(text: str) -> None:
    verdict = classify_notice(text, at_all=True)
    assert verdict.is_notice, verdict
    assert "at_all" in verdict.reasons


@pytest.mark.parametrize("text", CHAT)
def test_chat_is_not_a_notice(text: str) -> None:
    assert not classify_notice(text).is_notice, classify_notice(text)


def test_enough_examples() -> None:
    assert len(NOTICES) >= 30 and len(CHAT) >= 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "请各单位于3月15日前报送材料",
            {"addressee", "directive", "deadline", "submission", "calendar_date"},
        ),
        (
            "明天下午3点在305会议室开会",
            {"meeting", "meeting_arrangement", "clock_time", "relative_day", "venue"},
        ),
        ("时间：周五上午\n地点：三楼\n内容：安全培训", {"fields", "meeting", "relative_day", "venue"}),
        ("关于开展作风督查的通知", {"heading", "work_arrangement"}),
        ("下午3点的会取消了，请相互转告。", {"closing", "change", "meeting", "clock_time"}),
        ("明天开会吗？", {"meeting", "relative_day", "question"}),
    ],
)
def test_reasons_name_the_features(text: str, expected: set[str]) -> None:
    assert expected <= set(classify_notice(text).reasons)


def test_score_is_the_sum_of_the_reasons() -> None:
    verdict = classify_notice("请各单位于3月15日前报送材料")
    assert verdict.score == sum(FEATURES[name].weight for name in verdict.reasons)


def test_reasons_have_chinese_labels() -> None:
    labels = classify_notice("请于今天下班前将统计表发至邮箱").labels()
    assert "截止期限" in labels and "报送材料" in labels
    assert all(FEATURES[name].label for name in FEATURES)


def test_at_all_alone_is_not_enough() -> None:
    # @全体成员 with pleasantries pings everyone, but it is not work information.
    assert not classify_notice("大家辛苦了，早点休息", at_all=True).is_notice
    assert not classify_notice("明天见", at_all=True).is_notice
    # The same words with a concrete time become an arrangement for everyone.
    assert classify_notice("明天上午9点到", at_all=True).is_notice
    assert not classify_notice("明天上午9点到").is_notice


def test_literal_at_all_in_text_counts_as_the_flag() -> None:
    verdict = classify_notice("@全体成员 明天上午9点到")
    assert verdict.is_notice and "at_all" in verdict.reasons
    # …and the mention is not read as an addressee.
    assert "addressee" not in classify_notice("@全体成员 明天见").reasons


def test_question_penalty_does_not_undo_a_heading() -> None:
    verdict = classify_notice("会议通知：明天下午3点在二楼开会，大家清楚了吗？")
    assert verdict.is_notice and "question" not in verdict.reasons


def test_status_update_with_jiezhi_mu_qian_is_not_a_deadline() -> None:
    assert "deadline" not in classify_notice("截至目前已有20人报名").reasons


def test_huge_message_is_bounded() -> None:
    text = "请各科室于3月10日前报送材料。" + "哈" * 100_000
    started = time.perf_counter()
    verdict = classify_notice(text)
    assert verdict.is_notice
    assert time.perf_counter() - started < 0.5


# -- urgency -------------------------------------------------------------------------------------

URGENT = [
    ("【紧急】请各科室今晚报送数据", "【紧急】"),
    ("紧急通知：明早7点集合", "紧急"),
    ("急！请各单位马上报送", "急"),
    ("请今晚10点前回复，急", "急"),
    ("急急急，谁有张科长电话", "急急"),
    ("这个事比较急，请今晚完成", "急"),
    ("急需各单位于今晚10点前报送", "急需"),
    ("（紧急）明天停电，请做好准备", "(紧急)"),
    ("[急]材料今晚要", "[急]"),
    ("特急件，请马上处理", "特急"),
    ("加急处理一下", "加急"),
    ("防汛紧急调度，请各乡镇立即上报", "紧急"),
    ("非常紧急，请今晚报送", "紧急"),
    ("这个非常急，辛苦今晚处理", "急"),
    ("不急需的先放一放，急需的材料今晚报", "急需"),
]

NOT_URGENT = [
    "急性肠胃炎请假一天",
    "应急管理局来电",
    "别着急，明天再说",
    "不急，下周一报就行",
    "非紧急任务原则上不在非工作时间发布",
    "这个不是很紧急",
    "请各科室填写紧急联系人信息",
    "今天有急事请假",
    "急诊科值班表",
    "我好着急啊",
    "急急忙忙赶到单位",
    "性子急",
    "开展紧急疏散演练的通知",
    "请各单位于3月10日前报送材料",
]


@pytest.mark.parametrize(("text", "marker"), URGENT)
def test_urgent_markers(text: str, marker: str) -> None:
    assert urgent_marker(text) == marker
    assert is_urgent(text)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent(text: str) -> None:
    assert urgent_marker(text) is None
    assert not is_urgent(text)


def test_preset_words_match_as_substrings() -> None:
    assert urgent_marker("【特事特办】请今晚报送", ["特事特办"]) == "特事特办"
    assert not is_urgent("请今晚报送", ["特事特办", ""])


def test_preset_words_covered_by_the_rules_keep_their_context() -> None:
    # The default preset lists 「【紧急】」「紧急」「急」: they must not turn 急性 or 不急 urgent.
    default_words = ["【紧急】", "紧急", "急"]
    assert not is_urgent("急性肠胃炎请假一天", default_words)
    assert not is_urgent("不急，下周一报就行", default_words)
    assert is_urgent("【紧急】今晚报送", default_words)
