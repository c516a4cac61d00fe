"""The one permission matrix: role x resource x action -> scope, within a program.

``MATRIX`` is data; ``can`` answers a single question; ``scope_queryset`` narrows a queryset to
the rows a user may read (or write); the DRF permission classes and the page views build on them.
Superusers are the "admin" role: everything, in every program. A program admin (Membership role
``admin``) manages their own programs like a coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model, Q, QuerySet
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from people.models import Membership
from scheduling.models import State

Role = Membership.Role


class Scope(StrEnum):
    PROGRAM = "program"  # every row of the program
    PUBLISHED = "published"  # the program's published rows only
    OWN = "own"  # rows about the user's own person


READ, WRITE = "read", "write"
_MANAGE: dict[str, Scope] = {Role.ADMIN: Scope.PROGRAM, Role.COORDINATOR: Scope.PROGRAM}
_EVERYONE: dict[str, Scope] = {**_MANAGE, Role.FACULTY: Scope.PROGRAM, Role.RESIDENT: Scope.PROGRAM}
_OWN: dict[str, Scope] = {Role.FACULTY: Scope.OWN, Role.RESIDENT: Scope.OWN}
_PUBLISHED: dict[str, Scope] = {Role.FACULTY: Scope.PUBLISHED, Role.RESIDENT: Scope.PUBLISHED}

# resource -> action -> role -> scope. A missing entry means "no".
MATRIX: dict[str, dict[str, dict[str, Scope]]] = {
    "program": {READ: _EVERYONE, WRITE: {}},
    "person": {READ: _EVERYONE, WRITE: _MANAGE},
    "membership": {READ: _MANAGE, WRITE: _MANAGE},
    "absence": {READ: {**_MANAGE, **_OWN}, WRITE: _MANAGE},
    "request": {READ: {**_MANAGE, **_OWN}, WRITE: {**_MANAGE, **_OWN}},
    "rotation": {READ: _EVERYONE, WRITE: _MANAGE},
    "shift_type": {READ: _EVERYONE, WRITE: _MANAGE},
    "coverage": {READ: _EVERYONE, WRITE: _MANAGE},
    "curriculum": {READ: _EVERYONE, WRITE: _MANAGE},
    "academic_year": {READ: _EVERYONE, WRITE: _MANAGE},
    "block": {READ: _EVERYONE, WRITE: _MANAGE},
    "rotation_assignment": {READ: {**_MANAGE, **_PUBLISHED}, WRITE: _MANAGE},
    "assignment": {READ: {**_MANAGE, **_PUBLISHED}, WRITE: _MANAGE},
    "run": {READ: _MANAGE, WRITE: _MANAGE},
    "validation": {READ: _MANAGE, WRITE: _MANAGE},
    "subscription": {
        READ: {Role.ADMIN: Scope.OWN, Role.COORDINATOR: Scope.OWN, **_OWN},
        WRITE: {Role.ADMIN: Scope.OWN, Role.COORDINATOR: Scope.OWN, **_OWN},
    },
    "import": {READ: _MANAGE, WRITE: _MANAGE},
    "export": {READ: _MANAGE, WRITE: {}},
}


@dataclass(frozen=True)
class Resource:
    """Where a resource's rows keep their program, owner and publication state."""

    program_path: str
    owner_path: str | None = None
    state_path: str | None = None


RESOURCES: dict[str, Resource] = {
    "program": Resource("pk"),
    "person": Resource("program"),
    "membership": Resource("program"),
    "absence": Resource("person__program", owner_path="person"),
    "request": Resource("person__program", owner_path="person"),
    "rotation": Resource("program"),
    "shift_type": Resource("program"),
    "coverage": Resource("shift_type__program"),
    "curriculum": Resource("rotation__program"),
    "academic_year": Resource("program"),
    "block": Resource("academic_year__program"),
    "rotation_assignment": Resource("person__program", state_path="state"),
    "assignment": Resource("person__program", state_path="state"),
    "run": Resource("program"),
    "subscription": Resource("program", owner_path="owner"),
}


@dataclass(frozen=True)
class Seat:
    role: str
    person_id: int | None


def seats(user: Any) -> dict[int, Seat]:
    """program id -> the user's role (and linked person) there; cached on the request's user."""
    cached = getattr(user, "_api_seats", None)
    if cached is None:
        cached = {}
        if getattr(user, "is_authenticated", False) and user.is_active:
            for program_id, role, person_id in Membership.objects.filter(user=user).values_list(
                "program_id", "role", "person_id"
            ):
                cached[program_id] = Seat(role, person_id)
        user._api_seats = cached
    return cached


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def scope_for(user: Any, resource: str, action: str, program_id: int | None) -> Scope | None:
    if is_admin(user):
        return Scope.PROGRAM
    seat = seats(user).get(program_id) if program_id is not None else None
    if seat is None:
        return None
    return MATRIX[resource][action].get(seat.role)


def can(
    user: Any, resource: str, action: str, program: Any, *, owner_id: int | None = None
) -> bool:
    """May ``user`` do ``action`` on ``resource`` in ``program`` (on a row owned by ``owner_id``)?"""
    program_id = getattr(program, "pk", program)
    scope = scope_for(user, resource, action, program_id)
    if scope is None:
        return False
    if scope == Scope.OWN:
        seat = seats(user).get(program_id)
        return seat is not None and seat.person_id is not None and seat.person_id == owner_id
    return True


def can_any(user: Any, resource: str, action: str) -> bool:
    """May the user do this in at least one program (the door before the row)?"""
    return is_admin(user) or any(
        MATRIX[resource][action].get(seat.role) for seat in seats(user).values()
    )


def scope_queryset(
    user: Any, resource: str, queryset: QuerySet[Any], action: str = READ
) -> QuerySet[Any]:
    """The rows of ``queryset`` the user may see (or change), by program, owner and state."""
    if is_admin(user):
        return queryset
    where = RESOURCES[resource]
    full: list[int] = []
    condition = Q(pk__in=[])
    for program_id, seat in seats(user).items():
        scope = MATRIX[resource][action].get(seat.role)
        if scope == Scope.PROGRAM:
            full.append(program_id)
        elif scope == Scope.PUBLISHED and where.state_path:
            condition |= Q(**{where.program_path: program_id, where.state_path: State.PUBLISHED})
        elif scope == Scope.OWN and where.owner_path and seat.person_id is not None:
            condition |= Q(**{where.program_path: program_id, where.owner_path: seat.person_id})
    if full:
        condition |= Q(**{f"{where.program_path}__in": full})
    return queryset.filter(condition)


def program_id_of(resource: str, obj: Model) -> int:
    value: Any = obj
    for part in RESOURCES[resource].program_path.split("__"):
        value = value.pk if part == "pk" else getattr(value, part)
    return int(getattr(value, "pk", value))


def owner_id_of(resource: str, obj: Model) -> int | None:
    path = RESOURCES[resource].owner_path
    return getattr(obj, f"{path}_id") if path else None


def require(
    user: Any, resource: str, action: str, program: Any, *, owner_id: int | None = None
) -> None:
    """For page views: the same matrix, answering 403 through Django's PermissionDenied."""
    if not can(user, resource, action, program, owner_id=owner_id):
        raise DjangoPermissionDenied(f"Your role may not {action} {resource} rows here.")


class MatrixPermission(BasePermission):
    """Lets a request through when the user's roles allow the view's resource and action at all;
    row-level checks (which program, whose row) follow in ``has_object_permission``."""

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return can_any(request.user, view.resource, action_of(request, view))

    def has_object_permission(self, request: Request, view: Any, obj: Model) -> bool:
        action = action_of(request, view)
        resource = view.resource
        return can(
            request.user,
            resource,
            action,
            program_id_of(resource, obj),
            owner_id=owner_id_of(resource, obj),
        )


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def action_of(request: Request, view: Any) -> str:
    override = getattr(view, "matrix_action", None)
    if override:
        return str(override)
    return READ if request.method in SAFE_METHODS else WRITE
