from __future__ import annotations

from scheduling.engine.model import SolveStatus
from scheduling.engine.rotation import cpsat, lp_bound
from scheduling.engine.rotation.formulation import build_formulation
from scheduling.engine.rotation.model import LeaveRequest, PlanProblem
from scheduling.engine.rotation.tests.builders import small_problem


def contested_problem() -> PlanProblem:
    # Everyone asks for block 0 off; wards needs one of them there, so the lightest request
    # (R1, weight 1, both halves of the block) is refused: the optimum costs 2.
    requests = tuple(LeaveRequest(f"R{i}", 0, approved=False, weight=i) for i in range(1, 7))
    return small_problem(leave=requests)


def test_it_bounds_the_optimum_from_below() -> None:
    bound = lp_bound.start(build_formulation(contested_problem()), 10.0)
    assert bound is not None
    value = bound.wait(10.0)
    bound.close()
    assert value is not None
    assert 0 < value <= 2


def test_it_lets_the_planner_prove_the_optimum_it_meets() -> None:
    solution = cpsat.solve_plan(contested_problem(), time_limit=10.0)
    assert solution.status is SolveStatus.OPTIMAL
    assert (solution.objective, solution.bound) == (2, 2)
