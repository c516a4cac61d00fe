"""Security headers on every kind of response, the door to /metrics, and pages that need no
inline script (so the Content-Security-Policy can forbid it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _assert_hardened(response: Any) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "camera=()" in response["Permissions-Policy"]


def test_it_hardens_a_logged_in_page(client: Client, resident_a: Any) -> None:
    client.force_login(resident_a)
    response = client.get("/requests/")
    assert response.status_code == 200
    _assert_hardened(response)
    assert "no-store" in response["Cache-Control"]


def test_it_hardens_the_console(client: Client, coordinator_a: Any) -> None:
    client.force_login(coordinator_a)
    response = client.get("/admin/")
    assert response.status_code == 200
    _assert_hardened(response)
    assert "no-store" in response["Cache-Control"]


def test_it_hardens_the_api(coordinator_a: Any) -> None:
    api = APIClient()
    api.force_authenticate(coordinator_a)
    response = api.get("/api/v1/programs/", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 200
    _assert_hardened(response)
    assert "no-store" in response["Cache-Control"]


def test_it_writes_no_inline_script_in_any_template() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_it_serves_metrics_to_a_scraper_on_this_machine_only(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_it_serves_metrics_to_the_token_holder(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-me"
    far = "203.0.113.9"
    assert client.get("/metrics", REMOTE_ADDR=far).status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR=far, HTTP_AUTHORIZATION="Bearer wrong")
    assert wrong.status_code == 403
    response = client.get("/metrics", REMOTE_ADDR=far, HTTP_AUTHORIZATION="Bearer scrape-me")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def _production_value(expression: str, **env: str) -> str:
    environment = {"SECRET_KEY": "x" * 50, "DEBUG": "false", "PATH": "/usr/bin:/bin", **env}
    result = subprocess.run(
        [sys.executable, "-c", f"import scheduler_project.settings as s; print({expression})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_asks_for_a_year_of_hsts_in_production() -> None:
    assert _production_value("s.SECURE_HSTS_SECONDS") == str(365 * 24 * 3600)


def test_it_trusts_x_forwarded_proto_only_behind_a_declared_proxy() -> None:
    assert _production_value("getattr(s, 'SECURE_PROXY_SSL_HEADER', None)") == "None"
    behind = _production_value("s.SECURE_PROXY_SSL_HEADER", BEHIND_TLS_PROXY="true")
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_it_passes_djangos_deployment_checks_with_production_settings() -> None:
    import secrets

    environment = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "scheduler.example.org",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
