"""The roster-pattern relaxation of a generic ``Problem`` (column generation): a lower bound for
every problem the engine solves, and a roster by price and branch.

``relax(problem, time_limit=...)`` (its roster by price and dive, dive.py, then the
restricted master IP), ``exact_relaxation(problem)``, and ``with_bound(problem, solution, time_limit=...)``
which raises a solver's reported bound to the relaxation's when higher. person.py says what the
pricing DP keeps exactly and what it relaxes, master.py which cross-person terms are rows of the
master, run.py how the bound and the roster are obtained. Only numpy and HiGHS (highspy); no OR-Tools, no Django.
"""

from __future__ import annotations

from .run import RelaxResult, exact_relaxation, relax, with_bound

__all__ = ["RelaxResult", "exact_relaxation", "relax", "with_bound"]
