from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/health/ready")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def _ready_in_subprocess(**env: str) -> dict[str, object]:
    # A separate process, so the broken dependency is configured the way production reads it.
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "scheduler_project.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_reports_alive(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_reports_ready_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_it_refuses_other_methods(client: Client) -> None:
    assert client.post("/health").status_code == 405
    assert client.post("/health/ready").status_code == 405


def test_it_reports_503_naming_the_database_when_it_is_unreachable() -> None:
    outcome = _ready_in_subprocess(DATABASE_URL="postgres://postgres@127.0.0.1:1/unreachable")
    assert outcome["status"] == 503
    body = outcome["body"]
    assert isinstance(body, dict)
    assert set(body["failing"]) == {"database"}
    assert "OperationalError" in body["failing"]["database"]


def test_it_reports_503_naming_the_broker_when_it_is_unreachable(tmp_path: Path) -> None:
    outcome = _ready_in_subprocess(
        REDIS_URL="redis://127.0.0.1:1/0", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"
    )
    assert outcome["status"] == 503
    body = outcome["body"]
    assert isinstance(body, dict)
    assert set(body["failing"]) == {"broker"}
