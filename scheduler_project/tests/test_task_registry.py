"""Services queue Celery tasks by name from the app's registry, so every task must be registered
in any process that has only set Django up (a management command, the web), not only in the
worker and in the test process, which imports everything."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django, json
django.setup()
from celery import current_app
print(json.dumps(sorted(current_app.tasks)))
"""


def declared_task_names() -> set[str]:
    names = set()
    for path in ROOT.glob("*/tasks.py"):
        names |= set(re.findall(r'shared_task\((?:[^)]*?)name="([^"]+)"', path.read_text()))
    return names


def test_every_task_is_registered_once_django_is_set_up() -> None:
    declared = declared_task_names()
    assert "resilience.run_scenario" in declared and len(declared) > 10
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "scheduler_project.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert declared - registered == set()
