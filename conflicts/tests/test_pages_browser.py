"""In a real browser: a sick day is approved, the coordinator sees the new alert, opens it,
applies the top candidate, and the alert closes."""

from __future__ import annotations

from typing import Any

import pytest

from conflicts.models import ConflictAlert
from conflicts.tests.cast import MONDAY, Cast
from people import services as people_services
from people.models import Absence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_applies_the_top_candidate(
    page: Any, live_server: Any, cast: Cast, eager: None
) -> None:
    cast.coordinator.set_password("browser-pass-17")
    cast.coordinator.save()
    sick = Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY
    )
    people_services.absence_decide(absence=sick, approve=True, actor=cast.coordinator)
    alert = ConflictAlert.objects.get(kind=ConflictAlert.Kind.ABSENCE, status="open")

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", cast.coordinator.username)
    page.fill("#id_password", "browser-pass-17")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/conflicts/")
    row = page.locator(f"tr[data-alert='{alert.code}']")
    assert "Rey Resident" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#candidates tr[data-candidate]")
    page.locator("#candidates tr[data-candidate]").first.locator("text=Apply").click()
    page.wait_for_selector("text=Applied: the alert is resolved.")
    assert page.locator("[data-status]").inner_text() == "Resolved"
    alert.refresh_from_db()
    assert alert.status == "resolved"
