"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from scheduling import services


@shared_task(name="scheduling.execute_run", acks_late=False)
def execute_run(run_id: int) -> None:
    services.schedule_run_execute(run_id=run_id)


@shared_task(name="scheduling.fail_stale_runs")
def fail_stale_runs() -> int:
    return services.schedule_runs_fail_stale()
