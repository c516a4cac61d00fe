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


def shoot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_it_moves_between_weeks_over_htmx_and_opens_the_feed(page: Any, live_server: Any) -> None:
    seed_demo(schedule=True)  # every demo rotation has shift types: she has a schedule
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
    timed = [e for e in events if not str(e["UID"]).startswith("rotation-")]
    rotations = [e for e in events if str(e["UID"]).startswith("rotation-")]
    assert timed and all(e["DTSTART"].params["TZID"] == "America/New_York" for e in timed)
    assert len(rotations) >= 13  # her year's rotation plan: a block (or half block) each
    assert all(e["DTSTART"].params["VALUE"] == "DATE" for e in rotations)
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
        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page.goto(f"{base}/my/schedule/?view=month")
        shoot(page, "phone-month")
        browser = page.context.browser
        faculty = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        login(faculty, base, "faculty")
        shoot(faculty, "faculty-dashboard")
        faculty.context.close()
