"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from scheduling import services


# Acknowledged after the run, and given back when the worker process dies: a run lost with its
# worker is delivered again and claimed again (schedule_run_execute's claim allows it).
@shared_task(name="scheduling.execute_run", acks_late=True, reject_on_worker_lost=True)
def execute_run(run_id: int) -> None:
    services.schedule_run_execute(run_id=run_id)


@shared_task(name="scheduling.fail_stale_runs")
def fail_stale_runs() -> int:
    return services.schedule_runs_fail_stale()
