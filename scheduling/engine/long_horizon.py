"""When a horizon is too long and too large for one exact model (issue 20).

Shared by the CP-SAT solver (cpsat/year.py solves such a horizon window by window) and the
hybrid (which then hands it to CP-SAT without a greedy stage of its own); no OR-Tools here, so
the hybrid's choice imports no solver.
"""

from __future__ import annotations

from .model import Problem

MIN_DAYS = 6 * 28  # shorter horizons keep the one model (the shift benchmark's 12 weeks too)
# Decisions (eligible person x day x shift) above which the one model is not built. Measured
# (docs/benchmarks.md): the L scenario's 13 692 decisions peak at 1.2 GB with 2 workers, L13's
# 178 724 at 9 GB with no schedule in 300 s; about 50-90 kB a decision, so 2 GiB holds about
# 25 000.
MAX_VARIABLES = 25_000


def variables(problem: Problem) -> int:
    """Eligible (person, day, shift) triples: the exact models' decisions."""
    admitted: dict[object, int] = {}
    total = 0
    for demand in problem.demands:
        n = admitted.get(demand.eligibility)
        if n is None:
            n = sum(1 for p in problem.people if demand.eligibility.admits(p))
            admitted[demand.eligibility] = n
        total += n
    return total


def by_windows(problem: Problem, decisions: int | None = None) -> bool:
    """Whether ``problem`` is solved window by window rather than as one model."""
    if problem.horizon.days < MIN_DAYS:
        return False
    return (variables(problem) if decisions is None else decisions) > MAX_VARIABLES
