"""CP-SAT parameters shared by every search of this package (run, proofs, windows)."""

from __future__ import annotations

from ortools.sat.python import cp_model

# Models with more constraints than this keep CP-SAT's lazy LP (cuts and constraints added as
# they are violated) in the exact search: the full LP's root solve costs more than it gives.
FULL_LP_MAX_CONSTRAINTS = 10**9
LEVEL = 2


def configure(
    solver: cp_model.CpSolver,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    constraints: int = 0,
) -> None:
    p = solver.parameters
    p.max_time_in_seconds = max(0.01, time_limit)
    p.random_seed = seed
    p.num_workers = max(1, workers)
    if workers <= 1:
        # One deterministic worker: the same seed gives the same schedule.
        p.interleave_search = False
    # The full LP relaxation (level 2) is what closes the gap on rostering models: on small
    # residency problems it proves optimality in a fraction of the time of the default.
    p.linearization_level = LEVEL
    # Every constraint in the LP from the start (as CP-SAT's "max_lp" worker does): on the
    # larger benchmark instances the lazy default leaves the bound near zero for minutes.
    p.add_lp_constraints_lazily = constraints > FULL_LP_MAX_CONSTRAINTS
