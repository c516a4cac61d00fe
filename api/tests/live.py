"""The app behind a real HTTP server in a subprocess, on the test database.

Django's test client calls the app directly and never meets a WSGI server's rules (wsgiref, which
``runserver`` uses, refuses a header value that is not exactly ``str``). These helpers start the
development server or gunicorn on 127.0.0.1 on a free port, against the test's own database: the
per-process SQLite file locally, the test database on PostgreSQL in CI (as the Celery worker of
``scheduling/tests/conftest.py`` does). Tests using them need ``django_db(transaction=True)`` so
the server sees committed rows.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from testing.databases import database_url

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ("runserver", "gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_password(user: object, password: str) -> None:
    """Give ``user`` a password the server process can check.

    The tests hash with MD5 for speed, which the server's (production) hashers do not read; a
    PBKDF2 hash with few iterations is read by any of them and costs nothing.
    """
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)  # type: ignore[attr-defined]
    user.save(update_fields=["password"])  # type: ignore[attr-defined]


def _command(server: str, port: int) -> list[str]:
    address = f"127.0.0.1:{port}"
    if server == "runserver":
        return [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", address]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "scheduler_project.wsgi:application",
        "--bind",
        address,
        "--workers",
        "1",
        "--timeout",
        "120",
    ]


@contextmanager
def live_server(server: str, log: Path, *, eager: bool = True) -> Iterator[str]:
    """Start ``server`` ("runserver" or "gunicorn"); yields its base URL, stops it after.

    With ``eager`` the server runs a queued solver run itself, before it answers (Celery's eager
    mode), so a test needs no worker process.
    """
    if connection.vendor == "sqlite" and "memory" in str(settings.DATABASES["default"]["NAME"]):
        pytest.skip("an in-memory test database cannot be shared with a server process")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
        "CELERY_TASK_ALWAYS_EAGER": "true" if eager else "false",
        "PYTHONUNBUFFERED": "1",
    }
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _command(server, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(base, process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer: {log.read_text(errors='replace')[-3000:]}")


def server_log(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""
