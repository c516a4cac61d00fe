"""Fixtures for scheduling tests: a real Celery worker process on a queue of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from scheduler_project.celery import app as celery_app
from testing.databases import database_url

ROOT = Path(__file__).resolve().parents[2]
# The worker runs at the tests' pinned clock too (see ``_pinned_clock`` in the root conftest.py):
# it travels to the instant passed as its first argument, ticking, then runs Celery's own main.
WORKER_BOOTSTRAP = (
    "import sys, time_machine; "
    "time_machine.travel(float(sys.argv.pop(1)), tick=True).start(); "
    "from celery.__main__ import main; main()"
)


@pytest.fixture
def worker_queue() -> Iterator[str]:
    if connection.vendor == "sqlite" and "memory" in str(settings.DATABASES["default"]["NAME"]):
        pytest.skip("an in-memory test database cannot be shared with a worker process")
    # A queue of its own, so test runs side by side never take each other's tasks.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER_BOOTSTRAP,
            repr(time.time()),  # this process's clock, pinned
            "-A",
            "scheduler_project",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = previous
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        if worker.returncode not in (0, -15, 15):
            print(output.decode(errors="replace"))
