"""Join-request comments → name and department, then the roster (bot.core.identity)."""

from __future__ import annotations

import pytest

from bot.core.identity import (
    CandidateReason,
    DeptLevel,
    JoinTemplate,
    MatchOutcome,
    ParseFailure,
    Reading,
    RosterEntry,
    dept_level,
    match_roster,
    names_similar,
    parse_join_comment,
)

OK_CASES: list[tuple[str, str, str]] = [
    # separators and order
    ("张三-办公室", "张三", "办公室"),
    ("办公室 张三", "张三", "办公室"),
    ("财务科/赵六", "赵六", "财务科"),
    ("财务科|赵六", "赵六", "财务科"),
    ("张三，办公室", "张三", "办公室"),
    ("张三、办公室", "张三", "办公室"),
    ("张三_办公室", "张三", "办公室"),
    ("张三——办公室", "张三", "办公室"),
    ("张三+办公室", "张三", "办公室"),
    ("【办公室】张三", "张三", "办公室"),
    ("张三（办公室）", "张三", "办公室"),
    ("张三(办公室)", "张三", "办公室"),
    ("张三\n办公室", "张三", "办公室"),
    ("张 三 办公室", "张三", "办公室"),
    ("国库科-陈晨", "陈晨", "国库科"),
    # extra words
    ("我是规划科的李四", "李四", "规划科"),
    ("申请入群：王五（财务科）", "王五", "财务科"),
    ("您好，我是预算科刘洋，申请加入，谢谢！", "刘洋", "预算科"),
    ("综合科 张三 申请入群", "张三", "综合科"),
    ("张三，财务科的", "张三", "财务科"),
    ("张三是办公室的", "张三", "办公室"),
    ("张三在办公室", "张三", "办公室"),
    ("办公室的张三", "张三", "办公室"),
    ("我是新来的，张三，办公室", "张三", "办公室"),
    ("人事科孙七同志", "孙七", "人事科"),
    ("老师好！我叫王小明，信息中心的", "王小明", "信息中心"),
    # titles are dropped, the department suffix stays
    ("财务科科长张三", "张三", "财务科"),
    ("财务科长张三", "张三", "财务科"),
    ("办公室主任李四", "李四", "办公室"),
    # labelled fields
    ("姓名：孙七 部门：人事科", "孙七", "人事科"),
    ("科室：人事科；姓名：孙七", "孙七", "人事科"),
    ("部门：人事科 孙七", "孙七", "人事科"),
    ("姓名张三科室财务科", "张三", "财务科"),
    ("名字李四部门办公室", "李四", "办公室"),
    ("我的名字是张三，单位是财政局", "张三", "财政局"),
    ("姓名：张三 综合科室", "张三", "综合科室"),
    ("姓名：张三 电话：13812345678 科室：办公室", "张三", "办公室"),
    ("姓名：上官婉儿；单位：黄山市财政局人事教育科", "上官婉儿", "黄山市财政局人事教育科"),
    # QQ's question/answer wrapper
    ("问题：你的姓名和科室？ 答案：周八 综合科", "周八", "综合科"),
    ("问题：你的姓名和科室？\n答案：周八 综合科", "周八", "综合科"),
    ("问题:姓名+科室\n答案:吴九/法规科", "吴九", "法规科"),
    # full-width forms, phone numbers, noise
    ("【张三】【办公室】", "张三", "办公室"),
    ("张三：办公室。", "张三", "办公室"),
    ("张三－办公室", "张三", "办公室"),
    ("张三　办公室", "张三", "办公室"),
    ("张\u200b三-办公室", "张三", "办公室"),
    ("张三-办公室-13812345678", "张三", "办公室"),
    ("张三 (办公室) 138 1234 5678", "张三", "办公室"),
    ("张三 办公室 😀😀", "张三", "办公室"),
    # run-together text
    ("张三办公室", "张三", "办公室"),
    ("张三丰办公室", "张三丰", "办公室"),
    ("财务科张三", "张三", "财务科"),
    ("李四规划科", "李四", "规划科"),
    ("王五财务科", "王五", "财务科"),
    ("王小明信息中心", "王小明", "信息中心"),
    ("张三测绘科", "张三", "测绘科"),
    ("张三丰测绘科", "张三丰", "测绘科"),
    ("办公室张三丰", "张三丰", "办公室"),
    # compound surnames, minority names
    ("欧阳娜娜 综合科", "欧阳娜娜", "综合科"),
    ("欧阳娜娜综合科", "欧阳娜娜", "综合科"),
    ("司马相如办公室", "司马相如", "办公室"),
    ("阿依古丽·买买提 财务科", "阿依古丽·买买提", "财务科"),
    ("阿依古丽•买买提-财务科", "阿依古丽·买买提", "财务科"),
    ("阿卜杜拉・艾尼 办公室", "阿卜杜拉·艾尼", "办公室"),
    # full unit names, place names, unusual departments
    ("黄山市财政局办公室 张三", "张三", "黄山市财政局办公室"),
    ("黄山市财政局办公室张三", "张三", "黄山市财政局办公室"),
    ("张三 黄山市财政局 办公室", "张三", "黄山市财政局办公室"),
    ("黄山市 财政局 张三", "张三", "黄山市财政局"),
    ("李华（黄山市歙县财政局预算股）", "李华", "黄山市歙县财政局预算股"),
    ("张三 人事部门", "张三", "人事部门"),
    ("张三 工会", "张三", "工会"),
    ("纪委 张三", "张三", "纪委"),
    ("张伟 302室", "张伟", "302室"),
    ("张三 第一稽查队", "张三", "第一稽查队"),
    ("张三 财务", "张三", "财务"),  # a department core without its suffix
    ("李明 宣传", "李明", "宣传"),
]

FAIL_CASES: list[tuple[str, ParseFailure]] = [
    ("加我", ParseFailure.NO_NAME),
    ("123", ParseFailure.NO_NAME),
    ("你好", ParseFailure.EMPTY),
    ("", ParseFailure.EMPTY),
    ("   ", ParseFailure.EMPTY),
    ("。。。", ParseFailure.EMPTY),
    ("😀", ParseFailure.EMPTY),
    ("@#￥%", ParseFailure.EMPTY),
    ("老师好，谢谢", ParseFailure.EMPTY),
    ("申请入群", ParseFailure.EMPTY),
    ("13812345678", ParseFailure.EMPTY),
    ("hello", ParseFailure.NO_NAME),
    ("ok ok", ParseFailure.NO_NAME),
    ("哈哈哈哈", ParseFailure.NO_NAME),
    ("办公室", ParseFailure.NO_NAME),
    ("办公室 哈哈", ParseFailure.NO_NAME),
    ("王科长", ParseFailure.NO_NAME),
    ("张三", ParseFailure.NO_DEPT),
    ("我是张三", ParseFailure.NO_DEPT),
    ("张三 Office", ParseFailure.NO_DEPT),
    ("姓名：孙七", ParseFailure.NO_DEPT),
    ("张三 李四", ParseFailure.SEVERAL_NAMES),
    ("张三 李四 办公室", ParseFailure.SEVERAL_NAMES),
    ("问题：你的姓名和科室？", ParseFailure.EMPTY),
]


@pytest.mark.parametrize(("comment", "name", "dept"), OK_CASES)
def test_parse_ok(comment: str, name: str, dept: str) -> None:
    parsed = parse_join_comment(comment)
    assert parsed.ok, parsed.message
    assert (parsed.name, parsed.dept) == (name, dept)
    assert parsed.failure is None and parsed.message is None


@pytest.mark.parametrize(("comment", "failure"), FAIL_CASES)
def test_parse_fails_with_reason_and_template(comment: str, failure: ParseFailure) -> None:
    parsed = parse_join_comment(comment)
    assert not parsed.ok
    assert parsed.failure is failure
    assert parsed.message is not None
    assert parsed.message.startswith(failure.reason)
    assert "「姓名-科室」" in parsed.message and "张三-办公室" in parsed.message


def test_there_are_enough_table_cases() -> None:
    assert len(OK_CASES) + len(FAIL_CASES) >= 40


def test_failure_keeps_what_was_found() -> None:
    assert parse_join_comment("张三").name == "张三"
    assert parse_join_comment("办公室").dept == "办公室"


def test_ambiguous_split_keeps_alternatives() -> None:
    parsed = parse_join_comment("张三丰办公室")
    assert parsed.readings[0] == Reading("张三丰", "办公室")
    assert Reading("张三", "丰办公室") in parsed.alternatives


def test_template_without_department() -> None:
    template = JoinTemplate(require_dept=False)
    parsed = parse_join_comment("我是张三", template)
    assert parsed.ok and parsed.name == "张三" and parsed.dept is None
    failed = parse_join_comment("加我", template)
    assert failed.message is not None and "「姓名」" in failed.message and "-科室" not in failed.message


def test_template_wording_is_configurable() -> None:
    template = JoinTemplate(dept_label="单位", example="李四-黄山市财政局")
    parsed = parse_join_comment("你好", template)
    assert parsed.message == (
        "申请备注为空，或只有问候语。请按「姓名-单位」（例如「李四-黄山市财政局」）填写申请备注后重新申请。"
    )


def test_known_departments_help() -> None:
    # 招投标 has no department suffix and is no common department word, until the roster says so.
    assert parse_join_comment("张三 招投标").failure is ParseFailure.NO_DEPT
    parsed = parse_join_comment("张三 招投标", known_depts=["招投标办", "办公室"])
    assert (parsed.name, parsed.dept) == ("张三", "招投标")
    # 项目 looks like a name (项 is a surname) unless it is a known department.
    assert parse_join_comment("张三 项目").failure is ParseFailure.SEVERAL_NAMES
    parsed = parse_join_comment("张三 项目", known_depts=["项目科"])
    assert (parsed.name, parsed.dept) == ("张三", "项目")


def test_reprs_mask_the_name() -> None:
    parsed = parse_join_comment("张三丰-办公室")
    assert "张三丰" not in repr(parsed)
    assert "张三丰" not in repr(parsed.readings[0])
    assert "张三丰" not in repr(RosterEntry("1", "张三丰", "办公室"))


def test_long_and_odd_input_does_not_break() -> None:
    assert not parse_join_comment("啊" * 100_000).ok
    assert not parse_join_comment("\x00\ufffd\U0010ffff").ok
    assert parse_join_comment("张三-办公室" + " " * 1000).ok


# ------------------------------------------------------------------ roster matching

ROSTER = [
    RosterEntry("1", "张三", "办公室"),
    RosterEntry("2", "张三", "财务科"),
    RosterEntry("3", "张三丰", "办公室"),
    RosterEntry("4", "李四", "规划科"),
    RosterEntry("5", "王五", "黄山市财政局财务科"),
    RosterEntry("6", "张山", "办公室"),
    RosterEntry("7", "赵六", "财务科", aliases=("赵陆",)),
    RosterEntry("8", "孙七", "人事科", dept_aliases=("人教科",)),
    RosterEntry("9", "周八", "综合科"),
    RosterEntry("10", "周八", "综合科"),
    RosterEntry("11", "阿依古丽·买买提", "财务科"),
]


@pytest.mark.parametrize(
    ("comment", "entry_id", "level"),
    [
        ("张三-办公室", "1", DeptLevel.EXACT),
        ("财务科 张三", "2", DeptLevel.EXACT),
        ("张三丰办公室", "3", DeptLevel.EXACT),
        ("李四 规划", "4", DeptLevel.CORE),
        ("王五 财务科", "5", DeptLevel.ENDS_WITH),
        ("财务 王五", "5", DeptLevel.CORE),
        ("张三 黄山市财政局办公室", "1", DeptLevel.ENDS_WITH),
        ("赵陆 财务科", "7", DeptLevel.EXACT),  # alias
        ("孙七 人教科", "8", DeptLevel.EXACT),  # department alias
        ("阿依古丽买买提 财务科", None, None),  # without the dot it is not a name the parser trusts
        ("阿依古丽•买买提 财务科", "11", DeptLevel.EXACT),
    ],
)
def test_match_unique(comment: str, entry_id: str | None, level: DeptLevel | None) -> None:
    result = match_roster(parse_join_comment(comment), ROSTER)
    if entry_id is None:
        assert not result.matched
        return
    assert result.outcome is MatchOutcome.MATCHED
    assert result.entry is not None and result.entry.id == entry_id
    assert result.level is level
    assert result.candidates == ()


def test_match_several() -> None:
    result = match_roster(parse_join_comment("周八 综合科"), ROSTER)
    assert result.outcome is MatchOutcome.AMBIGUOUS and result.entry is None
    assert [(c.entry.id, c.reason) for c in result.candidates] == [
        ("9", CandidateReason.SAME_NAME_SAME_DEPT),
        ("10", CandidateReason.SAME_NAME_SAME_DEPT),
    ]


def test_no_match_same_name_other_dept() -> None:
    result = match_roster(parse_join_comment("张三 人事科"), ROSTER)
    assert result.outcome is MatchOutcome.NOT_FOUND
    assert [(c.entry.id, c.reason) for c in result.candidates] == [
        ("1", CandidateReason.SAME_NAME_OTHER_DEPT),
        ("2", CandidateReason.SAME_NAME_OTHER_DEPT),
    ]
    assert CandidateReason.SAME_NAME_OTHER_DEPT.label == "同名，但科室不同"


def test_no_match_similar_name_same_dept() -> None:
    result = match_roster(parse_join_comment("张叁 办公室"), ROSTER)
    assert result.outcome is MatchOutcome.NOT_FOUND
    assert {(c.entry.id, c.reason) for c in result.candidates} == {
        ("1", CandidateReason.SIMILAR_NAME_SAME_DEPT),
        ("6", CandidateReason.SIMILAR_NAME_SAME_DEPT),
    }


def test_no_match_nobody_close() -> None:
    result = match_roster(parse_join_comment("吴九 办公室"), ROSTER)
    assert result.outcome is MatchOutcome.NOT_FOUND and result.candidates == ()


def test_failed_parse_never_matches_but_lists_candidates() -> None:
    result = match_roster(parse_join_comment("李四"), ROSTER)
    assert result.outcome is MatchOutcome.NOT_FOUND
    assert [(c.entry.id, c.reason) for c in result.candidates] == [("4", CandidateReason.SAME_NAME)]


def test_name_only_template_matches_by_name() -> None:
    parsed = parse_join_comment("李四", JoinTemplate(require_dept=False))
    result = match_roster(parsed, ROSTER)
    assert result.matched and result.entry is not None and result.entry.id == "4" and result.level is None
    several = match_roster(Reading("张三", None), ROSTER)
    assert several.outcome is MatchOutcome.AMBIGUOUS
    assert {c.entry.id for c in several.candidates} >= {"1", "2"}


def test_best_reading_decides_before_alternatives() -> None:
    # 张三丰 + 办公室 finds two people: the weaker reading 张三 + 丰办公室 may not pick one of them.
    roster = [RosterEntry("a", "张三丰", "办公室"), RosterEntry("b", "张三丰", "办公室"), ROSTER[0]]
    result = match_roster(parse_join_comment("张三丰办公室"), roster)
    assert result.outcome is MatchOutcome.AMBIGUOUS
    # ...but when the best reading finds nobody, an alternative may match.
    result = match_roster(parse_join_comment("张三丰办公室"), [ROSTER[0]])
    assert result.matched and result.reading == Reading("张三", "丰办公室")


def test_candidates_are_capped_and_roster_duplicates_ignored() -> None:
    roster = [RosterEntry(str(i), "张三", f"{i}号科") for i in range(20)] + [
        RosterEntry("0", "张三", "0号科")
    ]
    result = match_roster(parse_join_comment("张三 办公室"), roster, max_candidates=3)
    assert len(result.candidates) == 3


@pytest.mark.parametrize(
    ("given", "roster_dept", "level"),
    [
        ("财务科", "财务科", DeptLevel.EXACT),
        ("财 务 科", "财务科", DeptLevel.EXACT),
        ("黄山市财政局办公室", "办公室", DeptLevel.ENDS_WITH),
        ("办公室", "黄山市财政局办公室", DeptLevel.ENDS_WITH),
        ("财务", "财务科", DeptLevel.CORE),
        ("信息", "信息中心", DeptLevel.CORE),
        ("财务处", "财务科", DeptLevel.CORE),
        ("办公室", "财务科", DeptLevel.NONE),
        ("室", "办公室", DeptLevel.NONE),
        ("", "办公室", DeptLevel.NONE),
    ],
)
def test_dept_level(given: str, roster_dept: str, level: DeptLevel) -> None:
    assert dept_level(given, roster_dept) is level


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("张三", "张山", True),
        ("张三", "李三", False),  # two characters: the surname must agree
        ("张三丰", "李三丰", True),
        ("张三", "张三丰", True),
        ("张三", "张三", False),  # equal is not "similar"
        ("张三", "王五", False),
        ("张", "章", False),
    ],
)
def test_names_similar(a: str, b: str, similar: bool) -> None:
    assert names_similar(a, b) is similar
