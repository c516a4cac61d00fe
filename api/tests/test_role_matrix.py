"""Every API route x {anonymous, resident, faculty, other coordinator, coordinator, admin}."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from api.tests.matrix import PUBLIC, ROLES, ROUTES, Route, markdown_table
from people.models import Person, Request

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture
def cast(world: Any, request: pytest.FixtureRequest) -> Any:
    users = {
        "anonymous": None,
        "resident": request.getfixturevalue("resident_a"),
        "faculty": request.getfixturevalue("faculty_a"),
        "other coordinator": request.getfixturevalue("coordinator_b"),
        "coordinator": request.getfixturevalue("coordinator_a"),
        "admin": request.getfixturevalue("superuser"),
    }
    world.users = users
    world.resident_person = Person.objects.get(memberships__user=users["resident"])
    world.a_request = world.a[Request]
    return world


def _call(client: APIClient, route: Route, cast: Any) -> Any:
    path = route.pattern.replace("{kind}", "people")
    if route.target is not None:
        path = path.replace("{code}", str(route.target(cast).code))
    body = route.body(cast) if route.body else None
    if route.method == "GET":
        return client.get(path, route.query(cast) if route.query else None)
    if route.query:
        path += "?" + urlencode(route.query(cast))
    send = getattr(client, route.method.lower())
    if route.multipart:
        return send(path, body, format="multipart")
    return send(path, body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_it_gives_each_role_the_documented_status(
    route: Route, role: str, cast: Any, api: Any
) -> None:
    response = _call(api(cast.users[role]), route, cast)
    assert response.status_code == route.expected[role], response.content[:300]


def _api_routes() -> set[str]:
    """(method, documented path) for every view under /api/v1/."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and text.startswith("api/v1/"):
                found.update(_methods(pattern, text))

    walk(get_resolver().url_patterns, "")
    return found


def _methods(pattern: URLPattern, text: str) -> set[str]:
    import re

    path = "/" + re.sub(r"\^|\$|\\\.\(\?P<format>\[a-z0-9\]\+\)/\?|\.\(\?P<format>.*", "", text)
    path = re.sub(r"\(\?P<code>[^)]*\)", "{code}", path)
    path = re.sub(r"<str:kind>", "{kind}", path)
    if "format" in text:
        return set()
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    view: Any = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if actions:
        # DRF adds "head" to a viewset's actions once it has served a GET; HEAD mirrors GET.
        methods = {m.upper() for m in actions if m in view.http_method_names and m != "head"}
    else:
        methods = {m.upper() for m in ("get", "post", "patch", "delete") if hasattr(view, m)}
    return {f"{m} {path}" for m in methods}


def test_it_covers_every_api_route() -> None:
    documented = {route.key for route in ROUTES} | PUBLIC
    assert _api_routes() == documented


def test_it_prints_the_same_table_in_the_docs() -> None:
    assert markdown_table() in DOCS.read_text()
