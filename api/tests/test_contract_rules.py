"""The rules a generated client relies on: JSON bodies, declared errors and headers, /me, 409s."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from api.serializers import TimeZoneField
from conftest import YEAR_END, YEAR_START
from people.models import Absence, AcademicYear, Person, Program
from people.models import Request as Req

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture(scope="module")
def schema(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", stdout=out)
    return dict(yaml.safe_load(out.getvalue()))


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


# JSON only ----------------------------------------------------------------------------------------


def test_it_describes_json_bodies_and_multipart_only_for_uploads(schema: dict[str, Any]) -> None:
    for method, path, operation in _operations(schema):
        if "requestBody" not in operation:
            continue
        media = set(operation["requestBody"]["content"])
        expected = {"multipart/form-data"} if "/imports/" in path else {"application/json"}
        assert media == expected, (method, path)


def test_it_refuses_a_form_body_on_a_resource(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = {"program": str(program_a.code), "kind": "faculty", "first_name": "A", "last_name": "B"}
    response = api(coordinator_a).post("/api/v1/people/", body, format="multipart")
    assert response.status_code == 415
    assert response.json()["message"].startswith("Unsupported media type")
    assert not Person.objects.filter(first_name="A").exists()


def test_it_keeps_defaults_for_fields_left_out(
    api: Any, coordinator_a: Any, program_a: Program
) -> None:
    body = {"program": str(program_a.code), "kind": "faculty", "first_name": "A", "last_name": "B"}
    response = api(coordinator_a).post("/api/v1/people/", body, format="json")
    assert response.status_code == 201
    assert response.json()["active"] is True


# Errors and headers in the schema ---------------------------------------------------------------


def test_every_operation_declares_its_errors_with_the_error_shape(schema: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in _operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
        assert "429" in errors, (method, path)
        for code, response in errors.items():
            assert response["content"] == {"application/json": {"schema": error}}, (path, code)
        if not path.startswith("/api/v1/auth/token"):
            assert {"401", "403"} <= set(errors), (method, path)
        if "{code}" in path:
            assert "404" in errors, (method, path)
        if method in ("POST", "PATCH"):
            assert {"400", "413", "415"} <= set(errors), (method, path)
    assert schema["components"]["schemas"]["Error"]["required"] == ["details", "message"]


def test_every_creating_post_declares_its_idempotency_headers(schema: dict[str, Any]) -> None:
    creates = [
        (path, op)
        for method, path, op in _operations(schema)
        if op["operationId"].endswith("_create")
    ]
    collections = [
        (path, op)
        for path, op in creates
        if path.count("/") == 4 and path != "/api/v1/validation/"  # /api/v1/x/ collections
    ]
    assert len(collections) == 17
    assert "parameters" not in schema["paths"]["/api/v1/validation/"]["post"]  # saves nothing
    for path, operation in collections:
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert names == {"Idempotency-Key"}, path
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert "Idempotent-Replayed" in operation["responses"][success]["headers"], path
    started = schema["paths"]["/api/v1/runs/"]["post"]["responses"]["202"]
    assert started["headers"]["Location"]["schema"] == {"type": "string", "format": "uri"}


def test_it_types_what_it_answers(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    created = schema["paths"]["/api/v1/assignments/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/Assignment")
    timezone = components["Program"]["properties"]["timezone"]
    assert timezone["type"] == "string" and "enum" not in timezone and "$ref" not in timezone
    run = components["RunDetail"]["properties"]
    assert run["violations"]["items"]["$ref"].endswith("/Violation")
    assert run["metrics"]["allOf"] == [{"$ref": "#/components/schemas/RunMetrics"}]
    rotation = next(
        p
        for p in schema["paths"]["/api/v1/assignments/"]["get"]["parameters"]
        if p["name"] == "rotation"
    )
    assert rotation["schema"] == {"type": "string", "format": "uuid"}


@pytest.mark.parametrize(
    ("kind", "year"),
    [("people", None), ("absences", False), ("rotation-plan", True), ("schedule", True)],
)
def test_each_export_declares_its_own_query(schema: dict[str, Any], kind: str, year: Any) -> None:
    operation = schema["paths"][f"/api/v1/exports/{kind}/"]["get"]
    names = {p["name"]: p.get("required", False) for p in operation["parameters"]}
    assert names.get("academic_year") == year
    assert names["program"] is True
    for media in operation["responses"]["200"]["content"].values():
        assert media["schema"] == {"type": "string", "format": "binary"}


def test_exports_refuse_a_query_that_does_not_fit_the_kind(
    api: Any, coordinator_a: Any, world: Any
) -> None:
    client = api(coordinator_a)
    program, year = world.a[Program], world.a[AcademicYear]
    people = client.get(
        "/api/v1/exports/people/",
        {"program": str(program.code), "academic_year": str(year.code)},
    )
    assert people.status_code == 400
    assert people.json()["details"] == {"academic_year": ["Unknown field."]}
    schedule = client.get("/api/v1/exports/schedule/", {"program": str(program.code)})
    assert schedule.status_code == 400
    assert "academic_year" in schedule.json()["details"]


def test_it_answers_an_unknown_api_path_in_its_error_shape(api: Any, coordinator_a: Any) -> None:
    response = api(coordinator_a).delete("/api/v1/people/not-a-code/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "details": {}}


def test_time_zones_are_checked_against_the_tz_database() -> None:
    field = TimeZoneField()
    assert field.run_validation("Europe/Paris") == "Europe/Paris"
    with pytest.raises(Exception, match="IANA"):
        field.run_validation("Mars/Olympus_Mons")


# /me ------------------------------------------------------------------------------------------


def test_me_names_the_resident_and_their_person(
    api: Any, resident_a: Any, program_a: Program
) -> None:
    response = api(resident_a).get("/api/v1/me/")
    assert response.status_code == 200
    person = Person.objects.get(memberships__user=resident_a)
    assert response.json() == {
        "user": {
            "username": "resident_a",
            "first_name": "",
            "last_name": "",
            "email": "resident_a@example.org",
            "is_administrator": False,
        },
        "memberships": [
            {
                "code": str(resident_a.memberships.get().code),
                "program": str(program_a.code),
                "program_name": program_a.name,
                "role": "resident",
                "person": {
                    "code": str(person.code),
                    "kind": "resident",
                    "first_name": "Rey",
                    "last_name": "Resident",
                },
            }
        ],
    }


def test_me_lists_only_the_callers_memberships(
    api: Any, coordinator_a: Any, coordinator_b: Any, superuser: Any
) -> None:
    mine = api(coordinator_a).get("/api/v1/me/").json()["memberships"]
    assert [(m["program_name"], m["role"], m["person"]) for m in mine] == [
        ("Family Medicine Residency", "coordinator", None)
    ]
    root = api(superuser).get("/api/v1/me/").json()
    assert root["user"]["is_administrator"] is True
    assert root["memberships"] == []


# Duplicates -----------------------------------------------------------------------------------


def test_a_repeated_absence_is_a_409_naming_the_first(
    api: Any, coordinator_a: Any, world: Any
) -> None:
    person = world.a[Person]
    body = {
        "person": str(person.code),
        "kind": "conference",
        "start_date": "2027-01-04",
        "end_date": "2027-01-06",
    }
    client = api(coordinator_a)
    first = client.post("/api/v1/absences/", body, format="json")
    assert first.status_code == 201
    again = client.post("/api/v1/absences/", body, format="json")
    assert again.status_code == 409
    assert again.json()["details"] == {"code": first.json()["code"]}
    assert Absence.objects.filter(person=person, kind="conference").count() == 1

    # Once the first is cancelled, the same absence may be filed again.
    Absence.objects.filter(code=first.json()["code"]).update(status=Absence.Status.CANCELLED)
    assert client.post("/api/v1/absences/", body, format="json").status_code == 201


def _year(program: Program) -> None:
    AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=YEAR_START, end_date=YEAR_END
    )


def test_a_repeated_request_is_a_409_but_other_dates_are_not(
    api: Any, resident_a: Any, program_a: Program
) -> None:
    _year(program_a)
    person = Person.objects.get(memberships__user=resident_a)
    body = {
        "person": str(person.code),
        "kind": "prefer_off",
        "start_date": "2026-10-01",
        "end_date": "2026-10-02",
    }
    client = api(resident_a)
    first = client.post("/api/v1/requests/", body, format="json")
    assert first.status_code == 201
    again = client.post("/api/v1/requests/", body, format="json")
    assert again.status_code == 409
    assert again.json()["details"]["code"] == first.json()["code"]
    other = client.post(
        "/api/v1/requests/",
        body | {"start_date": "2026-10-05", "end_date": "2026-10-06"},
        format="json",
    )
    assert other.status_code == 201, other.content
    assert Req.objects.filter(person=person).count() == 2
    assert date(2026, 10, 1) in set(Req.objects.values_list("start_date", flat=True))


def test_a_blocked_date_says_why_and_a_wish_does_not(
    api: Any, resident_a: Any, program_a: Program
) -> None:
    _year(program_a)
    person = Person.objects.get(memberships__user=resident_a)
    body = {
        "person": str(person.code),
        "kind": "blocked",
        "start_date": "2026-11-02",
        "end_date": "2026-11-08",
    }
    client = api(resident_a)
    refused = client.post("/api/v1/requests/", body, format="json")
    assert refused.status_code == 400
    assert "Say why these dates are blocked." in str(refused.json())
    wish = body | {"kind": "prefer_off", "reason": "family"}
    assert client.post("/api/v1/requests/", wish, format="json").status_code == 400
    made = client.post("/api/v1/requests/", body | {"reason": "conference"}, format="json")
    assert made.status_code == 201
    assert Req.objects.get(person=person).reason == "conference"
