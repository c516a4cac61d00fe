"""In a real browser: a demo resident moves between weeks over htmx and opens their calendar feed.

``SAVE_SCREENSHOTS=docs/screenshots`` also saves the pages linked from the README.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from console.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SAVE_SCREENSHOTS", "")


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _give_the_demo_resident_a_shift(program: Any) -> None:
    """The demo schedules the block holding today; on some days the demo resident's rotation
    has no shift types (issue 11, item 4), so the feed would be empty. One ward day today."""
    from django.utils import timezone

    from people.models import Membership
    from rotations.models import ShiftType
    from scheduling import edit_services

    resident = Membership.objects.get(program=program, user__username="resident").person
    shift = ShiftType.objects.filter(program=program, counts_toward_duty=True).first()
    assert resident is not None and shift is not None
    from lib.errors import ApplicationError

    try:
        edit_services.assignment_add(
            person=resident,
            day=timezone.localdate(),
            shift_type=shift,
            actor=None,
            override_reason="Browser test: a shift for the feed",
        )
    except ApplicationError:  # she already works that shift today
        pass


def shoot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_it_moves_between_weeks_over_htmx_and_opens_the_feed(page: Any, live_server: Any) -> None:
    program, _, _ = seed_demo(schedule=True)
    _give_the_demo_resident_a_shift(program)
    base = live_server.url
    login(page, base, "resident")
    shoot(page, "dashboard")

    page.click("nav.tabs >> text=My schedule")
    page.wait_for_url(f"{base}/my/schedule/")
    first = page.inner_text("#period-title")
    page.evaluate("window.__stayed = true")  # gone if the browser loads a whole new page
    page.click("a[rel=next]")
    page.wait_for_function(
        "t => document.querySelector('#period-title').innerText !== t", arg=first
    )
    assert "date=" in page.url and page.evaluate("window.__stayed") is True
    page.click("a[rel=prev]")
    page.wait_for_function(
        "t => document.querySelector('#period-title').innerText === t", arg=first
    )
    page.click(".segmented >> text=Month")
    page.wait_for_selector("table.cal.month")
    assert "view=month" in page.url and page.evaluate("window.__stayed") is True
    shoot(page, "my-schedule")

    page.goto(f"{base}/calendar/")
    page.fill("#id_label", "Phone")
    page.click("text=Create link")
    https = page.input_value("#feed-https")
    assert page.input_value("#feed-webcal").startswith("webcal://")
    response = page.request.get(https)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    assert events and all(e["DTSTART"].params["TZID"] == "America/New_York" for e in events)
    page.goto(https.replace(https.rsplit("/", 1)[1], "A" * 43 + ".ics"))
    assert page.locator("body").inner_text() != ""

    if SHOTS:
        page.set_viewport_size({"width": 1440, "height": 900})
        for name, url in (
            ("manifest", "/manifest/"),
            ("timeline", "/timeline/"),
            ("roster", "/roster/"),
        ):
            page.goto(f"{base}{url}")
            shoot(page, name)
