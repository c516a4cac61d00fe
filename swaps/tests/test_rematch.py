"""Matching when the schedule changes: every change of published rows queues a re-ranking of the
program's open offers on commit, and the best new matches are told."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scheduler_project.celery import app as celery_app
from scheduling import edit_services
from scheduling import services as scheduling
from scheduling.models import ScheduleRun
from swaps import services
from swaps.models import SwapCandidate
from swaps.tests.cast import NOW, SwapCast, build_swap_cast
from testing import factories as f

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def cast(program_a: Any, resident_a: Any, coordinator_a: Any) -> SwapCast:
    return build_swap_cast(program_a, resident_a, coordinator_a)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The program ids whose re-ranking was queued (instead of queueing it)."""
    calls: list[int] = []
    monkeypatch.setattr(scheduling, "_enqueue_rematch", calls.append)
    return calls


@pytest.fixture
def eager() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def offer(cast: SwapCast, name: str = "rey_mon") -> Any:
    return services.swap_offer_create(
        assignment=cast.rows[name], person=cast.rey, actor=cast.rey_user, now=NOW
    )


def test_it_ranks_open_offers_again_after_an_edit_and_tells_the_best(
    cast: SwapCast, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    swap = offer(cast)  # its own matching was queued on a commit that never came
    assert not SwapCandidate.objects.filter(swap=swap).exists()
    with django_capture_on_commit_callbacks(execute=True):
        edit_services.assignment_remove(assignment=cast.rows["sam_thu"], actor=cast.coordinator)
    assert SwapCandidate.objects.filter(swap=swap, person=cast.sam).exists()
    assert cast.sam_user.notifications.filter(title__contains="could take").exists()


def test_it_queues_matching_after_a_manual_edit(
    cast: SwapCast, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        edit_services.assignment_remove(assignment=cast.rows["sam_thu"], actor=cast.coordinator)
    assert queued == [cast.program.pk]


def test_it_queues_matching_after_a_swap_executes_and_after_its_undo(
    cast: SwapCast, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_respond(
            swap=offer(cast), person=cast.sam, actor=cast.sam_user, now=NOW
        )
    assert queued == []  # taken, not yet executed: nothing moved
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_approve(swap=swap, actor=cast.coordinator, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_undo(swap=swap, actor=cast.coordinator, reason="Mistake", now=NOW)
    assert queued == [cast.program.pk, cast.program.pk]


def test_it_queues_matching_after_a_publish(
    program_a: Any, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    run = f.ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.SUCCEEDED)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.schedule_run_publish(run=run, actor=None)
    assert queued == [program_a.pk]
