"""The one hook the services that change the schedule call: detect conflicts once they commit.

``schedule_detection(program_id, start, end)`` queues ``conflicts.detect`` (Celery) for the period
after the surrounding transaction commits, so nothing is detected for a change that rolls back.
With eager Celery (tests, single-process setups) detection finishes inside the same request.
"""

from __future__ import annotations

from datetime import date

from celery import current_app
from django.db import transaction


def schedule_detection(program_id: int, start: date, end: date) -> None:
    def queue() -> None:
        task = current_app.tasks["conflicts.detect"]
        task.delay(program_id, start.isoformat(), end.isoformat())

    transaction.on_commit(queue)
