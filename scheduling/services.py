"""Writes to the schedule: runs (create, execute, cancel, publish, discard) and manual edits."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from auditlog.context import disable_auditlog, set_actor
from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from conflicts.triggers import schedule_detection
from lib.errors import ApplicationError
from lib.timezones import local_today
from people.models import Program
from rotations.models import ShiftType
from scheduling import freeze, notices, plan_services, problem_preferences, problem_rules
from scheduling import problem as problems
from scheduling.engine.contingency import without
from scheduling.engine.model import Violation
from scheduling.engine.solvers import get_solver, solver_names
from scheduling.engine.validator import validate
from scheduling.models import (
    Assignment,
    RotationAssignment,
    ScheduleRun,
    ScheduleRunProgress,
    Source,
    State,
)
from scheduling.runs import finish, metrics, solve_with_monitor

logger = logging.getLogger(__name__)

MAX_TIME_LIMIT = 3600
STALE_AFTER = timedelta(minutes=2)
DEFAULT_CHANGE_WEIGHT = 50


def violation_row(violation: Violation, built: problems.BuiltProblem) -> dict[str, Any]:
    """A violation as stored on the run and shown to coordinators (people by name, dates)."""
    day = built.problem.horizon.date_of(violation.day) if violation.day is not None else None
    message = violation.message
    if violation.person:
        message = message.replace(violation.person, built.person_label(violation.person))
    return {
        "rule": violation.rule,
        "severity": str(violation.severity),
        "message": message,
        "person": built.person_label(violation.person),
        "shift": violation.shift or "",
        "date": day.isoformat() if day else "",
        "start": violation.start.isoformat() if violation.start else "",
        "end": violation.end.isoformat() if violation.end else "",
        "measured": violation.measured,
        "limit": violation.limit,
    }


def default_time_limit(start_date: date, end_date: date) -> int:
    """30 s for a four-week block, 20 s more per further four weeks: a whole year gets 290 s.

    A year's model is about thirteen blocks' worth; on the shared two-core machine its first
    schedule alone (built window by window) takes about a minute under load, so a block's 30 s
    would end every year run "no schedule found in time" (docs/benchmarks.md, issue 12).
    """
    blocks = -(-((end_date - start_date).days + 1) // 28)
    return min(MAX_TIME_LIMIT, 30 + 20 * max(0, blocks - 1))


def blocks_period(blocks: Any) -> tuple[date, date]:
    """The one period a set of blocks covers; blocks with a gap between them are refused (a run
    covers one continuous period: blocks 2 and 9 together would silently solve 2 to 9)."""
    ordered = sorted(blocks, key=lambda block: block.start_date)
    if not ordered:
        raise ApplicationError("Choose at least one block.")
    for earlier, later in pairwise(ordered):
        if (later.start_date - earlier.end_date).days > 1:
            raise ApplicationError(
                f"Blocks {earlier.number} and {later.number} are not consecutive: a run covers "
                "one continuous period. Choose consecutive blocks, or generate each on its own.",
                details={"blocks": [earlier.number, later.number]},
            )
    return ordered[0].start_date, ordered[-1].end_date


def refuse_past(program: Program, start: date) -> None:
    today = local_today(program)
    if start < today:
        raise ApplicationError(
            f"The period starts {start:%d %b %Y}, before today ({today:%d %b %Y}). Past days are "
            "generated only when you tick “include past days” (locked past shifts are then kept).",
            details={"start_date": str(start), "today": str(today)},
        )


def schedule_run_create(
    *,
    program: Program,
    start_date: date,
    end_date: date,
    actor: Any,
    kind: str = ScheduleRun.Kind.SCHEDULE,
    algorithm: str = ScheduleRun.DEFAULT_ALGORITHM,
    time_limit_seconds: int | None = None,
    parameters: dict[str, Any] | None = None,
    enqueue: bool = True,
    include_past: bool = True,
    override_reason: str = "",
) -> ScheduleRun:
    """Queue a run; refuse while another run of the program overlaps the period.

    The coordinator's doors (page, console, API) pass their "include past days" tick: without
    it a schedule run that starts before the program's today is refused. Internal callers (the
    demo seed, tests) solve whatever period they name.

    ``enqueue=False`` leaves the run queued for the caller to execute in-process (the demo seed
    and management commands, which must work before any worker is running). Without a time
    limit the run gets ``default_time_limit`` of its period. A schedule run starting inside the
    program's freeze horizon needs ``override_reason`` (scheduling/freeze.py), kept on the run.
    """
    if end_date < start_date:
        raise ApplicationError(
            "The period ends before it starts.", details={"end_date": str(end_date)}
        )
    if kind == ScheduleRun.Kind.SCHEDULE and not include_past:
        refuse_past(program, start_date)
    parameters = dict(parameters or {})
    if kind == ScheduleRun.Kind.SCHEDULE and freeze.refuse_frozen(
        program, start_date, override_reason, "generating a schedule"
    ):
        parameters["override_reason"] = override_reason.strip()[:500]
    if time_limit_seconds is None:
        time_limit_seconds = default_time_limit(start_date, end_date)
    if not 1 <= time_limit_seconds <= MAX_TIME_LIMIT:
        raise ApplicationError(f"The time limit must be between 1 and {MAX_TIME_LIMIT} seconds.")
    if algorithm not in solver_names():
        raise ApplicationError(
            f"Unknown algorithm {algorithm!r}.", details={"known": list(solver_names())}
        )
    with transaction.atomic(), set_actor(actor):
        # One writer per program at a time, so two requests cannot both pass the overlap check.
        Program.objects.select_for_update().get(pk=program.pk)
        active = (
            ScheduleRun.objects.filter(
                program=program,
                kind=kind,
                status__in=ScheduleRun.ACTIVE_STATUSES,
                start_date__lte=end_date,
                end_date__gte=start_date,
            )
            .order_by("created_at")
            .first()
        )
        if active is not None:
            raise ApplicationError(
                f"Run {active.code} is already {active.get_status_display().lower()} for "
                f"{active.start_date:%d %b}–{active.end_date:%d %b %Y}; wait for it or cancel it.",
                details={"run": str(active.code)},
            )
        try:
            run = ScheduleRun.objects.create(
                program=program,
                kind=kind,
                algorithm=algorithm,
                start_date=start_date,
                end_date=end_date,
                time_limit_seconds=time_limit_seconds,
                parameters=parameters,
                requested_by=actor if getattr(actor, "pk", None) else None,
            )
        except IntegrityError:
            raise ApplicationError("Another run for this period was just started.") from None
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: ScheduleRun) -> None:
    # By name from the app's registry: tasks.py imports this module, never the other way round.
    execute_run = current_app.tasks["scheduling.execute_run"]
    # Soft limit: the solver's own limit plus time to build and save; hard limit a minute later.
    soft = run.time_limit_seconds + 120
    execute_run.apply_async(args=[run.pk], soft_time_limit=soft, time_limit=soft + 60)


def schedule_changed(program_id: int, start: date, end: date) -> None:
    """The published schedule of the program changed from ``start`` to ``end`` (publish, edit,
    executed or undone swap). Once the transaction commits, queue what follows from it: conflict
    detection over the changed days (conflicts.triggers) and a re-ranking of the program's open
    swap offers (the best new matches are told). Every service that changes published rows calls
    this, and only this."""
    transaction.on_commit(lambda: _enqueue_rematch(program_id))
    schedule_detection(program_id, start, end)


def _enqueue_rematch(program_id: int) -> None:
    # By name, like _enqueue: scheduling does not import swaps.
    try:
        current_app.tasks["swaps.rematch_program"].delay(program_id)
    except Exception:  # the broker being down must not fail the edit; the next change requeues
        logger.exception("could not queue swap matching for program %s", program_id)


def schedule_run_cancel(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
    with transaction.atomic(), set_actor(actor):
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ScheduleRun.Status.QUEUED:
            run.status = ScheduleRun.Status.CANCELLED
            run.finished_at = timezone.now()
            run.cancel_requested = True
            run.save(update_fields=["status", "finished_at", "cancel_requested", "updated_at"])
        elif run.status == ScheduleRun.Status.RUNNING:
            # The worker's monitor sees the flag within a second and stops the solver.
            run.cancel_requested = True
            run.save(update_fields=["cancel_requested", "updated_at"])
        else:
            raise ApplicationError(f"The run has already {run.get_status_display().lower()}.")
    return run


def schedule_run_execute(*, run_id: int) -> None:
    """The worker's side of a run. Claims it; a second delivery of the same task does nothing."""
    now = timezone.now()
    # Queued, or running on a worker that died (no heartbeat for STALE_AFTER): the task is
    # acknowledged late, so a task lost with its worker is delivered again and claims the run.
    claimable = Q(status=ScheduleRun.Status.QUEUED) | Q(
        status=ScheduleRun.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    claimed = ScheduleRun.objects.filter(claimable, pk=run_id).update(
        status=ScheduleRun.Status.RUNNING, started_at=now, heartbeat_at=now, phase="building"
    )
    if not claimed:
        logger.info("run %s was not queued any more; nothing to do", run_id)
        return
    run = ScheduleRun.objects.select_related("program").get(pk=run_id)
    # A first sample at once, so the page shows the run moving before the first solution.
    ScheduleRunProgress.objects.create(run=run, elapsed_seconds=0.0, phase="building")
    try:
        if run.kind == ScheduleRun.Kind.ROTATION_PLAN:
            plan_services.execute_plan_run(run)
        else:
            _execute_schedule_run(run)
    except ApplicationError as error:
        finish(
            run, ScheduleRun.Status.FAILED, error=error.message, metrics={"details": error.details}
        )
    except Exception as error:  # the run must end failed, never stay "running"
        logger.exception("run %s crashed", run_id)
        finish(run, ScheduleRun.Status.FAILED, error=f"{type(error).__name__}: {error}")


def _execute_schedule_run(run: ScheduleRun) -> None:
    params = run.parameters or {}
    baseline: list[Assignment] = []
    if params.get("minimal_change"):
        baseline = list(
            Assignment.objects.filter(
                person__program=run.program,
                state=State.PUBLISHED,
                date__range=(run.start_date, run.end_date),
            )
        )
    year = problems.academic_year_for(run.program, run.start_date)
    if contradictions := problem_rules.curriculum_contradictions(run.program, year):
        raise ApplicationError(
            "The program rules contradict each other: " + "; ".join(contradictions),
            details={"conflicts": contradictions},
        )
    built = problems.build_problem(
        run.program,
        run.start_date,
        run.end_date,
        baseline=baseline,
        change_weight=int(params.get("change_weight", DEFAULT_CHANGE_WEIGHT)) if baseline else 0,
        shed_order=params.get("shed_order"),
    )
    # Before any solve: preferences that contradict the program's needs, named on both sides.
    causes = problem_preferences.precheck(run.program, built)
    if causes:
        raise ApplicationError(
            "People's preferences make this period impossible to schedule: " + " ".join(causes),
            details={"conflicts": causes, "status": "precheck"},
        )
    # Contingency runs (resilience fallbacks): people away for the whole period, minimums soft
    # in the program's sacrifice order; the schedule is still judged by the hard minimums.
    problem = without(built.problem, set(params.get("without", ())))
    solution = solve_with_monitor(run, problem, get_solver(run.algorithm))
    if solution is None:
        return
    judged = built.program_problem() if params.get("shed_order") is not None else built.problem
    report = validate(without(judged, set(params.get("without", ()))), solution.assignments)
    violations = [violation_row(v, built) for v in report.violations]
    with transaction.atomic():
        # All rows or none: a failure anywhere in here leaves no draft behind.
        Assignment.objects.bulk_create(
            [_draft_assignment(run, built, assignment) for assignment in solution.assignments],
            batch_size=500,
        )
        finish(
            run,
            ScheduleRun.Status.SUCCEEDED if report.is_valid else ScheduleRun.Status.WITH_VIOLATIONS,
            objective=report.objective,
            bound=solution.bound,
            violations=violations,
            metrics=metrics(solution, report.penalties, len(solution.assignments)),
        )


def schedule_run_record_draft(
    *,
    program: Program,
    built: problems.BuiltProblem,
    assignments: Any,
    actor: Any,
    parameters: dict[str, Any],
    algorithm: str = ScheduleRun.Algorithm.MIP,
    wall_time: float = 0.0,
    time_limit_seconds: int = 60,
) -> ScheduleRun:
    """A schedule solved elsewhere (a Pareto point, analytics/services.py) kept as a finished
    draft run, the way a run's worker keeps its own: validated against the same problem, every
    row or none, publishable (and discarded) like any other draft. No "run finished" notice:
    the caller's job tells the coordinator once, not once per schedule."""
    start = built.problem.horizon.start
    end = built.problem.horizon.date_of(built.problem.horizon.days - 1)
    report = validate(built.problem, tuple(assignments))
    now = timezone.now()
    with transaction.atomic(), set_actor(actor):
        run = ScheduleRun.objects.create(
            program=program,
            kind=ScheduleRun.Kind.SCHEDULE,
            algorithm=algorithm,
            start_date=start,
            end_date=end,
            time_limit_seconds=max(1, min(MAX_TIME_LIMIT, time_limit_seconds)),
            parameters=parameters,
            status=ScheduleRun.Status.SUCCEEDED
            if report.is_valid
            else ScheduleRun.Status.WITH_VIOLATIONS,
            phase="done",
            objective=report.objective,
            elapsed_seconds=wall_time,
            violations=[violation_row(v, built) for v in report.violations],
            metrics={
                "status": "recorded",
                "algorithm": algorithm,
                "wall_time": wall_time,
                "penalties": dict(report.penalties),
                "assignments": len(assignments),
            },
            requested_by=actor if getattr(actor, "pk", None) else None,
            started_at=now,
            finished_at=now,
        )
        Assignment.objects.bulk_create(
            [_draft_assignment(run, built, assignment) for assignment in assignments],
            batch_size=500,
        )
    return run


def _draft_assignment(
    run: ScheduleRun, built: problems.BuiltProblem, assignment: Any
) -> Assignment:
    person, shift_type, day, begins, ends = problems.materialise(built, assignment)
    return Assignment(
        person=person,
        shift_type=shift_type,
        date=day,
        starts_at=begins,
        ends_at=ends,
        state=State.DRAFT,
        source=Source.SOLVER,
        run=run,
    )


def schedule_run_publish(*, run: ScheduleRun, actor: Any, override_reason: str = "") -> ScheduleRun:
    """Replace the published schedule of the run's period by its draft, atomically.

    A run with hard violations is published only with a written override reason, kept on the
    run (and so in its audit entry) and shown on its page."""
    reason = override_reason.strip()
    with transaction.atomic(), set_actor(actor):
        # Period-wide writes of one program take turns on the program row, the same lock a new
        # run takes: two drafts published at once can never both land (issue 14).
        Program.objects.select_for_update().get(pk=run.program_id)
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_draft:
            raise ApplicationError(
                "Only a succeeded run that is not yet published or discarded can be published."
            )
        newer = (
            ScheduleRun.objects.filter(
                program_id=run.program_id,
                kind=run.kind,
                published_at__gt=run.created_at,
                start_date__lte=run.end_date,
                end_date__gte=run.start_date,
            )
            .exclude(pk=run.pk)
            .first()
        )
        if newer is not None:
            raise ApplicationError(
                f"Another draft of this period was published at {newer.published_at:%d %b %H:%M} "
                "after this one was made; generate again from the schedule as it is now.",
                details={"published_run": str(newer.code)},
            )
        if run.needs_override and not reason:
            raise ApplicationError(
                "This schedule breaks hard rules: publishing it needs a written override reason.",
                details={
                    "violations": [
                        v for v in run.violations if v.get("severity") in HARD_SEVERITIES
                    ]
                },
            )
        if run.kind == ScheduleRun.Kind.ROTATION_PLAN:
            from scheduling import plan_services

            counts = plan_services.publish_plan(run)
        else:
            counts = _publish_assignments(run)
        run.published_at = timezone.now()
        run.published_by = actor if getattr(actor, "pk", None) else None
        run.metrics = {**run.metrics, "published": counts}
        run.override_reason = reason if run.needs_override else ""
        schedule_changed(run.program_id, run.start_date, run.end_date)
        # Saved through the ORM so the audit log records who published which run (and why).
        run.save(
            update_fields=[
                "published_at",
                "published_by",
                "metrics",
                "override_reason",
                "updated_at",
            ]
        )
    return run


def _publish_assignments(run: ScheduleRun) -> dict[str, int]:
    """Make the draft the published schedule of its period, touching only what changed.

    A published shift the draft repeats keeps its row (and so its public code, which calendar
    feeds use as the event UID); published shifts the draft drops are deleted, unless locked;
    the draft's new shifts become published.
    """
    published = Assignment.objects.filter(
        person__program=run.program,
        state=State.PUBLISHED,
        date__range=(run.start_date, run.end_date),
    )
    drafts = Assignment.objects.filter(run=run, state=State.DRAFT)
    same_draft = drafts.filter(
        person=OuterRef("person"), date=OuterRef("date"), shift_type=OuterRef("shift_type")
    )
    same_published = published.filter(
        person=OuterRef("person"), date=OuterRef("date"), shift_type=OuterRef("shift_type")
    )
    gone = published.filter(locked=False).exclude(Exists(same_draft))
    new = drafts.exclude(Exists(same_published))
    shape = ("person_id", "date", "shift_type__abbreviation")
    notices.schedule_published(run, new.values_list(*shape), gone.values_list(*shape))
    removed, _ = gone.delete()
    # Drafts the published schedule already holds as they are: dropping them changes nothing a
    # person sees (a republished block has ~1,000 of them; the run's own entry records the counts).
    kept = _delete_drafts(drafts.filter(Exists(same_published)))
    added = drafts.update(state=State.PUBLISHED, updated_at=timezone.now())
    return {"removed": removed, "added": added, "kept": kept}


def _delete_drafts(rows: Any) -> int:
    """Delete the draft rows among ``rows``, with no audit entry each: a draft was never anyone's
    schedule, its rows were written without one, and its run's own entries record what happened
    to it (one entry per row cost 10 s for the drafts of three Pareto points)."""
    with disable_auditlog():
        deleted, _ = rows.filter(state=State.DRAFT).delete()
    return deleted


def schedule_runs_drop(*, runs: Any) -> int:
    """Delete unpublished runs and their drafts (a Pareto study's points off the front);
    published runs among ``runs`` are kept. Returns the number of runs deleted."""
    runs = runs.filter(published_at__isnull=True)
    _delete_drafts(Assignment.objects.filter(run__in=runs))
    _delete_drafts(RotationAssignment.objects.filter(run__in=runs))
    deleted, _ = runs.delete()
    return deleted


def schedule_run_discard(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
    with transaction.atomic(), set_actor(actor):
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_draft:
            raise ApplicationError("Only an unpublished draft can be discarded.")
        _delete_drafts(run.assignments.all())
        _delete_drafts(run.rotation_assignments.all())
        run.discarded_at = timezone.now()
        run.save(update_fields=["discarded_at", "updated_at"])
    return run


def schedule_runs_fail_stale(
    *, now: Any = None, stale_after: timedelta = STALE_AFTER, runs: Any = None
) -> int:
    """Fail running runs whose worker stopped sending heartbeats (it died or was killed).

    Beat calls it every minute; the run pages call it too, for the runs they show, so a dead
    worker is noticed even when no worker (and so no beat-driven task) is alive."""
    now = now or timezone.now()
    stale = (ScheduleRun.objects.all() if runs is None else runs).filter(
        status=ScheduleRun.Status.RUNNING, heartbeat_at__lt=now - stale_after
    )
    return stale.update(
        status=ScheduleRun.Status.FAILED,
        finished_at=now,
        phase="done",
        error="The worker stopped responding; nothing was saved. Start the run again.",
    )


def run_comparison(run: ScheduleRun) -> dict[str, int]:
    """How the run's draft differs from the published schedule of its period."""
    key = ("person_id", "date", "shift_type_id")
    drafts = set(Assignment.objects.filter(run=run, state=State.DRAFT).values_list(*key))
    published = set(
        Assignment.objects.filter(
            person__program=run.program,
            state=State.PUBLISHED,
            date__range=(run.start_date, run.end_date),
        ).values_list(*key)
    )
    return {
        "draft": len(drafts),
        "published": len(published),
        "added": len(drafts - published),
        "removed": len(published - drafts),
        "kept": len(drafts & published),
    }


def wait_for_run(run: ScheduleRun, *, timeout: float = 60.0) -> ScheduleRun:
    """Poll until a run leaves queued/running (used by tests and the demo seed)."""
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if not run.is_active or time.monotonic() > deadline:
            return run
        time.sleep(0.2)


HARD_SEVERITIES = ("critical", "high")


def assignment_callback_record(*, assignment: Assignment, minutes: int, actor: Any) -> Assignment:
    """Record the time an at-home call actually spent in the hospital (after the fact); only
    this time counts toward the 80 hours (docs/rules.md)."""
    if assignment.shift_type.category != ShiftType.Category.AT_HOME_CALL:
        raise ApplicationError("Call-back time is recorded on at-home call only.")
    if assignment.state != State.PUBLISHED:
        raise ApplicationError("Call-back time is recorded on published assignments only.")
    length = int((assignment.ends_at - assignment.starts_at).total_seconds() // 60)
    if not 0 <= minutes <= length:
        raise ApplicationError(f"Call-back time must be between 0 and {length} minutes.")
    with transaction.atomic(), set_actor(actor):
        row = Assignment.objects.select_for_update().get(pk=assignment.pk)
        row.callback_minutes = minutes
        row.save(update_fields=["callback_minutes", "updated_at"])
    return row


def schedule_validate(*, program: Program, start: date, end: date) -> list[dict[str, Any]]:
    """Check the published schedule of a period with the engine's validator (nothing saved)."""
    built = problems.build_problem(program, start, end)
    current = problems.published_engine_assignments(built, start, end)
    return [violation_row(v, built) for v in validate(built.problem, current).violations]
