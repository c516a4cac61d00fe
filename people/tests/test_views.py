"""People pages: requests, the review queue, notifications, calendar links, login and reset."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from people import services
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Membership,
    Notification,
    Person,
    Request,
)


@pytest.fixture
def year(program_a: Any) -> AcademicYear:
    return AcademicYear.objects.create(
        program=program_a, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )


def person_of(user: Any) -> Person:
    return user.memberships.get().person


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(person: Person, start: date = date(2026, 12, 1), end: date = date(2026, 12, 5)) -> Absence:
    return services.absence_request_create(
        person=person, kind=Absence.Kind.VACATION, start_date=start, end_date=end, actor=None
    )


GET_PAGES = [
    "people:requests",
    "people:absence-new",
    "people:preference-new",
    "people:notifications",
    "people:calendar",
]


@pytest.mark.parametrize("name", GET_PAGES)
def test_it_renders_each_page(resident_a: Any, year: Any, name: str) -> None:
    assert login(resident_a).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", [*GET_PAGES, "people:review"])
def test_it_redirects_anonymous_users_to_login(db: None, client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", [*GET_PAGES, "people:review"])
def test_it_hides_another_programs_pages(program_a: Any, coordinator_b: Any, name: str) -> None:
    assert (
        login(coordinator_b).get(reverse(name), {"program": str(program_a.code)}).status_code == 404
    )


@pytest.mark.parametrize(
    "name", ["people:requests", "people:review", "people:notifications", "people:calendar"]
)
def test_it_refuses_post_on_list_pages(coordinator_a: Any, name: str) -> None:
    assert login(coordinator_a).post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    "name", ["people:calendar-create", "people:notifications-read", "people:program-switch"]
)
def test_it_refuses_get_on_actions(resident_a: Any, name: str) -> None:
    assert login(resident_a).get(reverse(name)).status_code == 405


def test_it_creates_an_absence_request_from_the_form(resident_a: Any, year: Any) -> None:
    response = login(resident_a).post(
        reverse("people:absence-new"),
        {
            "kind": "vacation",
            "start_date": "2026-12-01",
            "end_date": "2026-12-05",
            "note": "Family",
        },
    )
    assert response.status_code == 302
    created = Absence.objects.get(person=person_of(resident_a))
    assert (created.status, created.note) == (Absence.Status.REQUESTED, "Family")


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-12-05", "2026-12-01", "end_date", "before the start"),
        ("2027-08-01", "2027-08-03", "start_date", "outside the program's academic years"),
        ("2026-12-03", "2026-12-09", "start_date", "overlaps"),
    ],
)
def test_it_shows_field_errors_for_bad_dates(
    resident_a: Any, year: Any, start: str, end: str, field: str, message: str
) -> None:
    ask(person_of(resident_a))
    response = login(resident_a).post(
        reverse("people:absence-new"), {"kind": "vacation", "start_date": start, "end_date": end}
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Absence.objects.count() == 1


def test_it_creates_a_preference_request(resident_a: Any, year: Any) -> None:
    response = login(resident_a).post(
        reverse("people:preference-new"),
        {"kind": "prefer_off", "start_date": "2026-12-24", "end_date": "2026-12-25", "weight": "8"},
    )
    assert response.status_code == 302
    assert Request.objects.get(person=person_of(resident_a)).weight == 8


def test_it_shows_residents_only_their_own_requests(
    resident_a: Any, year: Any, program_a: Any
) -> None:
    other = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Oth",
        last_name="Er",
        training_start=date(2025, 7, 1),
    )
    mine, theirs = ask(person_of(resident_a)), ask(other)
    response = login(resident_a).get(reverse("people:requests"))
    assert [a.pk for a in response.context["absences"]] == [mine.pk]
    assert str(theirs.code) not in response.content.decode()


def test_it_lets_a_resident_cancel_their_own_request_only(
    resident_a: Any, faculty_a: Any, year: Any
) -> None:
    theirs = ask(person_of(faculty_a))
    assert (
        login(resident_a).post(reverse("people:absence-cancel", args=[theirs.code])).status_code
        == 404
    )
    mine = ask(person_of(resident_a))
    login(resident_a).post(reverse("people:absence-cancel", args=[mine.code]))
    mine.refresh_from_db()
    assert mine.status == Absence.Status.CANCELLED


def test_it_shows_coordinators_the_pending_queue(
    coordinator_a: Any, resident_a: Any, year: Any
) -> None:
    pending = ask(person_of(resident_a))
    response = login(coordinator_a).get(reverse("people:review"))
    assert [a.pk for a in response.context["absences"]] == [pending.pk]


def test_it_hides_the_review_queue_from_residents(resident_a: Any) -> None:
    assert login(resident_a).get(reverse("people:review")).status_code == 403


def test_it_approves_from_the_review_page_and_notifies(
    coordinator_a: Any, resident_a: Any, year: Any, django_capture_on_commit_callbacks: Any
) -> None:
    pending = ask(person_of(resident_a))
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            reverse("people:absence-decide", args=[pending.code]), {"decision": "approve"}
        )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Absence.Status.APPROVED
    assert Notification.objects.get().recipient == resident_a


def test_it_answers_404_to_another_programs_coordinator_deciding(
    coordinator_b: Any, resident_a: Any, year: Any
) -> None:
    pending = ask(person_of(resident_a))
    response = login(coordinator_b).post(
        reverse("people:absence-decide", args=[pending.code]), {"decision": "approve"}
    )
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == Absence.Status.REQUESTED


def test_it_refuses_get_on_decide(coordinator_a: Any, resident_a: Any, year: Any) -> None:
    pending = ask(person_of(resident_a))
    assert (
        login(coordinator_a).get(reverse("people:absence-decide", args=[pending.code])).status_code
        == 405
    )


def test_it_shows_a_new_feed_token_once(resident_a: Any) -> None:
    client = login(resident_a)
    response = client.post(
        reverse("people:calendar-create"), {"scope": "person", "label": "Phone"}, follow=True
    )
    new = response.context["new"]
    assert new["webcal"].startswith("webcal://") and new["https"].startswith("http")
    token = new["https"].rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarSubscription.objects.get().token_hash == services.hash_token(token)
    assert token not in client.get(reverse("people:calendar")).content.decode()
    assert Client().get(new["https"].split("testserver", 1)[1]).status_code == 200


def test_it_refuses_a_program_feed_to_a_resident(resident_a: Any) -> None:
    login(resident_a).post(reverse("people:calendar-create"), {"scope": "program"})
    assert not CalendarSubscription.objects.exists()


def test_it_gives_a_coordinator_a_program_feed(coordinator_a: Any) -> None:
    login(coordinator_a).post(reverse("people:calendar-create"), {"scope": "program"})
    assert CalendarSubscription.objects.get().scope == CalendarSubscription.Scope.PROGRAM


def test_it_revokes_only_your_own_link(resident_a: Any, faculty_a: Any) -> None:
    theirs, _ = services.subscription_create(owner=person_of(faculty_a), actor=None)
    assert (
        login(resident_a).post(reverse("people:calendar-revoke", args=[theirs.code])).status_code
        == 404
    )
    mine, _ = services.subscription_create(owner=person_of(resident_a), actor=None)
    login(resident_a).post(reverse("people:calendar-revoke", args=[mine.code]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_it_regenerates_a_link_and_shows_the_new_token(resident_a: Any) -> None:
    mine, old = services.subscription_create(owner=person_of(resident_a), actor=None)
    response = login(resident_a).post(
        reverse("people:calendar-regenerate", args=[mine.code]), follow=True
    )
    assert response.context["new"] and old not in response.context["new"]["https"]


def test_it_marks_all_notifications_read(resident_a: Any, program_a: Any) -> None:
    for title in ("One", "Two"):
        Notification.objects.create(recipient=resident_a, program=program_a, title=title)
    login(resident_a).post(reverse("people:notifications-read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_it_refuses_to_switch_to_a_program_you_are_not_in(resident_a: Any, program_b: Any) -> None:
    response = login(resident_a).post(
        reverse("people:program-switch"), {"program": str(program_b.code)}
    )
    assert response.status_code == 404


def test_it_logs_in_and_lands_on_the_dashboard(resident_a: Any) -> None:
    from conftest import PASSWORD

    client = Client()
    response = client.post(reverse("login"), {"username": "resident_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("pages:dashboard")


def test_it_logs_out_by_post(resident_a: Any) -> None:
    client = login(resident_a)
    assert client.post(reverse("logout")).status_code == 200
    assert client.get(reverse("pages:dashboard")).status_code == 302


def test_it_emails_a_password_reset_link(resident_a: Any) -> None:
    response = Client().post(reverse("password_reset"), {"email": "resident_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def _count(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "pinned"), [("people:requests", 6), ("people:review", 6)])
def test_it_keeps_list_query_counts_flat(
    coordinator_a: Any, year: Any, program_a: Any, name: str, pinned: int
) -> None:
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="A",
        last_name="B",
        training_start=date(2025, 7, 1),
    )
    Membership.objects.filter(user=coordinator_a).update(person=person)
    client = login(coordinator_a)
    ask(person)
    before = _count(client, reverse(name))
    for month in (1, 2, 3, 4):
        ask(person, date(2027, month, 1), date(2027, month, 3))
        services.request_create(
            person=person,
            kind=Request.Kind.PREFER_ON,
            start_date=date(2027, month, 10),
            end_date=date(2027, month, 10),
            actor=None,
        )
    assert _count(client, reverse(name)) == before == pinned
