"""Roles (SPEC §8): operator ⊃ supervisor ⊃ owner ⊃ admin ⊃ deputy ⊃ leader ⊃ member.

Leaders receive suggestions and may read them; they are placed below deputies so that a command
open to leaders is open to every manager too. Roles come from the platform (owner / admin in the
group) and from the bot's own records (SUPERUSERS; units' supervisors and leaders, groups' deputies
and leaders in config/bot.toml).
"""

from __future__ import annotations

import enum

from bot.policy import Policy


class Role(enum.IntEnum):
    MEMBER = 0
    LEADER = 10
    DEPUTY = 20
    ADMIN = 30
    OWNER = 40
    SUPERVISOR = 50
    OPERATOR = 60

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.MEMBER: "群成员",
    Role.LEADER: "分管领导",
    Role.DEPUTY: "分管管理员",
    Role.ADMIN: "群管理员",
    Role.OWNER: "群主",
    Role.SUPERVISOR: "监管单位",
    Role.OPERATOR: "运维人员",
}

_PLATFORM_ROLES = {"owner": Role.OWNER, "admin": Role.ADMIN}


class RoleBook:
    """Remembers the platform roles seen in group messages, for commands sent in private chat."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], dict[str, Role]] = {}  # (platform, user) → group → role

    def note(self, platform: str, group_id: str, user_id: str, platform_role: str) -> None:
        role = _PLATFORM_ROLES.get(platform_role, Role.MEMBER)
        groups = self._seen.setdefault((platform, user_id), {})
        if role is Role.MEMBER:
            groups.pop(group_id, None)
        else:
            groups[group_id] = role

    def managed_groups(self, platform: str, user_id: str) -> dict[str, Role]:
        return dict(self._seen.get((platform, user_id), {}))


def resolve_role(
    user_id: str,
    *,
    group_id: str,
    platform: str,
    platform_role: str,
    policy: Policy,
    superusers: frozenset[str],
    book: RoleBook | None = None,
) -> Role:
    """The caller's role where the command was sent (a group, or private chat when group_id == "")."""
    if user_id in superusers:
        return Role.OPERATOR
    if not group_id:
        if policy.supervised_units(user_id):
            return Role.SUPERVISOR
        managed = book.managed_groups(platform, user_id) if book else {}
        deputy_or_leader = [
            Role.DEPUTY if user_id in g.deputies else Role.LEADER
            for gid in policy.spec.groups
            if user_id in (g := policy.for_group(gid)).deputies or user_id in g.leaders
        ]
        return max([*managed.values(), *deputy_or_leader], default=Role.MEMBER)
    gp = policy.for_group(group_id)
    if user_id in gp.supervisors:
        return Role.SUPERVISOR
    if platform_role in _PLATFORM_ROLES:
        return _PLATFORM_ROLES[platform_role]
    if user_id in gp.deputies:
        return Role.DEPUTY
    if user_id in gp.leaders:
        return Role.LEADER
    return Role.MEMBER
