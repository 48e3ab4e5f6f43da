"""Roles (SPEC §8): operator ⊃ supervisor ⊃ owner ⊃ admin ⊃ deputy ⊃ leader ⊃ member.

Leaders receive suggestions and may read them; they are placed below deputies so that a command
open to leaders is open to every manager too. Roles come from the platform (owner / admin in the
group) and from the bot's own records (SUPERUSERS; units' supervisors and leaders, groups' deputies
and leaders in config/bot.toml).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Protocol

from bot.policy import GroupPolicy, Policy


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
    """Owner / admin roles per (platform, user) and group, from the platform and from operators.

    An in-memory mirror of ``steward_member_role`` (``bot.store.roles``): loaded at start-up, refreshed
    periodically and for the caller of each command, so that a platform admin is recognised in private
    chat after a restart and across processes, while ordinary messages never read the database.
    ``note`` (a message's sender role) returns True when it changed what is known, so the caller
    persists only changes.
    """

    def __init__(self) -> None:
        # (platform, user) → group → role, one map per source ("platform" | "operator")
        self._seen: dict[tuple[str, str], dict[str, Role]] = {}
        self._named: dict[tuple[str, str], dict[str, Role]] = {}
        self._loaded: set[tuple[str, str, str, str]] = set()  # (source, platform, user, group) from the store

    def _map(self, source: str) -> dict[tuple[str, str], dict[str, Role]]:
        return self._named if source == "operator" else self._seen

    def note(self, platform: str, group_id: str, user_id: str, platform_role: str) -> bool:
        """What the platform says of a member now (``owner`` | ``admin`` | ``member``; anything else,
        e.g. "" on WeChat, says nothing). True when this changed the book."""
        if platform_role not in ("owner", "admin", "member"):
            return False
        return self.put(platform, group_id, user_id, platform_role, source="platform")

    def put(self, platform: str, group_id: str, user_id: str, role: str | None, *, source: str) -> bool:
        new = _PLATFORM_ROLES.get(role or "", Role.MEMBER)
        book = self._map(source)
        groups = book.get((platform, user_id))
        old = groups.get(group_id, Role.MEMBER) if groups else Role.MEMBER
        if old == new:
            return False
        if new is Role.MEMBER:
            assert groups is not None
            groups.pop(group_id, None)
            if not groups:
                book.pop((platform, user_id), None)
        else:
            book.setdefault((platform, user_id), {})[group_id] = new
        return True

    def load(self, rows: Iterable[RoleLike], *, user: tuple[str, str] | None = None) -> None:
        """Bring the book in line with stored rows (all of them, or one (platform, user)'s).

        Entries an earlier load brought in and that are no longer stored are dropped (another process
        saw the change); entries only noted in memory (never stored) are kept.
        """
        fresh: dict[tuple[str, str, str, str], Role] = {}
        for r in rows:
            role = _PLATFORM_ROLES.get(r.role)
            if role is not None:
                fresh[(r.source, r.platform, r.user_id, r.group_id)] = role
        gone = [k for k in self._loaded if k not in fresh and (user is None or (k[1], k[2]) == user)]
        for source, platform, uid, gid in gone:
            self._loaded.discard((source, platform, uid, gid))
            groups = self._map(source).get((platform, uid))
            if groups is not None:
                groups.pop(gid, None)
                if not groups:
                    self._map(source).pop((platform, uid), None)
        for (source, platform, uid, gid), role in fresh.items():
            self._map(source).setdefault((platform, uid), {})[gid] = role
            self._loaded.add((source, platform, uid, gid))

    def forget_group(self, platform: str, group_id: str) -> None:
        for (p, _), groups in list(self._seen.items()):
            if p == platform:
                groups.pop(group_id, None)

    def role_in(self, platform: str, group_id: str, user_id: str) -> Role:
        """The stored role in one group (the higher of the platform's and the operator's)."""
        key = (platform, user_id)
        return max(
            self._seen.get(key, {}).get(group_id, Role.MEMBER),
            self._named.get(key, {}).get(group_id, Role.MEMBER),
        )

    def named_role(self, platform: str, group_id: str, user_id: str) -> Role:
        """The role an operator named (config is separate: see ``_configured``)."""
        return self._named.get((platform, user_id), {}).get(group_id, Role.MEMBER)

    def managed_groups(self, platform: str, user_id: str) -> dict[str, Role]:
        key = (platform, user_id)
        out = dict(self._seen.get(key, {}))
        for gid, role in self._named.get(key, {}).items():
            out[gid] = max(out.get(gid, Role.MEMBER), role)
        return out

    def owners(self, platform: str, group_id: str) -> list[str]:
        """Users known as the group's owner (platform first, then operator-named)."""
        seen = [u for (p, u), g in self._seen.items() if p == platform and g.get(group_id) is Role.OWNER]
        named = [u for (p, u), g in self._named.items() if p == platform and g.get(group_id) is Role.OWNER]
        return sorted(seen) + sorted(set(named) - set(seen))

    def admins(self, platform: str, group_id: str) -> set[str]:
        """Owners and admins known for the group, from both sources."""
        return {
            u
            for book in (self._seen, self._named)
            for (p, u), g in book.items()
            if p == platform and group_id in g
        }


role_book = RoleBook()  # the process's book (``bot.dispatch.rolestore`` keeps it in step with the store)


class RoleLike(Protocol):
    @property
    def platform(self) -> str: ...
    @property
    def group_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def source(self) -> str: ...


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
        for gid in policy.spec.groups:
            role = configured_role(policy.for_group(gid), user_id)
            if role > managed.get(gid, Role.MEMBER):
                managed[gid] = role
        deputy_or_leader = [
            Role.DEPUTY if user_id in g.deputies else Role.LEADER
            for gid in policy.spec.groups
            if user_id in (g := policy.for_group(gid)).deputies or user_id in g.leaders
        ]
        return max([*managed.values(), *deputy_or_leader], default=Role.MEMBER)
    gp = policy.for_group(group_id)
    if user_id in gp.supervisors:
        return Role.SUPERVISOR
    named = configured_role(gp, user_id)
    if book is not None:
        # What the message says wins for the platform's own roles (QQ); the book adds what operators
        # named and what the platform reported elsewhere (WeChat messages carry no role).
        stored = book.role_in(platform, group_id, user_id)
        if platform_role in ("owner", "admin", "member"):
            stored = max(
                _PLATFORM_ROLES.get(platform_role, Role.MEMBER),
                book.named_role(platform, group_id, user_id),
            )
        named = max(named, stored)
    if platform_role in _PLATFORM_ROLES:
        named = max(named, _PLATFORM_ROLES[platform_role])
    if named > Role.MEMBER:
        return named
    if user_id in gp.deputies:
        return Role.DEPUTY
    if user_id in gp.leaders:
        return Role.LEADER
    return Role.MEMBER


def configured_role(gp: GroupPolicy, user_id: str) -> Role:
    """Owner / admin named for the group in config/bot.toml."""
    if gp.owner and user_id == gp.owner:
        return Role.OWNER
    if user_id in gp.admins:
        return Role.ADMIN
    return Role.MEMBER
