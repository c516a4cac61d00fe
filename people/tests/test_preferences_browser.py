"""In a real browser: a faculty member states preferences over htmx (the page stays put), and the
coordinator approves them from the review list. ``SAVE_SCREENSHOTS=docs/screenshots`` saves
both pages."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from console.demo import DEMO_PASSWORD, seed_demo
from people import services
from people.models import BlockReason, Person, Request, StandingPreference
from rotations.models import ShiftType

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


def test_it_states_preferences_over_htmx_and_the_coordinator_approves(
    page: Any, live_server: Any
) -> None:
    program, _, _ = seed_demo(schedule=True)  # a published block: shifts to count
    helen = Person.objects.get(memberships__user__username="faculty")
    # Approved before today, inside the published schedule: figures to show.
    blocked = services.request_create(
        person=helen,
        kind=Request.Kind.BLOCKED,
        start_date=date(2026, 10, 12),
        end_date=date(2026, 10, 16),
        reason=BlockReason.TEACHING,
        actor=None,
    )
    preferred = services.standing_preference_create(
        person=helen,
        kind=StandingPreference.Kind.PREFER,
        shift_type=ShiftType.objects.get(program=program, abbreviation="ATT"),
        weight=4,
        actor=None,
    )
    services.request_decide(request=blocked, approve=True, actor=None)
    services.standing_preference_decide(preference=preferred, approve=True, actor=None)
    base = live_server.url
    login(page, base, "faculty")
    page.click("nav.tabs >> text=Preferences")
    page.wait_for_url(f"{base}/preferences/")
    page.evaluate("window.__stayed = true")  # gone if the browser loads a whole new page

    form = page.locator("form:has(input[name=form][value=standing])")
    form.locator("select[name=kind]").select_option("avoid")
    form.locator("select[name=weekday]").select_option("4")
    form.locator("input[name=weight]").fill("7")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Avoid working on Fridays")

    form = page.locator("form:has(input[name=form][value=blocked])")
    form.locator("input[name=start_date]").fill("2026-11-02")
    form.locator("input[name=end_date]").fill("2026-11-08")
    form.locator("select[name=reason]").select_option("conference")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("td:has-text('Conference or meeting')")

    form = page.locator("form:has(input[name=form][value=target])")
    form.locator("input[name=attending_weeks]").fill("6")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Waiting for review: 6 attending weeks a year")
    assert page.evaluate("window.__stayed") is True
    assert page.locator("#honour-h ~ dl.stats").count() == 1  # the honour figures
    shoot(page, "preferences")

    page.context.clear_cookies()  # sign out
    login(page, base, "coordinator")
    page.goto(f"{base}/preferences/review/")
    page.wait_for_selector("text=Waiting for a decision (2)")
    shoot(page, "preference-review")
    page.locator("tr:has-text('Avoid working on Fridays') button[value=approve]").click()
    page.wait_for_selector("text=Waiting for a decision (1)")
    assert StandingPreference.objects.filter(status="approved", weekday=4).count() == 1
    assert Request.objects.filter(kind="blocked", status="pending").count() == 1
