"""Every write of the resilience app: snapshots, contingency studies, fallbacks."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lib.errors import ApplicationError
from people.models import Program
from resilience import contingency
from resilience.models import ContingencyStudy, ResilienceSnapshot
from resilience.utilization import settings_for, utilization
from scheduling.selectors.scheduled import scheduled_span

SCENARIO_SECONDS = 10  # time limit of one contingency re-solve
LEVEL_DAYS = 28  # the level looks at the coming four weeks


def coming_period(today: date | None = None) -> tuple[date, date]:
    start = today or timezone.localdate()
    return start, start + timedelta(days=LEVEL_DAYS - 1)


def snapshot_take(*, program: Program, start: date, end: date) -> ResilienceSnapshot:
    """Compute utilisation and level now and keep them (with the hours behind them)."""
    found = utilization(program, start, end)
    study = (
        ContingencyStudy.objects.filter(program=program, status=ContingencyStudy.Status.DONE)
        .order_by("-created_at")
        .first()
    )
    n1 = n2 = 0
    if study is not None:
        for entry in study.results.values():
            if entry["outcome"] in ("not_coverable", "undetermined"):
                if len(entry["removed"]) == 1:
                    n1 += 1
                else:
                    n2 += 1
    return ResilienceSnapshot.objects.create(
        program=program,
        start_date=start,
        end_date=end,
        utilization=found.utilization or 0.0,
        defense_level=found.level,
        n1_failures=n1,
        n2_failures=n2,
        details=found.as_dict(),
    )


def snapshots_take_all() -> int:
    count = 0
    for program in Program.objects.all():
        start, end = coming_period()
        snapshot_take(program=program, start=start, end=end)
        count += 1
    return count


def study_create(
    *,
    program: Program,
    start: date,
    end: date,
    pairs: bool = True,
    time_limit: int = SCENARIO_SECONDS,
    enqueue: bool = True,
) -> ContingencyStudy:
    """Plan one scenario per person (and the riskiest pairs) and fan them out on Celery.

    The study covers the scheduled days of the period only (``scheduled_span``): days after the
    last published block have no schedule to lose anyone from."""
    if end < start:
        raise ApplicationError("The period ends before it starts.")
    span = scheduled_span(program, start, end)
    if span is None:
        raise ApplicationError(
            f"{program} has no published schedule from {start:%d %b} to {end:%d %b}: "
            "publish one before testing it against absences."
        )
    start, end = span
    built = contingency.build(program, start, end)
    if not built.problem.baseline:
        raise ApplicationError(
            f"{program} has no published schedule from {start:%d %b} to {end:%d %b}: "
            "publish one before testing it against absences."
        )
    scenarios = contingency.scenarios_for(built, pairs=pairs)
    study = ContingencyStudy.objects.create(
        program=program,
        start_date=start,
        end_date=end,
        total=len(scenarios),
        scenarios=scenarios,
        time_limit_seconds=time_limit,
    )
    if enqueue:
        transaction.on_commit(lambda: _fan_out(study))
    return study


def resilience_prime(*, program: Program) -> ContingencyStudy | None:
    """A program's first look ahead, queued for the workers: the N-1/N-2 study and the chosen
    fallbacks of the coming four weeks, which beat otherwise computes only nightly and weekly.
    The demo seed calls it, so a fresh installation opens the dashboard on results. None when
    nothing is published to test yet."""
    start, end = coming_period()
    with transaction.atomic():
        try:
            study = study_create(program=program, start=start, end=end)
        except ApplicationError:
            return None
        transaction.on_commit(_refresh_fallbacks)
    return study


def _refresh_fallbacks() -> None:
    from celery import current_app

    current_app.tasks["resilience.refresh_fallbacks"].delay()


def _fan_out(study: ContingencyStudy) -> None:
    from celery import current_app, group

    # By name from the app's registry: tasks.py imports this module, never the other way round.
    task = current_app.tasks["resilience.run_scenario"]
    group(task.s(study.pk, index) for index in range(study.total)).apply_async()


def study_run_scenario(*, study_id: int, index: int, workers: int = 1) -> dict[str, Any]:
    """The worker's side: one scenario, recorded on the study (the last one closes it)."""
    study = ContingencyStudy.objects.select_related("program").get(pk=study_id)
    began = time.perf_counter()
    built = contingency.build(study.program, study.start_date, study.end_date)
    try:
        outcome = contingency.run_scenario(
            built,
            study.scenarios[index],
            order=settings_for(study.program).sacrifice_order,
            time_limit=study.time_limit_seconds,
            workers=workers,
        )
    except ApplicationError as error:
        outcome = {
            "removed": study.scenarios[index],
            "outcome": "undetermined",
            "detail": error.message,
        }
    outcome["seconds_with_build"] = round(time.perf_counter() - began, 3)
    study_record(study_id=study_id, index=index, outcome=outcome)
    return outcome


def study_record(*, study_id: int, index: int, outcome: dict[str, Any]) -> ContingencyStudy:
    with transaction.atomic():
        study = ContingencyStudy.objects.select_for_update().get(pk=study_id)
        if str(index) not in study.results:
            study.results[str(index)] = outcome
            study.done = F("done") + 1
        study.save(update_fields=["results", "done"])
        study.refresh_from_db()
        if study.done >= study.total and study.status == ContingencyStudy.Status.RUNNING:
            study.status = ContingencyStudy.Status.DONE
            study.finished_at = timezone.now()
            study.elapsed_seconds = (study.finished_at - study.created_at).total_seconds()
            study.save(update_fields=["status", "finished_at", "elapsed_seconds"])
    return study
