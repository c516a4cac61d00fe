"""People on a rotation with no shift types still appear: on the manifest's "Where everyone is",
on their own dashboard and schedule ("Obstetrics · Riverside General, all day"), and in their
calendar feed as an all-day event (issue 11, item 4)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from conftest import make_member
from people import services
from people.models import Membership, Person
from rotations.models import Rotation
from scheduling.models import RotationAssignment
from scheduling.tests.pages_cast import Cast, build_cast, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(resident_a: Any, faculty_a: Any) -> Cast:
    return build_cast(person_of(resident_a).program, person_of(resident_a), person_of(faculty_a))


@pytest.fixture
def obstetrics(cast: Cast) -> Any:
    """A resident (with a login) on Obstetrics, a rotation with no shift types, for the block."""
    rotation = Rotation.objects.create(
        program=cast.program,
        name="Obstetrics",
        abbreviation="OB",
        kind=Rotation.Kind.OBSTETRICS,
        color="#c2569b",
        location="Riverside General",
    )
    person = Person.objects.create(
        program=cast.program,
        kind=Person.Kind.RESIDENT,
        first_name="Olive",
        last_name="Obi",
        training_start=date(2025, 7, 1),
    )
    user = make_member(cast.program, "olive", Membership.Role.RESIDENT, person)
    row = RotationAssignment.objects.create(person=person, block=cast.block, rotation=rotation)
    client = Client()
    client.force_login(user)
    return person, user, client, row


def test_the_manifest_lists_people_on_a_rotation_without_shift_types(
    cast: Cast, obstetrics: Any, coordinator_client: Client
) -> None:
    response = coordinator_client.get(reverse("pages:manifest"), {"date": cast.today.isoformat()})
    rows = {row.label: row for row in response.context["manifest"].rows}
    assert [p.full_name for p in rows["Obstetrics"].all_day] == ["Olive Obi"]
    assert not rows["Obstetrics"].has_shifts
    # Two on duty: the resident on call and Olive; the faculty member's attending day too.
    assert response.context["manifest"].count == 3
    assert "Olive Obi" in response.content.decode()


def test_the_manifest_shows_a_rotation_day_without_a_shift_as_all_day(
    cast: Cast, coordinator_client: Client
) -> None:
    # Tomorrow the resident has only a draft shift: on Inpatient Medicine all day.
    tomorrow = cast.today + timedelta(days=1)
    response = coordinator_client.get(reverse("pages:manifest"), {"date": tomorrow.isoformat()})
    rows = {row.label: row for row in response.context["manifest"].rows}
    assert [p.full_name for p in rows["Inpatient Medicine"].all_day] == ["Rey Resident"]


def test_the_manifest_leaves_an_absent_person_off_the_all_day_list(
    cast: Cast, obstetrics: Any, coordinator_client: Client
) -> None:
    person = obstetrics[0]
    person.absences.create(
        kind="vacation", status="approved", start_date=cast.today, end_date=cast.today
    )
    response = coordinator_client.get(reverse("pages:manifest"), {"date": cast.today.isoformat()})
    assert "Obstetrics" not in {row.label for row in response.context["manifest"].rows}


def test_my_schedule_shows_each_day_of_the_rotation_all_day(cast: Cast, obstetrics: Any) -> None:
    client = obstetrics[2]
    for view in ("week", "month", "list"):
        response = client.get(reverse("pages:my-schedule"), {"view": view})
        assert response.status_code == 200
        days = response.context["period"].days
        inside = [d for d in days if cast.block.start_date <= d[0] <= cast.block.end_date]
        assert inside and all(d[3] is not None for d in inside), view
        assert inside[0][3].label == "Obstetrics · Riverside General, all day"
    week = client.get(reverse("pages:my-schedule"), {"view": "week"}).content.decode()
    assert "Obstetrics · Riverside General, all day" in week


def test_the_dashboard_shows_todays_rotation_and_the_weeks(cast: Cast, obstetrics: Any) -> None:
    response = obstetrics[2].get(reverse("pages:dashboard"))
    board = response.context["board"]
    assert board.rotation.label == "Obstetrics · Riverside General, all day"
    in_block = [
        r for day, _, r in board.week if cast.block.start_date <= day <= cast.block.end_date
    ]
    assert in_block and all(r is not None for r in in_block)
    assert "Obstetrics · Riverside General, all day" in response.content.decode()


def test_the_feed_carries_the_rotation_as_a_stable_all_day_event(
    cast: Cast, obstetrics: Any
) -> None:
    person, user, client, row = obstetrics
    _, token = services.subscription_create(owner=person, actor=user)
    url = reverse("pages:feed", kwargs={"token": token})
    first = client.get(url)
    body = first.content.decode()
    assert "DTSTART;VALUE=DATE:" in body and "DTEND;VALUE=DATE:" in body
    events = Calendar.from_ical(first.content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"rotation-{row.code}@residency-scheduler"
    assert str(event["SUMMARY"]) == "Obstetrics · Riverside General, all day"
    assert event.decoded("DTSTART") == cast.block.start_date
    assert event.decoded("DTEND") == cast.block.end_date + timedelta(days=1)  # exclusive
    assert str(event["TRANSP"]) == "TRANSPARENT"
    again = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert again["UID"] == event["UID"]


def test_the_feed_changes_when_the_rotation_plan_changes(cast: Cast, obstetrics: Any) -> None:
    person, user, client, row = obstetrics
    _, token = services.subscription_create(owner=person, actor=user)
    url = reverse("pages:feed", kwargs={"token": token})
    first = client.get(url)
    row.half = RotationAssignment.Half.FIRST
    row.save()
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    event = Calendar.from_ical(second.content).walk("VEVENT")[0]
    assert event.decoded("DTEND") == cast.block.midpoint
