"""People services: requests with their rules, decisions with notifications, feed links."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lib.errors import ApplicationError
from people import services
from people.models import Absence, AcademicYear, CalendarSubscription, Notification, Person, Request

YEAR = (date(2026, 7, 1), date(2027, 6, 30))


@pytest.fixture
def person(resident_a: Any) -> Person:
    person = resident_a.memberships.get().person
    AcademicYear.objects.create(
        program=person.program, name="2026–2027", start_date=YEAR[0], end_date=YEAR[1]
    )
    return person


def absence(person: Person, start: date, end: date, actor: Any = None) -> Absence:
    return services.absence_request_create(
        person=person, kind=Absence.Kind.VACATION, start_date=start, end_date=end, actor=actor
    )


def field_of(excinfo: Any) -> str:
    return excinfo.value.details.get("field")


def test_it_creates_a_requested_absence(person: Person, resident_a: Any) -> None:
    created = absence(person, date(2026, 12, 1), date(2026, 12, 5), resident_a)
    assert created.status == Absence.Status.REQUESTED and created.person == person


def test_it_refuses_an_absence_ending_before_it_starts(person: Person) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        absence(person, date(2026, 12, 5), date(2026, 12, 1))
    assert field_of(excinfo) == "end_date"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(2026, 6, 20), date(2026, 7, 2), "start_date"),
        (date(2027, 6, 25), date(2027, 7, 3), "end_date"),
    ],
)
def test_it_refuses_dates_outside_the_academic_year(
    person: Person, start: date, end: date, field: str
) -> None:
    with pytest.raises(ApplicationError) as excinfo:
        absence(person, start, end)
    assert field_of(excinfo) == field


def test_it_refuses_an_overlapping_absence(person: Person) -> None:
    absence(person, date(2026, 12, 1), date(2026, 12, 5))
    with pytest.raises(ApplicationError) as excinfo:
        absence(person, date(2026, 12, 5), date(2026, 12, 8))
    assert field_of(excinfo) == "start_date"


def test_it_lets_a_denied_absence_be_asked_again(person: Person, coordinator_a: Any) -> None:
    first = absence(person, date(2026, 12, 1), date(2026, 12, 5))
    services.absence_decide(absence=first, approve=False, actor=coordinator_a)
    assert absence(person, date(2026, 12, 1), date(2026, 12, 5)).status == Absence.Status.REQUESTED


def test_it_refuses_overlapping_preference_requests_but_not_other_shifts(person: Person) -> None:
    from datetime import time

    from rotations.models import ShiftType

    def shift(abbr: str) -> ShiftType:
        return ShiftType.objects.create(
            program=person.program,
            name=abbr,
            abbreviation=abbr,
            category=ShiftType.Category.DAY,
            start_time=time(7),
            duration_minutes=600,
        )

    call, day = shift("C"), shift("D")
    args: dict[str, Any] = {"person": person, "kind": Request.Kind.PREFER_OFF, "actor": None}
    services.request_create(
        start_date=date(2026, 12, 24), end_date=date(2026, 12, 25), shift_type=call, **args
    )
    services.request_create(
        start_date=date(2026, 12, 24), end_date=date(2026, 12, 25), shift_type=day, **args
    )
    with pytest.raises(ApplicationError) as excinfo:
        services.request_create(start_date=date(2026, 12, 25), end_date=date(2026, 12, 26), **args)
    assert field_of(excinfo) == "start_date"


def test_it_approves_and_notifies_the_requester_after_commit(
    person: Person, resident_a: Any, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    asked = absence(person, date(2026, 12, 1), date(2026, 12, 5))
    with django_capture_on_commit_callbacks(execute=True):
        services.absence_decide(absence=asked, approve=True, actor=coordinator_a)
        assert not Notification.objects.exists()  # nothing before the commit
    asked.refresh_from_db()
    assert asked.status == Absence.Status.APPROVED and asked.decided_by == coordinator_a
    note = Notification.objects.get()
    assert note.recipient == resident_a and "approved" in note.title


def test_it_denies_a_request_and_refuses_a_second_decision(
    person: Person, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wish = services.request_create(
        person=person,
        kind=Request.Kind.PREFER_OFF,
        start_date=date(2026, 8, 1),
        end_date=date(2026, 8, 1),
        actor=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decide(request=wish, approve=False, actor=coordinator_a)
    assert "declined" in Notification.objects.get().title
    with pytest.raises(ApplicationError):
        services.request_decide(request=wish, approve=True, actor=coordinator_a)


def test_it_records_the_actor_in_the_audit_log(person: Person, coordinator_a: Any) -> None:
    from auditlog.models import LogEntry

    asked = absence(person, date(2026, 12, 1), date(2026, 12, 5))
    services.absence_decide(absence=asked, approve=True, actor=coordinator_a)
    entry = LogEntry.objects.get_for_object(asked).order_by("-timestamp").first()
    assert entry is not None and entry.actor == coordinator_a


def test_it_stores_only_a_hash_of_a_new_feed_token(person: Person) -> None:
    subscription, token = services.subscription_create(owner=person, actor=None)
    assert len(token) == 43 and token not in subscription.token_hash
    assert subscription.token_hash == services.hash_token(token)
    assert token.startswith(subscription.token_hint)


def test_it_regenerates_a_token_and_revokes_a_link(person: Person) -> None:
    subscription, old = services.subscription_create(owner=person, actor=None)
    subscription, new = services.subscription_regenerate(subscription=subscription, actor=None)
    assert new != old and subscription.token_hash == services.hash_token(new)
    services.subscription_revoke(subscription=subscription, actor=None)
    subscription.refresh_from_db()
    assert subscription.revoked_at is not None
    with pytest.raises(ApplicationError):
        services.subscription_regenerate(subscription=subscription, actor=None)


def test_it_refuses_a_rotation_of_another_program(person: Person, program_b: Any) -> None:
    from rotations.models import Rotation

    other = Rotation.objects.create(
        program=program_b, name="B wards", abbreviation="BW", kind=Rotation.Kind.INPATIENT
    )
    with pytest.raises(ApplicationError):
        services.subscription_create(
            owner=person,
            scope=CalendarSubscription.Scope.ROTATION,
            rotation=other,
            manager=True,
            actor=None,
        )


def test_it_gives_a_coordinator_a_staff_person_once(coordinator_a: Any) -> None:
    membership = coordinator_a.memberships.get()
    first = services.staff_person_ensure(membership=membership, actor=coordinator_a)
    membership.refresh_from_db()
    assert first.kind == Person.Kind.STAFF and membership.person == first
    assert services.staff_person_ensure(membership=membership, actor=coordinator_a) == first


def test_it_marks_a_notification_read(resident_a: Any, program_a: Any) -> None:
    note = Notification.objects.create(recipient=resident_a, program=program_a, title="Hello")
    services.notification_mark_read(notification=note, actor=resident_a)
    note.refresh_from_db()
    assert note.read_at is not None
