"""Every page on a 390 px phone (issue 11, item 8): for each demo role that may open it (the
pages and doors are the access test's list, ``people.tests.test_access.PAGES``), the body never
scrolls sideways, the navigation collapses behind "Menu", and month cells show whole codes."""

from __future__ import annotations

from typing import Any

import pytest

from console.demo import DEMO_PASSWORD, seed_demo
from people.access import PUBLIC, PageAccess
from people.tests.test_access import PAGES, _expected_door

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLES = ("resident", "faculty", "coordinator")  # the demo's logins, by their role's name
VIEWS = {"my/schedule/": ("?view=week", "?view=month", "?view=list")}


def _urls(role: str) -> list[str]:
    urls = []
    for text, pattern in PAGES:
        door: PageAccess = pattern.callback.access  # type: ignore[attr-defined]
        if door.resource == PUBLIC or "GET" not in door.methods or pattern.pattern.converters:
            continue
        if _expected_door(door, role):
            urls += [f"/{text}{query}" for query in VIEWS.get(text, ("",))]
    return urls


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_page_fits_a_390px_phone(chromium: Any, live_server: Any) -> None:
    seed_demo(schedule=True)
    base = live_server.url
    overflowing, clipped, opened = [], [], 0
    for role in ROLES:
        context = chromium.new_context(viewport=PHONE)
        page = context.new_page()
        _login(page, base, role)
        # The navigation is folded away until "Menu" opens it.
        assert not page.is_visible("nav.tabs .links a")
        page.click("nav.tabs .nav-open")
        assert page.is_visible("nav.tabs .links a")
        for url in [*_urls(role), "/no/such/page/"]:
            try:
                response = page.goto(f"{base}{url}")
            except Exception:  # Playwright refuses a bodiless 400 (a swap offer needs its shift)
                continue
            assert response is not None
            if response.status == 400:  # an htmx fragment that needs its parameters
                continue
            assert response.status in (200, 404), (role, url)
            opened += 1
            width, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if width > inner:
                overflowing.append((role, url, width))
            if "view=month" in url:
                # Each shift's code is shown whole (not "P…").
                cut = page.evaluate(
                    "[...document.querySelectorAll('table.cal.month .shift b')]"
                    ".filter(b => b.scrollWidth > b.clientWidth + 1).length"
                )
                if cut:
                    clipped.append((role, url, cut))
        context.close()
    assert opened >= 20
    assert overflowing == []
    assert clipped == []
