"""Greedy construction: the instant preview and the hint for the exact solvers.

1. Contradictory data returns INVALID with check_problem's causes.
2. Fixed assignments go in first, as they are.
3. Demands are filled in two passes, first up to their minimum, then up to their target. Within
   a pass, shift types are taken longest first (call before days), then supervisor shifts
   before the shifts they supervise, then scarcest first (the minimum they need over the
   people who may take them), each day in order. For a (day, shift) the candidates are ranked
   (requests, fairness, load, night-float continuity, a seeded tie-break) and the first ones
   that every incrementally checkable hard rule admits (greedy_state.PersonState.blocker) are
   taken, within the supervision ratio of the faculty already on the supervisor shift
   (greedy_builder.Builder).
4. A quick improvement (greedy_improve) moves shifts to meet requests and even out fairness
   counts, for about as long as the construction took.
5. The validator judges the result: its hard violations (what the greedy could not avoid,
   e.g. an unmet minimum) are returned in Solution.violations, with status FEASIBLE when there
   are none and UNKNOWN otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from random import Random

from .checks import check_problem
from .greedy_builder import Builder
from .greedy_improve import improve
from .model import Problem, Progress, Solution, SolveStatus
from .validator import validate

ALGORITHM = "greedy"

_MIN_IMPROVEMENT_SECONDS = 0.05


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Build a schedule fast; ``workers`` is accepted for the shared interface (one thread)."""
    del workers
    began = time.perf_counter()
    causes = check_problem(problem)
    if causes:
        _report(on_progress, began, None, "invalid")
        return Solution((), SolveStatus.INVALID, ALGORITHM, wall_time=_since(began),
                        conflicts=tuple(causes))  # fmt: skip
    builder = Builder(problem, Random(seed))
    stopped = builder.run(lambda: _should_stop(should_stop, began, time_limit))
    construction = builder.assignments()
    built = _since(began)
    _report(on_progress, began, None, "construction")
    moves = 0
    if not stopped:
        # The improvement gets as long as the construction took (at least a little), within
        # the caller's limit: the greedy stays an instant preview.
        budget = min(time_limit - built, max(_MIN_IMPROVEMENT_SECONDS, built))
        moves = improve(builder, time.perf_counter() + budget)
    assignments = builder.assignments()
    report = validate(problem, assignments)
    if moves and not report.is_valid:
        fallback = validate(problem, construction)
        if len(fallback.hard) < len(report.hard):
            assignments, report = construction, fallback
    elapsed = _since(began)
    _report(on_progress, began, report.objective, "improvement")
    if stopped and should_stop is not None and should_stop():
        status = SolveStatus.CANCELLED
    else:
        status = SolveStatus.FEASIBLE if report.is_valid else SolveStatus.UNKNOWN
    return Solution(
        assignments=assignments,
        status=status,
        algorithm=ALGORITHM,
        objective=report.objective,
        time_to_first_feasible=elapsed if report.is_valid else None,
        wall_time=elapsed,
        violations=report.hard,
    )


def _since(began: float) -> float:
    return time.perf_counter() - began


def _should_stop(should_stop: Callable[[], bool] | None, began: float, limit: float) -> bool:
    return _since(began) > limit or (should_stop is not None and should_stop())


def _report(
    on_progress: Callable[[Progress], None] | None,
    began: float,
    objective: float | None,
    phase: str,
) -> None:
    if on_progress is not None:
        on_progress(Progress(elapsed=_since(began), objective=objective, bound=None, phase=phase))
