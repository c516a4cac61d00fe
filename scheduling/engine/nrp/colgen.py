"""The roster-pattern relaxation of a benchmark instance: the generic one
(``scheduling/engine/colgen``) on the instance mapped to a ``Problem`` (mapping.py), every
roster re-scored by the benchmark's own evaluator.

Every rule of the benchmark is kept exactly by the generic pricing DP (one shift a day, forbidden
successions, max shifts per type, min/max total minutes, min/max consecutive shifts, min
consecutive days off, max weekends, days off), so the bound is the roster model's Lagrangian
bound and ``converged`` means the LP bound of the roster model was reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..colgen import relax as relax_problem
from .evaluate import evaluate
from .instance import NrpInstance
from .mapping import to_problem
from .roster import Roster, assignments_from_roster, roster_from_assignments


@dataclass(frozen=True)
class ColumnGenResult:
    bound: int | None  # valid lower bound on the objective; None if no pricing round finished
    lagrangian: float | None  # the best L(mu) reached (unrounded)
    lp_value: float | None  # restricted master LP at the last solve (a bound only if converged)
    converged: bool
    roster: Roster | None  # the restricted master IP's roster (price and branch)
    objective: int | None  # its objective by the benchmark evaluator
    iterations: int
    columns: int
    wall: float
    infeasible_staff: tuple[str, ...] = ()  # people with no feasible roster at all
    error: str | None = None  # why no relaxation was attempted (a person's DP too large)
    trace: tuple[tuple[float, float, float], ...] = field(default=())  # (elapsed, lp, bound)
    cpu: float = 0.0


def relax(
    instance: NrpInstance,
    *,
    time_limit: float,
    ip_time_limit: float | None = None,
    seed: int = 0,
    start: Roster | None = None,
    smoothing: float = 0.5,  # measured best on Instances 5-7 (20-29 rounds against 34-41 at 0.8)
    dive: bool = True,
) -> ColumnGenResult:
    """See :func:`scheduling.engine.colgen.relax`; ``start`` is a benchmark roster."""
    result = relax_problem(
        to_problem(instance),
        time_limit=time_limit,
        ip_time_limit=ip_time_limit,
        seed=seed,
        start=None if start is None else assignments_from_roster(start),
        smoothing=smoothing,
        dive=dive,
    )
    roster, objective = None, None
    if result.assignments is not None:
        roster = roster_from_assignments(instance, result.assignments)
        evaluation = evaluate(instance, roster)
        # The validator accepted it; the benchmark's own rules must agree, or it is dropped.
        if evaluation.feasible:
            objective = evaluation.objective
        else:
            roster = None
    return ColumnGenResult(
        bound=result.bound,
        lagrangian=result.lagrangian,
        lp_value=result.lp_value,
        converged=result.converged,
        roster=roster,
        objective=objective,
        iterations=result.iterations,
        columns=result.columns,
        wall=result.wall,
        infeasible_staff=result.infeasible_people,
        error=result.error,
        trace=result.trace,
        cpu=result.cpu,
    )
