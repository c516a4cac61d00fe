"""Pareto alternatives as a study: every point a valid schedule, the points mutually
non-dominated, one Celery task per point, and a point published exactly as it was found."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry

from analytics import services
from analytics import tasks as _tasks  # noqa: F401  (registers the tasks)
from analytics.models import ParetoStudy
from analytics.tests.pareto_world import (
    END,
    START,
    ParetoWorld,
    hard_violations,
    pareto_world,
    published,
    rows,
)
from lib.errors import ApplicationError
from people.models import Notification
from people.notify import Event
from scheduler_project.celery import app as celery_app
from scheduling.engine import pareto
from scheduling.models import Assignment, ScheduleRun, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program_a: Any) -> ParetoWorld:
    return pareto_world(program_a)


def study_of(world: ParetoWorld, actor: Any = None, **options: Any) -> ParetoStudy:
    values: dict[str, Any] = {"time_limit_seconds": 30, "steps": (3, 2), "enqueue": False}
    values.update(options)
    study = services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=actor, **values
    )
    return services.pareto_study_execute(study_id=study.pk)


def front(study: ParetoStudy) -> list[dict[str, Any]]:
    return [entry for entry in study.points.values() if entry["front"]]


@pytest.fixture
def done(world: ParetoWorld, coordinator_a: Any) -> ParetoStudy:
    return study_of(world, coordinator_a)


def test_it_finds_several_alternatives_over_four_objectives(done: ParetoStudy) -> None:
    assert done.status == ParetoStudy.Status.DONE
    assert done.names == ["coverage", "fairness", "requests", "changes"]
    assert len(front(done)) >= 2
    assert done.hypervolume is not None and done.hypervolume > 0


def test_it_keeps_every_point_a_schedule_the_validator_passes(
    world: ParetoWorld, done: ParetoStudy
) -> None:
    for entry in front(done):
        assert hard_violations(world, entry["run"]) == []
        run = ScheduleRun.objects.get(code=entry["run"])
        assert run.status == ScheduleRun.Status.SUCCEEDED and run.is_draft


def test_it_keeps_the_points_mutually_non_dominated(done: ParetoStudy) -> None:
    vectors = [tuple(entry["objectives"]) for entry in front(done)]
    assert len(set(vectors)) == len(vectors)
    assert not any(pareto.dominates(a, b) for a in vectors for b in vectors)


def test_it_keeps_drafts_only_for_the_front(world: ParetoWorld, done: ParetoStudy) -> None:
    kept = {entry["run"] for entry in front(done)}
    runs = ScheduleRun.objects.filter(parameters__pareto=str(done.code))
    assert {str(code) for code in runs.values_list("code", flat=True)} == kept
    off_front = [e for e in done.points.values() if e["valid"] and not e["front"]]
    assert all(entry["run"] == "" for entry in off_front)
    # Their draft rows went without an audit entry each (one per row took seconds).
    assert not LogEntry.objects.get_for_model(Assignment).filter(action=LogEntry.Action.DELETE)


def test_it_publishes_exactly_the_chosen_point_and_audits_it(
    world: ParetoWorld, done: ParetoStudy, coordinator_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    before = published(world)
    index, entry = next(
        (int(k), e) for k, e in done.points.items() if e["front"] and e["objectives"][-1] > 0
    )
    chosen = rows(Assignment.objects.filter(run__code=entry["run"], state=State.DRAFT))
    assert chosen != before
    with django_capture_on_commit_callbacks(execute=True):
        run = services.pareto_point_apply(study=done, index=index, actor=coordinator_a)
    assert published(world) == chosen
    assert run.published_at is not None and run.published_by == coordinator_a
    audit = LogEntry.objects.get_for_object(run).filter(actor=coordinator_a)
    assert any("published_at" in (log.changes_dict or {}) for log in audit)
    told = Notification.objects.filter(recipient=coordinator_a, event=Event.SCHEDULE_PUBLISHED)
    assert told.count() == 1  # as for any publish


def test_it_refuses_a_point_off_the_front(world: ParetoWorld, done: ParetoStudy) -> None:
    off = next((int(k) for k, e in done.points.items() if not e["front"]), None)
    with pytest.raises(ApplicationError, match="not on the front"):
        services.pareto_point_apply(study=done, index=off if off is not None else 99, actor=None)


def test_it_refuses_a_second_point_once_the_schedule_changed(
    world: ParetoWorld, done: ParetoStudy, coordinator_a: Any
) -> None:
    first, second = [int(k) for k, e in done.points.items() if e["front"]][:2]
    services.pareto_point_apply(study=done, index=first, actor=coordinator_a)
    with pytest.raises(ApplicationError, match="ask for alternatives again"):
        services.pareto_point_apply(study=done, index=second, actor=coordinator_a)


def test_it_refuses_a_second_study_of_the_same_period_while_one_runs(
    world: ParetoWorld,
) -> None:
    services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=None, enqueue=False
    )
    with pytest.raises(ApplicationError, match="still being computed"):
        services.pareto_study_create(
            program=world.program, start_date=START, end_date=END, actor=None, enqueue=False
        )


def test_it_refuses_a_period_that_starts_before_today_unless_asked(world: ParetoWorld) -> None:
    with pytest.raises(ApplicationError, match="before today"):
        services.pareto_study_create(
            program=world.program, start_date=START, end_date=END, actor=None,
            enqueue=False, include_past=False,
        )  # fmt: skip


def test_it_keeps_what_was_found_when_stopped(world: ParetoWorld) -> None:
    study = services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=None, enqueue=False,
        time_limit_seconds=30, steps=(3, 2),
    )  # fmt: skip
    anchors = services.pareto_study_start(study_id=study.pk)
    services.pareto_point_solve(study_id=study.pk, index=anchors[0])
    study = services.pareto_study_cancel(study=study, actor=None)
    assert study.status == ParetoStudy.Status.CANCELLED
    assert services.pareto_point_solve(study_id=study.pk, index=anchors[1]) == []
    study.refresh_from_db()
    assert list(study.points) == [str(anchors[0])]
    assert len(front(study)) == 1


def test_it_closes_a_study_whose_worker_died(world: ParetoWorld, _pinned_clock: Any) -> None:
    study = services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=None, enqueue=False
    )
    services.pareto_study_start(study_id=study.pk)
    _pinned_clock.shift(timedelta(seconds=study.time_limit_seconds) + services.STALE_AFTER)
    assert services.pareto_studies_fail_stale(studies=ParetoStudy.objects.all()) == 1
    study.refresh_from_db()
    assert study.status == ParetoStudy.Status.DONE and "never reported" in study.error


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.django_db(transaction=True)
def test_it_runs_one_celery_task_per_point(
    program_a: Any, eager_tasks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = pareto_world(program_a)
    solved: list[int] = []
    solve = services.pareto_point_solve

    def counting(*, study_id: int, index: int) -> list[int]:
        solved.append(index)
        return solve(study_id=study_id, index=index)

    monkeypatch.setattr(services, "pareto_point_solve", counting)
    study = services.pareto_study_create(
        program=world.program, start_date=START, end_date=END, actor=None,
        time_limit_seconds=30, steps=(3, 2),
    )  # fmt: skip
    study.refresh_from_db()
    assert study.status == ParetoStudy.Status.DONE
    assert sorted(solved) == list(range(study.total))
    assert study.total > len(study.names)  # anchors, then the grid they planned
    assert len(front(study)) >= 2
