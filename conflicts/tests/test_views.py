"""The coordinator's queue and alert page, and people's own alerts on their dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conflicts.models import ConflictAlert
from conflicts.services import conflicts_detect
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from people.models import Absence

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(cast: Cast) -> ConflictAlert:
    Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY,
        status=Absence.Status.APPROVED,
    )  # fmt: skip
    cast.rows["wd2"].delete()  # and a hole on Wednesday
    conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    return ConflictAlert.objects.get(kind=ConflictAlert.Kind.ABSENCE)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_lists_open_alerts_and_filters_them(cast: Cast, alert: ConflictAlert) -> None:
    client = client_for(cast.coordinator)
    page = client.get("/conflicts/")
    assert page.status_code == 200
    assert [a.kind for a in page.context["alerts"]] == ["absence", "coverage"]
    only = client.get("/conflicts/", {"kind": "coverage"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in only.content  # the fragment alone
    assert b"Coverage gap" in only.content and b"Absence over a shift" not in only.content


def test_the_alert_page_offers_candidates_and_applies_one(cast: Cast, alert: ConflictAlert) -> None:
    client = client_for(cast.coordinator)
    page = client.get(f"/conflicts/{alert.code}/")
    top = page.context["candidates"][0]
    assert top["diff"]
    response = client.post(f"/conflicts/{alert.code}/apply/", {"candidate": top["id"]})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_dismissing_from_the_page_needs_a_reason(cast: Cast, alert: ConflictAlert) -> None:
    client = client_for(cast.coordinator)
    client.post(f"/conflicts/{alert.code}/dismiss/", {"reason": ""})
    alert.refresh_from_db()
    assert alert.status == "open"
    client.post(f"/conflicts/{alert.code}/dismiss/", {"reason": "Agreed with the chief"})
    alert.refresh_from_db()
    assert alert.status == "dismissed"


def test_people_see_their_own_alerts_on_the_dashboard(
    cast: Cast, alert: ConflictAlert, resident_a: Any
) -> None:
    client = client_for(resident_a)
    assert list(client.get("/").context["alerts"]) == [alert]
    assert client.get(f"/conflicts/{alert.code}/").status_code == 200
    assert client.get("/conflicts/").status_code == 403
