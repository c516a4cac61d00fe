"""The one notification service: who is told, and only once the change commits."""

from typing import Any

import pytest
from django.db import transaction

from conftest import make_member
from people.models import Membership, Notification, Program
from people.notify import Event, managers_of, notify

pytestmark = pytest.mark.django_db(transaction=True)


def _titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_a_person_is_told_through_their_account_once(
    program_a: Program, resident_a: Any, faculty_a: Any
) -> None:
    person = resident_a.memberships.get().person
    with transaction.atomic():
        notify(
            [person, resident_a, person],
            Event.ASSIGNMENT_CHANGED,
            program=program_a,
            title="Your call on 3 March moved",
            url="/schedule/",
            context={"date": "2027-03-03"},
        )
    row = Notification.objects.get(recipient=resident_a)
    assert (row.title, row.kind, row.event, row.url) == (
        "Your call on 3 March moved",
        Notification.Kind.SCHEDULE,
        Event.ASSIGNMENT_CHANGED,
        "/schedule/",
    )
    assert row.context == {"date": "2027-03-03"}
    assert _titles(faculty_a) == []


def test_nobody_outside_the_program_or_inactive_is_told(
    program_a: Program, program_b: Program, resident_a: Any, coordinator_b: Any
) -> None:
    resident_a.is_active = False
    resident_a.save()
    notify(
        [resident_a.memberships.get().person, coordinator_b],
        Event.MESSAGE,
        program=program_a,
        title="Hello",
    )
    assert Notification.objects.count() == 0


def test_nothing_is_recorded_when_the_change_rolls_back(
    program_a: Program, resident_a: Any
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([resident_a], Event.MESSAGE, program=program_a, title="Never sent")
        raise RuntimeError("the change failed")
    assert _titles(resident_a) == []


def test_managers_are_the_coordinators_and_admins(
    program_a: Program, coordinator_a: Any, resident_a: Any
) -> None:
    admin = make_member(program_a, "admin_a", Membership.Role.ADMIN)
    assert {u.username for u in managers_of(program_a)} == {coordinator_a.username, admin.username}
    notify(managers_of(program_a), Event.RUN_FAILED, program=program_a, title="Run failed")
    assert _titles(coordinator_a) == ["Run failed"] == _titles(admin)
    assert _titles(resident_a) == []
