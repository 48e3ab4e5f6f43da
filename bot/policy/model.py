"""Policy: presets (one per regulation), units, groups and their overrides.

Resolution order for a group: preset chain (`extends`) → unit overrides → group overrides.
Unknown keys are errors, so that a typo in config/bot.toml stops start-up instead of being ignored.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.guard.categories import KIND_BY_KEY
from bot.core.guard.finding import Act

_HHMM_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_JOIN_TEMPLATE = re.compile(r"^姓名([-－—_/+ ](\S{1,10}))?$")


# --- content guard (SPEC §3) ------------------------------------------------------------------
# Defaults here equal [default.guard] in presets.toml (tests/guard/test_settings.py keeps them so).
DEFAULT_GUARD_ACTIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("political", "porn", "gambling", "violence", "drugs"), ("recall", "warn")),
    **dict.fromkeys(("ads", "fraud", "illegal", "secret"), ("recall", "warn")),
    "rumor": ("warn",),
    "offtopic": ("warn_private",),
    "formalism": ("notify",),
    "abuse": ("recall", "warn"),
    "id_number": ("recall", "warn"),
    "bank_card": ("recall", "warn"),
    "mobile": ("recall", "warn"),
    "link_shortener": ("recall", "warn"),
    "link_unknown": ("log",),
    "link_card": ("warn_private",),
    "file_secret": ("warn", "notify"),
    "file_type": ("warn", "notify"),
    "repeat_notice": ("warn_private",),
    "flood": ("mute", "warn"),
}
GUARD_EXEMPT_ROLES = ("owner", "admin", "deputy", "leader", "supervisor", "operator")


class GuardSettings(BaseModel):
    """The content guard's settings in a preset (``[<preset>.guard]``); see presets.toml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    observe_only: bool = False
    actions: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_GUARD_ACTIONS))
    serious: tuple[str, ...] = ("political", "violence", "secret", "file_secret")
    detect_mobile: bool = False
    link_allow: tuple[str, ...] = ()
    link_shorteners: tuple[str, ...] = ()
    blocked_extensions: tuple[str, ...] = ()
    repeat_window_days: int = Field(default=7, ge=0, le=90)
    repeat_min_chars: int = Field(default=20, ge=8, le=500)
    flood_messages: int = Field(default=10, ge=2, le=1000)
    flood_seconds: int = Field(default=10, ge=1, le=3600)
    flood_same_text: int = Field(default=5, ge=2, le=1000)
    flood_same_seconds: int = Field(default=60, ge=1, le=3600)
    exempt: tuple[str, ...] = ("owner", "admin")
    mute_seconds: int = Field(default=600, ge=60, le=30 * 86400)
    mute_after: int = Field(default=3, ge=1, le=100)
    notify_after: int = Field(default=4, ge=1, le=100)
    propose_removal_after: int = Field(default=5, ge=1, le=100)

    @field_validator("actions")
    @classmethod
    def _actions(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        known = {a.value for a in Act}
        for kind, acts in v.items():
            if kind not in KIND_BY_KEY:
                raise ValueError(f"未知的类别 {kind!r}（可选：{', '.join(KIND_BY_KEY)}）")
            bad = [a for a in acts if a not in known]
            if bad:
                raise ValueError(f"{kind}: 未知的动作 {', '.join(bad)}（可选：{', '.join(sorted(known))}）")
        return {**DEFAULT_GUARD_ACTIONS, **v}

    @field_validator("serious")
    @classmethod
    def _serious(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [k for k in v if k not in KIND_BY_KEY]
        if bad:
            raise ValueError(f"未知的类别 {', '.join(bad)}")
        return v

    @field_validator("exempt")
    @classmethod
    def _exempt(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in v if r not in GUARD_EXEMPT_ROLES]
        if bad:
            raise ValueError(f"未知的角色 {', '.join(bad)}（可选：{', '.join(GUARD_EXEMPT_ROLES)}）")
        return v

    @field_validator("link_allow", "link_shorteners")
    @classmethod
    def _domains(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for raw in v:
            d = raw.strip().lower().removeprefix("http://").removeprefix("https://").strip("/.")
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d):
                raise ValueError(f"不是域名：{raw!r}")
            out.append(d)
        return tuple(dict.fromkeys(out))

    @field_validator("blocked_extensions")
    @classmethod
    def _extensions(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.strip().lower().lstrip(".") for e in v if e.strip(" .")))


class GuardSpec(BaseModel):
    """``[<preset>.guard]`` as written: any subset of :class:`GuardSettings` (``actions`` merges by
    category, lists replace)."""

    model_config = ConfigDict(extra="forbid")

    observe_only: bool | None = None
    actions: dict[str, list[str]] | None = None
    serious: list[str] | None = None
    detect_mobile: bool | None = None
    link_allow: list[str] | None = None
    link_shorteners: list[str] | None = None
    blocked_extensions: list[str] | None = None
    repeat_window_days: int | None = None
    repeat_min_chars: int | None = None
    flood_messages: int | None = None
    flood_seconds: int | None = None
    flood_same_text: int | None = None
    flood_same_seconds: int | None = None
    exempt: list[str] | None = None
    mute_seconds: int | None = None
    mute_after: int | None = None
    notify_after: int | None = None
    propose_removal_after: int | None = None


class Preset(BaseModel):
    """The effective values a group runs with. Every field has a default so partial presets work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "default"
    regulation: str = "工作群管理通用规范"
    description: str = ""
    filing_days: int = Field(default=7, ge=1, le=60)
    refiling_days: int = Field(default=7, ge=1, le=60)
    temporary_dissolve_days: int = Field(default=2, ge=1, le=60)
    # Filing register (SPEC §6): a group without a message for dormant_days is proposed for
    # dissolution (huaibei 第十五条; 0 = no check); an overdue filing is reminded again, to the owner
    # and the unit's supervisors, every escalation_interval_days working days; an overdue case
    # (kunming 第十五条) is escalated again every case_escalation_days working days.
    dormant_days: int = Field(default=30, ge=0, le=365)
    escalation_interval_days: int = Field(default=5, ge=1, le=60)
    case_escalation_days: int = Field(default=1, ge=1, le=30)
    confirm_each_entry: bool = False
    card_must_be_real_name: bool = False
    card_pattern: str = "{name}-{dept}"
    remove_unverified: bool = False
    verify_grace_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Admission (SPEC §2): what a join-request comment must hold (「姓名」 or 「姓名-<label>」), an
    # example shown to applicants, and the working hours between the reminder and the removal.
    join_template: str = "姓名-科室"
    join_example: str = ""
    verify_reminder_hours: int = Field(default=8, ge=1, le=24 * 30)
    working_hours: str = "08:30-17:30"
    lunch_break: str = ""
    urgent_words: tuple[str, ...] = ("【紧急】", "紧急", "急")
    # Working hours (SPEC §4): remind the sender of an off-hours work notice (yichun 第十条), also
    # recall it, and hold notices posted through /通知 for a reviewer (三审, huaibei 第十七条).
    off_hours_notice: bool = True
    off_hours_recall: bool = False
    notice_review: bool = False
    strike_expiry_days: int = Field(default=30, ge=1, le=365)
    # Weekly review (SPEC §5, huangshan 第十一条): when it runs (review_weekday 0 = the first working
    # day of the week, 1–7 = Monday–Sunday), when a silent member is listed (informational), the pause
    # between two removals of a cleanup; suggestions (SPEC §7) captured from messages, leaders' digest.
    review_enabled: bool = True
    review_weekday: int = Field(default=0, ge=0, le=7)
    review_time: str = "09:00"
    inactive_days: int = Field(default=30, ge=0, le=365)
    cleanup_pace_seconds: float = Field(default=20.0, ge=0, le=3600)
    suggestion_capture: bool = True
    suggestion_digest: bool = True
    # Day one (SPEC §2 existing members, §3 observe-only): a group's existing members are invited to
    # /实名 privately, onboarding_batch at a time every onboarding_pace_minutes (inside working hours),
    # with onboarding_grace_days working days to verify; a group never seen before starts in
    # observe-only mode for observe_days days (0 = act at once).
    onboarding: bool = True
    onboarding_grace_days: int = Field(default=5, ge=1, le=60)
    onboarding_batch: int = Field(default=10, ge=1, le=200)
    onboarding_pace_minutes: float = Field(default=5.0, ge=0, le=24 * 60)
    onboarding_working_hours_only: bool = True
    observe_days: int = Field(default=3, ge=0, le=60)
    citations: dict[str, str] = Field(default_factory=dict)
    guard: GuardSettings = Field(default_factory=GuardSettings)

    @field_validator("join_template")
    @classmethod
    def _join_template(cls, v: str) -> str:
        if not _JOIN_TEMPLATE.match(v):
            raise ValueError(f"应为「姓名」或「姓名-科室」（科室可换成部门、单位等），收到 {v!r}")
        return v

    @field_validator("working_hours", "lunch_break")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if v and not _HHMM_RANGE.match(v):
            raise ValueError(f"应为 HH:MM-HH:MM 形式，收到 {v!r}")
        return v

    @field_validator("review_time")
    @classmethod
    def _review_time(cls, v: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", v):
            raise ValueError(f"应为 HH:MM 形式，收到 {v!r}")
        return v

    def cite(self, rule: str) -> str:
        """「依据《…》第N条」 for a rule key — always the group's own regulation.

        A citation written as a full reference (「《…》第N条」) is used only when it names this preset's
        own regulation or the national basis (《互联网群组信息服务管理规定》, which the regulations
        themselves build on); one that names another city's regulation — inherited from ``default`` —
        falls back to the national basis's clause for the rule, else to the own regulation's title and
        the group's rules. So a huangshan group never cites 《宜春市…》, and only a kunming group cites
        kunming 第十五条.
        """
        article = self.citations.get(rule, "")
        if article.startswith("《"):
            if article.startswith((f"《{self.regulation}》", f"《{NATIONAL_BASIS}》")):
                return f"依据{article}"
            article = ""
        if article:
            return f"依据《{self.regulation}》{article}"
        national = NATIONAL_CLAUSES.get(rule)
        if national:
            return f"依据《{NATIONAL_BASIS}》{national}"
        return f"依据《{self.regulation}》及本群群规"


NATIONAL_BASIS = "互联网群组信息服务管理规定"
#: Clauses of the national basis by rule key: 第六条 后台实名、前台自愿的真实身份认证 (admission; not
#: real_name, which is yichun's public 实名制和请出制); 第九条 群组建立者、
#: 管理者履行群组管理责任; 第十条 群组成员不得传播法律法规禁止的信息内容.
NATIONAL_CLAUSES: dict[str, str] = {
    "admission": "第六条",
    "weekly_review": "第九条",
    "suggestions": "第九条",
    "off_topic": "第九条",
    "prohibited": "第十条",
    "secret": "第十条",
    "privacy": "第十条",
    "rumor": "第十条",
}


class PresetSpec(BaseModel):
    """A preset as written in a TOML file: any subset of `Preset`'s fields plus `extends`."""

    model_config = ConfigDict(extra="forbid")

    extends: str | None = None
    regulation: str | None = None
    description: str | None = None
    filing_days: int | None = None
    refiling_days: int | None = None
    temporary_dissolve_days: int | None = None
    dormant_days: int | None = None
    escalation_interval_days: int | None = None
    case_escalation_days: int | None = None
    confirm_each_entry: bool | None = None
    card_must_be_real_name: bool | None = None
    card_pattern: str | None = None
    remove_unverified: bool | None = None
    verify_grace_hours: int | None = None
    join_template: str | None = None
    join_example: str | None = None
    verify_reminder_hours: int | None = None
    working_hours: str | None = None
    lunch_break: str | None = None
    urgent_words: list[str] | None = None
    off_hours_notice: bool | None = None
    off_hours_recall: bool | None = None
    notice_review: bool | None = None
    strike_expiry_days: int | None = None
    review_enabled: bool | None = None
    review_weekday: int | None = None
    review_time: str | None = None
    inactive_days: int | None = None
    cleanup_pace_seconds: float | None = None
    suggestion_capture: bool | None = None
    suggestion_digest: bool | None = None
    onboarding: bool | None = None
    onboarding_grace_days: int | None = None
    onboarding_batch: int | None = None
    onboarding_pace_minutes: float | None = None
    onboarding_working_hours_only: bool | None = None
    observe_days: int | None = None
    citations: dict[str, str] | None = None
    guard: GuardSpec | None = None

    def values(self) -> dict[str, Any]:
        # exclude_none also drops the unset fields of the nested guard section.
        return self.model_dump(exclude={"extends"}, exclude_none=True)


class UnitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    preset: str | None = None
    supervisors: list[str] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    overrides: PresetSpec = Field(default_factory=PresetSpec)

    @field_validator("supervisors", "leaders", mode="before")
    @classmethod
    def _ids_as_str(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v


class GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    unit: str | None = None
    preset: str | None = None
    # Owner and admins named by the operator (WeChat member lists carry no roles); QQ reports its own.
    owner: str = ""
    admins: list[str] = Field(default_factory=list)
    deputies: list[str] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    overrides: PresetSpec = Field(default_factory=PresetSpec)

    @field_validator("admins", "deputies", "leaders", mode="before")
    @classmethod
    def _ids_as_str(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v

    @field_validator("owner", mode="before")
    @classmethod
    def _id_as_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v


class PolicyFile(BaseModel):
    """The shape of config/bot.toml."""

    model_config = ConfigDict(extra="forbid")

    default_preset: str = "default"
    presets: dict[str, PresetSpec] = Field(default_factory=dict)
    units: dict[str, UnitSpec] = Field(default_factory=dict)
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
