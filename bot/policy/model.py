"""Policy: presets (one per regulation), units, groups and their overrides.

Resolution order for a group: preset chain (`extends`) → unit overrides → group overrides.
Unknown keys are errors, so that a typo in config/bot.toml stops start-up instead of being ignored.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HHMM_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
_JOIN_TEMPLATE = re.compile(r"^姓名([-－—_/+ ](\S{1,10}))?$")


class Preset(BaseModel):
    """The effective values a group runs with. Every field has a default so partial presets work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "default"
    regulation: str = "工作群管理通用规范"
    description: str = ""
    filing_days: int = Field(default=7, ge=1, le=60)
    refiling_days: int = Field(default=7, ge=1, le=60)
    temporary_dissolve_days: int = Field(default=2, ge=1, le=60)
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
    citations: dict[str, str] = Field(default_factory=dict)

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

    def cite(self, rule: str) -> str:
        """「依据《…》第N条」 for a rule key; falls back to the regulation's title alone."""
        article = self.citations.get(rule, "")
        if article.startswith("《"):
            return f"依据{article}"
        return f"依据《{self.regulation}》{article}"


class PresetSpec(BaseModel):
    """A preset as written in a TOML file: any subset of `Preset`'s fields plus `extends`."""

    model_config = ConfigDict(extra="forbid")

    extends: str | None = None
    regulation: str | None = None
    description: str | None = None
    filing_days: int | None = None
    refiling_days: int | None = None
    temporary_dissolve_days: int | None = None
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
    citations: dict[str, str] | None = None

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude={"extends"}).items() if v is not None}


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
    deputies: list[str] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    overrides: PresetSpec = Field(default_factory=PresetSpec)

    @field_validator("deputies", "leaders", mode="before")
    @classmethod
    def _ids_as_str(cls, v: Any) -> Any:
        return [str(x) for x in v] if isinstance(v, list) else v


class PolicyFile(BaseModel):
    """The shape of config/bot.toml."""

    model_config = ConfigDict(extra="forbid")

    default_preset: str = "default"
    presets: dict[str, PresetSpec] = Field(default_factory=dict)
    units: dict[str, UnitSpec] = Field(default_factory=dict)
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
