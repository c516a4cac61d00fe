"""Import previews, all-or-nothing apply, and export -> import round trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, time
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import load_workbook

from api.models import ImportRecord
from people.models import Absence, AcademicYear, Person, Program, ProgramWebhook
from rotations.models import Block, CoverageRequirement, ShiftType
from scheduler_project.celery import app as celery_app
from scheduling.models import Assignment, RotationAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world: Any) -> AcademicYear:
    """Program A with two blocks and two half-day shifts, so the grid has AM/PM cells."""
    program = world.a[Program]
    year = world.a[AcademicYear]
    Block.objects.create(
        academic_year=year, number=2, start_date=date(2026, 7, 29), end_date=date(2026, 8, 25)
    )
    am = ShiftType.objects.create(
        program=program, name="Clinic AM", abbreviation="AM", category="clinic",
        start_time=time(8), duration_minutes=240, color="#ffcc00",
    )  # fmt: skip
    pm = ShiftType.objects.create(
        program=program, name="Clinic PM", abbreviation="PM", category="clinic",
        start_time=time(13), duration_minutes=240, color="#00ccff",
    )  # fmt: skip
    person = world.a[Person]
    for shift in (am, pm):
        # Clinic sessions the residents may take: imports are checked like hand edits.
        CoverageRequirement.objects.create(shift_type=shift, minimum=0, target=1)
        _assign(person, shift, date(2026, 8, 3))
    return year


def _assign(person: Person, shift: ShiftType, day: date) -> Assignment:
    from scheduling.problem import shift_interval

    begins, ends = shift_interval(person.program.timezone, shift, day)
    return Assignment.objects.create(
        person=person, shift_type=shift, date=day, starts_at=begins, ends_at=ends
    )


def _export(client: Any, kind: str, year: AcademicYear, fmt: str) -> bytes:
    query = {"program": str(year.program.code), "academic_year": str(year.code), "file_format": fmt}
    if kind == "people":
        del query["academic_year"]  # people are not per year: the export takes no year
    response = client.get(f"/api/v1/exports/{kind}/", query)
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.fixture(autouse=True)
def eager_tasks(_no_worker: None) -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _post(client: Any, path: str, body: Any = None, **options: Any) -> Any:
    """POST, then run what the request queued on commit (the job's task, eagerly)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, body, **options)


def _upload(
    client: Any, kind: str, step: str, year: AcademicYear, name: str, content: bytes
) -> Any:
    body = {
        "program": str(year.program.code),
        "academic_year": str(year.code),
        "file": SimpleUploadedFile(name, content),
    }
    return _post(client, f"/api/v1/imports/{kind}/{step}/", body, format="multipart")


def _send(client: Any, kind: str, step: str, year: AcademicYear, name: str, content: bytes) -> Any:
    """Upload for a preview or an apply; the job as polled once its worker is done."""
    response = _upload(client, kind, step, year, name, content)
    assert response.status_code == 202, response.content[:300]
    job = client.get(response["Location"])
    assert job.status_code == 200
    return job.json()


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(Person.objects.values_list("code", "first_name", "last_name", "kind", "active")),
        sorted(Absence.objects.values_list("code", "start_date", "end_date", "status", "note")),
        sorted(RotationAssignment.objects.values_list("code", "rotation_id", "half")),
        sorted(Assignment.objects.values_list("code", "shift_type_id", "date", "state")),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["people", "absences", "rotation-plan", "schedule"])
def test_it_round_trips_an_export_without_change(
    api: Any, year: AcademicYear, coordinator_a: Any, kind: str, fmt: str
) -> None:
    client = api(coordinator_a)
    content = _export(client, kind, year, fmt)
    before = _snapshot()
    preview = _send(client, kind, "preview", year, f"{kind}.{fmt}", content)
    assert preview["status"] == "previewed"
    assert preview["errors"] == []
    assert preview["counts"]["unchanged"] > 0
    assert preview["counts"] | {"unchanged": 0} == {
        "create": 0, "update": 0, "delete": 0, "unchanged": 0, "errors": 0,
    }  # fmt: skip
    applied = _send(client, kind, "apply", year, f"{kind}.{fmt}", content)
    assert applied["status"] == "applied"
    assert _snapshot() == before


def test_it_exports_the_grid_one_coloured_sheet_per_block(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    book = load_workbook(io.BytesIO(_export(api(coordinator_a), "schedule", year, "xlsx")))
    assert book.sheetnames == ["Block 1", "Block 2", "Legend"]
    sheet = book["Block 2"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == year.program.people.get(
        code=Person.objects.get(first_name="Residenta").code).full_name)  # fmt: skip
    cell = row[2 + 5]  # 3 Aug is the sixth day of block 2
    assert cell.value == "AM/PM"
    assert cell.fill.start_color.rgb.endswith("FFCC00")


def test_it_previews_what_a_file_would_change_and_writes_nothing(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    client = api(coordinator_a)
    person = Person.objects.get(first_name="Residenta")
    csv = (
        "person_code,kind,first_name,last_name,training_start\n"
        f"{person.code},resident,Residenta,Renamed,2025-07-01\n"
        ",faculty,New,Faculty,\n"
    ).encode()
    preview = _send(client, "people", "preview", year, "people.csv", csv)
    assert preview["counts"]["create"] == 1
    assert preview["result"]["updates"] == [
        {"row": 2, "label": "Residenta Renamed", "fields": ["last_name"]}
    ]
    assert not Person.objects.filter(first_name="New").exists()
    assert Person.objects.get(pk=person.pk).last_name == "Resa"


def test_it_applies_a_file_in_one_audited_transaction(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    csv = b"kind,first_name,last_name\nfaculty,New,Faculty\nfaculty,Other,Faculty\n"
    job = _send(api(coordinator_a), "people", "apply", year, "people.csv", csv)
    assert job["status"] == "applied"
    created = Person.objects.filter(last_name="Faculty")
    assert created.count() == 2
    entries = LogEntry.objects.get_for_objects(created)
    assert {entry.actor for entry in entries} == {coordinator_a}
    record = ImportRecord.objects.get(filename="people.csv")
    assert record.actor == coordinator_a
    assert record.counts["create"] == 2


def test_it_rejects_a_broken_spreadsheet_whole_listing_every_error(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    before = _snapshot()
    csv = (
        b"person,kind,start_date,end_date\n"
        b"Residenta Resa,vacation,2026-09-01,2026-09-03\n"  # fine on its own
        b"Nobody Known,vacation,2026-09-01,2026-09-03\n"  # unknown name
        b"Residenta Resa,vacation,2031-01-01,2031-01-02\n"  # outside the year
        b"Residenta Resa,vacation,2026-09-01,2026-09-03\n"  # duplicate of row 2
        b"Residenta Resa,vacation,someday,2026-09-03\n"  # not a date
    )
    job = _send(api(coordinator_a), "absences", "apply", year, "absences.csv", csv)
    assert job["status"] == "failed"
    errors = job["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "person"), (4, "start_date"), (4, "end_date"), (5, "start_date"), (6, "start_date"),
    ]  # fmt: skip
    assert "Duplicate of row 2" in errors[3]["reason"]
    assert _snapshot() == before
    assert not ImportRecord.objects.filter(filename="absences.csv").exists()


def test_it_names_missing_columns(api: Any, year: AcademicYear, coordinator_a: Any) -> None:
    csv = b"person,kind\nResidenta Resa,vacation\n"
    preview = _send(api(coordinator_a), "absences", "preview", year, "a.csv", csv)
    assert {(e["column"], e["row"]) for e in preview["errors"]} == {
        ("start_date", 1), ("end_date", 1),
    }  # fmt: skip


def test_it_applies_an_edited_grid(api: Any, year: AcademicYear, coordinator_a: Any) -> None:
    client = api(coordinator_a)
    book = load_workbook(io.BytesIO(_export(client, "schedule", year, "xlsx")))
    sheet = book["Block 2"]
    person = Person.objects.get(first_name="Residenta")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == str(person.code))
    row[2 + 5].value = "AM"  # drop the afternoon
    row[2 + 6].value = "PM"  # add 4 Aug afternoon
    buffer = io.BytesIO()
    book.save(buffer)
    job = _send(client, "schedule", "apply", year, "grid.xlsx", buffer.getvalue())
    assert job["status"] == "applied", job["errors"]
    assert job["counts"] | {"unchanged": 0} == {
        "create": 1, "update": 0, "delete": 1, "unchanged": 0, "errors": 0,
    }  # fmt: skip
    days = set(
        Assignment.objects.filter(person=person, date__month=8).values_list(
            "date", "shift_type__abbreviation"
        )
    )
    assert days == {(date(2026, 8, 3), "AM"), (date(2026, 8, 4), "PM")}


def test_it_rejects_unknown_shift_codes_in_the_grid(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    client = api(coordinator_a)
    book = load_workbook(io.BytesIO(_export(client, "schedule", year, "xlsx")))
    book["Block 1"].cell(row=2, column=4, value="ZZ")
    buffer = io.BytesIO()
    book.save(buffer)
    job = _send(client, "schedule", "apply", year, "grid.xlsx", buffer.getvalue())
    assert job["status"] == "failed"
    [error] = job["errors"]
    assert error["row"] == 2 and error["column"] == "2026-07-02" and "ZZ" in error["reason"].upper()


def test_it_rejects_a_file_that_is_not_a_spreadsheet(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    job = _send(api(coordinator_a), "people", "apply", year, "x.xlsx", b"PK\x03\x04garbage")
    assert job["status"] == "failed"
    assert job["errors"][0]["row"] == 0


def test_it_refuses_an_oversized_upload_with_413(
    api: Any, year: AcademicYear, coordinator_a: Any, settings: Any
) -> None:
    settings.API_MAX_UPLOAD_BYTES = 2048
    content = b"kind,first_name,last_name\n" + b"faculty,A,B\n" * 400
    response = _upload(api(coordinator_a), "people", "preview", year, "big.csv", content)
    assert response.status_code == 413


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_it_exports_a_formula_like_note_as_inert_text(
    api: Any, year: AcademicYear, coordinator_a: Any, resident_a: Any, start: str
) -> None:
    note = f'{start}HYPERLINK("http://evil.example","click")'
    person = resident_a.memberships.get().person
    Absence.objects.create(
        person=person,
        kind=Absence.Kind.SICK,
        start_date=date(2026, 9, 1),
        end_date=date(2026, 9, 1),
        note=note,
    )
    client = api(coordinator_a)
    sheet = load_workbook(io.BytesIO(_export(client, "absences", year, "xlsx"))).active
    cells = [row[-1] for row in sheet.iter_rows(min_row=2)]
    written = [(c.value, c.data_type) for c in cells if c.value]
    assert len(written) == 1 and written[0][0][:2] == "'" + note[0].replace("\r", "\n")
    assert written[0][1] == "s"  # text, not a formula
    rows = list(csv.DictReader(io.StringIO(_export(client, "absences", year, "csv").decode())))
    notes = [row["note"] for row in rows if row["note"]]
    # Leading white space is trimmed like every text cell; what is left may not start a formula.
    assert notes == ["'" + note.strip()] if note.strip()[0] in "=+-@" else [note.strip()]


def test_it_refuses_an_absence_over_a_stored_one_naming_the_row(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    before = _snapshot()
    csv = (
        b"person,kind,start_date,end_date\n"
        b"Residenta Resa,vacation,2026-09-01,2026-09-03\n"  # fine
        b"Residenta Resa,conference,2026-12-04,2026-12-08\n"  # over the stored 1-5 December
    )
    preview = _send(api(coordinator_a), "absences", "preview", year, "absences.csv", csv)
    assert preview["status"] == "failed"
    [error] = preview["errors"]
    assert (error["row"], error["column"]) == (3, "start_date")
    assert "overlaps" in error["reason"]
    job = _send(api(coordinator_a), "absences", "apply", year, "absences.csv", csv)
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "start_date")]
    assert _snapshot() == before


def test_it_refuses_two_overlapping_absences_of_one_file_naming_the_later_row(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    before = _snapshot()
    csv = (
        b"person,kind,start_date,end_date\n"
        b"Residenta Resa,vacation,2026-09-01,2026-09-03\n"
        b"Residenta Resa,conference,2026-09-03,2026-09-04\n"
    )
    job = _send(api(coordinator_a), "absences", "apply", year, "absences.csv", csv)
    assert job["status"] == "failed"
    [error] = job["errors"]
    assert (error["row"], error["column"]) == (3, "start_date")
    assert "overlaps" in error["reason"]
    assert _snapshot() == before


def test_it_imports_absences_through_the_services_under_the_importer(
    api: Any, world: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    ProgramWebhook.objects.all().delete()  # the decisions notify; no delivery leaves the test
    csv = (
        b"person,kind,start_date,end_date,status\n"
        b"Residenta Resa,vacation,2026-09-01,2026-09-03,approved\n"
        b"Residenta Resa,sick,2026-09-10,2026-09-10,\n"
        b"Residenta Resa,vacation,2026-12-01,2026-12-05,cancelled\n"  # the stored one, withdrawn
    )
    job = _send(api(coordinator_a), "absences", "apply", year, "absences.csv", csv)
    assert job["status"] == "applied", job["errors"]
    approved = Absence.objects.get(start_date=date(2026, 9, 1))
    assert approved.status == Absence.Status.APPROVED
    assert approved.decided_by == coordinator_a  # decided by absence_decide, not written
    assert Absence.objects.get(start_date=date(2026, 9, 10)).status == Absence.Status.REQUESTED
    stored = Absence.objects.get(pk=world.a[Absence].pk)
    assert stored.status == Absence.Status.CANCELLED
    entry = LogEntry.objects.get_for_object(approved).get(action=LogEntry.Action.CREATE)
    assert entry.actor == coordinator_a
