"""The contract: a client generated from docs/openapi.yaml runs docs/api.md's worked example.

openapi-python-client (pinned in requirements-dev.txt) generates the client into a temporary
directory, with no warning; the worked example is taken from docs/api.md as written and run
through that client against the development server on the test database, as the demo's
coordinator and then as its resident.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from api.tests.live import live_server, server_log, server_password
from console.demo import DEMO_PASSWORD, seed_demo
from people.models import Absence, AcademicYear, Membership, Person, Request
from scheduling import services
from scheduling.models import Assignment, ScheduleRun, State

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARKER = "<!-- worked-example -->\n```python\n"
PACKAGE = "residency_scheduler_api_client"


def worked_example() -> str:
    text = (DOCS / "api.md").read_text()
    start = text.index(MARKER) + len(MARKER)
    return text[start : text.index("\n```", start)]


def generate_client(out: Path) -> str:
    """Generate the client into ``out``; returns the generator's output."""
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(DOCS / "openapi.yaml"),
            "--config",
            str(DOCS / "openapi-client.yaml"),
            "--output-path",
            str(out),
            "--overwrite",
        ],
        cwd=out.parent,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Any]:
    """docs/api.md's worked example as a module, importing the freshly generated client."""
    output = generate_client(tmp_path / "client")
    assert "warning" not in output.lower(), output
    assert "error" not in output.lower(), output
    assert (tmp_path / "client" / PACKAGE / "api" / "me").is_dir()
    script = tmp_path / "worked_example.py"
    script.write_text(worked_example())
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        spec = importlib.util.spec_from_file_location("worked_example", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(tmp_path / "client"))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def demo() -> Any:
    """The demo as `make run` builds it: program, logins, a published rotation plan."""
    program, _, _ = seed_demo(schedule=False)
    year = AcademicYear.objects.get(program=program)
    plan = services.schedule_run_create(
        program=program,
        start_date=year.start_date,
        end_date=year.end_date,
        actor=None,
        kind=ScheduleRun.Kind.ROTATION_PLAN,
        algorithm=ScheduleRun.Algorithm.GREEDY,
        time_limit_seconds=30,
        enqueue=False,
    )
    services.schedule_run_execute(run_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == ScheduleRun.Status.SUCCEEDED, plan.error
    services.schedule_run_publish(run=plan, actor=None)
    for username in ("coordinator", "resident"):
        server_password(get_user_model().objects.get(username=username), DEMO_PASSWORD)
    return program


def test_the_generated_client_runs_the_worked_example(
    example: Any, demo: Any, tmp_path: Path
) -> None:
    assert example.PASSWORD == DEMO_PASSWORD
    week = (date(2026, 7, 6), date(2026, 7, 12))
    assert example.WEEK == week
    log = tmp_path / "runserver.log"
    with live_server("runserver", log) as base:
        try:
            run_code = example.coordinator_example(base)
            shifts = example.resident_example(base)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{server_log(log)}") from failure

    # What the coordinator did, as the database has it: one run despite the retried POST.
    runs = ScheduleRun.objects.filter(program=demo, kind=ScheduleRun.Kind.SCHEDULE)
    assert [run.code for run in runs] == [run_code]
    assert runs[0].status in (ScheduleRun.Status.SUCCEEDED, ScheduleRun.Status.WITH_VIOLATIONS)
    assert runs[0].published_at is not None
    # Published over hard violations only with the reason the example gives.
    assert bool(runs[0].override_reason) == runs[0].needs_override
    ada = Person.objects.get(program=demo, first_name="Ada", last_name="Lovelace")
    assert ada.active
    assert Absence.objects.filter(person=ada).count() == 1
    assert not Assignment.objects.filter(person=ada, date=date(2026, 7, 20)).exists()  # removed

    # What the resident saw: exactly their published shifts of the week.
    resident = Membership.objects.get(program=demo, user__username="resident").person
    published = Assignment.objects.filter(
        person=resident, state=State.PUBLISHED, date__range=week
    ).values_list("code", flat=True)
    assert sorted(shifts) == sorted(published)
    assert Request.objects.filter(person=resident, note="Family wedding").count() == 1
