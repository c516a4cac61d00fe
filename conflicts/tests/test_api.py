"""/api/v1/conflicts/: list, detail with candidates, apply (stale refused), dismiss with reason."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from conflicts.models import ConflictAlert
from conflicts.services import conflicts_detect
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from people.models import Absence
from scheduling.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(cast: Cast) -> ConflictAlert:
    Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY,
        status=Absence.Status.APPROVED,
    )  # fmt: skip
    conflicts_detect(program=cast.program, start=MONDAY, end=SUNDAY)
    return ConflictAlert.objects.get(kind=ConflictAlert.Kind.ABSENCE)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_lists_and_shows_an_alert_with_candidates(cast: Cast, alert: ConflictAlert) -> None:
    client = api(cast.coordinator)
    listed = client.get("/api/v1/conflicts/", {"status": "open"}).json()
    assert [row["code"] for row in listed["results"]] == [str(alert.code)]
    body = client.get(f"/api/v1/conflicts/{alert.code}/").json()
    assert body["alert"]["people"] == ["Rey Resident"]
    assert body["candidates"] and {"swap", "reassign", "resolve"} <= {
        c["strategy"] for c in body["candidates"]
    }


def test_a_resident_reads_their_own_alert_without_candidates(
    cast: Cast, alert: ConflictAlert, resident_a: Any
) -> None:
    body = api(resident_a).get(f"/api/v1/conflicts/{alert.code}/").json()
    assert body["alert"]["code"] == str(alert.code) and body["candidates"] == []


def test_applying_a_stale_candidate_is_refused_then_a_fresh_one_applies(
    cast: Cast, alert: ConflictAlert
) -> None:
    client = api(cast.coordinator)
    top = client.get(f"/api/v1/conflicts/{alert.code}/").json()["candidates"][0]
    Assignment.objects.filter(pk=cast.rows["wd1"].pk).update(person=cast.tia)
    stale = client.post(
        f"/api/v1/conflicts/{alert.code}/apply/", {"candidate": top["id"]}, format="json"
    )
    assert stale.status_code == 400 and "changed since" in str(stale.json())
    fresh = client.get(f"/api/v1/conflicts/{alert.code}/").json()["candidates"][0]
    done = client.post(
        f"/api/v1/conflicts/{alert.code}/apply/", {"candidate": fresh["id"]}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"


def test_dismissing_needs_a_reason(cast: Cast, alert: ConflictAlert) -> None:
    client = api(cast.coordinator)
    url = f"/api/v1/conflicts/{alert.code}/dismiss/"
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    assert (
        client.post(url, {"reason": "Locum booked"}, format="json").json()["status"] == "dismissed"
    )
