"""The load test's users (run by benchmarks/load.py; see its docstring).

People (many) read their pages, their calendar feed and the API; one coordinator generates a
one-week draft with the greedy algorithm and publishes it once a minute. Every user signs in
through the login page, as a browser does; API reads use that session.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time

from locust import HttpUser, between, constant_pacing, task

ACCOUNTS = json.loads(os.environ["LOAD_ACCOUNTS"])  # [[username, feed token], ...]
PASSWORD = os.environ["LOAD_PASSWORD"]
PROGRAM = os.environ["LOAD_PROGRAM"]
WEEK = os.environ["LOAD_WEEK"].split(",")  # start,end of the week the coordinator republishes
_next_account = itertools.cycle(ACCOUNTS)


def sign_in(user: HttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    user.client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        name="login",
        allow_redirects=False,
    )


class Person(HttpUser):
    weight = 99
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username, self.feed = next(_next_account)
        sign_in(self, self.username)

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/", name="dashboard")

    @task(3)
    def my_schedule(self) -> None:
        self.client.get("/my/schedule/", name="my schedule")

    @task(2)
    def manifest(self) -> None:
        self.client.get("/manifest/", name="manifest")

    @task(2)
    def feed(self) -> None:
        self.client.get(f"/feeds/{self.feed}.ics", name="feed")

    @task(2)
    def api_reads(self) -> None:
        self.client.get("/api/v1/me/", name="api me")
        self.client.get(f"/api/v1/assignments/?program={PROGRAM}", name="api assignments")


class Coordinator(HttpUser):
    fixed_count = 1
    wait_time = constant_pacing(60)

    def on_start(self) -> None:
        sign_in(self, "coordinator")

    def _post(self, path: str, body: dict[str, object], name: str) -> dict[str, object]:
        response = self.client.post(
            path,
            json=body,
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name=name,
        )
        return response.json() if response.content else {}

    @task
    def generate_and_publish(self) -> None:
        run = self._post(
            "/api/v1/runs/",
            {
                "program": PROGRAM,
                "kind": "schedule",
                "algorithm": "greedy",
                "start_date": WEEK[0],
                "end_date": WEEK[1],
                "time_limit_seconds": 20,
            },
            "api generate",
        )
        code = run.get("code")
        status = run.get("status")
        deadline = time.monotonic() + 50
        while code and status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(1)
            status = self.client.get(f"/api/v1/runs/{code}/", name="api run status").json()[
                "status"
            ]
        if code and status in ("succeeded", "with_violations"):
            self._post(
                f"/api/v1/runs/{code}/publish/",
                {"override_reason": "Load test: weekly republish"},
                "api publish",
            )
