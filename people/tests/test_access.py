"""The access module decides for every door: every domain model is registered with its path to
its program, and every page names its (resource, action) in the matrix, which each of the six
roles meets as the matrix says."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from people import access
from people.access import MATRIX, PUBLIC, RESOURCES, UNSCOPED_MODELS, PageAccess

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("people", "rotations", "scheduling", "swaps", "conflicts", "resilience", "analytics")
NOT_PAGES = ("admin/", "api/v1/", "accounts/", "health", "metrics")
ROLES = ("anonymous", "resident", "faculty", "other coordinator", "coordinator", "admin")
MATRIX_ROLE = {
    "resident": access.Role.RESIDENT,
    "faculty": access.Role.FACULTY,
    "other coordinator": access.Role.COORDINATOR,
    "coordinator": access.Role.COORDINATOR,
}


def test_it_registers_every_domain_model() -> None:
    labels = {
        model._meta.label_lower
        for label in (*DOMAIN_APPS, "api")
        for model in apps.get_app_config(label).get_models()
    }
    registered = {resource.model for resource in RESOURCES.values()}
    assert labels - registered - set(UNSCOPED_MODELS) == set()
    assert registered <= labels  # no stale entry naming a model that is gone


def test_it_gives_every_registered_resource_a_matrix_row() -> None:
    assert set(RESOURCES) <= set(MATRIX)


def _model(name: str) -> Any:
    return apps.get_model(RESOURCES[name].model)


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_it_finds_each_rows_program(name: str, world: Any) -> None:
    model = _model(name)
    program_a = world.a[apps.get_model("people.program")]
    program_b = world.b[apps.get_model("people.program")]
    assert access.program_id_of(world.a[model]) == program_a.pk
    assert access.program_id_of(world.b[model]) == program_b.pk


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_it_keeps_other_programs_rows_from_a_coordinator(
    name: str, world: Any, coordinator_b: Any
) -> None:
    model = _model(name)
    everything = model._default_manager.all()
    managed = set(access.managed_queryset(coordinator_b, everything).values_list("pk", flat=True))
    assert world.b[model].pk in managed
    assert world.a[model].pk not in managed
    for action in MATRIX[name]:
        seen = set(
            access.scope_queryset(coordinator_b, everything, action).values_list("pk", flat=True)
        )
        assert world.a[model].pk not in seen


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_it_shows_a_superuser_every_program(name: str, world: Any, superuser: Any) -> None:
    model = _model(name)
    rows = set(
        access.scope_queryset(superuser, model._default_manager.all()).values_list("pk", flat=True)
    )
    assert {world.a[model].pk, world.b[model].pk} <= rows


# Pages ---------------------------------------------------------------------------------------


def _pages() -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if text.startswith(NOT_PAGES):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                found.append((text, pattern))

    walk(get_resolver().url_patterns, "")
    return found


PAGES = _pages()


def test_it_finds_the_pages() -> None:
    assert {"", "my/schedule/", "schedule/grid/", "requests/review/"} <= {t for t, _ in PAGES}


@pytest.mark.parametrize("text, pattern", PAGES, ids=[t or "/" for t, _ in PAGES])
def test_it_names_each_pages_door_in_the_matrix(text: str, pattern: URLPattern) -> None:
    door = getattr(pattern.callback, "access", None)
    assert isinstance(door, PageAccess), f"/{text} is not declared with people.access.page"
    assert door.resource == PUBLIC or door.action in MATRIX[door.resource]


def _url(text: str, pattern: URLPattern) -> str:
    path = "/" + text
    for name, converter in pattern.pattern.converters.items():
        value = str(uuid.uuid4()) if type(converter).__name__ == "UUIDConverter" else "x" * 40
        path = path.replace(f"<{type(converter).__name__[:-9].lower()}:{name}>", value)
    return path


def _expected_door(door: PageAccess, role: str) -> bool:
    if door.resource == PUBLIC or role == "admin":
        return True
    if role == "anonymous":
        return False
    return (
        door.action in MATRIX[door.resource]
        and MATRIX_ROLE[role] in MATRIX[door.resource][door.action]
    )


@pytest.fixture
def clients(
    resident_a: Any, faculty_a: Any, coordinator_a: Any, coordinator_b: Any, superuser: Any
) -> dict[str, Client]:
    users = {
        "resident": resident_a,
        "faculty": faculty_a,
        "other coordinator": coordinator_b,
        "coordinator": coordinator_a,
        "admin": superuser,
    }
    out = {"anonymous": Client()}
    for role, user in users.items():
        out[role] = Client()
        out[role].force_login(user)
    return out


@pytest.mark.parametrize("text, pattern", PAGES, ids=[t or "/" for t, _ in PAGES])
def test_it_opens_each_page_to_the_roles_the_matrix_names(
    text: str, pattern: URLPattern, clients: dict[str, Client]
) -> None:
    door: PageAccess = pattern.callback.access  # type: ignore[attr-defined]
    method = door.methods[0].lower()
    url = _url(text, pattern)
    for role in ROLES:
        response = getattr(clients[role], method)(url)
        if role == "anonymous" and door.resource != PUBLIC:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif _expected_door(door, role):
            assert response.status_code != 403, (role, url)
        else:
            assert response.status_code == 403, (role, url, response.status_code)
