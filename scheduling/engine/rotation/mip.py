"""Rotation planner on PuLP: HiGHS through its Python API (highspy) when installed, else CBC.

It solves the same rows as the CP-SAT planner (``formulation``), so objectives and bounds
compare one to one. With HiGHS, callbacks (MIP, simplex and interior-point interrupts) report
progress about once a second, honour ``should_stop`` and enforce the deadline; HiGHS does not
call them inside every phase (root cut separation of a large plan can run for many seconds),
so a solve can overrun its limit by that much. CBC runs as a subprocess: it reports only at
start and end and cannot be cancelled before its time limit.

Infeasible problems are explained by an elastic re-solve: every named requirement group gets a
0/1 "drop" variable that relaxes its rows, and the MIP minimises how many groups are dropped.
The dropped groups are a smallest set of requirements whose removal makes the plan feasible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulp

from scheduling.engine.highs import size_pool
from scheduling.engine.model import Progress, SolveStatus
from scheduling.engine.rotation.formulation import Formulation, Row, build_formulation
from scheduling.engine.rotation.model import PlanProblem, PlanSolution
from scheduling.engine.rotation.precheck import precheck_plan
from scheduling.engine.rotation.validator import validate_plan

PROGRESS_SECONDS = 1.0
STOP_POLL_SECONDS = 0.2
EXPLAIN_SECONDS = 10.0

ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


def highs_available() -> bool:
    return bool(pulp.HiGHS().available())


@dataclass
class _Watch:
    """State shared with the HiGHS callback (runs in the calling thread, inside ``run``)."""

    start: float
    deadline: float
    on_progress: ProgressFn | None
    should_stop: StopFn | None
    objective: float | None = None
    bound: float | None = None
    first_feasible: float | None = None
    stopped: bool = False
    timed_out: bool = False
    last_report: float = 0.0
    last_poll: float = 0.0
    log: list[str] = field(default_factory=list)

    def report(self, phase: str) -> None:
        if self.on_progress is not None:
            self.last_report = time.monotonic()
            elapsed = self.last_report - self.start
            self.on_progress(Progress(elapsed, self.objective, self.bound, phase))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) and abs(value) < 1e20 else None


def _callback(kind: Any, message: str, data_out: Any, data_in: Any, watch: _Watch) -> None:
    # HiGHS's own time limit is not checked inside every phase (the root LP of a large plan can
    # overrun it by many seconds), so the deadline and cancellation are also enforced here, in
    # the LP solvers' interrupt callbacks as well as the MIP's.
    cb = pulp.HiGHS.hscb.HighsCallbackType
    now = time.monotonic()
    if kind == cb.kCallbackMipImprovingSolution:
        watch.objective = _finite(data_out.objective_function_value)
        if watch.first_feasible is None:
            watch.first_feasible = now - watch.start
        return
    if kind == cb.kCallbackMipInterrupt:
        watch.objective = _finite(data_out.mip_primal_bound)
        watch.bound = _finite(data_out.mip_dual_bound)
    if now - watch.last_report >= PROGRESS_SECONDS:
        watch.report("search")
    if now >= watch.deadline:
        watch.timed_out = True
        data_in.user_interrupt = True
    if watch.should_stop is not None and now - watch.last_poll >= STOP_POLL_SECONDS:
        watch.last_poll = now
        if watch.should_stop():
            watch.stopped = True
            data_in.user_interrupt = True


def _build(
    form: Formulation, *, elastic: bool
) -> tuple[pulp.LpProblem, list[pulp.LpVariable], dict[str, pulp.LpVariable]]:
    prob = pulp.LpProblem(form.problem.name or "rotation_plan", pulp.LpMinimize)
    xs = [
        prob.add_variable(f"v{i}", lb, ub, pulp.LpBinary if form.is_bool(i) else pulp.LpInteger)
        for i, (lb, ub) in enumerate(zip(form.lbs, form.ubs, strict=True))
    ]
    drops: dict[str, pulp.LpVariable] = {}
    for n, row in enumerate(form.rows):
        drop = None
        if elastic and row.group is not None:
            if row.group not in drops:
                drops[row.group] = prob.add_variable(f"drop{len(drops)}", 0, 1, pulp.LpBinary)
            drop = drops[row.group]
        _add_row(prob, form, xs, row, n, drop)
    if elastic:
        prob += pulp.lpSum(drops.values())
    else:
        prob += pulp.LpAffineExpression(
            [(xs[v], c) for v, c in form.objective.items()], constant=form.constant
        )
    return prob, xs, drops


def _add_row(
    prob: pulp.LpProblem,
    form: Formulation,
    xs: list[pulp.LpVariable],
    row: Row,
    n: int,
    drop: pulp.LpVariable | None,
) -> None:
    terms = [(xs[v], c) for v, c in row.terms.items()]
    low = sum(min(c * form.lbs[v], c * form.ubs[v]) for v, c in row.terms.items())
    high = sum(max(c * form.lbs[v], c * form.ubs[v]) for v, c in row.terms.items())
    if row.lb is not None and row.lb == row.ub and drop is None:
        prob += pulp.LpConstraint(
            pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, f"r{n}", row.lb
        )
        return
    if row.lb is not None:
        # Dropping the group relaxes the row to what its variables can reach anyway.
        slack = [(drop, row.lb - low)] if drop is not None and row.lb > low else []
        prob += pulp.LpConstraint(
            pulp.LpAffineExpression(terms + slack), pulp.LpConstraintGE, f"r{n}l", row.lb
        )
    if row.ub is not None:
        slack = [(drop, row.ub - high)] if drop is not None and high > row.ub else []
        prob += pulp.LpConstraint(
            pulp.LpAffineExpression(terms + slack), pulp.LpConstraintLE, f"r{n}u", row.ub
        )


def _solver(time_limit: float, seed: int, workers: int, watch: _Watch | None) -> Any:
    limit = max(0.05, time_limit)
    if highs_available():
        cb = pulp.HiGHS.hscb.HighsCallbackType
        callbacks = {}
        if watch is not None:
            callbacks = {
                "callbackTuple": (_callback, watch),
                "callbacksToActivate": [
                    cb.kCallbackMipInterrupt,
                    cb.kCallbackMipImprovingSolution,
                    cb.kCallbackSimplexInterrupt,
                    cb.kCallbackIpmInterrupt,
                ],
            }
        size_pool(max(1, workers))  # the solve starts right after: the pool must fit it
        # The objective is integral, so any gap below 1 already proves optimality.
        return pulp.HiGHS(
            msg=False,
            timeLimit=limit,
            threads=max(1, workers),
            gapRel=0.0,
            gapAbs=0.999,
            random_seed=seed,
            **callbacks,
        )
    return pulp.PULP_CBC_CMD(
        msg=False,
        timeLimit=limit,
        threads=max(1, workers),
        options=[f"randomSeed {seed + 1}", "allowableGap 0.999"],
    )


def solve_plan(
    problem: PlanProblem,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 1,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> PlanSolution:
    start = time.monotonic()
    watch = _Watch(start, start + time_limit, on_progress, should_stop)
    algorithm = "mip-highs" if highs_available() else "mip-cbc"
    watch.report("start")
    conflicts = precheck_plan(problem)
    if conflicts:
        watch.report("done")
        return PlanSolution(
            (),
            SolveStatus.INVALID,
            algorithm,
            conflicts=tuple(conflicts),
            wall_time=time.monotonic() - start,
        )
    if should_stop is not None and should_stop():
        watch.report("done")
        return PlanSolution(
            (), SolveStatus.CANCELLED, algorithm, wall_time=time.monotonic() - start
        )
    form = build_formulation(problem)
    prob, xs, _ = _build(form, elastic=False)
    remaining = time_limit - (time.monotonic() - start)
    prob.solve(_solver(remaining, seed, workers, watch))
    status, objective, bound = _outcome(prob, watch)
    if status is SolveStatus.INFEASIBLE:
        remaining = time_limit - (time.monotonic() - start)
        names = explain_infeasibility(form, min(EXPLAIN_SECONDS, max(1.0, remaining)), seed)
        watch.report("done")
        return PlanSolution(
            (), status, algorithm, conflicts=tuple(names), wall_time=time.monotonic() - start
        )
    has_solution = objective is not None and status is not SolveStatus.UNKNOWN
    assignments = form.decode(lambda v: xs[v].varValue or 0.0) if has_solution else ()
    if has_solution:
        # Slack auxiliaries can overstate a non-optimal solution's cost; the validator is exact.
        objective = validate_plan(problem, assignments).objective
        bound = None if bound is None else min(bound, objective)
    watch.objective, watch.bound = objective, bound
    watch.report("done")
    return PlanSolution(
        assignments,
        status,
        algorithm,
        objective=objective if has_solution else None,
        bound=bound,
        time_to_first_feasible=watch.first_feasible if has_solution else None,
        wall_time=time.monotonic() - start,
    )


def _outcome(prob: pulp.LpProblem, watch: _Watch) -> tuple[SolveStatus, float | None, float | None]:
    model = getattr(prob, "solverModel", None)
    if model is None:  # CBC: only PuLP's status is known, and no bound
        return _cbc_outcome(prob)
    import highspy  # available whenever the HiGHS API solver ran

    code = model.getModelStatus()
    info = model.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = _finite(info.objective_function_value) if has_solution else None
    bound = _finite(info.mip_dual_bound)
    if bound is not None:
        bound = float(math.ceil(bound - 1e-6))  # integral objective
    kind = highspy.HighsModelStatus
    if code == kind.kOptimal:
        return SolveStatus.OPTIMAL, objective, objective
    if code in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return SolveStatus.INFEASIBLE, None, None
    if watch.stopped:
        return SolveStatus.CANCELLED, objective, bound
    return (SolveStatus.FEASIBLE if has_solution else SolveStatus.UNKNOWN), objective, bound


def _cbc_outcome(prob: pulp.LpProblem) -> tuple[SolveStatus, float | None, float | None]:
    objective = pulp.value(prob.objective)
    if prob.status == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL, objective, objective
    if prob.status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE, None, None
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE, objective, None
    return SolveStatus.UNKNOWN, None, None


def explain_infeasibility(form: Formulation, time_limit: float, seed: int = 0) -> list[str]:
    """A smallest set of requirement groups whose removal makes the plan feasible."""
    prob, _, drops = _build(form, elastic=True)
    prob.solve(_solver(time_limit, seed, 1, None))
    dropped = [name for name, var in drops.items() if (var.varValue or 0.0) > 0.5]
    if not dropped:
        return ["The MIP solver proved the plan infeasible but found no named cause in time"]
    return dropped
