"""Celery tasks: thin wrappers that take ids and call one service. A study's points are one
task each, sent as a group so the workers solve them side by side (analytics/services.py)."""

from __future__ import annotations

from celery import shared_task

from analytics import services


@shared_task(name="analytics.pareto_start", acks_late=True, reject_on_worker_lost=True)
def pareto_start(study_id: int) -> None:
    anchors = services.pareto_study_start(study_id=study_id)
    if anchors:
        services.fan_out(study_id, anchors)


# Acknowledged after the solve: a point lost with its worker is delivered again; the study
# records each index once, so a second delivery of a recorded point does nothing.
@shared_task(name="analytics.pareto_point", acks_late=True, reject_on_worker_lost=True)
def pareto_point(study_id: int, index: int) -> None:
    planned = services.pareto_point_solve(study_id=study_id, index=index)
    if planned:
        services.fan_out(study_id, planned)
