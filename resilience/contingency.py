"""N-1 / N-2 contingency by re-solving the published schedule.

A scenario takes people out of the published schedule of a period (approved-absence style: every
day of it) and asks the engine for a minimal-change re-solve (``Problem.baseline`` with
``change_weight``: every kept assignment dropped costs a move) with the program's sacrifice order
(minimums soft, shed least protected first, engine/sacrifice.py) and a short time limit. The
outcome is one of:

* ``covered``: the schedule without them still meets every minimum and adds no hard violation,
  no re-solve needed;
* ``covered_with_changes``: the re-solve meets every minimum by moving shifts (how many people
  and shifts move is recorded);
* ``not_coverable``: even the re-solve leaves demands below their minimum; they are named with the
  categories shed;
* ``undetermined``: the solver found no schedule in the time limit (proves nothing).

Riskiest pairs (N-2): people ranked by *unique coverage*, the number of demand-days of the
published schedule they are on while that demand is at or below its minimum (taking them out
opens it), then by scheduled hours; every pair among the top ``PAIR_POOL`` people is a scenario.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from people.models import Program
from resilience.utilization import settings_for
from scheduling.engine import model as m
from scheduling.engine.contingency import without
from scheduling.engine.sacrifice import shed_categories, shortfalls
from scheduling.engine.solvers import get_solver
from scheduling.engine.validator import Admission, validate
from scheduling.models import Assignment, State
from scheduling.problem import BuiltProblem, build_problem
from scheduling.services import DEFAULT_CHANGE_WEIGHT

PAIR_POOL = 6  # N-2: all pairs among this many riskiest people (15 scenarios)
SOLVER = "cpsat"
HARD = (m.Severity.CRITICAL, m.Severity.HIGH)


def published(program: Program, start: date, end: date) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            person__program=program, state=State.PUBLISHED, date__range=(start, end)
        )
    )


def build(program: Program, start: date, end: date) -> BuiltProblem:
    return build_problem(
        program,
        start,
        end,
        baseline=published(program, start, end),
        change_weight=DEFAULT_CHANGE_WEIGHT,
        shed_order=settings_for(program).sacrifice_order,
    )


def _hard(problem: m.Problem, assignments: tuple[m.Assignment, ...]) -> int:
    return sum(1 for v in validate(problem, assignments).violations if v.severity in HARD)


def _name(built: BuiltProblem, shortfall: Any) -> str:
    day = built.problem.horizon.date_of(shortfall.day)
    category = shortfall.category.replace("_", " ")
    return f"{day:%a %d %b} {shortfall.shift}: {shortfall.missing} short ({category})"


def run_scenario(
    built: BuiltProblem,
    removed: list[str],
    *,
    order: Sequence[str],
    time_limit: float,
    workers: int = 1,
) -> dict[str, Any]:
    """One scenario's outcome (see the module docstring), with the evidence behind it."""
    began = time.perf_counter()
    labels = [built.person_label(pid) for pid in removed]
    problem = without(built.problem, set(removed))
    kept = problem.baseline
    lost = len(built.problem.baseline) - len(kept)
    before = _hard(built.problem, built.problem.baseline)
    open_now = shortfalls(problem, built.demand_minimums, built.demand_categories, kept)
    out: dict[str, Any] = {
        "removed": removed,
        "names": labels,
        "shifts_lost": lost,
        "moved_people": 0,
        "moved_shifts": 0,
        "uncovered": [],
        "shed": [],
    }
    if not open_now and _hard(problem, kept) <= before:
        return {**out, "outcome": "covered", "seconds": round(time.perf_counter() - began, 3)}
    # Start from the schedule as it stands without them: the search begins at "only their
    # shifts are open" and improves on it, rather than rebuilding everyone's month from a
    # greedy start (under load, 10 s of that left whole services empty).
    solution = get_solver(SOLVER)(problem, time_limit=time_limit, workers=workers, hint=kept)
    if solution.status not in (m.SolveStatus.OPTIMAL, m.SolveStatus.FEASIBLE):
        causes = "; ".join(solution.conflicts)
        return {
            **out,
            "outcome": "undetermined",
            "detail": f"no schedule in {time_limit:.0f} s ({solution.status}) {causes}".strip(),
            "seconds": round(time.perf_counter() - began, 3),
        }
    found = set(solution.assignments)
    added = found - set(kept)
    dropped = set(kept) - found
    left = shortfalls(problem, built.demand_minimums, built.demand_categories, found)
    out.update(
        moved_people=len({a.person for a in added | dropped}),
        moved_shifts=len(added) + len(dropped),
        added=len(added),
        dropped=len(dropped),
        uncovered=[_name(built, s) for s in left],
        shed=shed_categories(left, order),
        hard_violations=_hard(problem, solution.assignments),
    )
    out["outcome"] = "not_coverable" if left else "covered_with_changes"
    out["seconds"] = round(time.perf_counter() - began, 3)
    return out


def riskiest(built: BuiltProblem) -> list[str]:
    """People by unique coverage, then scheduled hours (the N-2 rule in the docstring)."""
    problem = built.problem
    admission = Admission(problem.people)
    cells: dict[tuple[int, str], list[str]] = {}
    hours: Counter[str] = Counter()
    for a in problem.baseline:
        cells.setdefault((a.day, a.shift), []).append(a.person)
        hours[a.person] += problem.shift_by_id[a.shift].minutes
    unique: Counter[str] = Counter()
    for index, demand in enumerate(problem.demands):
        admitted = admission.admitted(demand.eligibility)
        on = [p for p in cells.get((demand.day, demand.shift), ()) if p in admitted]
        if on and len(on) <= built.demand_minimums[index]:
            unique.update(on)
    people = [p.id for p in problem.people if hours[p.id]]
    return sorted(people, key=lambda p: (-unique[p], -hours[p], p))


def scenarios_for(built: BuiltProblem, *, pairs: bool) -> list[list[str]]:
    """N-1 for every active resident and faculty member, then the riskiest pairs."""
    singles = [[p.id] for p in built.problem.people if p.kind != m.PersonKind.STAFF]
    if not pairs:
        return singles
    top = riskiest(built)[:PAIR_POOL]
    return singles + [list(pair) for pair in itertools.combinations(top, 2)]
