"""Roles, from least to most powerful."""

from enum import StrEnum


class Role(StrEnum):
    """What a user or token may do: read, write evidence, or administer."""

    reader = "reader"
    analyst = "analyst"
    admin = "admin"


_RANK = {Role.reader: 0, Role.analyst: 1, Role.admin: 2}


def allows(role: str, required: Role) -> bool:
    """True when `role` is at least `required`."""
    if role not in Role.__members__:
        return False
    return _RANK[Role(role)] >= _RANK[required]
