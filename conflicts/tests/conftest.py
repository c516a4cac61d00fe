from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conflicts.tests.cast import Cast, build_cast
from scheduler_project.celery import app as celery_app


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> Cast:
    return build_cast(program_a, resident_a, coordinator_a)


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery runs tasks in-process, as in a single-process deployment."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
