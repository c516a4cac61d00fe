"""Running and publishing the annual rotation plan (the translation is in plan_problem)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lib.errors import ApplicationError
from rotations.models import Block
from scheduling.engine.rotation import model as pm
from scheduling.engine.rotation.precheck import precheck_plan
from scheduling.engine.rotation.validator import validate_plan
from scheduling.models import RotationAssignment, ScheduleRun, Source, State
from scheduling.plan_problem import HALF, build_plan, year_of_run
from scheduling.problem_rules import curriculum_contradictions
from scheduling.runs import finish, metrics, solve_with_monitor


def plan_solver(algorithm: str) -> Callable[..., pm.PlanSolution]:
    if algorithm == ScheduleRun.Algorithm.MIP:
        from scheduling.engine.rotation.mip import solve_plan
    else:  # CP-SAT proves the plans optimal fastest (docs/benchmarks-rotation.md)
        from scheduling.engine.rotation.cpsat import solve_plan
    return solve_plan


def execute_plan_run(run: ScheduleRun) -> None:
    year = year_of_run(run)
    built = build_plan(run.program, year, run.start_date, run.end_date)
    conflicts = precheck_plan(built.problem) + curriculum_contradictions(run.program, year)
    if conflicts:
        raise ApplicationError(
            "The curriculum cannot be met: " + "; ".join(conflicts),
            details={"conflicts": conflicts},
        )
    solution = solve_with_monitor(run, built.problem, plan_solver(run.algorithm))
    if solution is None:
        return
    report = validate_plan(built.problem, solution.assignments)
    violations = [
        {
            "rule": v.rule,
            "severity": "high",
            "message": v.message,
            "person": built.residents[v.resident].full_name
            if v.resident in built.residents
            else "",
            "date": built.blocks[v.block].start_date.isoformat() if v.block in built.blocks else "",
            "measured": v.measured,
            "limit": v.limit,
        }
        for v in report.violations
    ]
    with transaction.atomic():
        RotationAssignment.objects.bulk_create(
            [
                RotationAssignment(
                    person=built.residents[a.resident],
                    block=built.blocks[a.block],
                    rotation=built.rotations[a.rotation],
                    half=HALF[a.half],
                    state=State.DRAFT,
                    source=Source.SOLVER,
                    run=run,
                )
                for a in solution.assignments
            ],
            batch_size=500,
        )
        finish(
            run,
            ScheduleRun.Status.SUCCEEDED,
            objective=report.objective,
            bound=solution.bound,
            violations=violations,
            metrics=metrics(solution, report.penalties, len(solution.assignments)),
        )


def publish_plan(run: ScheduleRun) -> dict[str, int]:
    """Replace the published plan of the run's blocks by its draft (inside the caller's transaction)."""
    drafts = RotationAssignment.objects.filter(run=run, state=State.DRAFT)
    blocks = Block.objects.filter(rotation_assignments__in=drafts).distinct()
    removed, _ = RotationAssignment.objects.filter(
        block__in=blocks, state=State.PUBLISHED, locked=False
    ).delete()
    locked_same = RotationAssignment.objects.filter(
        state=State.PUBLISHED,
        locked=True,
        person=OuterRef("person"),
        block=OuterRef("block"),
        half=OuterRef("half"),
    )
    drafts.filter(Exists(locked_same)).delete()
    added = drafts.update(state=State.PUBLISHED, updated_at=timezone.now())
    return {"removed": removed, "added": added}
