"""API fixtures on top of the shared cast: clients per role, a clean throttle and lockout state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from scheduler_project.celery import app as celery_app


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    # Throttle counters live in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs are queued on commit; API tests check the HTTP side, not the solver.
    monkeypatch.setattr("scheduling.services._enqueue", lambda run: None)
    celery_app.conf.task_always_eager = False


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    """A client acting as ``user`` (None: anonymous)."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
