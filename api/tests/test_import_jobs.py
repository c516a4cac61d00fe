"""Import jobs: the worker reads within caps (rows, expanded size, compression ratio), refuses
DTDs and control characters, and the job's lifecycle (preview, then apply) through the API."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook

from api.import_jobs import import_jobs_expire
from api.models import ImportJob, ImportRecord
from people.models import AcademicYear, Person
from scheduler_project.celery import app as celery_app

pytestmark = pytest.mark.django_db

PEOPLE = b"kind,first_name,last_name\nfaculty,New,Faculty\n"


@pytest.fixture
def year(world: Any) -> AcademicYear:
    return world.a[AcademicYear]


@pytest.fixture(autouse=True)
def eager_tasks(_no_worker: None) -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _post(client: Any, path: str, body: Any = None, **options: Any) -> Any:
    """POST, then run what the request queued on commit (the job's task, eagerly)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, body, **options)


def _start(
    client: Any, year: AcademicYear, name: str, content: bytes, step: str = "preview"
) -> Any:
    body = {"program": str(year.program.code), "file": SimpleUploadedFile(name, content)}
    response = _post(client, f"/api/v1/imports/people/{step}/", body, format="multipart")
    assert response.status_code == 202, response.content[:300]
    assert response.json()["status"] == "queued"  # answered before the worker read a byte
    return response


def _job(client: Any, year: AcademicYear, name: str, content: bytes, step: str = "preview") -> Any:
    response = _start(client, year, name, content, step)
    polled = client.get(response["Location"])
    assert polled.status_code == 200
    return polled.json()


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["kind", "first_name", "last_name"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(content: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one zip member changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, change(data) if info.filename == member else data,
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _never_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openpyxl was asked to parse the workbook")

    monkeypatch.setattr("api.tables.load_workbook", parse)


def test_it_refuses_a_csv_past_the_row_cap_while_reading(
    api: Any, year: AcademicYear, coordinator_a: Any, settings: Any
) -> None:
    settings.IMPORT_MAX_ROWS = 100
    # 100,000 rows under the upload cap, then a byte that is not UTF-8: a reader that went on
    # past the cap would report that instead.
    content = b"kind,first_name,last_name\n" + b"faculty,A,B\n" * 100_000 + b"faculty,\xff,B\n"
    job = _job(api(coordinator_a), year, "big.csv", content)
    assert job["status"] == "failed"
    [error] = job["errors"]
    assert error["row"] == 102 and "more than 100 rows" in error["reason"]
    assert not Person.objects.filter(first_name="A").exists()


@pytest.mark.parametrize(
    ("cap", "expected"),
    [({"IMPORT_MAX_EXPANDED_BYTES": 1024 * 1024}, "expands to"), ({}, "compressed more than")],
)
def test_it_refuses_a_zip_bomb_before_expanding_it(
    api: Any,
    year: AcademicYear,
    coordinator_a: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    cap: dict[str, int],
    expected: str,
) -> None:
    for name, value in cap.items():
        setattr(settings, name, value)
    # 8 MB of white space inside the sheet XML deflates to a few kilobytes.
    bomb = _rewrite(
        _workbook([["faculty", "New", "Faculty"]]),
        SHEET,
        lambda xml: xml.replace(b"</worksheet>", b" " * (8 * 1024 * 1024) + b"</worksheet>"),
    )
    assert len(bomb) < 100_000
    _never_parsed(monkeypatch)
    job = _job(api(coordinator_a), year, "bomb.xlsx", bomb)
    assert job["status"] == "failed"
    assert expected in job["errors"][0]["reason"]


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


def test_it_refuses_a_billion_laughs_workbook_with_a_job_error(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    bomb = _rewrite(
        _workbook([["faculty", "New", "Faculty"]]),
        SHEET,
        lambda xml: xml.replace(b"<worksheet", LAUGHS + b"<worksheet", 1).replace(
            b"<sheetData>", b"<sheetData><!-- &lol9; -->", 1
        ),
    )
    job = _job(api(coordinator_a), year, "laughs.xlsx", bomb)
    assert job["status"] == "failed"
    assert "DTD" in job["errors"][0]["reason"] and SHEET in job["errors"][0]["reason"]


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f"])
def test_it_refuses_control_characters_at_preview_naming_the_cell(
    api: Any, year: AcademicYear, coordinator_a: Any, control: str
) -> None:
    content = f"kind,first_name,last_name\nfaculty,Ne{control}w,Faculty\n".encode()
    job = _job(api(coordinator_a), year, "people.csv", content)
    assert job["status"] == "failed"
    assert job["errors"] == [
        {
            "row": 2,
            "column": "first_name",
            "reason": f"Cell B2 holds a control character (U+{ord(control):04X}); remove it.",
        }
    ]
    assert not Person.objects.filter(last_name="Faculty").exists()


def test_it_takes_tabs_and_line_breaks_in_cells(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    content = b'kind,first_name,last_name\nfaculty,\tNew,"Fac\r\nulty"\n'
    job = _job(api(coordinator_a), year, "people.csv", content)
    assert job["status"] == "previewed", job["errors"]


def test_it_previews_then_applies_a_job(api: Any, year: AcademicYear, coordinator_a: Any) -> None:
    client = api(coordinator_a)
    job = _job(client, year, "people.csv", PEOPLE)
    assert job["status"] == "previewed"
    assert job["counts"]["create"] == 1 and job["rows_read"] == 1 and job["progress"] == 100
    assert job["result"]["creates"] == [{"row": 2, "label": "New Faculty"}]
    assert not Person.objects.filter(last_name="Faculty").exists()
    applied = _post(client, f"/api/v1/import-jobs/{job['code']}/apply/")
    assert applied.status_code == 202
    assert applied["Location"].endswith(f"/api/v1/import-jobs/{job['code']}/")
    done = client.get(applied["Location"]).json()
    assert done["status"] == "applied" and done["mode"] == "apply"
    assert Person.objects.filter(last_name="Faculty").count() == 1
    assert ImportRecord.objects.get(filename="people.csv").actor == coordinator_a
    assert ImportJob.objects.get(code=job["code"]).content == b""  # the file is not kept
    again = _post(client, f"/api/v1/import-jobs/{job['code']}/apply/")
    assert again.status_code == 400 and "applied" in again.json()["message"]


def test_it_will_not_apply_a_job_that_failed_its_preview(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    client = api(coordinator_a)
    job = _job(client, year, "people.csv", b"kind,first_name\nfaculty,New\n")
    assert job["status"] == "failed"
    response = _post(client, f"/api/v1/import-jobs/{job['code']}/apply/")
    assert response.status_code == 400
    assert not Person.objects.filter(first_name="New").exists()


def test_it_applies_in_one_job_and_reports_progress(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    content = b"kind,first_name,last_name\n" + b"".join(
        b"faculty,N%d,Faculty\n" % n for n in range(1200)
    )
    job = _job(api(coordinator_a), year, "people.csv", content, step="apply")
    assert job["status"] == "applied", job["errors"]
    assert job["rows_read"] == 1200 and job["counts"]["create"] == 1200


def test_it_hides_another_programs_jobs(
    api: Any, year: AcademicYear, coordinator_a: Any, coordinator_b: Any
) -> None:
    job = _job(api(coordinator_a), year, "people.csv", PEOPLE)
    other = api(coordinator_b)
    assert other.get(f"/api/v1/import-jobs/{job['code']}/").status_code == 404
    assert _post(other, f"/api/v1/import-jobs/{job['code']}/apply/").status_code == 404
    listed = {row["code"] for row in other.get("/api/v1/import-jobs/").json()["results"]}
    assert job["code"] not in listed
    assert ImportJob.objects.get(code=job["code"]).status == ImportJob.Status.PREVIEWED


def test_the_console_shows_a_jobs_state_and_applies_it(
    client: Any, world: Any, coordinator_a: Any
) -> None:
    job = world.a[ImportJob]  # previewed without errors
    client.force_login(coordinator_a)
    page = client.get("/admin/api/importjob/")
    assert page.status_code == 200
    assert job.filename in page.content.decode() and "Previewed" in page.content.decode()
    assert world.b[ImportJob].filename not in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            "/admin/api/importjob/",
            {"action": "apply_jobs", "_selected_action": [job.pk]},
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert Person.objects.filter(first_name="Imported", program=job.program).exists()


def test_it_refuses_control_characters_in_a_workbook_naming_the_cell(
    api: Any, year: AcademicYear, coordinator_a: Any
) -> None:
    # XML carries DEL and C1 characters (not NUL): openpyxl writes and reads them as they are.
    content = _workbook([["faculty", "New", "Fac\x7fulty"], ["faculty", "Old\x85", "Faculty"]])
    job = _job(api(coordinator_a), year, "people.xlsx", content)
    assert job["status"] == "failed"
    assert [(e["row"], e["column"], e["reason"][:8]) for e in job["errors"]] == [
        (2, "last_name", "Cell C2 "),
        (3, "first_name", "Cell B3 "),
    ]


def test_it_drops_the_file_of_a_preview_nobody_applied(
    api: Any, year: AcademicYear, coordinator_a: Any, _pinned_clock: Any
) -> None:

    job = _job(api(coordinator_a), year, "people.csv", PEOPLE)
    assert import_jobs_expire() == 0
    _pinned_clock.shift(timedelta(hours=25))
    assert import_jobs_expire() == 1
    expired = ImportJob.objects.get(code=job["code"])
    assert expired.status == ImportJob.Status.FAILED and expired.content == b""
    assert "expired" in expired.errors[0]["reason"]
