"""Detection follows every change that can raise or clear a conflict outside the schedule itself:
a person made inactive, an account deactivated, a credential or certification added, changed or
deleted, a coverage requirement changed, in the console and through the API (eager Celery: the
alerts are there when the request returns)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

import pytest
from django.db.models import Model
from django.forms import CheckboxInput
from django.test import Client
from rest_framework.test import APIClient

from conflicts import triggers
from conflicts.models import ConflictAlert
from conflicts.tests.cast import MONDAY, SUNDAY, Cast
from conflicts.tests.test_detection import open_alerts, run
from people import accounts
from people.models import Absence, Certification, Person, Procedure, ProcedureCredential
from rotations.models import CoverageRequirement, ShiftType
from swaps.tests.cast import assign, shift_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]
Kind = ConflictAlert.Kind


Commit = Callable[[Callable[[], Any]], Any]


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Commit:
    """Run an action, then what it queued for after its commit (as a real commit would)."""

    def run(action: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def console_url(model: type[Model], view: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _values(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(v) for v in value]
        else:
            data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def change_form(client: Client, url: str) -> dict[str, Any]:
    """What the console's change page would post back unchanged, inlines included."""
    response = client.get(url)
    assert response.status_code == 200
    data = _values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= _values(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= _values(form)
    return data


def unnoticed_absence(cast: Cast) -> Absence:
    """Rey away over his Monday ward day, approved behind detection's back."""
    return Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY,
        status=Absence.Status.APPROVED,
    )  # fmt: skip


def coverage_gaps(cast: Cast) -> set[date]:
    return {a.start_date for a in open_alerts(cast, Kind.COVERAGE) if MONDAY <= a.start_date}


def line_shift(cast: Cast) -> tuple[Procedure, ShiftType]:
    """A procedure shift (20:00, 4 h) that needs the central-line credential; Sam works Monday's."""
    line = Procedure.objects.create(program=cast.program, name="Central line")
    proc = shift_row(cast.program, "PROC", ShiftType.Category.DAY, 4)
    proc.start_time = time(20)
    proc.save()
    CoverageRequirement.objects.create(shift_type=proc, minimum=0, target=1, procedure=line)
    assign(cast.sam, proc, MONDAY)
    return line, proc


# People ---------------------------------------------------------------------------------------


def test_it_detects_when_a_person_is_made_inactive_in_the_console(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    url = console_url(Person, "change", cast.sam.pk)
    data = change_form(coordinator_client, url)
    del data["active"]
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    # One alert names Sam and the ward days he still holds (Tue, Fri, Sun); they raise no
    # coverage gap each besides (one problem, one alert).
    [alert] = ConflictAlert.objects.filter(program=cast.program, status="open")
    assert (alert.kind, alert.person, len(alert.details["shifts"])) == (Kind.INACTIVE, cast.sam, 3)


def test_it_does_not_detect_after_a_change_no_detector_reads(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    unnoticed_absence(cast)
    url = console_url(Person, "change", cast.rey.pk)
    data = {**change_form(coordinator_client, url), "phone": "1"}
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    assert open_alerts(cast, Kind.ABSENCE) == []


def test_it_detects_when_an_absence_is_approved_on_the_persons_page(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    Absence.objects.create(
        person=cast.rey, kind=Absence.Kind.SICK, start_date=MONDAY, end_date=MONDAY
    )
    url = console_url(Person, "change", cast.rey.pk)
    data = {**change_form(coordinator_client, url), "absences-0-status": Absence.Status.APPROVED}
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    [alert] = open_alerts(cast, Kind.ABSENCE)
    assert (alert.person, alert.start_date) == (cast.rey, MONDAY)


def test_it_resolves_when_an_approved_absence_is_cancelled_through_the_api(
    cast: Cast, commit: Commit
) -> None:
    absence = unnoticed_absence(cast)
    run(cast)
    assert [a.person for a in open_alerts(cast, Kind.ABSENCE)] == [cast.rey]
    client = APIClient()
    client.force_authenticate(cast.coordinator)
    response = commit(lambda: client.delete(f"/api/v1/absences/{absence.code}/"))
    assert response.status_code == 204, response.content
    absence.refresh_from_db()
    assert absence.status == Absence.Status.CANCELLED
    assert open_alerts(cast, Kind.ABSENCE) == []


def test_it_detects_when_an_account_is_deactivated(
    cast: Cast, resident_a: Any, commit: Commit
) -> None:
    unnoticed_absence(cast)
    commit(lambda: accounts.account_deactivate(user=resident_a, actor=cast.coordinator))
    [alert] = open_alerts(cast, Kind.ABSENCE)
    assert (alert.person, alert.start_date) == (cast.rey, MONDAY)


def test_it_detects_when_a_person_is_made_inactive_through_the_api(
    cast: Cast, commit: Commit
) -> None:
    client = APIClient()
    client.force_authenticate(cast.coordinator)
    url = f"/api/v1/people/{cast.rey.code}/"
    response = commit(lambda: client.patch(url, {"active": False}, format="json"))
    assert response.status_code == 200, response.content
    [alert] = ConflictAlert.objects.filter(program=cast.program, status="open")
    assert (alert.kind, alert.person, alert.start_date) == (Kind.INACTIVE, cast.rey, MONDAY)


def test_it_detects_when_an_import_makes_a_person_inactive(cast: Cast, commit: Commit) -> None:
    from api.imports import import_apply

    content = (
        f"person_code,kind,first_name,last_name,active\n"
        f"{cast.sam.code},resident,{cast.sam.first_name},{cast.sam.last_name},no\n"
    ).encode()
    options = {"program": cast.program, "name": "people.csv", "actor": cast.coordinator}
    commit(lambda: import_apply(kind="people", content=content, **options))
    [alert] = ConflictAlert.objects.filter(program=cast.program, status="open")
    assert (alert.kind, alert.person, len(alert.details["shifts"])) == (Kind.INACTIVE, cast.sam, 3)


# Credentials and certifications -----------------------------------------------------------------


def test_it_detects_when_a_credential_is_deleted_in_the_console(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    line, _ = line_shift(cast)
    held = ProcedureCredential.objects.create(
        person=cast.sam, procedure=line, granted_on=date(2026, 1, 1)
    )
    run(cast)
    assert open_alerts(cast, Kind.CREDENTIAL) == []
    url = console_url(ProcedureCredential, "delete", held.pk)
    response = commit(lambda: coordinator_client.post(url, {"post": "yes"}))
    assert response.status_code == 302
    [alert] = open_alerts(cast, Kind.CREDENTIAL)
    assert (alert.person, alert.start_date) == (cast.sam, MONDAY)


def test_it_resolves_when_a_credential_is_added_on_the_persons_page(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    line, _ = line_shift(cast)
    run(cast)
    [alert] = open_alerts(cast, Kind.CREDENTIAL)
    url = console_url(Person, "change", cast.sam.pk)
    data = change_form(coordinator_client, url)
    data |= {
        "credentials-TOTAL_FORMS": "1",
        "credentials-0-procedure": str(line.pk),
        "credentials-0-level": ProcedureCredential.Level.INDEPENDENT,
        "credentials-0-granted_on": "2026-01-01",
        "credentials-0-expires_on": "",
    }
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == ConflictAlert.Status.RESOLVED


def test_it_detects_when_a_credentials_expiry_moves_in_the_console(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    line, _ = line_shift(cast)
    held = ProcedureCredential.objects.create(
        person=cast.sam, procedure=line, granted_on=date(2026, 1, 1)
    )
    run(cast)
    url = console_url(ProcedureCredential, "change", held.pk)
    data = {**change_form(coordinator_client, url), "expires_on": MONDAY.isoformat()}
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    [alert] = open_alerts(cast, Kind.CREDENTIAL)
    assert alert.start_date == MONDAY


def test_it_detects_when_a_certification_is_added_in_the_console(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    unnoticed_absence(cast)
    data = {"person": cast.rey.pk, "name": "ACLS", "issued_on": "2026-01-01", "expires_on": ""}
    response = commit(lambda: coordinator_client.post(console_url(Certification, "add"), data))
    assert response.status_code == 302
    assert len(open_alerts(cast, Kind.ABSENCE)) == 1


def test_it_queues_nothing_for_validity_wholly_in_the_past(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    old = Certification(
        person=cast.rey, name="BLS", issued_on=date(2024, 1, 1), expires_on=date(2026, 1, 1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        triggers.row_changed(None, old)
    assert callbacks == []


# Coverage -------------------------------------------------------------------------------------


def test_it_detects_when_a_coverage_minimum_rises_in_the_console(
    cast: Cast, coordinator_client: Client, commit: Commit
) -> None:
    run(cast, MONDAY, SUNDAY)
    assert coverage_gaps(cast) & {cast.day(n) for n in range(7)} == set()
    requirement = CoverageRequirement.objects.get(shift_type=cast.wd)
    url = console_url(CoverageRequirement, "change", requirement.pk)
    data = {**change_form(coordinator_client, url), "minimum": "2", "target": "2"}
    response = commit(lambda: coordinator_client.post(url, data))
    assert response.status_code == 302
    assert {cast.day(n) for n in range(7)} <= coverage_gaps(cast)


def test_it_resolves_when_a_coverage_minimum_falls_through_the_api(
    cast: Cast, commit: Commit
) -> None:
    requirement = CoverageRequirement.objects.get(shift_type=cast.wd)
    requirement.minimum = requirement.target = 2
    requirement.save()
    run(cast, MONDAY, SUNDAY)
    assert cast.day(0) in coverage_gaps(cast)
    client = APIClient()
    client.force_authenticate(cast.coordinator)
    url = f"/api/v1/coverage/{requirement.code}/"
    response = commit(lambda: client.patch(url, {"minimum": 1, "target": 1}, format="json"))
    assert response.status_code == 200, response.content
    assert coverage_gaps(cast) & {cast.day(n) for n in range(7)} == set()
