"""Who may see and do what: the one access module.

Every door asks here: the coordinator console (``console.admin``), the HTML pages (the ``page``
decorator), the DRF permission class (``api.permissions``) and the calendar feeds.

- **Roles** are Membership roles within a program; an active superuser is the "admin" role in
  every program. A program admin manages their own programs like a coordinator.
- **Grants**: the user's role (and linked person) per program, read once per request.
- **Registry** (``RESOURCES``): for each scoped model, the lookup path to its program, to the
  person who owns a row, and to its publication state. A model that is not registered cannot be
  shown in the console, and a test fails for any domain model missing here.
- **Matrix** (``MATRIX``): resource x action x role -> scope. A missing entry means "no".
  Pages and API routes name one (resource, action) each; the role-matrix tests list both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, resolve, reverse
from django.views.decorators.http import require_http_methods

from people.models import Membership, Person, Program
from scheduling.models import State

Role = Membership.Role
MANAGER_ROLES: tuple[str, ...] = tuple(Membership.MANAGER_ROLES)
SESSION_PROGRAM = "program_code"


class Scope(StrEnum):
    PROGRAM = "program"  # every row of the program
    PUBLISHED = "published"  # the program's published rows only
    OWN = "own"  # rows about the user's own person


# Actions. ``submit`` is asking for something about oneself (an absence, a wish); ``decide`` is
# approving or denying it. Both differ from plain writes, which managers alone may do.
READ, WRITE, SUBMIT, DECIDE = "read", "write", "submit", "decide"

_MANAGE: dict[str, Scope] = {Role.ADMIN: Scope.PROGRAM, Role.COORDINATOR: Scope.PROGRAM}
_EVERYONE: dict[str, Scope] = {**_MANAGE, Role.FACULTY: Scope.PROGRAM, Role.RESIDENT: Scope.PROGRAM}
_OWN: dict[str, Scope] = {Role.FACULTY: Scope.OWN, Role.RESIDENT: Scope.OWN}
_ALL_OWN: dict[str, Scope] = {Role.ADMIN: Scope.OWN, Role.COORDINATOR: Scope.OWN, **_OWN}
_PUBLISHED: dict[str, Scope] = {Role.FACULTY: Scope.PUBLISHED, Role.RESIDENT: Scope.PUBLISHED}

# resource -> action -> role -> scope.
MATRIX: dict[str, dict[str, dict[str, Scope]]] = {
    "program": {READ: _EVERYONE, WRITE: {}},
    "person": {READ: _EVERYONE, WRITE: _MANAGE},
    "membership": {READ: _MANAGE, WRITE: _MANAGE},
    "absence": {
        READ: {**_MANAGE, **_OWN},
        WRITE: _MANAGE,
        SUBMIT: _ALL_OWN,
        DECIDE: _MANAGE,
    },
    "request": {
        READ: {**_MANAGE, **_OWN},
        WRITE: {**_MANAGE, **_OWN},
        SUBMIT: _ALL_OWN,
        DECIDE: _MANAGE,
    },
    # Standing preferences (preferred/avoided shifts and weekdays, workload targets): like
    # requests, people state their own and managers decide; the policy is the program's.
    "standing_preference": {
        READ: {**_MANAGE, **_OWN},
        WRITE: {**_MANAGE, **_OWN},
        SUBMIT: _ALL_OWN,
        DECIDE: _MANAGE,
    },
    "preference_policy": {READ: _MANAGE, WRITE: _MANAGE},
    "certification": {READ: {**_MANAGE, **_OWN}, WRITE: _MANAGE},
    "procedure": {READ: _EVERYONE, WRITE: _MANAGE},
    "credential": {READ: {**_MANAGE, **_OWN}, WRITE: _MANAGE},
    "rotation": {READ: _EVERYONE, WRITE: _MANAGE},
    "shift_type": {READ: _EVERYONE, WRITE: _MANAGE},
    "coverage": {READ: _EVERYONE, WRITE: _MANAGE},
    "curriculum": {READ: _EVERYONE, WRITE: _MANAGE},
    "program_rule": {READ: _MANAGE, WRITE: _MANAGE},
    "academic_year": {READ: _EVERYONE, WRITE: _MANAGE},
    "block": {READ: _EVERYONE, WRITE: _MANAGE},
    "holiday": {READ: _EVERYONE, WRITE: _MANAGE},
    "rotation_assignment": {READ: {**_MANAGE, **_PUBLISHED}, WRITE: _MANAGE},
    "assignment": {READ: {**_MANAGE, **_PUBLISHED}, WRITE: _MANAGE},
    "run": {READ: _MANAGE, WRITE: _MANAGE},
    "run_progress": {READ: _MANAGE, WRITE: {}},
    "validation": {READ: _MANAGE, WRITE: _MANAGE},
    "subscription": {READ: _ALL_OWN, WRITE: _ALL_OWN},
    "notification": {READ: _ALL_OWN, WRITE: _ALL_OWN},
    "preference": {READ: _ALL_OWN, WRITE: _ALL_OWN},
    "delivery": {READ: _MANAGE, WRITE: {}},
    "webhook": {READ: _MANAGE, WRITE: _MANAGE},
    "invitation": {READ: _MANAGE, WRITE: _MANAGE},
    "import": {READ: _MANAGE, WRITE: _MANAGE},
    "import_job": {READ: _MANAGE, WRITE: _MANAGE},
    "export": {READ: _MANAGE, WRITE: {}},
    # Swaps: everyone reads the program's marketplace; residents and faculty offer, respond
    # and withdraw for themselves (``submit``); managers decide (approve, reject, execute, undo).
    "swap": {READ: _EVERYONE, WRITE: _MANAGE, SUBMIT: {**_MANAGE, **_OWN}, DECIDE: _MANAGE},
    "swap_candidate": {READ: {**_MANAGE, **_OWN}, WRITE: {}},
    "swap_chain_link": {READ: {**_MANAGE, **_OWN}, WRITE: {}},
    "swap_chain_decline": {READ: {**_MANAGE, **_OWN}, WRITE: {}},
    "swap_policy": {READ: _MANAGE, WRITE: _MANAGE},
    # Conflicts: managers work the queue (apply, dismiss); people read the alerts about them.
    "conflict": {READ: {**_MANAGE, **_OWN}, WRITE: _MANAGE, DECIDE: _MANAGE},
    "conflict_policy": {READ: _MANAGE, WRITE: _MANAGE},
    "backup_duty": {READ: {**_MANAGE, **_OWN}, WRITE: _MANAGE},
    "resilience": {READ: _MANAGE, WRITE: _MANAGE},
    "resilience_settings": {READ: _MANAGE, WRITE: _MANAGE},
    "contingency": {READ: _MANAGE, WRITE: _MANAGE},
    "fallback": {READ: _MANAGE, WRITE: _MANAGE},
    # Analytics: the fairness report and one's own duty-hour calendar (residents and faculty see
    # their own line against their peers' anonymous distribution); the program-wide heatmaps.
    "analytics": {READ: {**_MANAGE, **_OWN}},
    "heatmap": {READ: _MANAGE},
    # Pareto alternatives: coordinators ask for them, compare them and publish one.
    "pareto": {READ: _MANAGE, WRITE: _MANAGE},
    # Pages that show the program's published boards (dashboard, manifest, roster, timeline).
    "board": {READ: _EVERYONE},
}


@dataclass(frozen=True)
class Resource:
    """Where a model's rows keep their program, owner and publication state."""

    model: str  # "app_label.modelname"
    program_path: str  # "pk" for Program itself
    owner_path: str | None = None  # to the owning Person
    state_path: str | None = None  # to a scheduling State


RESOURCES: dict[str, Resource] = {
    "program": Resource("people.program", "pk"),
    "person": Resource("people.person", "program"),
    "membership": Resource("people.membership", "program"),
    "absence": Resource("people.absence", "person__program", owner_path="person"),
    "request": Resource("people.request", "person__program", owner_path="person"),
    "standing_preference": Resource(
        "people.standingpreference", "person__program", owner_path="person"
    ),
    "preference_policy": Resource("people.preferencepolicy", "program"),
    "certification": Resource("people.certification", "person__program", owner_path="person"),
    "procedure": Resource("people.procedure", "program"),
    "program_rule": Resource("people.programrule", "program"),
    "credential": Resource("people.procedurecredential", "person__program", owner_path="person"),
    "notification": Resource("people.notification", "program"),
    "preference": Resource("people.notificationpreference", "program"),
    "delivery": Resource("people.delivery", "notification__program"),
    "webhook": Resource("people.programwebhook", "program"),
    "invitation": Resource("people.invitation", "program"),
    "subscription": Resource("people.calendarsubscription", "program", owner_path="owner"),
    "academic_year": Resource("people.academicyear", "program"),
    "block": Resource("rotations.block", "academic_year__program"),
    "holiday": Resource("rotations.holiday", "program"),
    "rotation": Resource("rotations.rotation", "program"),
    "curriculum": Resource("rotations.curriculumrequirement", "rotation__program"),
    "shift_type": Resource("rotations.shifttype", "program"),
    "coverage": Resource("rotations.coveragerequirement", "shift_type__program"),
    "run": Resource("scheduling.schedulerun", "program"),
    "run_progress": Resource("scheduling.schedulerunprogress", "run__program"),
    "rotation_assignment": Resource(
        "scheduling.rotationassignment", "person__program", state_path="state"
    ),
    "assignment": Resource(
        "scheduling.assignment", "person__program", owner_path="person", state_path="state"
    ),
    "swap": Resource("swaps.swaprequest", "program", owner_path="requester"),
    "swap_candidate": Resource("swaps.swapcandidate", "swap__program", owner_path="person"),
    "swap_chain_link": Resource("swaps.swapchainlink", "swap__program", owner_path="person"),
    "swap_chain_decline": Resource("swaps.swapchaindecline", "program", owner_path="declined_by"),
    "swap_policy": Resource("swaps.swappolicy", "program"),
    "conflict": Resource("conflicts.conflictalert", "program", owner_path="person"),
    "conflict_policy": Resource("conflicts.conflictpolicy", "program"),
    "backup_duty": Resource("conflicts.backupduty", "person__program", owner_path="person"),
    "resilience": Resource("resilience.resiliencesnapshot", "program"),
    "resilience_settings": Resource("resilience.resiliencesettings", "program"),
    "contingency": Resource("resilience.contingencystudy", "program"),
    "fallback": Resource("resilience.fallback", "program"),
    "pareto": Resource("analytics.paretostudy", "program"),
    "import": Resource("api.importrecord", "program"),
    "import_job": Resource("api.importjob", "program"),
}
_BY_MODEL: dict[str, str] = {resource.model: name for name, resource in RESOURCES.items()}

# Models that belong to no single program, and why: the registry test accepts only these.
UNSCOPED_MODELS: dict[str, str] = {
    "api.idempotencykey": "belongs to the user who sent the request, never shown to others",
    "api.tokenrevocation": "belongs to one user's API sessions, never shown to others",
}


def resource_of(model: type[Model] | Model) -> str:
    """The resource name of a registered model; KeyError for a model nobody registered."""
    return _BY_MODEL[model._meta.label_lower]


def is_registered(model: type[Model]) -> bool:
    return model._meta.label_lower in _BY_MODEL


def program_path(model: type[Model]) -> str:
    return RESOURCES[resource_of(model)].program_path


# Grants: the user's role per program ------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    role: str
    person_id: int | None


def grants(user: Any) -> dict[int, Grant]:
    """program id -> the user's role (and linked person) there; cached on the request's user."""
    cached = getattr(user, "_access_grants", None)
    if cached is None:
        cached = {}
        if getattr(user, "is_authenticated", False) and user.is_active:
            for program_id, role, person_id in Membership.objects.filter(user=user).values_list(
                "program_id", "role", "person_id"
            ):
                cached[program_id] = Grant(role, person_id)
        user._access_grants = cached
    return cached


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def managed_program_ids(user: Any) -> frozenset[int]:
    """Programs the user administers or coordinates (the console's scope)."""
    return frozenset(pid for pid, grant in grants(user).items() if grant.role in MANAGER_ROLES)


def manages_any_program(user: Any) -> bool:
    return is_admin(user) or bool(managed_program_ids(user))


def may_use_console(user: Any) -> bool:
    """Active superusers, program admins and coordinators; is_staff plays no part."""
    return bool(getattr(user, "is_active", False) and manages_any_program(user))


# Questions ---------------------------------------------------------------------------------


def scope_for(user: Any, resource: str, action: str, program_id: int | None) -> Scope | None:
    if is_admin(user):
        return Scope.PROGRAM
    grant = grants(user).get(program_id) if program_id is not None else None
    if grant is None:
        return None
    return MATRIX[resource].get(action, {}).get(grant.role)


def can(
    user: Any, resource: str, action: str, program: Any, *, owner_id: int | None = None
) -> bool:
    """May ``user`` do ``action`` on ``resource`` in ``program`` (on a row owned by ``owner_id``)?"""
    program_id = getattr(program, "pk", program)
    scope = scope_for(user, resource, action, program_id)
    if scope is None:
        return False
    if scope == Scope.OWN:
        grant = grants(user).get(program_id)
        return grant is not None and grant.person_id is not None and grant.person_id == owner_id
    return True


def can_any(user: Any, resource: str, action: str) -> bool:
    """May the user do this in at least one program (the door before the row)?"""
    return is_admin(user) or any(
        MATRIX[resource].get(action, {}).get(grant.role) for grant in grants(user).values()
    )


def scope_queryset(
    user: Any, queryset: QuerySet[Any], action: str = READ, *, resource: str | None = None
) -> QuerySet[Any]:
    """The rows of ``queryset`` the user may see (or change), by program, owner and state."""
    if is_admin(user):
        return queryset
    name = resource or resource_of(queryset.model)
    where = RESOURCES[name]
    full: list[int] = []
    condition = Q(pk__in=[])
    for program_id, grant in grants(user).items():
        scope = MATRIX[name].get(action, {}).get(grant.role)
        if scope == Scope.PROGRAM:
            full.append(program_id)
        elif scope == Scope.PUBLISHED and where.state_path:
            condition |= Q(**{where.program_path: program_id, where.state_path: State.PUBLISHED})
        elif scope == Scope.OWN and where.owner_path and grant.person_id is not None:
            condition |= Q(**{where.program_path: program_id, where.owner_path: grant.person_id})
    if full:
        condition |= Q(**{f"{where.program_path}__in": full})
    return queryset.filter(condition)


def managed_queryset(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The console's view: every row of the programs the user manages, whatever the matrix
    says about other roles."""
    if is_admin(user):
        return queryset
    path = program_path(queryset.model)
    return queryset.filter(**{f"{path}__in": list(managed_program_ids(user))})


def program_id_of(obj: Model) -> int | None:
    """The id of the program a row belongs to, following its registered path."""
    path = program_path(type(obj))
    if path == "pk":
        return int(obj.pk)
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    value = getattr(target, f"{last}_id", None)
    return None if value is None else int(value)


def owner_id_of(obj: Model) -> int | None:
    path = RESOURCES[resource_of(obj)].owner_path
    return getattr(obj, f"{path}_id") if path else None


def valid_code(code: Any) -> uuid.UUID:
    """A row's public code from a URL or form; 404 for anything that is not a UUID."""
    try:
        return uuid.UUID(str(code))
    except ValueError:
        raise Http404("No such object.") from None


def get_for_user(
    user: Any, queryset: QuerySet[Any], code: Any, action: str = READ, *, what: str = "object"
) -> Any:
    """One row by code among those the user may see or change: 404 alike for missing and not
    yours (rule 10 of the house style)."""
    row = scope_queryset(user, queryset, action).filter(code=valid_code(code)).first()
    if row is None:
        raise Http404(f"No such {what}.")
    return row


# Pages: the seat and the door --------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """Where the user sits on a page: the program shown, their role and person there, and the
    programs they may switch to."""

    user: Any
    program: Program
    role: str
    person: Person | None
    membership: Membership | None
    programs: list[Program] = field(default_factory=list)

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def current_seat(request: HttpRequest) -> Seat:
    """The program asked for (``?program=``), else the one chosen in the session, else the first.

    404 when the user belongs to no program, or asks for one they do not belong to.
    """
    cached = getattr(request, "_access_seat", None)
    if cached is not None:
        return cached
    user: Any = request.user
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("program", "person")
        .order_by("program__name")
    )
    if getattr(user, "_access_grants", None) is None and user.is_active:
        # The same rows answer the matrix for the rest of the request: no second query.
        user._access_grants = {m.program_id: Grant(m.role, m.person_id) for m in memberships}
    by_code = {str(m.program.code): m for m in memberships}
    programs = [m.program for m in memberships]
    if is_admin(user):
        programs = list(Program.objects.order_by("name"))
    wanted = request.GET.get("program") or request.POST.get("program")
    if wanted:
        chosen = next((p for p in programs if str(p.code) == wanted), None)
        if chosen is None:
            raise Http404("No such program.")
    else:
        remembered = request.session.get(SESSION_PROGRAM)
        chosen = next((p for p in programs if str(p.code) == remembered), None) or (
            programs[0] if programs else None
        )
    if chosen is None:
        raise Http404("You belong to no program.")
    membership = by_code.get(str(chosen.code))
    seat = Seat(
        user=user,
        program=chosen,
        role=membership.role if membership else Role.ADMIN,
        person=membership.person if membership else None,
        membership=membership,
        programs=programs,
    )
    request._access_seat = seat  # type: ignore[attr-defined]
    return seat


@dataclass(frozen=True)
class PageAccess:
    """What a page view needs: a (resource, action) of the matrix, and the methods it answers."""

    resource: str
    action: str
    methods: tuple[str, ...]


PUBLIC = "public"  # a page anyone may open (the token-addressed calendar feed)


def seat_may(seat: Seat, resource: str, action: str) -> bool:
    """The page door: any scope at all (an OWN scope opens the page on the user's own rows)."""
    return resource == PUBLIC or scope_for(seat.user, resource, action, seat.program.pk) is not None


def may_open(seat: Seat | None, url_name: str) -> bool:
    """May the seat open the page named ``url_name`` (no arguments)? The same door its ``@page``
    decorator keeps, read from the view: the navigation shows only the pages this answers yes to."""
    if seat is None:
        return False
    if url_name == "admin:index":
        return may_use_console(seat.user)
    try:
        door = getattr(resolve(reverse(url_name)).func, "access", None)
    except NoReverseMatch:
        return False
    return isinstance(door, PageAccess) and seat_may(seat, door.resource, door.action)


class Doors:
    """The template's ``doors``: ``{% if "scheduling:runs" in doors %}`` asks ``may_open``."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self._answers: dict[str, bool] = {}

    def seat(self) -> Seat | None:
        user: Any = getattr(self.request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return None
        try:
            return current_seat(self.request)
        except Http404:
            return None

    def __contains__(self, url_name: str) -> bool:
        if url_name not in self._answers:
            self._answers[url_name] = may_open(self.seat(), url_name)
        return self._answers[url_name]


def page(
    resource: str, action: str = READ, *, methods: Iterable[str] = ("GET",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for page views: login, allowed methods, then the matrix's door for the user's
    current program (403 with the site's page when the role may not). The view receives the
    ``seat`` after ``request``. Rows inside the page still answer 404 when they are not the
    user's."""
    if resource != PUBLIC and action not in MATRIX[resource]:
        raise ValueError(f"The matrix has no {action!r} for {resource!r}.")
    allowed = tuple(m.upper() for m in methods)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if resource == PUBLIC:
                return view(request, *args, **kwargs)
            seat = current_seat(request)
            if not seat_may(seat, resource, action):
                raise PermissionDenied(f"Your role may not open this page in {seat.program}.")
            return view(request, seat, *args, **kwargs)

        guarded = require_http_methods(list(allowed))(wrapper)
        if resource != PUBLIC:
            guarded = login_required(guarded)
        guarded.access = PageAccess(resource, action, allowed)  # type: ignore[attr-defined]
        return guarded

    return decorate
