from pathlib import Path

import pytest

from bot.policy import PolicyError, load_policy
from tests.utils import POLICY_FILE


def test_builtin_presets_cover_the_five_regulations() -> None:
    policy = load_policy(None)
    assert set(policy.preset_names) >= {
        "default",
        "huangshan-finance-2020",
        "huangshi-nr-2021",
        "huaibei-2021",
        "yichun-2021",
        "kunming",
    }


@pytest.mark.parametrize(
    ("preset", "rule", "citation"),
    [
        ("yichun-2021", "off_hours", "依据《宜春市政务微信工作群管理规范》第十条"),
        (
            "huangshan-finance-2020",
            "filing",
            "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十条",
        ),
        ("huangshi-nr-2021", "filing", "依据《黄石市自然资源和规划局(林业局)政务新媒体管理制度》第九条"),
        ("kunming", "rectification", "依据《昆明市党政群网站及新媒体管理办法》第十五条"),
        # never another city's regulation: the national basis where it has the clause, else the own
        # regulation and the group's rules
        ("kunming", "off_hours", "依据《昆明市党政群网站及新媒体管理办法》及本群群规"),
        ("kunming", "admission", "依据《互联网群组信息服务管理规定》第六条"),
        (
            "huangshan-finance-2020",
            "real_name",
            "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》及本群群规",
        ),
        (
            "huangshan-finance-2020",
            "rectification",
            "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》及本群群规",
        ),
        ("default", "secret", "依据《互联网群组信息服务管理规定》第十条"),
    ],
)
def test_citations(preset: str, rule: str, citation: str) -> None:
    assert load_policy(None).preset(preset).cite(rule) == citation


def test_filing_deadlines_follow_the_regulations() -> None:
    p = load_policy(None)
    assert p.preset("huangshi-nr-2021").filing_days == 2  # 黄石 第九条: 2 个工作日
    assert p.preset("huangshan-finance-2020").filing_days == 7
    assert p.preset("default").filing_days == 2  # the strictest common ground


def test_group_resolution_unit_preset_and_overrides() -> None:
    p = load_policy(POLICY_FILE)
    g = p.for_group("100")
    assert g.preset.name == "huangshan-finance-2020"
    assert g.unit_name == "测试市财政局"
    assert g.supervisors == {"20001"} and g.deputies == {"20003"} and "20002" in g.leaders
    g2 = p.for_group("200")
    assert g2.preset.name == "yichun-2021" and g2.preset.working_hours == "09:00-17:00"
    assert g2.preset.card_must_be_real_name is True
    unknown = p.for_group("999999")
    assert unknown.preset.name == "default" and unknown.unit_key is None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('default_preset = "nope"\n', "default_preset: 未知的预设 'nope'"),
        ('[groups."1"]\npresett = "kunming"\n', "groups.1.presett: 未知的配置项"),
        ('[groups."1"]\nunit = "x"\n', "groups.1.unit: 未定义的单位 'x'"),
        ('[groups."1"]\noverrides = { working_hours = "8:30-17:30" }\n', "groups.1.overrides.working_hours"),
        ('[presets.a]\nextends = "b"\n[presets.b]\nextends = "a"\n', "循环"),
        ('[units.u]\nname = "x"\npreset = "nope"\n', "units.u.preset"),
        ("default_preset = \n", "TOML 语法错误"),
        ('[groups."1"]\noverrides = { filing_days = 0 }\n', "groups.1.overrides.filing_days"),
    ],
)
def test_malformed_policy_is_one_clear_line(tmp_path: Path, toml: str, expected: str) -> None:
    f = tmp_path / "bot.toml"
    f.write_text(toml, encoding="utf-8")
    with pytest.raises(PolicyError) as e:
        load_policy(f)
    msg = str(e.value)
    assert expected in msg and "\n" not in msg and str(f) in msg


def test_operator_preset_extends_a_builtin(tmp_path: Path) -> None:
    f = tmp_path / "bot.toml"
    f.write_text(
        '[presets.ours]\nextends = "yichun-2021"\nfiling_days = 3\n[groups."5"]\npreset = "ours"\n',
        encoding="utf-8",
    )
    g = load_policy(f).for_group("5")
    assert g.preset.filing_days == 3 and g.preset.card_must_be_real_name
    assert g.preset.cite("off_hours") == "依据《宜春市政务微信工作群管理规范》第十条"


def test_shipped_config_file_is_valid() -> None:
    load_policy(Path(__file__).parent.parent / "config" / "bot.toml")
