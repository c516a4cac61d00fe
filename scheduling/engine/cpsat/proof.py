"""Infeasibility a person can rely on: a second proof, and causes from a re-checked core.

The exact search's INFEASIBLE is one proof by one configuration (full LP relaxation, every
constraint in the LP, presolve). Before it reaches a person it is proved again on a freshly
built model with nothing in common but the rules: no LP relaxation, no presolve, another seed.
When the second proof does not come within its time, the run ends "no schedule found in time",
never "infeasible".

The named causes come from an assumption core (each named group enforced by one literal). The
core is shrunk by deletion, and every group that stays is re-checked: with that group relaxed,
the rest of the core must be *feasible* (a schedule is found), not merely unproved in the time.
The core itself is finally re-proved infeasible with the independent parameters. Groups that
could not be checked in the time are said to be so.
"""

from __future__ import annotations

from enum import Enum
from time import perf_counter

from ortools.sat.python import cp_model

from ..model import Problem
from .build import Builder
from .params import configure

# The share of the time left that the second proof may use; the diagnosis gets the rest.
CONFIRM_SHARE = 0.5
# Each deletion trial gets at least this long (a year's model needs seconds just to load).
MIN_TRIAL_SECONDS = 2.0


class Verdict(Enum):
    INFEASIBLE = "infeasible"
    FEASIBLE = "feasible"
    UNKNOWN = "unknown"


def independent(solver: cp_model.CpSolver, *, time_limit: float, seed: int) -> None:
    """Parameters sharing nothing optional with the exact search: no LP, no presolve."""
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, time_limit)
    p.random_seed = seed + 7919
    p.num_workers = 1
    p.linearization_level = 0
    p.cp_model_presolve = False
    p.symmetry_level = 0


def confirm_infeasible(builder_of: Builder, *, time_limit: float, seed: int) -> Verdict:
    """Prove again, on ``builder_of``'s model without its objective or hint, that no schedule
    exists. FEASIBLE means the first proof was wrong; UNKNOWN that time ran out."""
    model = builder_of.model.clone()
    proto = model.Proto()
    proto.clear_objective()
    proto.clear_solution_hint()
    solver = cp_model.CpSolver()
    independent(solver, time_limit=time_limit, seed=seed)
    solver.parameters.stop_after_first_solution = True
    return _verdict(solver.Solve(model))


def _verdict(status: int) -> Verdict:
    if status == cp_model.INFEASIBLE:
        return Verdict.INFEASIBLE
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Verdict.FEASIBLE
    return Verdict.UNKNOWN


def diagnose(builder: Builder, problem: Problem, *, time_limit: float, seed: int = 0) -> list[str]:
    """A small set of named constraint groups that cannot hold together, each checked.

    ``builder`` is a diagnosis build (``build_model(problem, diagnose=True)``).
    """
    started = perf_counter()
    b = builder
    names = {lit.Index(): name for name, lit in b.groups.items()}
    lits = list(b.groups.values())

    def left() -> float:
        return time_limit - (perf_counter() - started)

    def solve(assumed: list, limit: float, *, recheck: bool = False) -> tuple[Verdict, list]:
        b.model.clear_assumptions()
        b.model.add_assumptions(assumed)
        solver = cp_model.CpSolver()
        if recheck:
            independent(solver, time_limit=limit, seed=seed)
        else:
            configure(solver, time_limit=limit, seed=seed, workers=1)
        solver.parameters.stop_after_first_solution = True
        verdict = _verdict(solver.Solve(b.model))
        if verdict is not Verdict.INFEASIBLE:
            return verdict, []
        core = set(solver.SufficientAssumptionsForInfeasibility())
        return verdict, [lit for lit in assumed if lit.Index() in core]

    verdict, core = solve(lits, time_limit / 2)
    if verdict is not Verdict.INFEASIBLE:
        return ["the hard rules conflict (no smaller cause found in the time limit)"]
    if not core:
        return ["eligibility, unavailability and overlaps leave no schedule"]
    unchecked = 0  # groups whose removal neither gave a schedule nor a smaller core in time
    i = 0
    while i < len(core) and left() > 0:
        trial = core[:i] + core[i + 1 :]
        if not trial:
            i += 1  # one group alone: infeasible by itself, nothing to relax it against
            continue
        limit = min(left(), max(MIN_TRIAL_SECONDS, left() / (len(core) - i + 1)))
        verdict, smaller = solve(trial, limit)
        if verdict is Verdict.INFEASIBLE:
            core = smaller  # every group of the smaller core lies in ``trial``
            continue
        if verdict is Verdict.UNKNOWN:
            unchecked += 1
        i += 1
    unchecked += len(core) - i
    # The core itself, proved again with the independent parameters.
    verdict, _ = solve(core, max(1.0, left()), recheck=True)
    causes = sorted(names[lit.Index()] for lit in core)
    if verdict is not Verdict.INFEASIBLE:
        return [
            "the hard rules conflict (the conflicting set could not be re-checked in the time "
            "limit; candidates: " + ", ".join(causes[:5]) + ")"
        ]
    if unchecked:
        causes.append(
            f"({unchecked} of these could not be checked in the time limit; "
            "a smaller set may be enough)"
        )
    return causes
