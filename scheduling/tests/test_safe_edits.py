"""Issue 11, item 1: every schedule edit runs the prospective check in its transaction, through
every door (grid page, console form, API, import); a hard violation needs a coordinator's written
reason, kept on the row, in its audit entry and on the grid's cell; warnings do not block."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from api.exports import SCHEDULE_HEADER
from conftest import make_member
from people.models import Membership
from rotations.models import CoverageRequirement, ShiftType
from scheduler_project.celery import app as celery_app
from scheduling.models import Assignment, State
from scheduling.tests.builders import START, SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> SmallProgram:
    world = small_program()
    # Resident 0 works the ward day (07:00-19:00) on 1 July, which covers its minimum.
    f.AssignmentFactory.create(
        person=world.residents[0], shift_type=world.shift, date=START, state=State.PUBLISHED
    )
    return world


@pytest.fixture
def boss(world: SmallProgram) -> Any:
    return make_member(world.program, "boss", Membership.Role.COORDINATOR)


@pytest.fixture
def boss_client(boss: Any) -> Client:
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def boss_api(boss: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(boss)
    return client


def night(world: SmallProgram) -> ShiftType:
    """18:00-06:00: overlaps the ward day, and no coverage asks for it: hard violations."""
    return f.ShiftTypeFactory.create(
        program=world.program, abbreviation="NT", start_time=time(18), duration_minutes=720
    )


def early(world: SmallProgram) -> ShiftType:
    """02:00-08:00 the next day: only seven hours after the ward day (a "should": a warning)."""
    shift = f.ShiftTypeFactory.create(
        program=world.program, abbreviation="EA", start_time=time(2), duration_minutes=360
    )
    CoverageRequirement.objects.create(
        shift_type=shift, rotation=world.rotation, minimum=0, target=0, maximum=2
    )
    return shift


def cell(world: SmallProgram, shift: ShiftType, **extra: Any) -> dict[str, Any]:
    return {
        "program": world.program.code,
        "person": world.residents[0].code,
        "date": START.isoformat(),
        "shift_type": shift.pk,
        "action": "add",
        **extra,
    }


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Grid page -----------------------------------------------------------------------------------


def test_it_refuses_a_grid_save_that_breaks_a_hard_rule(
    boss_client: Client, world: SmallProgram
) -> None:
    response = boss_client.post(
        reverse("scheduling:grid-save"), cell(world, night(world)), follow=True
    )
    assert not Assignment.objects.filter(shift_type__abbreviation="NT").exists()
    [message] = messages_of(response)
    assert message.startswith("Not saved.") and "override reason" in message


def test_it_saves_a_grid_edit_with_an_override_reason_shown_on_the_cell(
    boss_client: Client, boss: Any, world: SmallProgram
) -> None:
    data = cell(world, night(world), override_reason="Locum cancelled; she agreed")
    response = boss_client.post(reverse("scheduling:grid-save"), data, follow=True)
    row = Assignment.objects.get(shift_type__abbreviation="NT")
    assert row.override_reason == "Locum cancelled; she agreed"
    assert "overriding" in messages_of(response)[0]
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.actor == boss and "Locum cancelled" in str(entry.changes)
    grid = boss_client.get(
        reverse("scheduling:grid"), {"program": str(world.program.code), "start": START.isoformat()}
    )
    assert 'title="Saved despite a hard rule. Reason: Locum cancelled; she agreed"' in (
        grid.content.decode()
    )


def test_it_saves_a_grid_edit_with_warnings_and_shows_them(
    boss_client: Client, world: SmallProgram
) -> None:
    data = cell(world, early(world), date=(START + timedelta(days=1)).isoformat())
    response = boss_client.post(reverse("scheduling:grid-save"), data, follow=True)
    row = Assignment.objects.get(shift_type__abbreviation="EA")
    assert row.override_reason == ""
    assert any(m.startswith("Warning (acgme.min_rest)") for m in messages_of(response))


def test_it_refuses_a_grid_removal_that_uncovers_a_minimum(
    boss_client: Client, world: SmallProgram
) -> None:
    data = cell(world, world.shift, action="remove")
    boss_client.post(reverse("scheduling:grid-save"), data)
    assert Assignment.objects.filter(shift_type=world.shift).exists()
    boss_client.post(reverse("scheduling:grid-save"), {**data, "override_reason": "Ward closed"})
    assert not Assignment.objects.filter(shift_type=world.shift).exists()
    entry = LogEntry.objects.filter(object_repr__contains="WD").order_by("-timestamp").first()
    assert entry is not None and entry.action == LogEntry.Action.DELETE


def test_it_tells_on_preview_that_saving_needs_a_reason(
    boss_client: Client, world: SmallProgram
) -> None:
    response = boss_client.post(reverse("scheduling:grid-preview"), cell(world, night(world)))
    assert b"saving needs an override reason" in response.content


# Console ---------------------------------------------------------------------------------------


def _console_form(world: SmallProgram, shift: ShiftType, **extra: Any) -> dict[str, Any]:
    return {
        "person": world.residents[1].pk,
        "shift_type": shift.pk,
        "date": START.isoformat(),
        "note": "",
        "call_back": "",
        "override_reason": "",
        **extra,
    }


def test_it_refuses_a_console_add_that_breaks_a_hard_rule(
    boss_client: Client, world: SmallProgram
) -> None:
    url = reverse("admin:scheduling_assignment_add")
    shift = night(world)
    response = boss_client.post(url, _console_form(world, shift))
    assert response.status_code == 200  # the form again, with the error on the reason
    assert "Saving it needs a written override reason" in response.content.decode()
    assert not Assignment.objects.filter(shift_type__abbreviation="NT").exists()
    form = _console_form(world, shift, override_reason="Only night nurse")
    response = boss_client.post(url, form)
    assert response.status_code == 302
    row = Assignment.objects.get(shift_type__abbreviation="NT")
    assert row.override_reason == "Only night nurse" and row.state == State.PUBLISHED


def test_it_checks_a_console_change_that_moves_a_shift(
    boss_client: Client, world: SmallProgram
) -> None:
    row = Assignment.objects.get(shift_type=world.shift)
    url = reverse("admin:scheduling_assignment_change", args=[row.pk])
    # Moving the only ward day away from 1 July leaves its minimum uncovered.
    moved = {
        **_console_form(world, world.shift),
        "person": world.residents[0].pk,
        "date": (START + timedelta(days=1)).isoformat(),
    }
    response = boss_client.post(url, moved)
    assert response.status_code == 200
    assert Assignment.objects.get(shift_type=world.shift).date == START
    # Handing it to a colleague on the same day breaks nothing.
    response = boss_client.post(
        url, {**moved, "date": START.isoformat(), "person": world.residents[1].pk}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(shift_type=world.shift).person == world.residents[1]


# API -------------------------------------------------------------------------------------------


def test_it_answers_400_with_the_violations_to_an_api_create(
    boss_api: APIClient, world: SmallProgram
) -> None:
    body = {
        "person": str(world.residents[0].code),
        "shift_type": str(night(world).code),
        "date": START.isoformat(),
    }
    response = boss_api.post("/api/v1/assignments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["needs_override"] is True
    assert response.json()["details"]["violations"]
    response = boss_api.post(
        "/api/v1/assignments/", {**body, "override_reason": "Agreed by PD"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["override_reason"] == "Agreed by PD"


def test_it_checks_an_api_removal(boss_api: APIClient, world: SmallProgram) -> None:
    row = Assignment.objects.get(shift_type=world.shift)
    assert boss_api.delete(f"/api/v1/assignments/{row.code}/").status_code == 400
    response = boss_api.delete(f"/api/v1/assignments/{row.code}/?override_reason=Ward+closed")
    assert response.status_code == 204
    assert not Assignment.objects.filter(pk=row.pk).exists()


# Import ----------------------------------------------------------------------------------------


def _schedule_file(world: SmallProgram, *shifts: str) -> bytes:
    """A schedule CSV giving resident 0 these shifts on 1 July (long form, as exported)."""
    person = world.residents[0]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SCHEDULE_HEADER)
    for shift in shifts:
        writer.writerow([START.isoformat(), person.code, person.full_name, shift])
    return out.getvalue().encode()


def _import(client: APIClient, world: SmallProgram, content: bytes, reason: str = "") -> Any:
    """Apply a schedule file through the import job, run eagerly; returns the finished job."""
    body = {
        "program": str(world.program.code),
        "academic_year": str(world.block.academic_year.code),
        "file": SimpleUploadedFile("schedule.csv", content),
        "override_reason": reason,
    }
    celery_app.conf.task_always_eager = True
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post("/api/v1/imports/schedule/apply/", body, format="multipart")
    finally:
        celery_app.conf.task_always_eager = False
    assert response.status_code == 202, response.content
    return client.get(response["Location"]).json()


def test_it_refuses_an_import_that_breaks_a_hard_rule_unless_overridden(
    boss_api: APIClient, world: SmallProgram
) -> None:
    night(world)
    content = _schedule_file(world, "WD", "NT")
    job = _import(boss_api, world, content)
    assert job["status"] == "failed"
    assert "override reason" in str(job["errors"])
    assert not Assignment.objects.filter(shift_type__abbreviation="NT").exists()
    job = _import(boss_api, world, content, reason="Imported from the paper rota")
    assert job["status"] == "applied", job
    row = Assignment.objects.get(shift_type__abbreviation="NT")
    assert row.override_reason == "Imported from the paper rota"
