"""A lower bound from a relaxation: the CP-SAT model without the ACGME rules.

Dropping constraints only widens the feasible set, so the relaxed model's optimum, and any bound
CP-SAT proves on it, is at most the full problem's optimum: a valid lower bound. On the residency
scenarios the ACGME windows are most of the model (M: 22,883 constraints, 9,434 without them),
and its LP and search reach a better bound sooner there than inside the full model (measured in
docs/benchmarks.md). A problem without ACGME rules has nothing to relax: no bound from here.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..model import Problem
from .params import configure
from .run import build_model


def relaxed_bound(
    problem: Problem, *, time_limit: float, seed: int = 0, workers: int = 1
) -> float | None:
    """CP-SAT's proven bound on ``problem`` without its ACGME rules after ``time_limit``
    seconds (None: nothing to relax, or no bound; an infeasible relaxation proves the problem
    infeasible, which is said by the full solve, not here)."""
    if problem.acgme is None:
        return None
    builder = build_model(problem, acgme=False)
    solver = cp_model.CpSolver()
    configure(
        solver,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        constraints=len(builder.model.Proto().constraints),
    )
    status = solver.Solve(builder.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return float(solver.BestObjectiveBound())
    if status == cp_model.UNKNOWN:
        bound = float(solver.BestObjectiveBound())
        # Before its first bound CP-SAT reports minus infinity for a minimisation.
        return bound if bound > float("-inf") else None
    return None
