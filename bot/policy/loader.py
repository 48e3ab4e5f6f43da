"""Load and resolve policy: built-in presets + config/bot.toml → per-group effective values."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.policy.model import GroupSpec, PolicyFile, Preset, PresetSpec, UnitSpec


class PolicyError(Exception):
    """The policy file is malformed. The message is one line naming the file, the key and why."""


@dataclass(frozen=True)
class GroupPolicy:
    """What one group runs with: the resolved preset plus who holds bot-level roles there."""

    group_id: str
    preset: Preset
    unit_key: str | None = None
    unit_name: str = ""
    supervisors: frozenset[str] = field(default_factory=frozenset)
    deputies: frozenset[str] = field(default_factory=frozenset)
    leaders: frozenset[str] = field(default_factory=frozenset)
    owner: str = ""  # named in config/bot.toml (WeChat); QQ reports its owner itself
    admins: frozenset[str] = field(default_factory=frozenset)


class Policy:
    def __init__(self, spec: PolicyFile, builtin: dict[str, PresetSpec], source: str) -> None:
        self.spec = spec
        self.source = source
        self._specs: dict[str, PresetSpec] = {**builtin, **spec.presets}
        self._presets: dict[str, Preset] = {}
        self._groups: dict[str, GroupPolicy] = {}
        # Per-group overrides set at runtime (/规则, kept in the guard's table): (preset, values).
        self._runtime: dict[str, tuple[str | None, dict[str, Any]]] = {}
        self._validate()

    # --- resolution -------------------------------------------------------------------------
    @property
    def preset_names(self) -> list[str]:
        return sorted(self._specs)

    def preset(self, name: str) -> Preset:
        if name not in self._presets:
            self._presets[name] = Preset(name=name, **self._chain_values(name, ()))
        return self._presets[name]

    def _chain_values(self, name: str, seen: tuple[str, ...]) -> dict[str, Any]:
        spec = self._specs[name]
        base: dict[str, Any] = {}
        if spec.extends:
            base = self._chain_values(spec.extends, (*seen, name))
        return _merge(base, spec.values())

    def for_group(self, group_id: str) -> GroupPolicy:
        """Effective policy of a group; unknown groups get the default preset and no unit."""
        cached = self._groups.get(group_id)
        if cached is not None:
            return cached
        gspec = self.spec.groups.get(group_id, GroupSpec())
        unit: UnitSpec | None = self.spec.units.get(gspec.unit) if gspec.unit else None
        runtime_preset, runtime_values = self._runtime.get(group_id, (None, {}))
        preset_name = (
            runtime_preset or gspec.preset or (unit.preset if unit else None) or self.spec.default_preset
        )
        values = self._chain_values(preset_name, ())
        if unit:
            values = _merge(values, unit.overrides.values())
        values = _merge(values, gspec.overrides.values())
        values = _merge(values, runtime_values)
        gp = GroupPolicy(
            group_id=group_id,
            preset=Preset(name=preset_name, **values),
            unit_key=gspec.unit,
            unit_name=unit.name if unit else "",
            supervisors=frozenset(unit.supervisors if unit else ()),
            deputies=frozenset(gspec.deputies),
            leaders=frozenset([*gspec.leaders, *(unit.leaders if unit else ())]),
            owner=gspec.owner,
            admins=frozenset(gspec.admins),
        )
        self._groups[group_id] = gp
        return gp

    def set_group_overrides(
        self, group_id: str, values: dict[str, Any] | None = None, *, preset: str | None = None
    ) -> GroupPolicy:
        """Overrides for one group made at runtime (``/规则``), applied after config/bot.toml's.

        ``values`` has the shape of a preset section (e.g. ``{"guard": {"observe_only": True}}``);
        ``preset`` replaces the group's preset. Both empty clears them. The group's cached policy is
        dropped, so the next message sees the change. Invalid values raise :class:`PolicyError` and
        leave the previous overrides in place.
        """
        if preset is not None and preset not in self._specs:
            raise PolicyError(f"未知的预设 {preset!r}（可选：{', '.join(self.preset_names)}）")
        try:
            spec_values = PresetSpec.model_validate(values or {}).values()
        except ValidationError as e:
            err = e.errors()[0]
            raise PolicyError(f"{'.'.join(str(p) for p in err['loc'])}: {_msg(err)}") from None
        previous = self._runtime.get(group_id)
        if spec_values or preset:
            self._runtime[group_id] = (preset, spec_values)
        else:
            self._runtime.pop(group_id, None)
        self._groups.pop(group_id, None)
        try:
            return self.for_group(group_id)
        except ValidationError as e:
            if previous is None:
                self._runtime.pop(group_id, None)
            else:
                self._runtime[group_id] = previous
            self._groups.pop(group_id, None)
            err = e.errors()[0]
            raise PolicyError(f"{'.'.join(str(p) for p in err['loc'])}: {_msg(err)}") from None

    def group_overrides(self, group_id: str) -> tuple[str | None, dict[str, Any]]:
        """The runtime overrides of a group: ``(preset or None, values)``."""
        preset, values = self._runtime.get(group_id, (None, {}))
        return preset, dict(values)

    def supervised_units(self, user_id: str) -> list[str]:
        return [key for key, u in self.spec.units.items() if user_id in u.supervisors]

    # --- validation -------------------------------------------------------------------------
    def _validate(self) -> None:
        src = self.source
        for name, spec in self._specs.items():
            seen = [name]
            cur = spec
            while cur.extends:
                if cur.extends not in self._specs:
                    raise PolicyError(f"{src}: presets.{name}.extends: 未知的预设 {cur.extends!r}")
                if cur.extends in seen:
                    raise PolicyError(f"{src}: presets.{name}.extends: 预设继承形成循环 {' → '.join(seen)}")
                seen.append(cur.extends)
                cur = self._specs[cur.extends]
        known = ", ".join(self.preset_names)
        if self.spec.default_preset not in self._specs:
            raise PolicyError(
                f"{src}: default_preset: 未知的预设 {self.spec.default_preset!r}（可选：{known}）"
            )
        for key, unit in self.spec.units.items():
            if unit.preset and unit.preset not in self._specs:
                raise PolicyError(f"{src}: units.{key}.preset: 未知的预设 {unit.preset!r}（可选：{known}）")
        for gid, g in self.spec.groups.items():
            if g.preset and g.preset not in self._specs:
                raise PolicyError(f"{src}: groups.{gid}.preset: 未知的预设 {g.preset!r}（可选：{known}）")
            if g.unit and g.unit not in self.spec.units:
                raise PolicyError(
                    f"{src}: groups.{gid}.unit: 未定义的单位 {g.unit!r}（请在 [units.{g.unit}] 中定义）"
                )
        # Resolve everything once so that a bad value (e.g. working_hours) fails at start-up.
        for name in self._specs:
            _resolve_or_raise(lambda n=name: self.preset(n), f"{src}: presets.{name}")
        for gid in self.spec.groups:
            _resolve_or_raise(lambda g=gid: self.for_group(g), f"{src}: groups.{gid}.overrides")


def _resolve_or_raise(fn: Any, where: str) -> None:
    try:
        fn()
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"{where}.{key}: {_msg(err)}") from None


def _msg(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "未知的配置项"
    return str(err["msg"]).removeprefix("Value error, ")


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``; nested tables (citations, guard, guard.actions) merge key by key."""
    out = dict(base)
    for k, v in top.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


@cache
def builtin_presets() -> dict[str, PresetSpec]:
    text = resources.files("bot.policy").joinpath("presets.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {name: PresetSpec.model_validate(body) for name, body in raw.items()}


def load_policy(path: Path | None) -> Policy:
    """Load the policy file; a missing file means built-in defaults. Raises `PolicyError`."""
    if path is None or not path.exists():
        return Policy(PolicyFile(), builtin_presets(), source="(内置默认)")
    src = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{src}: TOML 语法错误：{e}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{src}: 文件不是 UTF-8 编码") from None
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"{src}: {key}: {_msg(err)}") from None
    return Policy(spec, builtin_presets(), source=src)
