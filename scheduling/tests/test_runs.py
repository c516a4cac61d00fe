"""Schedule runs: queue, claim, progress, cancel, atomic save, reaper, publish and discard."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from conftest import calendar_instants
from lib.errors import ApplicationError
from people.models import Absence
from scheduler_project.celery import app as celery_app
from scheduling import services
from scheduling.engine.model import Assignment as EngineAssignment
from scheduling.engine.model import Progress, Solution, SolveStatus
from scheduling.models import Assignment, ScheduleRun, ScheduleRunProgress, State
from scheduling.tests.builders import END, START, SmallProgram, small_program

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def world() -> SmallProgram:
    return small_program()


def _create(world: SmallProgram, actor: Any = None, **kwargs: Any) -> ScheduleRun:
    options: dict[str, Any] = {"algorithm": "greedy", "time_limit_seconds": 5}
    options.update(kwargs)
    return services.schedule_run_create(
        program=world.program, start_date=START, end_date=END, actor=actor, **options
    )


def _slow_solver(seconds: float) -> Any:
    """Reports progress every 0.1 s until stopped or out of time; returns one assignment."""

    def solve(
        problem: Any, *, time_limit: float, should_stop: Any, on_progress: Any, **_: Any
    ) -> Solution:
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            on_progress(
                Progress(
                    elapsed=time.monotonic() - began, objective=10.0, bound=1.0, phase="search"
                )
            )
            if should_stop():
                return Solution(assignments=(), status=SolveStatus.CANCELLED, algorithm="slow")
            time.sleep(0.1)
        person = problem.people[0].id
        return Solution(
            assignments=(EngineAssignment(person=person, day=0, shift="WD"),),
            status=SolveStatus.FEASIBLE,
            algorithm="slow",
        )

    return solve


def test_it_goes_from_queued_to_succeeded_with_progress_rows(world: SmallProgram) -> None:
    run = _create(world)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED
    assert run.started_at is not None and run.finished_at is not None
    assert ScheduleRunProgress.objects.filter(run=run).exists()
    drafts = Assignment.objects.filter(run=run, state=State.DRAFT)
    assert drafts.count() == 7  # one ward day per day of the week
    assert not Assignment.objects.filter(state=State.PUBLISHED).exists()


def test_it_writes_progress_at_least_twice_a_second_while_solving(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "get_solver", lambda name: _slow_solver(2.0))
    run = _create(world)
    run.refresh_from_db()
    # One assignment leaves coverage short: a schedule came back, with hard violations.
    assert run.status == ScheduleRun.Status.WITH_VIOLATIONS
    assert ScheduleRunProgress.objects.filter(run=run).count() >= 3


def test_it_saves_nothing_for_a_cancelled_run(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "get_solver", lambda name: _slow_solver(30.0))
    celery_app.conf.task_always_eager = False
    monkeypatch.setattr(services, "_enqueue", lambda run: None)
    run = _create(world)
    services.schedule_run_cancel(run=run, actor=None)  # queued: cancelled at once
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.CANCELLED
    services.schedule_run_execute(run_id=run.pk)  # a late delivery must not revive it
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.CANCELLED
    assert not Assignment.objects.filter(run=run).exists()


def test_it_stops_a_running_solver_within_seconds_of_cancel(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "get_solver", lambda name: _slow_solver(60.0))
    monkeypatch.setattr(services, "_enqueue", lambda run: None)
    run = _create(world)
    ScheduleRun.objects.filter(pk=run.pk).update(cancel_requested=True)  # as if pressed mid-run
    began = time.monotonic()
    services.schedule_run_execute(run_id=run.pk)
    stopped_after = time.monotonic() - began
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.CANCELLED
    assert stopped_after < 30  # far below the solver's 60 s: the cancel reached it
    assert not Assignment.objects.filter(run=run).exists()


def test_it_leaves_the_database_unchanged_when_the_save_fails_midway(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_finish = services.finish

    def finish_then_crash(run: ScheduleRun, status: str, **values: Any) -> None:
        if status == ScheduleRun.Status.SUCCEEDED:
            raise RuntimeError("disk full")  # after the rows were inserted, inside the transaction
        real_finish(run, status, **values)

    monkeypatch.setattr(services, "finish", finish_then_crash)
    run = _create(world)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert "disk full" in run.error
    assert not Assignment.objects.exists()


def test_it_does_nothing_on_a_duplicate_delivery(world: SmallProgram) -> None:
    run = _create(world)
    run.refresh_from_db()
    finished_at, rows = run.finished_at, Assignment.objects.filter(run=run).count()
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.finished_at == finished_at
    assert Assignment.objects.filter(run=run).count() == rows


def test_it_refuses_a_second_active_run_naming_the_first(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_enqueue", lambda run: None)
    first = _create(world)
    with pytest.raises(ApplicationError) as error:
        services.schedule_run_create(
            program=world.program,
            start_date=START + timedelta(days=3),
            end_date=END + timedelta(days=3),
            actor=None,
            algorithm="greedy",
        )
    assert str(first.code) in error.value.message


def test_it_fails_a_run_without_coverage_naming_the_cause() -> None:
    world = small_program(coverage=False)
    run = _create(world)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert "no coverage requirements" in run.error


def test_it_fails_an_infeasible_run_with_the_engines_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = small_program(residents=0)
    run = _create(world, algorithm="cpsat")
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert run.error.startswith("No schedule satisfies the rules")
    assert not Assignment.objects.exists()


def test_it_says_no_schedule_was_found_in_time_and_how_far_it_got_when_time_runs_out(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_time(problem: Any, *, on_progress: Any, **_: Any) -> Solution:
        on_progress(Progress(elapsed=4.0, objective=None, bound=120.0, phase="search"))
        return Solution(assignments=(), status=SolveStatus.UNKNOWN, algorithm="cpsat")

    monkeypatch.setattr(services, "get_solver", lambda name: out_of_time)
    run = _create(world)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED
    assert run.error.startswith("No schedule found in the 5 s time limit")
    assert "at least 120" in run.error
    assert "infeasible" not in run.error and "satisfies" not in run.error


def test_it_fails_runs_whose_worker_stopped_sending_heartbeats(world: SmallProgram) -> None:
    now = timezone.now()
    stale = ScheduleRun.objects.create(
        program=world.program,
        start_date=START,
        end_date=END,
        status=ScheduleRun.Status.RUNNING,
        heartbeat_at=now - timedelta(minutes=10),
    )
    alive = ScheduleRun.objects.create(
        program=world.program,
        start_date=END + timedelta(days=1),
        end_date=END + timedelta(days=7),
        status=ScheduleRun.Status.RUNNING,
        heartbeat_at=now,
    )
    assert services.schedule_runs_fail_stale(now=now) == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == ScheduleRun.Status.FAILED
    assert "stopped responding" in stale.error
    assert alive.status == ScheduleRun.Status.RUNNING


def test_it_publishes_atomically_replacing_the_period_and_audits(
    world: SmallProgram, django_user_model: Any
) -> None:
    coordinator = django_user_model.objects.create_user(username="coord", password="x")
    old = Assignment.objects.create(
        person=world.residents[0],
        shift_type=world.shift,
        date=START,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=12),
    )
    run = _create(world)
    run = services.schedule_run_publish(run=run, actor=coordinator)
    assert not Assignment.objects.filter(pk=old.pk).exists()
    assert Assignment.objects.filter(state=State.PUBLISHED).count() == 7
    assert not Assignment.objects.filter(state=State.DRAFT).exists()
    entry = (
        LogEntry.objects.get_for_object(run)
        .filter(changes__icontains="published_at")
        .latest("timestamp")
    )
    assert entry.actor == coordinator
    with pytest.raises(ApplicationError):
        services.schedule_run_publish(run=run, actor=coordinator)  # only once


def test_it_keeps_the_published_schedule_when_publishing_fails(
    world: SmallProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = services.schedule_run_publish(run=_create(world), actor=None)
    published = set(Assignment.objects.filter(state=State.PUBLISHED).values_list("pk", flat=True))
    second = _create(world)

    def crash(run: ScheduleRun) -> dict[str, int]:
        Assignment.objects.filter(state=State.PUBLISHED).delete()
        raise RuntimeError("crash in the middle of publishing")

    monkeypatch.setattr(services, "_publish_assignments", crash)
    with pytest.raises(RuntimeError):
        services.schedule_run_publish(run=second, actor=None)
    assert (
        set(Assignment.objects.filter(state=State.PUBLISHED).values_list("pk", flat=True))
        == published
    )
    assert first.published_at is not None


def test_it_discards_a_draft(world: SmallProgram) -> None:
    run = _create(world)
    services.schedule_run_discard(run=run, actor=None)
    run.refresh_from_db()
    assert run.discarded_at is not None
    assert not Assignment.objects.filter(run=run).exists()
    # The draft was never anyone's schedule: its rows leave no audit entry each.
    assert not LogEntry.objects.get_for_model(Assignment).exists()


def test_it_compares_a_draft_with_the_published_schedule(world: SmallProgram) -> None:
    services.schedule_run_publish(run=_create(world), actor=None)
    second = _create(world, parameters={"minimal_change": True})
    comparison = services.run_comparison(second)
    assert comparison["published"] == 7
    assert comparison["draft"] == 7
    assert comparison["added"] + comparison["kept"] == 7


def test_it_moves_the_fewest_people_when_re_solving_with_minimal_change(
    world: SmallProgram,
) -> None:
    published = services.schedule_run_publish(run=_create(world, algorithm="cpsat"), actor=None)
    day3 = Assignment.objects.get(state=State.PUBLISHED, date=START + timedelta(days=3))
    Absence.objects.create(
        person=day3.person,
        kind=Absence.Kind.SICK,
        status=Absence.Status.APPROVED,
        start_date=day3.date,
        end_date=day3.date,
    )
    second = _create(world, algorithm="cpsat", parameters={"minimal_change": True})
    comparison = services.run_comparison(second)
    assert published.published_at is not None
    assert comparison == {"draft": 7, "published": 7, "added": 1, "removed": 1, "kept": 6}
    replacement = Assignment.objects.get(run=second, date=day3.date)
    assert replacement.person_id != day3.person_id


def test_it_keeps_the_rows_of_unchanged_shifts_when_republishing(world: SmallProgram) -> None:
    services.schedule_run_publish(run=_create(world, algorithm="cpsat"), actor=None)
    before = dict(Assignment.objects.filter(state=State.PUBLISHED).values_list("date", "code"))
    day3 = Assignment.objects.get(state=State.PUBLISHED, date=START + timedelta(days=3))
    Absence.objects.create(
        person=day3.person,
        kind=Absence.Kind.SICK,
        status=Absence.Status.APPROVED,
        start_date=day3.date,
        end_date=day3.date,
    )
    second = services.schedule_run_publish(
        run=_create(world, algorithm="cpsat", parameters={"minimal_change": True}), actor=None
    )
    after = dict(Assignment.objects.filter(state=State.PUBLISHED).values_list("date", "code"))
    assert second.metrics["published"] == {"removed": 1, "added": 1, "kept": 6}
    assert {day for day in before if before[day] == after.get(day)} == set(before) - {day3.date}
    assert not Assignment.objects.filter(state=State.DRAFT).exists()


@calendar_instants
def test_it_generates_and_publishes_a_week_around_today_in_local_time(pinned_now: datetime) -> None:
    tz = ZoneInfo("America/New_York")
    today = pinned_now.astimezone(tz).date()
    world = small_program(around=today)
    start, end = today, today + timedelta(days=6)  # the first day of block 2 or of the year
    run = services.schedule_run_create(
        program=world.program,
        start_date=start,
        end_date=end,
        actor=None,
        algorithm="cpsat",
        time_limit_seconds=5,
    )
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.error
    services.schedule_run_publish(run=run, actor=None)
    shifts = Assignment.objects.filter(state=State.PUBLISHED).order_by("date")
    # One ward day on each day, at 07:00-19:00 local time and 12 elapsed hours, DST changes and
    # 29 February included.
    assert [a.date for a in shifts] == [start + timedelta(days=i) for i in range(7)]
    for shift in shifts:
        local = shift.starts_at.astimezone(tz)
        assert (local.date(), local.hour) == (shift.date, 7)
        assert shift.ends_at - shift.starts_at == timedelta(hours=12)


@pytest.mark.parametrize(
    ("end", "seconds"),
    [(START + timedelta(days=27), 30), (START + timedelta(days=28), 50), (date(2027, 6, 30), 290)],
)
def test_it_gives_a_run_without_a_time_limit_more_time_for_a_longer_period(
    end: date, seconds: int
) -> None:
    assert services.default_time_limit(START, end) == seconds


def test_it_fails_a_run_whose_worker_died_when_its_page_is_read(
    world: SmallProgram, coordinator_a: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from people.models import Membership

    Membership.objects.filter(user=coordinator_a).update(program=world.program)
    run = ScheduleRun.objects.create(
        program=world.program,
        start_date=START,
        end_date=END,
        status=ScheduleRun.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    client = Client()
    client.force_login(coordinator_a)
    page = client.get(reverse("scheduling:run", args=[run.code]))
    assert "stopped responding" in page.content.decode()
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.FAILED


def test_it_lets_a_redelivered_task_claim_a_run_whose_worker_died(world: SmallProgram) -> None:
    run = ScheduleRun.objects.create(
        program=world.program,
        start_date=START,
        end_date=END,
        status=ScheduleRun.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
        algorithm="greedy",
        time_limit_seconds=5,
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.SUCCEEDED, run.error


def test_it_does_not_claim_a_run_a_live_worker_holds(world: SmallProgram) -> None:
    run = ScheduleRun.objects.create(
        program=world.program,
        start_date=START,
        end_date=END,
        status=ScheduleRun.Status.RUNNING,
        heartbeat_at=timezone.now(),
        algorithm="greedy",
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.RUNNING


def test_it_acknowledges_solver_tasks_late_so_a_lost_one_is_delivered_again() -> None:
    from scheduling.tasks import execute_run

    assert execute_run.acks_late and execute_run.reject_on_worker_lost
