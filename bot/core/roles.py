"""Who is acting: the messenger identity, the teacher behind it, and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from storage.accounts import Account
from storage.teachers import Teacher


class Role(StrEnum):
    TEACHER = "teacher"
    MENTOR = "mentor"
    GROUP_ADMIN = "group_admin"
    COORDINATOR = "coordinator"


ANYONE: frozenset[Role] | None = None
REGISTERED = frozenset({Role.TEACHER})
COORDINATORS = frozenset({Role.COORDINATOR})
GROUP_ADMINS = frozenset({Role.GROUP_ADMIN, Role.COORDINATOR})
"""Who may manage groups: each group's admins (checked per group) and coordinators."""


@dataclass(slots=True)
class Actor:
    platform: str
    user_id: str
    chat_id: str
    account: Account | None
    teacher: Teacher | None
    roles: frozenset[Role]
    locale: str
    default_timezone: str

    @property
    def registered(self) -> bool:
        return self.teacher is not None and not self.teacher.deleted

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.teacher.timezone if self.teacher else self.default_timezone)

    def may(self, roles: frozenset[Role] | None) -> bool:
        return roles is None or bool(self.roles & roles)


def roles_of(
    teacher: Teacher | None, *, coordinator: bool, group_admin: bool = False
) -> frozenset[Role]:
    roles: set[Role] = set()
    if teacher is not None and not teacher.deleted:
        roles.add(Role.TEACHER)
        if teacher.wants_to_mentor:
            roles.add(Role.MENTOR)
        if group_admin:
            roles.add(Role.GROUP_ADMIN)
    if coordinator:
        roles.add(Role.COORDINATOR)
    return frozenset(roles)
