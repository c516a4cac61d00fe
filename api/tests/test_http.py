"""The create-run flow over real HTTP servers: the development server and gunicorn.

Starting a run once answered 500 on ``runserver`` (the ``Location`` header was DRF's
``Hyperlink``, a ``str`` subclass wsgiref refuses) although the run was queued; the test client
never saw it.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from api.tests.live import SERVERS, live_server, server_log, server_password
from conftest import PASSWORD, make_member
from people.models import Membership
from scheduling.models import ScheduleRun
from scheduling.tests.builders import END, START, small_program

pytestmark = pytest.mark.django_db(transaction=True)


def _call(
    method: str, url: str, token: str, body: dict[str, Any] | None = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def _login(base: str, username: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token/",
        method="POST",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return str(json.loads(answer.read())["access"])


@pytest.mark.parametrize("server", SERVERS)
def test_it_starts_a_run_over_a_real_server(server: str, tmp_path: Path) -> None:
    world = small_program()
    user = make_member(world.program, "integrator", Membership.Role.COORDINATOR)
    server_password(user, PASSWORD)
    log = tmp_path / f"{server}.log"
    body = {
        "program": str(world.program.code),
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "algorithm": "greedy",
        "time_limit_seconds": 5,
        "include_past": True,
    }

    with live_server(server, log) as base:
        # Signed in by the server itself: its clock is the real one, not the tests' pinned one.
        token = _login(base, user.username)
        status, headers, started = _call(
            "POST", f"{base}/api/v1/runs/", token, body, **{"Idempotency-Key": "week-1"}
        )
        assert status == 202, (started, server_log(log))
        location = headers["Location"]
        assert location == f"{base}/api/v1/runs/{started['code']}/" == started["url"]

        # A retry with the key gets the first answer back, Location included; no second run.
        status, again_headers, again = _call(
            "POST", f"{base}/api/v1/runs/", token, body, **{"Idempotency-Key": "week-1"}
        )
        assert status == 202, again
        assert again_headers["Idempotent-Replayed"] == "true"
        assert again_headers["Location"] == location
        assert again["code"] == started["code"]

        # The server ran it (eager mode): the URL in Location reports the result.
        status, _, run = _call("GET", location, token)
        assert status == 200, run
        assert run["status"] == "succeeded", run["error"]
        status, _, published = _call("POST", f"{location}publish/", token)
        assert status == 200, published
        assert published["published_at"] is not None

    assert ScheduleRun.objects.filter(program=world.program).count() == 1
