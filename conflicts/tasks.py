"""Celery tasks: thin wrappers that take ids and call one service."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from conflicts import services
from lib.errors import ApplicationError
from people.models import Program


@shared_task(name="conflicts.detect")
def detect(program_id: int, start: str, end: str) -> int:
    """Detect a program's conflicts over a period; the number of alerts raised."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        return 0
    try:
        counts = services.conflicts_detect(
            program=program, start=date.fromisoformat(start), end=date.fromisoformat(end)
        )
    except ApplicationError:
        return 0  # nothing to schedule (no shift types or coverage yet): nothing to detect
    return counts["raised"]


@shared_task(name="conflicts.detect_ahead")
def detect_ahead() -> int:
    """Nightly: every program over the next 90 days."""
    return services.conflicts_detect_ahead(days=90)
