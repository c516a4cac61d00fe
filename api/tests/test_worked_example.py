"""The integrator flow through the test client: token, people, run, poll, published schedule (the
docs/api.md worked example itself runs through a generated client in test_contract.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conftest import PASSWORD, make_member
from people.models import Membership
from scheduling import services
from scheduling.models import ScheduleRun
from scheduling.tests.builders import END, START, small_program

# The run monitor works from its own thread and connection, as in the worker.
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_the_documented_integrator_flow() -> None:
    world = small_program()
    make_member(world.program, "integrator", Membership.Role.COORDINATOR)
    client = APIClient()

    tokens = client.post(
        "/api/v1/auth/token/", {"username": "integrator", "password": PASSWORD}, format="json"
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    program = client.get("/api/v1/programs/").json()["results"][0]["code"]
    for body in (
        {"kind": "resident", "first_name": "Ada", "last_name": "Lovelace", "training_start": "2025-07-01"},
        {"kind": "faculty", "first_name": "Grace", "last_name": "Hopper"},
    ):  # fmt: skip
        created = client.post("/api/v1/people/", {"program": program, **body}, format="json")
        assert created.status_code == 201, created.json()

    started = client.post(
        "/api/v1/runs/",
        {
            "program": program,
            "start_date": START.isoformat(),
            "end_date": END.isoformat(),
            "algorithm": "greedy",
            "time_limit_seconds": 5,
            "include_past": True,  # the worked example's July lies before the pinned today
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="2026-07-week-1",
    )
    assert started.status_code == 202
    url = started["Location"]
    assert client.get(url).json()["status"] == "queued"

    # The worker's side (Celery in production): claim and solve the queued run.
    run = ScheduleRun.objects.get(code=started.json()["code"])
    services.schedule_run_execute(run_id=run.pk)

    polled = client.get(url).json()
    assert polled["status"] == "succeeded", polled["error"]
    assert polled["is_draft"] is True
    assert client.post(f"{url}publish/").status_code == 200

    published = client.get(
        "/api/v1/assignments/",
        {"program": program, "state": "published", "date_from": START, "date_to": END},
    ).json()
    assert published["count"] == 7  # one ward day a day for a week
    assert {row["shift"] for row in published["results"]} == {"WD"}

    out = client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert out.status_code == 205
