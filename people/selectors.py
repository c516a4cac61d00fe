"""Reads about programs, people and who may see what."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from people.models import Membership

UserLike = AbstractBaseUser | AnonymousUser


def _cached(user: Any, attribute: str, roles: tuple[str, ...] | None) -> frozenset[int]:
    # Admin asks many times per request; the user object lives for one request, so cache on it.
    cached = getattr(user, attribute, None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            cached = frozenset()
        else:
            memberships = Membership.objects.filter(user=user)
            if roles is not None:
                memberships = memberships.filter(role__in=roles)
            cached = frozenset(memberships.values_list("program_id", flat=True))
        setattr(user, attribute, cached)
    return cached


def managed_program_ids(user: UserLike) -> frozenset[int]:
    """Programs the user administers or coordinates (the coordinator console's scope)."""
    return _cached(user, "_managed_program_ids", tuple(Membership.MANAGER_ROLES))


def member_program_ids(user: UserLike) -> frozenset[int]:
    """Programs the user belongs to in any role."""
    return _cached(user, "_member_program_ids", None)


def user_manages_any_program(user: UserLike) -> bool:
    return bool(getattr(user, "is_superuser", False) or managed_program_ids(user))
