"""The console adds absences and requests through people.services (the pages' and the API's
rules: one academic year, no overlap, the program's review policy), shows a refusal beside the
field it names, and changes an absence's status on a person's page through decide and cancel."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from conflicts.tests.test_triggers import change_form
from conftest import make_member
from people.models import Absence, Membership, PreferencePolicy, Request
from scheduling.tests.builders import SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 20)  # a week after the pinned today; the year runs 2026-07-01..2027-06-30
OUTSIDE = date(2027, 8, 2)  # after the only academic year


@pytest.fixture
def world(db: None) -> SmallProgram:
    return small_program(around=DAY)


@pytest.fixture
def boss(world: SmallProgram) -> Any:
    return make_member(world.program, "boss", Membership.Role.COORDINATOR)


@pytest.fixture
def boss_client(boss: Any) -> Client:
    client = Client()
    client.force_login(boss)
    return client


def _add(client: Client, model: type[Any], **data: Any) -> Any:
    url = reverse(f"admin:people_{model._meta.model_name}_add")
    return client.post(url, {"note": "", **data})


def _absence(world: SmallProgram, start: date, end: date) -> dict[str, Any]:
    return {
        "person": world.residents[0].pk,
        "kind": Absence.Kind.VACATION,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }


def _request(world: SmallProgram, start: date, end: date) -> dict[str, Any]:
    return {
        "person": world.residents[0].pk,
        "kind": Request.Kind.PREFER_OFF,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "shift_type": "",
        "weight": "5",
        "reason": "",
    }


def _form_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 200  # the form again, not a 500 nor a redirect
    form = response.context["adminform"].form
    return {name: " ".join(errors) for name, errors in form.errors.items()}


def test_it_refuses_a_console_absence_outside_the_academic_year(
    boss_client: Client, world: SmallProgram
) -> None:
    response = _add(boss_client, Absence, **_absence(world, OUTSIDE, OUTSIDE))
    assert "outside the program's academic years" in _form_errors(response)["start_date"]
    assert not Absence.objects.exists()


def test_it_refuses_a_console_absence_over_another(
    boss_client: Client, world: SmallProgram
) -> None:
    f.AbsenceFactory.create(
        person=world.residents[0], start_date=DAY, end_date=DAY, status=Absence.Status.APPROVED
    )
    response = _add(boss_client, Absence, **_absence(world, DAY, date(2026, 10, 22)))
    assert "overlaps" in _form_errors(response)["start_date"]
    assert Absence.objects.count() == 1


def test_it_creates_a_console_absence_through_the_service(
    boss_client: Client, boss: Any, world: SmallProgram
) -> None:
    response = _add(boss_client, Absence, **_absence(world, DAY, DAY))
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert absence.status == Absence.Status.REQUESTED
    entry = LogEntry.objects.get_for_object(absence).get(action=LogEntry.Action.CREATE)
    assert entry.actor == boss


def test_it_refuses_a_console_request_outside_the_year_or_overlapping(
    boss_client: Client, world: SmallProgram
) -> None:
    response = _add(boss_client, Request, **_request(world, OUTSIDE, OUTSIDE))
    assert "outside the program's academic years" in _form_errors(response)["start_date"]
    Request.objects.create(
        person=world.residents[0],
        kind=Request.Kind.PREFER_OFF,
        start_date=DAY,
        end_date=DAY,
        status=Request.Status.PENDING,
    )
    response = _add(boss_client, Request, **_request(world, DAY, DAY))
    assert "overlaps" in _form_errors(response)["start_date"]
    assert Request.objects.count() == 1


def test_it_creates_a_console_request_under_the_review_policy(
    boss_client: Client, boss: Any, world: SmallProgram
) -> None:
    PreferencePolicy.objects.create(program=world.program, review=PreferencePolicy.Review.NONE)
    response = _add(boss_client, Request, **_request(world, DAY, DAY))
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.status == Request.Status.APPROVED  # the policy applies it at once
    assert request.decided_at is not None
    entry = LogEntry.objects.get_for_object(request).get(action=LogEntry.Action.CREATE)
    assert entry.actor == boss


def _person_page(client: Client, world: SmallProgram) -> tuple[str, dict[str, Any]]:
    url = reverse("admin:people_person_change", args=[world.residents[0].pk])
    return url, change_form(client, url)


def test_it_refuses_an_overlapping_absence_added_on_a_persons_page(
    boss_client: Client, world: SmallProgram
) -> None:
    f.AbsenceFactory.create(
        person=world.residents[0], start_date=DAY, end_date=DAY, status=Absence.Status.APPROVED
    )
    url, data = _person_page(boss_client, world)
    data |= {
        "absences-TOTAL_FORMS": "2",
        "absences-1-kind": Absence.Kind.VACATION,
        "absences-1-status": Absence.Status.REQUESTED,
        "absences-1-start_date": DAY.isoformat(),
        "absences-1-end_date": DAY.isoformat(),
        "absences-1-note": "",
    }
    response = boss_client.post(url, data)
    assert response.status_code == 200
    [formset] = [
        i.formset
        for i in response.context["inline_admin_formsets"]
        if i.formset.prefix == "absences"
    ]
    assert "overlaps" in " ".join(formset.forms[1].errors["start_date"])
    assert Absence.objects.count() == 1


def test_it_adds_and_approves_an_absence_on_a_persons_page_through_the_services(
    boss_client: Client, boss: Any, world: SmallProgram
) -> None:
    url, data = _person_page(boss_client, world)
    data |= {
        "absences-TOTAL_FORMS": "1",
        "absences-0-kind": Absence.Kind.VACATION,
        "absences-0-status": Absence.Status.APPROVED,
        "absences-0-start_date": DAY.isoformat(),
        "absences-0-end_date": DAY.isoformat(),
        "absences-0-note": "",
    }
    response = boss_client.post(url, data)
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert absence.status == Absence.Status.APPROVED
    assert absence.decided_by == boss  # decided by the service, not written as a field


def test_it_rechecks_the_dates_of_an_edited_absence_but_not_against_itself(
    boss_client: Client, world: SmallProgram
) -> None:
    f.AbsenceFactory.create(person=world.residents[0], start_date=DAY, end_date=DAY)
    moved = f.AbsenceFactory.create(
        person=world.residents[0], start_date=date(2026, 11, 2), end_date=date(2026, 11, 3)
    )
    url = reverse("admin:people_absence_change", args=[moved.pk])
    response = boss_client.post(url, {"note": "", **_absence(world, DAY, date(2026, 10, 21))})
    assert "overlaps" in _form_errors(response)["start_date"]
    longer = _absence(world, date(2026, 11, 2), date(2026, 11, 4))
    assert boss_client.post(url, {"note": "", **longer}).status_code == 302
    moved.refresh_from_db()
    assert moved.end_date == date(2026, 11, 4)
