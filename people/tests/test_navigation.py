"""Role doors in the navigation: a role sees links only to the pages it may open (the same
question ``@page`` asks, ``people.access.may_open``), and refused or missing pages answer with
the site's own 403 and 404 pages; the 500 page needs nothing from the request (issue 11, item 7)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.views.defaults import server_error

from people import access
from people.tests.test_access import PAGES

pytestmark = pytest.mark.django_db

MANAGER_LINKS = (
    "people:review",
    "swaps:queue",
    "scheduling:runs",
    "scheduling:grid",
    "scheduling:generate",
    "admin:index",
)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nav_links(html: str) -> set[str]:
    nav = html.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize("role", ["resident_a", "faculty_a", "coordinator_a", "superuser"])
def test_the_navigation_links_exactly_the_pages_the_role_may_open(
    role: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue("program_a")  # the superuser sits in every program
    user = request.getfixturevalue(role)
    client = _client(user)
    links = _nav_links(client.get(reverse("pages:dashboard")).content.decode())
    assert links, "the dashboard has a navigation"
    for href in links:
        # Every link in the navigation opens (never a 403).
        assert client.get(href).status_code in (200, 302), (role, href)
    for name in MANAGER_LINKS:
        shown = reverse(name) in links
        manager = role in ("coordinator_a", "superuser")
        assert shown == manager, (role, name)


def test_a_resident_is_offered_no_generate_button_or_run_list(resident_a: Any) -> None:
    client = _client(resident_a)
    for name in ("pages:dashboard", "pages:manifest", "swaps:market"):
        html = client.get(reverse(name)).content.decode()
        assert reverse("scheduling:generate") not in html
        assert reverse("scheduling:runs") not in html


def test_may_open_agrees_with_each_pages_decorator(resident_a: Any, coordinator_a: Any) -> None:
    """One rule: the navigation's answer for every named page is the matrix's door."""
    for user in (resident_a, coordinator_a):
        request = RequestFactory().get("/")
        request.user = user
        request.session = {}  # type: ignore[assignment]
        seat = access.current_seat(request)
        for text, pattern in PAGES:
            door: access.PageAccess = pattern.callback.access  # type: ignore[attr-defined]
            if not pattern.name or pattern.pattern.converters or door.resource == access.PUBLIC:
                continue
            resolved = resolve("/" + text).view_name  # its own namespace, e.g. "resilience:…"
            assert access.may_open(seat, resolved) == access.seat_may(
                seat, door.resource, door.action
            ), (user, resolved)


def test_a_refused_page_is_the_sites_403_without_manager_links(resident_a: Any) -> None:
    response = _client(resident_a).get(reverse("scheduling:runs"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html and 'class="top"' in html  # the site's layout
    assert reverse("scheduling:generate") not in _nav_links(html)
    assert reverse("pages:dashboard") in _nav_links(html)


def test_a_missing_page_is_the_sites_404(resident_a: Any) -> None:
    response = _client(resident_a).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="top"' in html


def test_the_500_page_renders_with_no_request() -> None:
    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html and "<html" in html


def test_the_500_handler_answers_with_the_page() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content
