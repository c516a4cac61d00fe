"""One run end to end through a real Celery worker process on the configured broker
(kombu's filesystem transport by default, Redis in CI)."""

from __future__ import annotations

import pytest

from scheduling import services
from scheduling.models import Assignment, ScheduleRun, ScheduleRunProgress
from scheduling.tests.builders import END, START, small_program

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_it_runs_a_schedule_in_a_real_worker(worker_queue: str) -> None:
    world = small_program()
    run = services.schedule_run_create(
        program=world.program,
        start_date=START,
        end_date=END,
        actor=None,
        algorithm="cpsat",
        time_limit_seconds=5,
    )
    run = services.wait_for_run(run, timeout=90)
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.error
    assert ScheduleRunProgress.objects.filter(run=run).exists()
    assert Assignment.objects.filter(run=run).count() == 7
