"""The register's pure core: deadlines in working days across holidays and 调休, the reminder and
escalation cadence, change detection, unit checks, the one-line form, and the 登记备案表 files."""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.core.calendar import TZ, WorkCalendar, WorkingHours
from bot.core.register import (
    HEADERS,
    FieldError,
    FilingField,
    GroupFacts,
    GroupKind,
    Observed,
    RegisterEntry,
    Step,
    StepKind,
    activity_label,
    case_escalation_at,
    csv_text,
    detect_changes,
    dissolve_deadline,
    dissolve_starts,
    dormant_groups,
    due_case_escalation,
    due_step,
    duplicate_groups,
    duty_steps,
    filing_deadline,
    is_form,
    matter_key,
    missing_fields,
    normalize_contact,
    parse_date,
    parse_form,
    parse_value,
    quarter_bounds,
    quarterly_due,
    sheet_title,
    split_owner_answer,
    sync_due,
    weekly_due,
    weekly_key,
    xlsx_bytes,
)

CAL = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# --- deadlines ----------------------------------------------------------------------------------

# (first seen, working days, due). 2026: National Day 10-01…10-07 off with make-up days Sun 09-20 and
# Sat 10-10; Mid-Autumn Fri 09-25 off; Spring Festival 02-15…02-23 off with make-up Sat 02-14 and
# Sat 02-28; New Year 01-01…01-03 off with make-up Sun 01-04; Labour Day 05-01…05-05 with Sat 05-09.
FILING_TABLE = [
    # huangshan 第十条, 7 working days: Friday-night sighting before National Day.
    (at(2026, 9, 30, 22, 40), 7, at(2026, 10, 15, 17, 30)),
    # Mid-Autumn (Fri 09-25) and the weekend skipped, then National Day, then Sat 10-10 counted.
    (at(2026, 9, 24, 10, 0), 7, at(2026, 10, 12, 17, 30)),
    # huangshi 第九条, 2 working days, across National Day.
    (at(2026, 9, 30, 9, 0), 2, at(2026, 10, 9, 17, 30)),
    # Spring Festival: the make-up Saturday before counts, the nine days off do not.
    (at(2026, 2, 13, 15, 0), 2, at(2026, 2, 24, 17, 30)),
    # … and the make-up Saturday after ends a 7-day period.
    (at(2026, 2, 12, 11, 0), 7, at(2026, 2, 28, 17, 30)),
    # Seen on a Saturday: the make-up Sunday 09-20 is the first working day.
    (at(2026, 9, 19, 12, 0), 2, at(2026, 9, 21, 17, 30)),
    # New Year: Sun 01-04 is a working day.
    (at(2026, 1, 1, 12, 0), 2, at(2026, 1, 5, 17, 30)),
    # Labour Day, with Sat 05-09 counted.
    (at(2026, 4, 30, 9, 0), 7, at(2026, 5, 13, 17, 30)),
    # An ordinary week: Monday morning + 7 → the next Wednesday.
    (at(2026, 11, 16, 9, 0), 7, at(2026, 11, 25, 17, 30)),
]


@pytest.mark.parametrize(("seen", "days", "due"), FILING_TABLE)
def test_filing_deadline_table(seen: datetime, days: int, due: datetime) -> None:
    assert filing_deadline(seen, days, CAL) == due
    # A UTC timestamp of the same moment gives the same deadline.
    assert filing_deadline(seen.astimezone(UTC), days, CAL) == due


@pytest.mark.parametrize(
    ("end", "days", "due", "first_reminder"),
    [
        # huangshi 第九条: dissolve within 2 working days after the work ends (that day not counted).
        (date(2026, 9, 30), 2, at(2026, 10, 9, 17, 30), at(2026, 10, 8, 8, 30)),
        (date(2026, 2, 13), 2, at(2026, 2, 24, 17, 30), at(2026, 2, 14, 8, 30)),
        (date(2026, 10, 9), 2, at(2026, 10, 12, 17, 30), at(2026, 10, 10, 8, 30)),
        (date(2026, 11, 20), 2, at(2026, 11, 24, 17, 30), at(2026, 11, 23, 8, 30)),
    ],
)
def test_dissolve_deadline_table(end: date, days: int, due: datetime, first_reminder: datetime) -> None:
    assert dissolve_deadline(end, days, CAL) == due
    assert dissolve_starts(end, CAL) == first_reminder


def test_deadlines_follow_the_groups_working_hours() -> None:
    late = WorkCalendar(CAL.days, WorkingHours.parse("09:00-17:00"))
    assert filing_deadline(at(2026, 11, 16, 9, 0), 2, late) == at(2026, 11, 18, 17, 0)


# --- the reminder cadence -----------------------------------------------------------------------


def test_steps_of_a_filing_across_national_day() -> None:
    seen = at(2026, 9, 30, 22, 40)
    due = filing_deadline(seen, 7, CAL)
    start = CAL.next_working_start(seen)
    steps = [s for s, _ in zip(duty_steps(start, due, CAL, 5), range(6), strict=False)]
    assert [(s.kind, s.at, s.round) for s in steps] == [
        (StepKind.START, at(2026, 10, 8, 8, 30), 0),
        (StepKind.BEFORE, at(2026, 10, 14, 8, 30), 0),
        (StepKind.DUE, at(2026, 10, 15, 8, 30), 0),
        (StepKind.OVERDUE, at(2026, 10, 16, 8, 30), 1),
        (StepKind.OVERDUE, at(2026, 10, 23, 8, 30), 2),
        (StepKind.OVERDUE, at(2026, 10, 30, 8, 30), 3),
    ]
    assert [s.index for s in steps] == list(range(6))
    assert [s.escalates for s in steps] == [False, False, False, True, True, True]


def test_escalation_interval_counts_working_days_over_holidays() -> None:
    # Due on the last working day before Spring Festival: the first overdue reminder is on the make-up
    # Saturday, the next ones every 2 working days after the holiday.
    due = at(2026, 2, 13, 17, 30)
    start = at(2026, 2, 10, 9, 0)
    steps = duty_steps(start, due, CAL, 2)
    overdue = list(islice((s.at for s in steps if s.kind is StepKind.OVERDUE), 3))
    assert overdue == [at(2026, 2, 14, 8, 30), at(2026, 2, 25, 8, 30), at(2026, 2, 27, 8, 30)]


def test_short_deadline_skips_steps_that_would_come_before_the_start() -> None:
    # huangshi: 2 working days, first seen Tuesday 10:00 (reminded at once because the bot was added).
    start = at(2026, 11, 17, 10, 0)
    due = filing_deadline(start, 2, CAL)
    kinds = [(s.kind, s.at) for s, _ in zip(duty_steps(start, due, CAL, 5), range(4), strict=False)]
    assert kinds == [
        (StepKind.START, start),
        (StepKind.BEFORE, at(2026, 11, 18, 8, 30)),
        (StepKind.DUE, at(2026, 11, 19, 8, 30)),
        (StepKind.OVERDUE, at(2026, 11, 20, 8, 30)),
    ]


def test_a_duty_that_starts_overdue_begins_with_its_next_round() -> None:
    due = at(2026, 11, 2, 17, 30)
    start = at(2026, 11, 20, 10, 0)
    steps = [s for s, _ in zip(duty_steps(start, due, CAL, 5), range(3), strict=False)]
    assert steps[0].kind is StepKind.START
    assert all(s.kind is StepKind.OVERDUE and s.at > start for s in steps[1:])
    assert steps[1].at == at(2026, 11, 24, 8, 30)


def test_due_step_sends_only_the_latest_missed_step_once() -> None:
    seen = at(2026, 9, 30, 22, 40)
    due = filing_deadline(seen, 7, CAL)
    start = CAL.next_working_start(seen)
    # Nothing due before the start.
    fire, after = due_step(start, due, CAL, 5, 0, at(2026, 10, 1, 10, 0))
    assert fire is None and after.kind is StepKind.START
    # Down from before the start until after the second overdue round: one reminder, round 2.
    fire, after = due_step(start, due, CAL, 5, 0, at(2026, 10, 26, 11, 0))
    assert fire is not None and fire.kind is StepKind.OVERDUE and fire.round == 2
    assert after.at == at(2026, 10, 30, 8, 30)
    # Once taken (stage = index + 1), the same moment gives nothing more.
    fire2, _ = due_step(start, due, CAL, 5, fire.index + 1, at(2026, 10, 26, 11, 0))
    assert fire2 is None


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        next(iter(duty_steps(at(2026, 11, 16, 9), at(2026, 11, 20, 17, 30), CAL, 0)))


def test_case_escalation_cadence() -> None:
    # A serious case received at 17:00 on the last day before National Day (inside working hours):
    # due 17:30; escalated at once when overdue, then every working day — the make-up Saturday too.
    due = at(2026, 9, 30, 17, 30)
    assert case_escalation_at(due, 1, CAL, 1) == due
    assert case_escalation_at(due, 2, CAL, 1) == at(2026, 10, 8, 8, 30)
    assert case_escalation_at(due, 3, CAL, 1) == at(2026, 10, 9, 8, 30)
    assert case_escalation_at(due, 4, CAL, 1) == at(2026, 10, 10, 8, 30)
    assert due_case_escalation(due, 0, CAL, 1, at(2026, 9, 30, 17, 0)) == (None, due)
    assert due_case_escalation(due, 0, CAL, 1, at(2026, 9, 30, 18, 0)) == (1, at(2026, 10, 8, 8, 30))
    # Back after the holiday, mid-morning on 10-09: one escalation (round 3), next on 10-10.
    assert due_case_escalation(due, 1, CAL, 1, at(2026, 10, 9, 10, 0)) == (3, at(2026, 10, 10, 8, 30))
    with pytest.raises(ValueError):
        case_escalation_at(due, 0, CAL, 1)


# --- periods --------------------------------------------------------------------------------------


def test_weekly_summary_is_due_on_the_first_working_day_of_the_week() -> None:
    assert weekly_due(CAL, at(2026, 11, 25, 12)) == at(2026, 11, 23, 9, 0)
    # National Day week: 10-05 … 10-07 off, Thursday 10-08 is its first working day.
    assert weekly_due(CAL, at(2026, 10, 9, 12)) == at(2026, 10, 8, 9, 0)
    # Spring Festival week 02-16 … 02-22: no working day at all.
    assert weekly_due(CAL, at(2026, 2, 18, 12)) is None
    assert weekly_key(at(2026, 11, 22, 23, 59)) == "2026-W47"
    assert weekly_key(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)) == "2026-W48"  # Monday 00:30 Shanghai


def test_quarterly_summary_for_the_previous_quarter() -> None:
    assert quarterly_due(CAL, at(2026, 10, 20)) == ((2026, 3), at(2026, 10, 8, 9, 0))
    assert quarterly_due(CAL, at(2026, 1, 15)) == ((2025, 4), at(2026, 1, 4, 9, 0))
    start, end = quarter_bounds(2026, 4)
    assert (start, end) == (at(2026, 10, 1), at(2027, 1, 1))
    assert sync_due(at(2026, 11, 23, 10)) == ("2026-11-23", at(2026, 11, 23, 7, 0))


# --- change detection and unit checks -----------------------------------------------------------


def test_change_detection() -> None:
    filed = Observed("办公室工作群", "40001")
    assert detect_changes(filed, Observed("办公室工作群", "40001")) == []
    [name] = detect_changes(filed, Observed("综合科工作群", "40001"))
    assert (name.field, name.old, name.new) == ("name", "办公室工作群", "综合科工作群")
    assert [c.field for c in detect_changes(filed, Observed("综合科工作群", "40009"))] == ["name", "owner"]
    # Unknown values (a failed lookup, WeChat without roles) are never a change.
    assert detect_changes(filed, Observed("", "")) == []
    assert detect_changes(Observed("", ""), Observed("新群名", "1")) == []
    assert detect_changes(filed, Observed(" 办公室工作群 ", "40001")) == []


def test_matter_key_folds_the_usual_variants() -> None:
    assert matter_key("预算编制工作") == matter_key("预算编制") == matter_key("预算 编制工作群")
    assert matter_key("ＡＢＣ事项") == matter_key("abc")
    assert matter_key("群") == "群"


def _g(gid: str, unit: str = "u", matter: str = "预算编制", **kw: object) -> GroupFacts:
    return GroupFacts(
        platform="qq", group_id=gid, unit=unit, name=f"群{gid}", matter=matter, filed=True, **kw
    )  # type: ignore[arg-type]


def test_duplicate_groups_for_one_unit_and_matter() -> None:
    groups = [
        _g("1"),
        _g("2", matter="预算编制工作"),
        _g("3", matter="项目评审"),
        _g("4", temporary=True),  # temporary groups are exempt
        _g("5", unit="other"),  # another unit
        GroupFacts("qq", "6", "u", "群6", "预算编制", filed=False),  # not filed yet
    ]
    [(matter, members)] = duplicate_groups(groups)
    assert matter == "预算编制" and [g.group_id for g in members] == ["1", "2"]


def test_dormant_groups() -> None:
    now = at(2026, 11, 23, 9)
    groups = [
        _g("1", last_message=now - timedelta(days=45)),
        _g("2", last_message=now - timedelta(days=3)),
        _g("3", first_seen=now - timedelta(days=40)),  # never a message, seen 40 days ago
        _g("4", first_seen=now - timedelta(days=5)),  # new
    ]
    assert [(g.group_id, idle) for g, idle in dormant_groups(groups, now, 30)] == [("1", 45), ("3", 40)]
    assert [g.group_id for g, _ in dormant_groups(groups, now, {"1": 60, "3": 30})] == ["3"]
    assert dormant_groups(groups, now, 0) == []


def test_activity_label() -> None:
    assert activity_label(0, 100) == "休眠（近30天 0 条）"
    assert activity_label(0, 3) == "无消息（近3天 0 条）"
    assert activity_label(12, 100) == "较少（近30天 12 条）"
    assert activity_label(120, 100) == "一般（近30天 120 条）"
    assert activity_label(900, 100) == "活跃（近30天 900 条）"


# --- fields and the one-line form ---------------------------------------------------------------

TODAY = date(2026, 11, 23)


def test_one_line_form() -> None:
    text = (
        "科室=办公室 事项=预算 编制；类型：临时，结束=12月31日 入群方式＝申请审核 群规=只发工作信息，不闲聊"
    )
    assert is_form(text)
    form = parse_form(text)
    assert form.unknown_keys == () and form.repeated == ()
    assert form.values == {
        FilingField.DEPT: "办公室",
        FilingField.MATTER: "预算 编制",
        FilingField.KIND: "临时",
        FilingField.END_DATE: "12月31日",
        FilingField.ENTRY: "申请审核",
        FilingField.RULES: "只发工作信息，不闲聊",
    }


def test_form_reports_unknown_and_repeated_keys_and_ignores_keys_inside_values() -> None:
    assert parse_form("科室=办公室 颜色=红").unknown_keys == ("颜色",)
    assert parse_form("科室=办公室 科室=综合科").repeated == (FilingField.DEPT,)
    # 「单位」 inside a value is not the key 单位.
    assert parse_form("事项=配合单位：做好对接").values == {FilingField.MATTER: "配合单位：做好对接"}
    assert parse_form("随便写点=什么").unknown_keys == ("随便写点",)
    assert not is_form("办公室") and not is_form("2026-12-31")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("２０２６－１２－３１", date(2026, 12, 31)),
        ("12月31日", date(2026, 12, 31)),
        ("12-31", date(2026, 12, 31)),
        ("6月10日", date(2026, 6, 10)),  # earlier this year: the work ended already
        ("1月10日", date(2027, 1, 10)),  # more than half a year back: next January
        ("20261231", date(2026, 12, 31)),
        ("今天", TODAY),
        ("昨天", TODAY - timedelta(days=1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_a_date_without_year_more_than_half_a_year_back_is_next_year() -> None:
    assert parse_date("1月10日", date(2026, 12, 20)) == date(2027, 1, 10)
    assert parse_date("12月20日", date(2026, 1, 5)) == date(2026, 12, 20)


@pytest.mark.parametrize("text", ["2026-02-30", "下周", "12月", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(FieldError):
        parse_date(text, TODAY)


def test_values() -> None:
    assert parse_value(FilingField.KIND, "临时工作群", TODAY) is GroupKind.TEMPORARY
    assert parse_value(FilingField.KIND, "专项", TODAY) is GroupKind.SPECIAL
    assert parse_value(FilingField.KIND, "常设", TODAY) is GroupKind.STANDING
    assert parse_value(FilingField.END_DATE, "未定", TODAY) is None
    assert parse_value(FilingField.DEPT, "  办公室 ", TODAY) == "办公室"
    assert parse_value(FilingField.CONTACT, "138 1234 5678", TODAY) == "13812345678"
    assert normalize_contact("0559-1234567") == "0559-1234567"
    for f, bad in [
        (FilingField.KIND, "随便"),
        (FilingField.CONTACT, "12345"),
        (FilingField.OWNER, "李四13812345678"),
        (FilingField.DEPT, ""),
        (FilingField.MATTER, "长" * 101),
    ]:
        with pytest.raises(FieldError):
            parse_value(f, bad, TODAY)


def test_owner_answer_may_carry_the_phone() -> None:
    assert split_owner_answer("李四 13812345678") == ("李四", "13812345678")
    assert split_owner_answer("李四，电话：0559-1234567") == ("李四，电话", "0559-1234567")
    assert split_owner_answer("欧阳娜娜") == ("欧阳娜娜", None)


def test_missing_fields_in_guided_order() -> None:
    none = dict.fromkeys(FilingField, False)
    assert missing_fields(none, None)[:3] == [FilingField.NAME, FilingField.DEPT, FilingField.MATTER]
    assert FilingField.END_DATE not in missing_fields(none, GroupKind.STANDING)
    assert FilingField.END_DATE in missing_fields(none, GroupKind.TEMPORARY)
    personal_off = missing_fields(none, None, personal_ok=False)
    assert FilingField.OWNER not in personal_off and FilingField.CONTACT not in personal_off
    assert missing_fields(dict.fromkeys(FilingField, True), GroupKind.SPECIAL) == []


# --- the 登记备案表 ---------------------------------------------------------------------------


def _entry(unit: str, gid: str, **kw: str) -> RegisterEntry:
    base = dict.fromkeys(RegisterEntry.__dataclass_fields__, "")
    base.update(unit=unit, group_id=gid, name=f"工作群{gid}", platform="QQ", status="已备案", owner="李*")
    base.update(kw)
    return RegisterEntry(**base)


def test_xlsx_has_one_sheet_per_unit_with_chinese_headers_and_readable_widths() -> None:
    long_rules = "只发布与工作有关的信息，不闲聊，不转发与工作无关的链接，非紧急事项不在下班时间发布"
    sheets = {
        "测试市财政局": [
            _entry("测试市财政局", "100", rules=long_rules, contact="138****5678"),
            _entry("测试市财政局", "101"),
        ],
        "未归属单位": [
            _entry("未归属单位", "200", status="未备案", due="待备案，期限 2026-11-25 17:30（已逾期）")
        ],
    }
    data = xlsx_bytes(sheets, title="工作群登记备案表", generated_at=at(2026, 11, 23, 10))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["测试市财政局", "未归属单位"]
    ws = wb["测试市财政局"]
    assert "工作群登记备案表" in ws["A1"].value and "2026-11-23 10:00" in ws["A1"].value
    assert [c.value for c in ws[2]] == list(HEADERS)
    assert ws["A3"].value == 1 and ws.cell(row=3, column=HEADERS.index("群号") + 1).value == "100"
    assert ws.cell(row=3, column=HEADERS.index("联系方式") + 1).value == "138****5678"
    assert ws.max_row == 4
    widths = {h: ws.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(HEADERS) if i < 26}
    assert widths["群规群纪"] == 40  # capped, wrapped
    # Wide (CJK) characters count two: 「群组名称」 needs 8 columns, plus a margin.
    assert widths["群组名称"] >= 10 and widths["序号"] >= 6 and widths["待办及期限"] > widths["平台"]
    rules_cell = ws.cell(row=3, column=HEADERS.index("群规群纪") + 1)
    assert rules_cell.alignment.wrap_text
    assert ws.freeze_panes == "C3" and ws["A2"].font.bold
    other = wb["未归属单位"]
    assert other.cell(row=3, column=HEADERS.index("备案状态") + 1).value == "未备案"


def test_xlsx_of_an_empty_register_still_opens() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes({}, title="工作群登记备案表", generated_at=at(2026, 11, 23))))
    assert wb.sheetnames == ["未归属单位"]
    assert [c.value for c in wb.active[2]] == list(HEADERS)


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("市委/网信办[测试]", taken) == "市委_网信办_测试_"
    long = "某某市某某区某某街道办事处党政综合办公室信息中心机关党委"
    first = sheet_title(long, taken)
    second = sheet_title(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second


def test_csv_has_a_bom_and_every_unit() -> None:
    text = csv_text({"甲": [_entry("甲", "1")], "乙": [_entry("乙", "2"), _entry("乙", "3")]})
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(HEADERS)
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"] and [r[1] for r in rows[1:]] == ["甲", "乙", "乙"]


# --- computed, not walked: the cost does not grow with the distance to the deadline ------------


def _reference_due_step(
    start: datetime, due: datetime, cal: WorkCalendar, interval: int, done: int, now: datetime
) -> tuple[Step | None, Step]:
    """The walking definition (every step from the start), to check the computed one against."""
    fire = None
    for step in duty_steps(start, due, cal, interval):
        if step.index < done:
            continue
        if step.at > now:
            return fire, step
        fire = step
    raise AssertionError


def _reference_case(due: datetime, done: int, cal: WorkCalendar, interval: int, now: datetime) -> Any:
    fire, round_ = None, done + 1
    while case_escalation_at(due, round_, cal, interval) <= now:
        fire, round_ = round_, round_ + 1
    return fire, case_escalation_at(due, round_, cal, interval)


def test_computed_steps_agree_with_walking_them() -> None:
    rng = random.Random(18)
    base = at(2025, 12, 1, 9, 0)
    for _ in range(300):
        seen = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        due = filing_deadline(seen, rng.choice([2, 5, 7]), CAL)
        start = seen + timedelta(days=rng.choice([0, 0, 3, 20]))
        now = seen + timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
        interval = rng.choice([1, 2, 3, 5])
        done = rng.randrange(0, 12)
        assert due_step(start, due, CAL, interval, done, now) == _reference_due_step(
            start, due, CAL, interval, done, now
        )
        assert due_case_escalation(due, done, CAL, interval, now) == _reference_case(
            due, done, CAL, interval, now
        )


def test_a_deadline_decades_ago_costs_no_more_than_yesterday() -> None:
    now = at(2026, 12, 2, 10, 0)
    for seen in (datetime(1970, 1, 1, tzinfo=UTC), at(2000, 1, 1, 0, 0)):
        started = time.perf_counter()
        due = filing_deadline(seen, 7, CAL)
        fire, after = due_step(seen, due, CAL, 3, 0, now)
        assert fire is not None and fire.kind is StepKind.OVERDUE and after.at > now
        due_case_escalation(due, 0, CAL, 1, now)
        assert CAL.working_days_between(due, now) > 5000
        assert time.perf_counter() - started < 2.0  # was ~30 s for 1970 (quadratic walk)
