"""The coordinator console: who gets in, what they see, and the people admins."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.admin import SchedulerAdminSite
from people.models import AcademicYear, Membership, Person, Procedure, Program

pytestmark = pytest.mark.django_db


def _login(username: str, password: str = "cast-pass-2026") -> Any:
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
    )


# The site -------------------------------------------------------------------------------------


def test_it_installs_the_console_as_the_default_admin_site() -> None:
    assert isinstance(admin.site, SchedulerAdminSite)


def test_it_lets_a_coordinator_without_is_staff_log_in(coordinator_a: Any) -> None:
    assert not coordinator_a.is_staff
    response = _login("coord_a")
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


@pytest.mark.parametrize("fixture", ["faculty_a", "resident_a"])
def test_it_refuses_console_login_to_faculty_and_residents(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(fixture)
    response = _login(fixture)
    assert response.status_code == 200
    assert "for program coordinators and administrators" in response.content.decode()


def test_it_sends_a_logged_in_resident_back_to_the_login_page(resident_a: Any) -> None:
    client = Client()
    client.force_login(resident_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_it_refuses_an_inactive_coordinator(coordinator_a: Any) -> None:
    coordinator_a.is_active = False
    coordinator_a.save(update_fields=["is_active"])
    assert _login("coord_a").status_code == 200


def test_it_brands_the_header_with_the_coordinators_program(
    coordinator_client: Client,
) -> None:
    response = coordinator_client.get(reverse("admin:index"))
    assert "Family Medicine Residency — coordinator console" in response.content.decode()


def test_it_groups_the_index_into_workflow_sections(coordinator_client: Client) -> None:
    sections = coordinator_client.get(reverse("admin:index")).context["app_list"]
    names = [section["name"] for section in sections]
    assert names == ["Setup", "People", "Schedule", "Swaps & conflicts", "Imports"]
    setup = [model["object_name"] for model in sections[0]["models"]]
    assert setup[:4] == ["Program", "ProgramRule", "AcademicYear", "Block"]


def test_it_shows_users_groups_and_audit_log_to_superusers_only(
    superuser_client: Client, coordinator_client: Client
) -> None:
    def labels(client: Client) -> set[str]:
        sections = client.get(reverse("admin:index")).context["app_list"]
        return {m["model"]._meta.label for s in sections for m in s["models"]}

    assert {"auth.User", "auth.Group", "auditlog.LogEntry"} <= labels(superuser_client)
    assert not {"auth.User", "auth.Group", "auditlog.LogEntry"} & labels(coordinator_client)


def test_it_keeps_users_admin_closed_to_coordinators(coordinator_client: Client) -> None:
    assert coordinator_client.get(reverse("admin:auth_user_changelist")).status_code == 403


# Scoping, for every people model ----------------------------------------------------------


def test_it_limits_autocomplete_results_to_own_program(console: Any) -> None:
    response = console.coordinator.get(
        reverse("admin:autocomplete"),
        {"app_label": "people", "model_name": "absence", "field_name": "person", "term": ""},
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert console.world.a[Person].pk in ids
    assert console.world.b[Person].pk not in ids


def test_it_offers_users_of_own_program_or_none_for_membership(
    console: Any, program_a: Program
) -> None:
    response = console.coordinator.get(console.url(Membership, "add"))
    users = response.context["adminform"].form.fields["user"].queryset
    assert users.filter(username="member_a").exists()
    assert not users.filter(username="member_b").exists()


# Programs -------------------------------------------------------------------------------------


def test_it_lets_a_coordinator_edit_but_not_add_or_delete_programs(
    console: Any, program_a: Program
) -> None:
    assert console.coordinator.get(console.url(Program, "add")).status_code == 403
    assert console.coordinator.get(console.url(Program, "delete", program_a.pk)).status_code == 403
    assert console.coordinator.get(console.url(Program, "change", program_a.pk)).status_code == 200


# Audit ----------------------------------------------------------------------------------------


def test_it_records_the_coordinator_as_actor_of_an_admin_edit(
    console: Any, program_a: Program, coordinator_a: Any
) -> None:
    procedure = console.world.a[Procedure]
    response = console.coordinator.post(
        console.url(Procedure, "change", procedure.pk),
        {"program": program_a.pk, "name": "Lumbar puncture", "description": ""},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(procedure).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == coordinator_a
    assert entry.changes_dict["name"] == ["Central line a", "Lumbar puncture"]


def test_it_redirects_the_history_button_to_the_audit_log(console: Any) -> None:
    person = console.world.a[Person]
    response = console.coordinator.get(console.url(Person, "history", person.pk))
    assert response.url == console.url(Person, "auditlog", person.pk)


# People ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("pinned_now", [datetime(2026, 9, 1, 14, 0, tzinfo=UTC)])
def test_it_shows_a_residents_pgy_in_the_current_year(
    coordinator_client: Client, program_a: Program
) -> None:
    AcademicYear.objects.create(
        program=program_a, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )
    Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Second",
        last_name="Year",
        training_start=date(2025, 7, 1),
    )
    response = coordinator_client.get(reverse("admin:people_person_changelist"))
    assert "PGY-2" in response.content.decode()
    filtered = coordinator_client.get(reverse("admin:people_person_changelist"), {"pgy": "2"})
    assert [p.last_name for p in filtered.context["cl"].result_list] == ["Year"]
    other = coordinator_client.get(reverse("admin:people_person_changelist"), {"pgy": "1"})
    assert list(other.context["cl"].result_list) == []


def _add_people(program: Program, count: int) -> None:
    Person.objects.bulk_create(
        Person(
            program=program,
            kind=Person.Kind.RESIDENT,
            first_name=f"P{n}",
            last_name=f"L{n}",
            training_start=date(2024 + n % 3, 7, 1),
        )
        for n in range(count)
    )


def test_it_lists_people_in_a_constant_number_of_queries(
    coordinator_client: Client, program_a: Program
) -> None:
    from django.db import connection

    url = reverse("admin:people_person_changelist")
    _add_people(program_a, 2)
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    _add_people(program_a, 18)
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 12


def test_it_rejects_a_posted_choice_from_another_program(console: Any) -> None:
    from people.models import Absence

    absence = console.world.a[Absence]
    response = console.coordinator.post(
        console.url(Absence, "change", absence.pk),
        {
            "person": console.world.b[Person].pk,
            "kind": "vacation",
            "status": "requested",
            "start_date": "2026-12-01",
            "end_date": "2026-12-05",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    absence.refresh_from_db()
    assert absence.person == console.world.a[Person]


def test_it_approves_requested_absences_through_the_service(
    coordinator_client: Any, coordinator_a: Any, world: Any
) -> None:
    from django.contrib.admin import helpers
    from django.urls import reverse

    from people.models import Absence, Notification

    absence = world.a[Absence]
    url = reverse("admin:people_absence_changelist")
    coordinator_client.post(url, {"action": "approve", helpers.ACTION_CHECKBOX_NAME: [absence.pk]})
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert absence.decided_by == coordinator_a
    response = coordinator_client.post(
        url, {"action": "deny", helpers.ACTION_CHECKBOX_NAME: [absence.pk]}, follow=True
    )
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED  # already decided: refused, not changed
    assert "already approved" in response.content.decode()
    assert Notification.objects.filter(recipient__memberships__person=absence.person).exists()


def test_it_places_every_program_scoped_model_in_a_section() -> None:
    """A model a coordinator may manage but the index never lists is a door nobody finds."""
    from django.contrib import admin as django_admin

    from console.admin import SECTIONS, ProgramScopedAdmin

    placed = {label for _, labels in SECTIONS for label in labels}
    scoped = {
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model, model_admin in django_admin.site._registry.items()
        if isinstance(model_admin, ProgramScopedAdmin)
    }
    assert scoped - placed == set()
