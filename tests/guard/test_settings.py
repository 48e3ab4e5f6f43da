"""The guard section of the presets: code defaults equal presets.toml, nested merging, validation,
and per-group runtime overrides (what /规则 sets)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from bot.core.guard import KIND_BY_KEY
from bot.policy import PolicyError, load_policy
from bot.policy.model import DEFAULT_GUARD_ACTIONS, GuardSettings, Preset
from tests.utils import POLICY_FILE


def test_code_defaults_equal_the_default_preset() -> None:
    raw = tomllib.loads(resources.files("bot.policy").joinpath("presets.toml").read_text(encoding="utf-8"))
    toml_guard = raw["default"]["guard"]
    code = GuardSettings()
    assert {k: tuple(v) for k, v in toml_guard["actions"].items()} == DEFAULT_GUARD_ACTIONS
    for key, value in toml_guard.items():
        if key not in ("actions", "link_allow", "link_shorteners", "blocked_extensions"):
            assert getattr(code, key) == (tuple(value) if isinstance(value, list) else value), key


def test_every_kind_has_an_action() -> None:
    assert set(DEFAULT_GUARD_ACTIONS) == set(KIND_BY_KEY)


def test_presets_follow_their_regulations() -> None:
    policy = load_policy(None)
    yichun = policy.preset("yichun-2021")
    assert yichun.guard.actions["repeat_notice"] == ("warn",)  # 第九条
    assert yichun.guard.actions["gambling"] == ("recall", "warn")  # merged from default, per category
    assert yichun.cite("repeat_notice") == "依据《宜春市政务微信工作群管理规范》第九条"
    assert yichun.cite("off_topic") == "依据《宜春市政务微信工作群管理规范》第八条"
    huangshan = policy.preset("huangshan-finance-2020")
    assert (
        huangshan.cite("prohibited") == "依据《黄山市财政局政务新媒体平台和互联网工作群组管理办法》第十二条"
    )
    assert huangshan.cite("secret") == huangshan.cite("privacy") == huangshan.cite("prohibited")
    assert policy.preset("huangshi-nr-2021").cite("prohibited").endswith("政务新媒体管理制度》第十条")


@pytest.mark.parametrize(
    ("guard", "message"),
    [
        ({"actions": {"gambling": ["explode"]}}, "未知的动作"),
        ({"actions": {"nonsense": ["warn"]}}, "未知的类别"),
        ({"exempt": ["boss"]}, "未知的角色"),
        ({"link_allow": ["not a domain"]}, "不是域名"),
        ({"flood_messages": 1}, "greater than or equal"),
        ({"colour": "red"}, "未知的配置项"),
    ],
)
def test_bad_values_are_refused(guard: dict, message: str) -> None:  # type: ignore[type-arg]
    policy = load_policy(POLICY_FILE)
    with pytest.raises(PolicyError, match=message):
        policy.set_group_overrides("100", {"guard": guard})
    assert policy.group_overrides("100") == (None, {})  # nothing half-applied


def test_runtime_overrides_merge_and_clear() -> None:
    policy = load_policy(POLICY_FILE)
    before = policy.for_group("100")
    assert before.preset.name == "huangshan-finance-2020" and not before.preset.guard.observe_only
    gp = policy.set_group_overrides("100", {"guard": {"observe_only": True, "actions": {"ads": ["warn"]}}})
    assert gp is policy.for_group("100") and gp is not before
    assert gp.preset.guard.observe_only and gp.preset.guard.actions["ads"] == ("warn",)
    assert gp.preset.guard.actions["gambling"] == ("recall", "warn")
    assert gp.preset.regulation.startswith("黄山市财政局")  # the unit's preset stays
    gp = policy.set_group_overrides("100", {"guard": {"observe_only": True}}, preset="yichun-2021")
    assert gp.preset.name == "yichun-2021" and gp.preset.guard.observe_only
    assert gp.unit_key == "finance"  # roles and unit do not change with the preset
    assert policy.for_group("200").preset.guard.observe_only is False  # other groups untouched
    policy.set_group_overrides("100", None)
    assert policy.for_group("100").preset == before.preset


def test_unknown_preset_is_refused() -> None:
    policy = load_policy(POLICY_FILE)
    with pytest.raises(PolicyError, match="未知的预设"):
        policy.set_group_overrides("100", {}, preset="nowhere")


def test_a_preset_without_a_guard_section_gets_the_defaults() -> None:
    assert Preset().guard == GuardSettings()
