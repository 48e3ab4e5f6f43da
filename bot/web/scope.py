"""What a dashboard account may see: an operator everything, a supervisor the groups of their units
(from the policy file), an owner the groups named on the account. Every page and every action asks
the scope; a group outside it answers as if it did not exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.models.web import WebRole, WebUser
from bot.policy import Policy
from bot.store.web import split_list


@dataclass(frozen=True)
class Scope:
    role: WebRole
    units: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    @classmethod
    def of(cls, user: WebUser) -> Scope:
        return cls(WebRole(user.role), frozenset(split_list(user.units)), frozenset(split_list(user.groups)))

    @property
    def everything(self) -> bool:
        return self.role == WebRole.OPERATOR

    def allows(self, policy: Policy, group_id: str) -> bool:
        if self.role == WebRole.OPERATOR:
            return True
        if self.role == WebRole.SUPERVISOR:
            return (policy.for_group(group_id).unit_key or "") in self.units
        return group_id in self.groups

    def group_ids(self, policy: Policy, known: Iterable[str]) -> list[str] | None:
        """The groups to query among ``known`` (None = no filter: everything)."""
        if self.everything:
            return None
        return sorted(
            {g for g in known if self.allows(policy, g)}
            | (set(self.groups) if self.role == WebRole.OWNER else set())
        )

    def describe(self, policy: Policy) -> str:
        if self.everything:
            return "全部工作群"
        if self.role == WebRole.SUPERVISOR:
            names = [u.name if (u := policy.spec.units.get(k)) else k for k in sorted(self.units)]
            return "单位：" + ("、".join(names) or "（未指定单位）")
        return "群：" + ("、".join(sorted(self.groups)) or "（未指定群）")
