"""Static fallbacks: real schedules for the scenarios a program chooses, ready to publish.

Computing one is a normal schedule run (``scheduling.services``) whose parameters take the
scenario's people away (``without``), re-solve from the published schedule with minimal change
(``minimal_change``) and shed demands in the program's sacrifice order (``shed_order``); the
run's draft is the fallback. Activating publishes that draft with ``schedule_run_publish`` (the
usual diff preview, audit entry and override reason when it leaves a minimum open) and keeps
the rows it replaced; deactivating publishes those rows again the same way. A fallback is
*stale* when the published schedule changed after it was computed: activating it then needs an
explicit confirmation, shown with the difference.

Scenarios (people chosen by ``contingency.riskiest``: unique coverage, then load):
lose the busiest faculty member; lose the two busiest; a holiday skeleton (nobody away, only
minimums kept); lose 30 % of residents (rounded up) to illness.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date
from typing import Any

from auditlog.context import set_actor
from django.db import transaction

from lib.errors import ApplicationError
from people.models import Program
from resilience import contingency
from resilience.models import Fallback
from resilience.utilization import settings_for
from scheduling import services as schedule
from scheduling.engine import model as m
from scheduling.models import Assignment, ScheduleRun, Source, State
from scheduling.runs import finish
from scheduling.selectors.scheduled import scheduled_span

Scenario = Fallback.Scenario
TIME_LIMIT = 30
KEY = ("person_id", "date", "shift_type_id")


def published_rows(program: Program, start: date, end: date) -> list[tuple[int, str, int]]:
    rows = Assignment.objects.filter(
        person__program=program, state=State.PUBLISHED, date__range=(start, end)
    ).values_list(*KEY)
    return sorted((pk, day.isoformat(), shift) for pk, day, shift in rows)


def signature(rows: list[tuple[int, str, int]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def removed_for(scenario: str, built: Any) -> list[str]:
    ranked = contingency.riskiest(built)
    kinds = {p.id: p.kind for p in built.problem.people}
    faculty = [p for p in ranked if kinds[p] == m.PersonKind.FACULTY]
    residents = [p for p in ranked if kinds[p] == m.PersonKind.RESIDENT]
    if scenario == Scenario.LOSE_ONE_FACULTY:
        return faculty[:1]
    if scenario == Scenario.LOSE_TWO_FACULTY:
        return faculty[:2]
    if scenario == Scenario.LOSE_30PCT_RESIDENTS:
        everyone = [p.id for p in built.problem.people if p.kind == m.PersonKind.RESIDENT]
        return residents[: math.ceil(0.3 * len(everyone))]
    return []  # holiday skeleton


def fallback_compute(
    *,
    program: Program,
    scenario: str,
    start: date,
    end: date,
    actor: Any = None,
    time_limit: int = TIME_LIMIT,
) -> Fallback:
    """Re-solve the scenario now (in this process) and keep its draft as the fallback."""
    if scenario not in Scenario.values:
        raise ApplicationError(f"Unknown fallback scenario {scenario!r}.")
    rows = published_rows(program, start, end)
    if not rows:
        raise ApplicationError(
            f"{program} has no published schedule from {start:%d %b} to {end:%d %b} to fall back from."
        )
    built = contingency.build(program, start, end)
    removed = removed_for(scenario, built)
    if not removed and scenario != Scenario.HOLIDAY_SKELETON:
        # Nobody of that kind works a shift in these days: a re-solve with nobody away would
        # only give the published schedule back ("0 added, 0 removed"). Say so instead.
        who = "resident" if scenario == Scenario.LOSE_30PCT_RESIDENTS else "faculty member"
        with transaction.atomic(), set_actor(actor):
            return Fallback.objects.create(
                program=program,
                scenario=scenario,
                start_date=start,
                end_date=end,
                baseline_signature=signature(rows),
                summary={
                    "status": "nobody_away",
                    "why": f"No {who} has a shift in the scheduled days ({start:%d %b}–"
                    f"{end:%d %b}): nobody to take away, nothing to fall back to.",
                },
            )
    parameters: dict[str, Any] = {
        "minimal_change": True,
        "without": removed,
        "shed_order": settings_for(program).sacrifice_order,
        "fallback": scenario,
    }
    if scenario == Scenario.HOLIDAY_SKELETON:
        parameters["change_weight"] = 0  # free to drop everything above the minimums
    run = schedule.schedule_run_create(
        program=program,
        start_date=start,
        end_date=end,
        actor=actor,
        time_limit_seconds=time_limit,
        parameters=parameters,
        enqueue=False,
    )
    schedule.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    comparison = schedule.run_comparison(run) if run.is_draft else {}
    why = (
        ""
        if run.is_draft
        else f"No fallback schedule: the re-solve {run.get_status_display().lower()}"
    )
    if why and run.error:
        why += f" ({run.error})"
    with transaction.atomic(), set_actor(actor):
        return Fallback.objects.create(
            program=program,
            scenario=scenario,
            start_date=start,
            end_date=end,
            run=run,
            removed=[built.person_label(pid) for pid in removed],
            baseline_signature=signature(rows),
            summary={
                "status": run.status,
                "error": run.error,
                **({"why": why + "."} if why else {}),
                "diff": comparison,
                "open": [
                    v["message"] for v in run.violations if v.get("rule") == "coverage.minimum"
                ],
            },
        )


def fallback_diff(fallback: Fallback) -> dict[str, Any]:
    """What activating it would change now, and whether the schedule moved since it was made."""
    assert fallback.run is not None
    current = published_rows(fallback.program, fallback.start_date, fallback.end_date)
    return {
        "stale": signature(current) != fallback.baseline_signature,
        **schedule.run_comparison(fallback.run),
    }


def fallback_activate(*, fallback: Fallback, actor: Any, confirm: bool = False) -> Fallback:
    run = fallback.run
    if run is None or not run.is_draft:
        raise ApplicationError("This fallback has no draft left to publish; compute it again.")
    diff = fallback_diff(fallback)
    if diff["stale"] and not confirm:
        raise ApplicationError(
            "The published schedule changed after this fallback was computed: confirm to "
            "publish it anyway, or compute it again.",
            details={"diff": diff, "confirm_required": True},
        )
    rows = published_rows(fallback.program, fallback.start_date, fallback.end_date)
    reason = ""
    if run.needs_override:
        reason = f"Fallback '{fallback.get_scenario_display()}' leaves minimums open by design."
    with transaction.atomic(), set_actor(actor):
        run = schedule.schedule_run_publish(run=run, actor=actor, override_reason=reason)
        fallback.run = run
        fallback.baseline = [list(row) for row in rows]
        fallback.activated_at = run.published_at
        fallback.deactivated_at = None
        fallback.save(update_fields=["baseline", "activated_at", "deactivated_at"])
    return fallback


def fallback_deactivate(*, fallback: Fallback, actor: Any) -> Fallback:
    """Publish again the rows the fallback replaced (a run of its own, through publish)."""
    if not fallback.is_active:
        raise ApplicationError("This fallback is not active.")
    program = fallback.program
    restore = schedule.schedule_run_create(
        program=program,
        start_date=fallback.start_date,
        end_date=fallback.end_date,
        actor=actor,
        parameters={"restores_fallback": str(fallback.code)},
        enqueue=False,
    )
    people = {p.pk: p for p in program.people.all()}
    shifts = {s.pk: s for s in program.shift_types.all()}
    with transaction.atomic(), set_actor(actor):
        Assignment.objects.bulk_create(
            [
                _draft(restore, people[pk], shifts[shift], date.fromisoformat(day))
                for pk, day, shift in fallback.baseline
            ]
        )
        finish(restore, ScheduleRun.Status.SUCCEEDED, metrics={"restored": len(fallback.baseline)})
        restore = schedule.schedule_run_publish(run=restore, actor=actor)
        fallback.deactivated_at = restore.published_at
        fallback.save(update_fields=["deactivated_at"])
    return fallback


def _draft(run: ScheduleRun, person: Any, shift: Any, day: date) -> Assignment:
    from scheduling.problem import shift_interval

    begins, ends = shift_interval(run.program.timezone, shift, day)
    return Assignment(
        person=person,
        shift_type=shift,
        date=day,
        starts_at=begins,
        ends_at=ends,
        state=State.DRAFT,
        source=Source.MANUAL,
        run=run,
    )


def fallbacks_refresh(*, program: Program, start: date, end: date) -> list[Fallback]:
    """Beat, weekly: the program's chosen scenarios for the scheduled days of the coming weeks."""
    span = scheduled_span(program, start, end)
    if span is None:
        return []
    start, end = span
    made = []
    for scenario in settings_for(program).fallback_scenarios:
        try:
            made.append(fallback_compute(program=program, scenario=scenario, start=start, end=end))
        except ApplicationError:
            continue
    return made
