"""Two drafts of the same period published at the same instant: exactly one lands (PostgreSQL).

SQLite serialises every writer on one file lock, so the race it would show is not the one
production has; the test runs where ``select_for_update`` means a row lock (CI's PostgreSQL).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from lib.errors import ApplicationError
from scheduling import services
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.tests.builders import START, small_program

ROUNDS = 20


def _draft(world: Any, shift_offset: int) -> ScheduleRun:
    """A succeeded draft over the first week: everyone on the day shift, on different days."""
    run = ScheduleRun.objects.create(
        program=world.program,
        start_date=START,
        end_date=START + timedelta(days=6),
        status=ScheduleRun.Status.SUCCEEDED,
    )
    for index, person in enumerate(world.residents):
        day = START + timedelta(days=(index + shift_offset) % 7)
        begins, ends = services.problems.shift_interval(world.program.timezone, world.shift, day)
        Assignment.objects.create(
            person=person,
            shift_type=world.shift,
            date=day,
            starts_at=begins,
            ends_at=ends,
            state=State.DRAFT,
            run=run,
        )
    return run


def _race(runs: list[ScheduleRun]) -> list[str]:
    """Publish every run from its own thread (own connection) at one instant; the refusals."""
    start = threading.Barrier(len(runs))
    errors: list[str] = []

    def publish(run: ScheduleRun) -> None:
        try:
            start.wait()
            services.schedule_run_publish(run=run, actor=None)
        except ApplicationError as error:
            errors.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _rows(queryset: Any) -> set[tuple[int, Any, int]]:
    return set(queryset.values_list("person_id", "date", "shift_type_id"))


@pytest.mark.django_db(transaction=True)
def test_it_publishes_exactly_one_of_two_racing_drafts() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this with DATABASE_URL set)")
    world = small_program()
    for _ in range(ROUNDS):
        Assignment.objects.all().delete()
        ScheduleRun.objects.all().delete()
        runs = [_draft(world, 0), _draft(world, 3)]
        planned = {run.pk: _rows(Assignment.objects.filter(run=run)) for run in runs}
        errors = _race(runs)
        published = list(ScheduleRun.objects.filter(published_at__isnull=False))
        assert len(published) == 1 and len(errors) == 1
        assert "was published" in errors[0]
        shown = _rows(Assignment.objects.filter(state=State.PUBLISHED))
        assert shown == planned[published[0].pk]  # the winner's schedule, never the union
        assert len(shown) == len(world.residents)


@pytest.mark.django_db
def test_it_refuses_a_draft_made_before_another_was_published() -> None:
    world = small_program()
    first, second = _draft(world, 0), _draft(world, 3)
    services.schedule_run_publish(run=first, actor=None)
    with pytest.raises(ApplicationError, match="was published"):
        services.schedule_run_publish(run=second, actor=None)
    second.refresh_from_db()
    assert second.published_at is None
