"""Pareto alternatives in the app: a study of one period, one Celery task per point.

A coordinator asks for alternatives (``pareto_study_create``); the study then runs the engine's
epsilon-constraint steps (scheduling/engine/pareto.py) as Celery tasks so workers fan out:

1. ``pareto_study_start`` claims the study, builds the problem (the published schedule of the
   period is the current one, so "changes" is an objective when there is one), plans the anchors
   (one per objective) and fans them out as a group of ``analytics.pareto_point`` tasks;
2. ``pareto_point_solve`` solves one point and records it under the study's row lock; a valid
   schedule is kept as a draft ``ScheduleRun`` (``schedule_run_record_draft``). The task that
   records the last anchor plans the epsilon grid from the anchors' objectives and fans it out;
   the one that records the last grid point closes the study;
3. ``_close`` keeps the valid, mutually non-dominated points (the front) and deletes the drafts
   of the others (dominated or repeated schedules nobody should be offered).

``pareto_point_apply`` publishes one point's draft through ``schedule_run_publish`` (its diff
preview, audit entry and notifications are those of any publish). No result backend is needed:
the tasks count on the study row, as the contingency study does (resilience/services.py).
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from analytics.models import ParetoStudy
from lib.errors import ApplicationError
from people.models import Program
from scheduling import services as schedule
from scheduling.engine import model as m
from scheduling.engine import pareto
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.problem import BuiltProblem, academic_year_for, build_problem

logger = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = 60
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 10, 1800
# The grid sweeps one objective (changes, or fairness without a published schedule) at 3 levels
# between its anchors' best and worst, and minimises each other objective in turn at each:
# 4 anchors + 9 grid points, seven rounds on two workers within a minute (grid points a primary's
# own anchor already answers are replaced by finer levels: pareto.grid_bounds). Every grid solve starts
# from a schedule that meets its bound; the two-axis grid of the benchmark found nothing on the
# demo block (engine/pareto.py plan_for; figures in docs/benchmarks.md, "Pareto alternatives in
# the app").
ONE_AXIS = True
DEFAULT_STEPS = (3,)
# What a round of points costs beside its solver time (the model built, each point validated and
# recorded): about 1.6 s on the demo block, where 13 solves overran a 60 s study by 8 s without it.
SOLVE_OVERHEAD = 2.0
STALE_AFTER = timedelta(minutes=3)  # past its time limit, a study whose tasks stopped reporting
Status = ParetoStudy.Status


def pareto_study_create(
    *,
    program: Program,
    start_date: date,
    end_date: date,
    actor: Any,
    time_limit_seconds: int = DEFAULT_TIME_LIMIT,
    workers: int = 2,
    steps: tuple[int, ...] = DEFAULT_STEPS,
    seed: int = 0,
    enqueue: bool = True,
    include_past: bool = True,
) -> ParetoStudy:
    """Queue a study; refuse a second one of the program over an overlapping period while the
    first is still running. The page passes its "include past days" tick, as the generate page
    does. ``enqueue=False`` leaves it for ``pareto_study_execute`` (tests, benchmarks and
    commands that run without a worker)."""
    if end_date < start_date:
        raise ApplicationError("The period ends before it starts.", details={"end": str(end_date)})
    if not include_past:
        schedule.refuse_past(program, start_date)
    if not MIN_TIME_LIMIT <= time_limit_seconds <= MAX_TIME_LIMIT:
        raise ApplicationError(
            f"The time limit must be between {MIN_TIME_LIMIT} and {MAX_TIME_LIMIT} seconds."
        )
    if not 1 <= workers <= 32:
        raise ApplicationError("Workers must be between 1 and 32.")
    academic_year_for(program, start_date)  # a clear error now rather than a failed study
    with transaction.atomic(), set_actor(actor):
        Program.objects.select_for_update().get(pk=program.pk)
        active = ParetoStudy.objects.filter(
            program=program,
            status__in=ParetoStudy.ACTIVE_STATUSES,
            start_date__lte=end_date,
            end_date__gte=start_date,
        ).first()
        if active is not None:
            raise ApplicationError(
                f"Alternatives for {active.start_date:%d %b}–{active.end_date:%d %b %Y} are "
                "still being computed; wait for them or cancel them.",
                details={"study": str(active.code)},
            )
        study = ParetoStudy.objects.create(
            program=program,
            start_date=start_date,
            end_date=end_date,
            time_limit_seconds=time_limit_seconds,
            workers=workers,
            seed=seed,
            steps=list(steps),
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        if enqueue:
            transaction.on_commit(lambda: _send("analytics.pareto_start", [(study.pk,)]))
    return study


def _send(name: str, calls: list[tuple[Any, ...]]) -> None:
    """By name from the app's registry (tasks.py imports this module), as one group, so the
    workers take the points side by side."""
    from celery import current_app, group

    task = current_app.tasks[name]
    group(task.si(*args) for args in calls).apply_async()


def fan_out(study_id: int, indices: list[int]) -> None:
    """One ``analytics.pareto_point`` task per planned point."""
    _send("analytics.pareto_point", [(study_id, index) for index in indices])


# The problem each worker process solves, built once per study: every task of a study sees the
# same published schedule, and a worker does not rebuild it for each of its points.
_cache: dict[str, tuple[BuiltProblem, tuple[m.Assignment, ...]]] = {}


def _problem(study: ParetoStudy) -> tuple[BuiltProblem, tuple[m.Assignment, ...]]:
    key = str(study.code)
    if key not in _cache:
        published = Assignment.objects.filter(
            person__program_id=study.program_id,
            state=State.PUBLISHED,
            date__range=(study.start_date, study.end_date),
        )
        # Change weight 1: the "changes" objective counts the published shifts a point drops.
        built = build_problem(
            study.program, study.start_date, study.end_date, baseline=published, change_weight=1
        )
        _cache.clear()
        _cache[key] = (built, pareto.default_hint(built.problem, study.seed))
    return _cache[key]


def pareto_study_start(*, study_id: int) -> list[int]:
    """Claim a queued study, plan its anchors and return their indices (the task fans them
    out). A second delivery finds the study claimed and does nothing."""
    claimed = ParetoStudy.objects.filter(pk=study_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), phase="building"
    )
    if not claimed:
        return []
    study = ParetoStudy.objects.select_related("program").get(pk=study_id)
    try:
        built, _ = _problem(study)
    except ApplicationError as error:
        _fail(study, error.message)
        return []
    except Exception as error:  # the study must end failed, never stay "running"
        logger.exception("Pareto study %s could not start", study_id)
        _fail(study, f"{type(error).__name__}: {error}")
        return []
    plan = pareto.plan_for(
        built.problem, steps=tuple(study.steps) or DEFAULT_STEPS, one_axis=ONE_AXIS
    )
    order = pareto.anchor_order(plan)
    seconds = pareto.anchor_seconds(
        study.time_limit_seconds, len(order), study.workers, SOLVE_OVERHEAD
    )
    tasks: list[dict[str, Any]] = [
        {"kind": "anchor", "primary": name, "bounds": {}, "start": None, "seconds": seconds}
        for name in order
    ]
    ParetoStudy.objects.filter(pk=study_id).update(
        names=list(plan.names),
        primaries=list(plan.grid_primaries),
        sweep=list(plan.sweep),
        steps=list(plan.steps),
        tasks=tasks,
        total=len(tasks),
        phase="anchors",
    )
    return list(range(len(tasks)))


def pareto_point_solve(*, study_id: int, index: int) -> list[int]:
    """Solve one planned point and record it; returns the indices this recording planned next
    (the grid, after the last anchor), which the task fans out."""
    study = ParetoStudy.objects.select_related("program", "requested_by").get(pk=study_id)
    if study.status != Status.RUNNING or str(index) in study.points:
        return []
    task = study.tasks[index]
    began = time.monotonic()
    try:
        built, hint = _problem(study)
        if task["start"] is not None:
            hint = _start_from(study, task["start"]) or hint
        deadline = (study.started_at or timezone.now()) + timedelta(
            seconds=study.time_limit_seconds
        )
        left = (deadline - timezone.now()).total_seconds()
        point = pareto.solve_point(
            built.problem,
            task["bounds"],
            study.seed + index,
            primary=task["primary"],
            names=study.names,
            time_limit=max(1.0, min(float(task["seconds"]), left)),
            hint=hint,
        )
    except Exception as error:  # one failed point must not stop the study from closing
        logger.exception("Pareto point %s of study %s failed", index, study_id)
        point, detail = None, f"{type(error).__name__}: {error}"
    else:
        detail = "" if point is not None else "no schedule found in the time limit"
    return _record(study.pk, index, task, point, detail, time.monotonic() - began)


def _start_from(study: ParetoStudy, anchor: int) -> tuple[m.Assignment, ...]:
    """The schedule of an anchor (its draft rows) as the engine's assignments."""
    code = study.points.get(str(anchor), {}).get("run")
    if not code:
        return ()
    rows = Assignment.objects.filter(run__code=code, state=State.DRAFT).values_list(
        "person__code", "date", "shift_type__abbreviation"
    )
    return tuple(
        m.Assignment(str(person), (day - study.start_date).days, shift)
        for person, day, shift in rows
    )


def _record(
    study_id: int,
    index: int,
    task: dict[str, Any],
    point: pareto.Point | None,
    detail: str,
    seconds: float,
) -> list[int]:
    entry: dict[str, Any] = {
        "kind": task["kind"],
        "primary": task["primary"],
        "bounds": task["bounds"],
        "objectives": list(point.objectives) if point else None,
        "valid": bool(point and point.report.valid),
        "hard": point.report.hard if point else 0,
        "status": str(point.status) if point else "none",
        "seconds": round(seconds, 2),
        "run": "",
        "front": False,
        "detail": detail,
    }
    planned: list[int] = []
    with transaction.atomic():
        study = ParetoStudy.objects.select_for_update().select_related("program").get(pk=study_id)
        if study.status != Status.RUNNING or str(index) in study.points:
            return []  # cancelled, closed, or recorded by an earlier delivery of this task
        if point is not None and point.report.valid:
            built, _ = _problem(study)
            run = schedule.schedule_run_record_draft(
                program=study.program,
                built=built,
                assignments=point.assignments,
                actor=study.requested_by,
                parameters={
                    "pareto": str(study.code),
                    "point": index,
                    "bounds": task["bounds"],
                    "primary": task["primary"],
                },
                wall_time=point.wall_time,
                time_limit_seconds=round(task["seconds"]),
            )
            entry["run"] = str(run.code)
        study.points[str(index)] = entry
        study.done = F("done") + 1
        study.save(update_fields=["points", "done", "updated_at"])
        study.refresh_from_db(fields=["done", "total"])
        if study.done >= study.total:
            if study.phase == "anchors":
                planned = _plan_grid(study)
            if not planned:
                _close(study)
    return planned


def _plan_grid(study: ParetoStudy) -> list[int]:
    """After the last anchor: the epsilon grid over the anchors' range, with what is left of
    the time limit shared by its rounds."""
    anchors = [study.points[str(i)] for i in range(len(study.tasks))]
    found = [(i, e["objectives"]) for i, e in enumerate(anchors) if e["objectives"] is not None]
    if not found:
        return []
    primaries = tuple(study.primaries)
    plan = pareto.Plan(
        tuple(study.names), primaries[0], tuple(study.sweep), tuple(study.steps), primaries
    )
    owners = [study.tasks[i]["primary"] for i, _ in found]
    bounds = pareto.grid_bounds(plan, [v for _, v in found], owners)
    assert study.started_at is not None
    left = study.time_limit_seconds - (timezone.now() - study.started_at).total_seconds()
    seconds = pareto.grid_seconds(left, len(bounds), study.workers, SOLVE_OVERHEAD)
    first = len(study.tasks)
    study.tasks = [
        *study.tasks,
        *(
            {
                "kind": "grid",
                "primary": primary,
                "bounds": b,
                "seconds": seconds,
                "start": found[k][0] if k is not None else None,
            }
            for b, primary, k in bounds
        ),
    ]
    study.total = len(study.tasks)
    study.phase = "grid"
    study.save(update_fields=["tasks", "total", "phase", "updated_at"])
    return list(range(first, study.total))


def _close(study: ParetoStudy, status: str = Status.DONE, error: str = "") -> None:
    """Mark the front, drop the drafts of the points off it, and end the study."""
    order = sorted(study.points, key=int)
    vectors = [study.points[k]["objectives"] if study.points[k]["valid"] else None for k in order]
    kept = {order[i] for i in pareto.front_indices(vectors)}
    dropped = []
    for key in order:
        entry = study.points[key]
        entry["front"] = key in kept
        if entry["run"] and not entry["front"]:
            dropped.append(entry["run"])
            entry["run"] = ""
    schedule.schedule_runs_drop(runs=ScheduleRun.objects.filter(code__in=dropped))
    front = [study.points[k]["objectives"] for k in order if k in kept]
    reference = [max(v[i] for v in front) + 1 for i in range(len(study.names))] if front else []
    now = timezone.now()
    if not front and not error and status == Status.DONE:
        error = "No valid schedule was found within the time limit: try a longer one."
    study.status = status
    study.phase = "done"
    study.error = error
    study.finished_at = now
    study.elapsed_seconds = (now - (study.started_at or study.created_at)).total_seconds()
    study.reference = reference
    study.hypervolume = pareto.hypervolume(front, reference) if front else None
    study.save(
        update_fields=[
            "points",
            "status",
            "phase",
            "error",
            "finished_at",
            "elapsed_seconds",
            "reference",
            "hypervolume",
            "updated_at",
        ]
    )


def _fail(study: ParetoStudy, message: str) -> None:
    ParetoStudy.objects.filter(pk=study.pk).update(
        status=Status.FAILED, phase="done", error=message, finished_at=timezone.now()
    )


def pareto_study_execute(*, study_id: int) -> ParetoStudy:
    """Run a whole study in this process, point after point (no worker needed)."""
    pending = pareto_study_start(study_id=study_id)
    while pending:
        planned: list[int] = []
        for index in pending:
            planned += pareto_point_solve(study_id=study_id, index=index)
        pending = planned
    return ParetoStudy.objects.get(pk=study_id)


def pareto_study_cancel(*, study: ParetoStudy, actor: Any) -> ParetoStudy:
    """Stop now and keep what was found: the points recorded so far make the front; solves
    still running are not recorded."""
    with transaction.atomic(), set_actor(actor):
        study = ParetoStudy.objects.select_for_update().get(pk=study.pk)
        if not study.is_active:
            raise ApplicationError(f"The study has already {study.get_status_display().lower()}.")
        _close(study, Status.CANCELLED)
    return study


def pareto_studies_fail_stale(*, studies: Any, now: Any = None) -> int:
    """Close running studies whose tasks stopped reporting (a worker died) well past their time
    limit, keeping what they found. The pages call it for the studies they show."""
    now = now or timezone.now()
    closed = 0
    for study in studies.filter(status=Status.RUNNING):
        assert study.started_at is not None
        if now - study.started_at < timedelta(seconds=study.time_limit_seconds) + STALE_AFTER:
            continue
        with transaction.atomic():
            locked = ParetoStudy.objects.select_for_update().get(pk=study.pk)
            if locked.status == Status.RUNNING:
                missing = locked.total - locked.done
                _close(locked, error=f"{missing} solves never reported (a worker stopped).")
                closed += 1
    return closed


def pareto_point_apply(
    *, study: ParetoStudy, index: int, actor: Any, override_reason: str = ""
) -> ScheduleRun:
    """Publish one point of the front through the normal publish service."""
    entry = study.points.get(str(index))
    if entry is None or not entry.get("front") or not entry.get("run"):
        raise ApplicationError("That point is not on the front of this study.")
    run = ScheduleRun.objects.filter(code=entry["run"], program=study.program).first()
    if run is None:
        raise ApplicationError("That point's schedule is gone; ask for alternatives again.")
    changed = (
        ScheduleRun.objects.filter(
            program=study.program,
            kind=ScheduleRun.Kind.SCHEDULE,
            published_at__gt=study.created_at,
            start_date__lte=study.end_date,
            end_date__gte=study.start_date,
        )
        .exclude(pk=run.pk)
        .first()
    )
    if changed is not None:
        raise ApplicationError(
            f"Another schedule of this period was published at {changed.published_at:%d %b %H:%M},"
            " after these alternatives were computed: ask for alternatives again.",
            details={"published_run": str(changed.code)},
        )
    return schedule.schedule_run_publish(run=run, actor=actor, override_reason=override_reason)
