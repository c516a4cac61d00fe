"""The settings module refuses bad environment values at start-up, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update({"SECRET_KEY": "x" * 50, "DEBUG": "false", **env})
    return subprocess.run(
        [sys.executable, "-c", "import scheduler_project.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "perhaps"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("EMAIL_PORT", "twenty-five"),
    ],
)
def test_it_fails_loudly_on_a_bad_value(variable: str, value: str) -> None:
    result = _load_settings(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_it_refuses_to_run_in_production_without_a_secret_key() -> None:
    result = _load_settings(SECRET_KEY="dev-insecure-key-change-me")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_loads_with_the_embedded_defaults(tmp_path: Path) -> None:
    assert _load_settings(VAR_DIR=str(tmp_path)).returncode == 0
