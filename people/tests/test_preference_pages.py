"""Preference pages: people state blocked dates, preferred and avoided shifts and days, and
yearly targets; coordinators decide; each person's "how often honoured" figure."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from people import services
from people.models import (
    AcademicYear,
    Notification,
    Person,
    PreferencePolicy,
    Request,
    StandingPreference,
)
from people.models_preferences import BlockReason, Weekday
from rotations.models import ShiftType
from scheduling.models import Assignment
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(program_a: Any) -> AcademicYear:
    return AcademicYear.objects.create(
        program=program_a, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )


@pytest.fixture
def ward(program_a: Any) -> ShiftType:
    return f.ShiftTypeFactory.create(
        program=program_a, name="Ward day", abbreviation="WD", start_time=time(7)
    )


def person_of(user: Any) -> Person:
    return user.memberships.get().person


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def avoid_fridays(person: Person) -> StandingPreference:
    return services.standing_preference_create(
        person=person, kind=StandingPreference.Kind.AVOID, weekday=Weekday.FRIDAY, actor=None
    )


def test_it_renders_my_preferences(resident_a: Any, year: Any) -> None:
    response = login(resident_a).get(reverse("people:preferences"))
    assert response.status_code == 200
    assert b"Blocked dates" in response.content and b"Yearly targets" not in response.content


def test_it_shows_faculty_their_yearly_targets(faculty_a: Any, year: Any) -> None:
    Person.objects.filter(pk=person_of(faculty_a).pk).update(attending_weeks_target=6)
    response = login(faculty_a).get(reverse("people:preferences"))
    assert b"Yearly targets" in response.content and b"<dd>6</dd>" in response.content


def test_it_sends_a_preference_for_review_and_tells_the_person_the_decision(
    resident_a: Any, coordinator_a: Any, year: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = login(resident_a).post(
        reverse("people:preferences"),
        {"form": "standing", "kind": "avoid", "weekday": "4", "weight": "6"},
    )
    assert response.status_code == 302
    row = StandingPreference.objects.get(person=person_of(resident_a))
    assert (row.status, row.weekday, row.weight) == ("pending", 4, 6)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            reverse("people:standing-decide", args=[row.code]), {"decision": "approve"}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == StandingPreference.Status.APPROVED and row.decided_by == coordinator_a
    notice = Notification.objects.get(recipient=resident_a)
    assert notice.title == "Your preference was approved"
    assert notice.body.startswith("Avoid working on Fridays") and notice.url == "/preferences/"


def test_it_applies_preferences_at_once_when_the_program_says_so(
    resident_a: Any, program_a: Any, year: Any
) -> None:
    PreferencePolicy.objects.create(program=program_a, review=PreferencePolicy.Review.NONE)
    assert avoid_fridays(person_of(resident_a)).status == StandingPreference.Status.APPROVED


def test_it_reviews_blocked_dates_only_when_the_program_says_so(
    resident_a: Any, program_a: Any, year: Any
) -> None:
    PreferencePolicy.objects.create(program=program_a, review=PreferencePolicy.Review.BLOCKED)
    person = person_of(resident_a)
    assert avoid_fridays(person).status == StandingPreference.Status.APPROVED
    blocked = services.request_create(
        person=person,
        kind=Request.Kind.BLOCKED,
        start_date=date(2026, 11, 2),
        end_date=date(2026, 11, 8),
        reason=BlockReason.CONFERENCE,
        actor=None,
    )
    assert blocked.status == Request.Status.PENDING


def test_it_blocks_a_week_over_htmx(faculty_a: Any, year: Any) -> None:
    response = login(faculty_a).post(
        reverse("people:preferences"),
        {
            "form": "blocked",
            "start_date": "2026-11-02",
            "end_date": "2026-11-08",
            "reason": "conference",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="preferences">')  # the fragment, not the page
    assert "Conference or meeting" in html and "Sent for review" in html
    row = Request.objects.get(person=person_of(faculty_a))
    assert (row.kind, row.reason, row.status) == ("blocked", "conference", "pending")


def test_it_shows_a_refusal_beside_the_field(faculty_a: Any, year: Any) -> None:
    response = login(faculty_a).post(
        reverse("people:preferences"),
        {
            "form": "blocked",
            "start_date": "2030-01-01",
            "end_date": "2030-01-02",
            "reason": "other",
        },
    )
    assert response.status_code == 200
    assert b"outside the program&#x27;s academic years" in response.content
    assert not Request.objects.exists()


def test_it_refuses_a_yearly_target_from_a_resident(resident_a: Any, year: Any) -> None:
    response = login(resident_a).post(
        reverse("people:preferences"), {"form": "target", "attending_weeks": "8"}
    )
    assert b"Yearly targets are for faculty." in response.content
    assert not StandingPreference.objects.exists()


def test_it_makes_an_approved_target_the_persons_target(
    faculty_a: Any, coordinator_a: Any, year: Any
) -> None:
    login(faculty_a).post(
        reverse("people:preferences"),
        {"form": "target", "attending_weeks": "8", "clinic_sessions": "120"},
    )
    row = StandingPreference.objects.get(kind=StandingPreference.Kind.TARGET)
    login(coordinator_a).post(
        reverse("people:standing-decide", args=[row.code]), {"decision": "approve"}
    )
    person = Person.objects.get(pk=person_of(faculty_a).pk)
    assert (person.attending_weeks_target, person.clinic_sessions_target) == (8, 120)


def test_a_resident_cannot_cancel_another_persons_preference(
    resident_a: Any, faculty_a: Any, year: Any
) -> None:
    theirs = avoid_fridays(person_of(faculty_a))
    response = login(resident_a).post(reverse("people:standing-cancel", args=[theirs.code]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == StandingPreference.Status.PENDING


def test_a_resident_cancels_their_own(resident_a: Any, year: Any) -> None:
    mine = avoid_fridays(person_of(resident_a))
    login(resident_a).post(reverse("people:standing-cancel", args=[mine.code]))
    mine.refresh_from_db()
    assert mine.status == StandingPreference.Status.CANCELLED


def test_a_resident_may_not_decide_or_open_the_review_list(resident_a: Any, year: Any) -> None:
    mine = avoid_fridays(person_of(resident_a))
    client = login(resident_a)
    assert client.get(reverse("people:preference-review")).status_code == 403
    response = client.post(
        reverse("people:standing-decide", args=[mine.code]), {"decision": "approve"}
    )
    assert response.status_code == 403


def test_another_programs_coordinator_finds_nothing(
    resident_a: Any, coordinator_b: Any, year: Any
) -> None:
    row = avoid_fridays(person_of(resident_a))
    client = login(coordinator_b)
    response = client.post(
        reverse("people:standing-decide", args=[row.code]), {"decision": "approve"}
    )
    assert response.status_code == 404
    code = person_of(resident_a).code
    assert client.get(reverse("people:person-preferences", args=[code])).status_code == 404
    row.refresh_from_db()
    assert row.status == StandingPreference.Status.PENDING


def test_it_shows_how_often_each_persons_preferences_were_honoured(
    resident_a: Any, faculty_a: Any, coordinator_a: Any, program_a: Any, year: Any, ward: Any
) -> None:
    PreferencePolicy.objects.create(program=program_a, review=PreferencePolicy.Review.NONE)
    rey, fay = person_of(resident_a), person_of(faculty_a)
    services.request_create(
        person=rey,
        kind=Request.Kind.BLOCKED,
        start_date=date(2026, 10, 5),
        end_date=date(2026, 10, 6),
        reason=BlockReason.FAMILY,
        actor=None,
    )
    f.AssignmentFactory.create(person=rey, shift_type=ward, date=date(2026, 10, 5))  # on it
    f.AssignmentFactory.create(person=fay, shift_type=ward, date=date(2026, 10, 10))
    assert Assignment.objects.count() == 2
    client = login(coordinator_a)
    review = client.get(reverse("people:preference-review")).content.decode()
    row = review.split(rey.full_name, 1)[1].split("</tr>", 1)[0]
    assert "50%" in row and "(1/2)" in row
    page = client.get(reverse("people:person-preferences", args=[rey.code])).content.decode()
    assert "Blocked dates kept free" in page and "50%" in page
    mine = login(resident_a).get(reverse("people:preferences")).content.decode()
    assert "(1 of 2)" in mine
