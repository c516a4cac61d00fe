"""CP-SAT solver for the engine's generic Problem (algorithm "cpsat").

``solve(problem, *, time_limit, seed, workers, on_progress, should_stop, hint) -> Solution``.
The model is split by constraint family: build.py (variables, coverage, overlaps, objective),
limits.py (person limits, successions, supervision), acgme.py (duty-hour rules), run.py
(parameters, progress, cancellation), lns.py (rostering LNS), rolling.py (a long horizon's first
schedule, window by window), year.py with windows.py (a horizon too long and too large for one
model, solved window by window, with a bound from relaxed windows), relaxed.py (a lower bound
from the model without its ACGME rules) and proof.py (an infeasibility verdict proved twice,
and its causes from a re-checked core).
"""

from __future__ import annotations

from .run import ALGORITHM, build_model, diagnose, solve

__all__ = ["ALGORITHM", "build_model", "diagnose", "solve"]
