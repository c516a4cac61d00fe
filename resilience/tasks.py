"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from people.models import Program
from resilience import services


@shared_task(name="resilience.run_scenario", acks_late=True)
def run_scenario(study_id: int, index: int) -> dict[str, Any]:
    return services.study_run_scenario(study_id=study_id, index=index)


@shared_task(name="resilience.take_snapshots")
def take_snapshots() -> int:
    """Every 15 minutes (beat): the level of every program over the coming four weeks."""
    return services.snapshots_take_all()


@shared_task(name="resilience.nightly_contingency")
def nightly_contingency() -> int:
    """Nightly (beat): N-1 and N-2 of the coming four weeks for every program with a schedule."""
    count = 0
    for program in Program.objects.all():
        start, end = services.coming_period()
        try:
            services.study_create(program=program, start=start, end=end)
        except services.ApplicationError:
            continue  # nothing published to test
        count += 1
    return count


@shared_task(name="resilience.refresh_fallbacks")
def refresh_fallbacks() -> int:
    """Weekly (beat): each program's chosen fallbacks for the coming four weeks, as drafts."""
    from resilience.fallbacks import fallbacks_refresh

    count = 0
    for program in Program.objects.all():
        start, end = services.coming_period()
        count += len(fallbacks_refresh(program=program, start=start, end=end))
    return count
