"""Behaviour of the collections: bad input, runs and idempotency, validation, audit, queries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import build_program_rows
from people.models import CalendarSubscription, Membership, Person, Program
from rotations.models import ShiftType
from scheduling.models import Assignment, ScheduleRun, State

pytestmark = pytest.mark.django_db


def _person_body(program: Program, **extra: Any) -> dict[str, Any]:
    return {
        "program": str(program.code),
        "kind": "faculty",
        "first_name": "A",
        "last_name": "B",
    } | extra


# Bad input --------------------------------------------------------------------------------------


def test_it_answers_malformed_json_with_400(api: Any, coordinator_a: Any) -> None:
    response = api(coordinator_a).post(
        "/api/v1/people/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The request body could not be parsed")


def test_it_names_fields_of_the_wrong_type(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = _person_body(program_a, kind="wizard", training_start="soon", active="maybe")
    response = api(coordinator_a).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert {"kind", "training_start", "active"} <= set(response.json()["details"])


def test_it_refuses_unknown_fields_by_name(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = _person_body(program_a, favourite_colour="green")
    response = api(coordinator_a).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"favourite_colour": ["Unknown field."]}
    assert not Person.objects.filter(first_name="A").exists()


def test_it_refuses_references_into_another_program(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    body = {
        "person": str(world.a[Person].code),
        "shift_type": str(world.b[ShiftType].code),
        "date": "2026-07-05",
    }
    response = api(coordinator_a).post("/api/v1/assignments/", body, format="json")
    assert response.status_code == 400
    assert "shift_type" in response.json()["details"]


def test_it_refuses_a_cross_program_reference_the_user_can_see(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    Membership.objects.create(user=coordinator_a, program=world.b[Program], role="coordinator")
    body = {
        "person": str(world.a[Person].code),
        "shift_type": str(world.b[ShiftType].code),
        "date": "2026-07-05",
    }
    response = api(coordinator_a).post("/api/v1/assignments/", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"]["shift_type"] == ["This belongs to another program."]


def test_it_answers_413_to_an_oversized_body(api: Any, coordinator_a: Any, settings: Any) -> None:
    settings.API_MAX_UPLOAD_BYTES = 1000
    response = api(coordinator_a).post("/api/v1/people/", {"first_name": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert set(response.json()) == {"message", "details"}


def test_it_translates_model_validation_into_field_errors(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = _person_body(program_a, kind="resident")  # a resident needs a training start
    response = api(coordinator_a).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert "training_start" in response.json()["details"]


def test_it_answers_a_protected_delete_with_409(api: Any, world: Any, coordinator_a: Any) -> None:
    shift = world.a[ShiftType]  # assignments still use it
    response = api(coordinator_a).delete(f"/api/v1/shift-types/{shift.code}/")
    assert response.status_code == 409
    assert ShiftType.objects.filter(pk=shift.pk).exists()


# Runs -------------------------------------------------------------------------------------------

RUN = {
    "start_date": "2026-08-01",
    "end_date": "2026-08-07",
    "algorithm": "greedy",
    "include_past": True,
}


def test_it_starts_a_run_with_202_and_its_url(api: Any, world: Any, coordinator_a: Any) -> None:
    body = {"program": str(world.a[Program].code), **RUN}
    response = api(coordinator_a).post("/api/v1/runs/", body, format="json")
    assert response.status_code == 202
    run = ScheduleRun.objects.get(code=response.json()["code"])
    assert response["Location"].endswith(f"/api/v1/runs/{run.code}/")
    assert run.requested_by == coordinator_a
    assert run.status == ScheduleRun.Status.QUEUED


def test_it_honours_the_idempotency_key(api: Any, world: Any, coordinator_a: Any) -> None:
    client = api(coordinator_a)
    body = {"program": str(world.a[Program].code), **RUN}
    first = client.post("/api/v1/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ScheduleRun.objects.filter(start_date=date(2026, 8, 1)).count() == 1


def test_it_refuses_a_reused_key_with_another_body(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    client = api(coordinator_a)
    body = {"program": str(world.a[Program].code), **RUN}
    client.post("/api/v1/runs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = {**body, "end_date": "2026-08-08"}
    response = client.post("/api/v1/runs/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["details"]


def test_it_reports_run_status_and_progress(api: Any, world: Any, coordinator_a: Any) -> None:
    run = world.a[ScheduleRun]
    response = api(coordinator_a).get(f"/api/v1/runs/{run.code}/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "queued"
    assert data["progress"] == [
        {"elapsed_seconds": 1.0, "objective": 3.0, "bound": None, "phase": ""}
    ]


def test_it_cancels_a_queued_run(api: Any, world: Any, coordinator_a: Any) -> None:
    run = world.a[ScheduleRun]
    response = api(coordinator_a).post(f"/api/v1/runs/{run.code}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_it_refuses_a_second_overlapping_run_naming_the_first(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    body = {"program": str(world.a[Program].code), **RUN, "start_date": "2026-07-01"}
    response = api(coordinator_a).post("/api/v1/runs/", body, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"run": str(world.a[ScheduleRun].code)}


# Validation, audit, visibility ------------------------------------------------------------------


def test_it_validates_a_change_without_saving(api: Any, world: Any, coordinator_a: Any) -> None:
    before = Assignment.objects.count()
    body = {
        "person": str(world.a[Person].code),
        "shift_type": str(world.a[ShiftType].code),
        "date": "2026-07-01",
        "change": "add",
    }
    response = api(coordinator_a).post("/api/v1/validation/", body, format="json")
    assert response.status_code == 200
    assert response.json()["saved"] is False
    assert isinstance(response.json()["violations"], list)
    assert Assignment.objects.count() == before


def test_it_records_the_api_user_in_the_audit_log(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    response = api(coordinator_a).post("/api/v1/people/", _person_body(program_a), format="json")
    person = Person.objects.get(code=response.json()["code"])
    entry = LogEntry.objects.get_for_object(person).get()
    assert entry.actor == coordinator_a


def test_it_hides_drafts_from_residents(api: Any, world: Any, resident_a: Any) -> None:
    published = world.a[Assignment]
    Assignment.objects.create(
        person=published.person,
        shift_type=published.shift_type,
        date=date(2026, 7, 9),
        starts_at=published.starts_at,
        ends_at=published.ends_at,
        state=State.DRAFT,
        run=world.a[ScheduleRun],
    )
    resident = api(resident_a).get("/api/v1/assignments/").json()
    assert {row["state"] for row in resident["results"]} == {"published"}


def test_it_filters_assignments_by_person_dates_and_state(
    api: Any, world: Any, coordinator_a: Any
) -> None:
    person = world.a[Person]
    query = {"person": str(person.code), "date_from": "2026-07-01", "date_to": "2026-07-01"}
    rows = api(coordinator_a).get("/api/v1/assignments/", query | {"state": "published"}).json()
    assert [row["code"] for row in rows["results"]] == [str(world.a[Assignment].code)]
    none = api(coordinator_a).get("/api/v1/assignments/", query | {"state": "draft"}).json()
    assert none["count"] == 0


def test_it_filters_assignments_by_rotation(api: Any, world: Any, coordinator_a: Any) -> None:
    from rotations.models import Rotation

    query = {"rotation": str(world.a[Rotation].code)}
    rows = api(coordinator_a).get("/api/v1/assignments/", query).json()["results"]
    assert [row["code"] for row in rows] == [str(world.a[Assignment].code)]


def test_it_shows_a_new_subscription_token_once(api: Any, world: Any, resident_a: Any) -> None:
    client = api(resident_a)
    created = client.post(
        "/api/v1/subscriptions/", {"program": str(world.a[Program].code)}, format="json"
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token and token.startswith(created.json()["token_hint"])
    again = client.get(f"/api/v1/subscriptions/{created.json()['code']}/").json()
    assert again["token"] is None
    revoked = client.delete(f"/api/v1/subscriptions/{created.json()['code']}/")
    assert revoked.status_code == 204
    assert CalendarSubscription.objects.get(code=created.json()["code"]).revoked_at is not None


@pytest.mark.parametrize(
    "path",
    ["people", "absences", "assignments", "rotation-assignments", "runs", "coverage", "requests"],
)
def test_it_lists_with_a_fixed_number_of_queries(
    api: Any, world: Any, superuser: Any, path: str
) -> None:
    client = api(superuser)
    client.get(f"/api/v1/{path}/")  # warm per-process caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/api/v1/{path}/").status_code == 200
    build_program_rows(Program.objects.create(name="Paediatrics"), "c")
    with CaptureQueriesContext(connection) as more:
        response = client.get(f"/api/v1/{path}/")
    assert response.json()["count"] > 0
    assert len(more) == len(one) <= 4, [q["sql"] for q in more]
