"""Rotation planner on OR-Tools CP-SAT.

How a solve runs (all within ``time_limit``):
  1. ``precheck_plan``; a counted conflict returns INVALID with its message.
  2. The LP relaxation starts on HiGHS in a background thread (``lp_bound``); the search
     waits briefly for it. Its value, rounded up, is a proven lower bound.
  3. Warm start: large-neighbourhood search on the model with every block whole and every
     fairness spread at 0 (plans rarely split blocks and usually spread heavy rotations
     evenly, and that model is far easier). Its plan is feasible for the full model.
  4. The full model, hinted with that plan, searched with CP-SAT's default portfolio.
  The search stops as soon as the best plan costs no more than the LP bound: proven optimal.

The solves run in a worker thread while the calling thread reports progress and polls
``should_stop`` (so a Django/Celery caller's callbacks run in its own thread, with its own
database connection). CP-SAT and HiGHS release the GIL while they search.

Infeasible problems are explained in a second, objective-free solve in which every named
requirement group (see ``formulation``) is switched on by an assumption literal; CP-SAT returns
a set of assumptions that is already infeasible, which is then shrunk by deletion while time
allows. The main solve keeps its rows unconditional so its LP relaxation stays tight.

Determinism: with one worker and a fixed seed the result is reproducible whenever the search
ends by proof (optimal), as the tests check; a run cut short by the time limit depends on time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduling.engine.model import Progress, SolveStatus
from scheduling.engine.rotation import lp_bound
from scheduling.engine.rotation.formulation import Formulation, build_formulation
from scheduling.engine.rotation.model import PlanProblem, PlanSolution
from scheduling.engine.rotation.precheck import precheck_plan
from scheduling.engine.rotation.validator import validate_plan

ALGORITHM = "cpsat"
POLL_SECONDS = 0.1
PROGRESS_SECONDS = 1.0
EXPLAIN_SECONDS = 10.0  # cap on the conflict search after an infeasible solve
SHRINK_LIMIT = 40  # largest core worth shrinking literal by literal
# Warm-start stages: (fairness spreads forced to 0?, share of the remaining time). The second
# runs only when the first found nothing (even spreads may be impossible).
WARM_STAGES = ((True, 0.8), (False, 0.5))
WARM_STALL_SHARE = 0.3  # of the time limit without improvement ends a warm-start stage
# A light presolve for the warm start: on 150 residents the full presolve (probing, symmetry)
# costs seconds before the first plan, and the large-neighbourhood search gains little from it.
WARM_PARAMETERS: dict[str, object] = {
    "cp_model_probing_level": 0,
    "symmetry_level": 0,
    "max_presolve_iterations": 1,
}
# The final solve's LP includes every row (level 2): its bound then matches HiGHS's LP sooner.
FINAL_PARAMETERS: dict[str, object] = {"linearization_level": 2}
USE_LP_BOUND = True  # prove optimality with HiGHS's LP relaxation when highspy is installed
LP_WAIT_SHARE = 0.1  # of the time limit, at most, spent waiting for the LP before searching
LP_WAIT_MAX = 10.0  # seconds, whatever the time limit

ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


@dataclass
class _Best:
    objective: float | None = None
    bound: float | None = None
    first_feasible: float | None = None
    improved_at: float = 0.0  # monotonic time of the last improving plan


class _Recorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, best: _Best, lock: threading.Lock, *, bounds: bool) -> None:
        super().__init__()
        self._start, self._best, self._lock, self._bounds = start, best, lock, bounds

    def on_solution_callback(self) -> None:
        with self._lock:
            self._best.objective = self.objective_value
            self._best.improved_at = time.monotonic()
            if self._bounds:  # a restricted model's bound is no bound of the full problem
                self._best.bound = self.best_objective_bound
            if self._best.first_feasible is None:
                self._best.first_feasible = time.monotonic() - self._start


def _build_model(
    form: Formulation, *, assume: bool
) -> tuple[cp_model.CpModel, list[cp_model.IntVar], dict[str, cp_model.IntVar]]:
    model = cp_model.CpModel()
    xs: list[cp_model.IntVar] = [
        model.new_bool_var(name) if form.is_bool(i) else model.new_int_var(lb, ub, name)
        for i, (lb, ub, name) in enumerate(zip(form.lbs, form.ubs, form.names, strict=True))
    ]
    groups: dict[str, cp_model.IntVar] = {}
    for row in form.rows:
        expr = cp_model.LinearExpr.weighted_sum(
            [xs[v] for v in row.terms], list(row.terms.values())
        )
        lb = cp_model.INT_MIN if row.lb is None else row.lb
        ub = cp_model.INT_MAX if row.ub is None else row.ub
        constraint = model.add_linear_constraint(expr, lb, ub)
        if assume and row.group is not None:
            if row.group not in groups:
                groups[row.group] = model.new_bool_var(row.group)
            constraint.only_enforce_if(groups[row.group])
    if assume:
        model.add_assumptions(list(groups.values()))
    else:
        model.minimize(
            cp_model.LinearExpr.weighted_sum(
                [xs[v] for v in form.objective], list(form.objective.values())
            )
            + form.constant
        )
    return model, xs, groups


def _status(code: cp_model.CpSolverStatus, stopped: bool) -> SolveStatus:
    if code == cp_model.OPTIMAL:
        return SolveStatus.OPTIMAL
    if code == cp_model.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if code == cp_model.MODEL_INVALID:
        return SolveStatus.INVALID
    if stopped:
        return SolveStatus.CANCELLED
    return SolveStatus.FEASIBLE if code == cp_model.FEASIBLE else SolveStatus.UNKNOWN


@dataclass
class _Context:
    """What every stage shares: the clock, the best plan so far, callbacks, the LP bound."""

    start: float
    deadline: float
    seed: int
    workers: int
    report: Callable[[str], None]
    should_stop: StopFn | None
    best: _Best
    lock: threading.Lock
    values: list[int] | None = None  # best full-model assignment of every variable so far
    lp: lp_bound.LpBound | None = None

    def proven(self) -> bool:
        """True once the best plan costs no more than the LP relaxation's bound."""
        lp = self.lp.value if self.lp is not None else None
        if lp is None:
            return False
        with self.lock:
            self.best.bound = lp if self.best.bound is None else max(self.best.bound, lp)
            return self.best.objective is not None and self.best.objective <= lp

    def bound(self, solver_bound: float | None = None) -> float | None:
        known = [b for b in (solver_bound, self.best.bound) if b is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class _Outcome:
    code: cp_model.CpSolverStatus
    cancelled: bool  # should_stop asked
    proven: bool  # stopped because the LP bound proves the best plan optimal


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback,
    ctx: _Context,
    stall: float | None = None,
) -> _Outcome:
    """Solve in a worker thread; poll for cancellation, proof and stalls, report progress.

    With ``stall`` set, the search also ends once it has a plan and has not improved it for
    that many seconds (the warm start hands over to the full model then).
    """
    result: list[cp_model.CpSolverStatus] = []
    worker = threading.Thread(
        target=lambda: result.append(solver.solve(model, callback)), daemon=True
    )
    worker.start()
    cancelled = proven = halted = False
    last = time.monotonic()
    while worker.is_alive():
        worker.join(POLL_SECONDS)
        if not halted:
            if ctx.should_stop is not None and ctx.should_stop():
                cancelled = True
            elif ctx.proven():
                proven = True
            halted = cancelled or proven or _stalled(ctx.best, stall)
            if halted:
                solver.stop_search()
        if time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            ctx.report("search")
    return _Outcome(result[0], cancelled, proven)


def _stalled(best: _Best, stall: float | None) -> bool:
    if stall is None or best.objective is None:
        return False
    return time.monotonic() - best.improved_at > stall


def _solver(ctx: _Context) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, ctx.deadline - time.monotonic())
    solver.parameters.num_workers = max(1, ctx.workers)
    solver.parameters.random_seed = ctx.seed
    return solver


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
    best, lock = _Best(), threading.Lock()

    def report(phase: str) -> None:
        if on_progress is not None:
            with lock:
                progress = Progress(time.monotonic() - start, best.objective, best.bound, phase)
            on_progress(progress)

    report("start")
    ctx = _Context(start, start + time_limit, seed, workers, report, should_stop, best, lock)
    solution = _solve(problem, ctx)
    with lock:
        best.objective, best.bound = solution.objective, solution.bound
    report("done")
    return solution


def _solve(problem: PlanProblem, ctx: _Context) -> PlanSolution:
    conflicts = precheck_plan(problem)
    if conflicts:
        return _finish(problem, None, SolveStatus.INVALID, None, ctx, tuple(conflicts))
    form = build_formulation(problem)
    if USE_LP_BOUND:
        ctx.lp = lp_bound.start(form, ctx.deadline - time.monotonic())
    try:
        model, xs, _ = _build_model(form, assume=False)  # while the LP solves on another core
        if _wait_for_lp(ctx):
            return _finish(problem, None, SolveStatus.CANCELLED, None, ctx)
        return _search(problem, form, model, xs, ctx)
    finally:
        if ctx.lp is not None:
            ctx.lp.close()


def _wait_for_lp(ctx: _Context) -> bool:
    """Give the LP a head start, polling should_stop; True when cancelled meanwhile.

    The LP takes a few seconds; searching meanwhile would only compete with it for the cores,
    and with its bound known the search can stop the moment it reaches it.
    """
    if ctx.lp is None:
        return False
    until = time.monotonic() + min(LP_WAIT_MAX, LP_WAIT_SHARE * (ctx.deadline - time.monotonic()))
    last = time.monotonic()
    while ctx.lp.running() and time.monotonic() < until:
        ctx.lp.wait(min(POLL_SECONDS, until - time.monotonic()))
        if ctx.should_stop is not None and ctx.should_stop():
            return True
        if time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            ctx.report("lp")
    return False


def _search(
    problem: PlanProblem,
    form: Formulation,
    model: cp_model.CpModel,
    xs: list[cp_model.IntVar],
    ctx: _Context,
) -> PlanSolution:
    warm = _warm_start(form, model, xs, ctx)
    if warm is not None and warm.cancelled:
        return _finish(problem, form, SolveStatus.CANCELLED, ctx.bound(), ctx)
    if warm is not None and warm.proven:
        return _finish(problem, form, SolveStatus.OPTIMAL, ctx.bound(), ctx)
    if ctx.values is not None:
        for var, value in zip(xs, ctx.values, strict=True):
            model.add_hint(var, value)
    solver = _solver(ctx)
    for name, setting in FINAL_PARAMETERS.items():
        setattr(solver.parameters, name, setting)

    def on_bound(bound: float) -> None:
        with ctx.lock:
            ctx.best.bound = bound if ctx.best.bound is None else max(ctx.best.bound, bound)

    solver.best_bound_callback = on_bound
    outcome = _run(solver, model, _Recorder(ctx.start, ctx.best, ctx.lock, bounds=True), ctx)
    status = _status(outcome.code, outcome.cancelled)
    if status is SolveStatus.INFEASIBLE:
        budget = min(EXPLAIN_SECONDS, max(1.0, ctx.deadline - time.monotonic()))
        names = explain_infeasibility(form, budget, ctx.seed)
        return _finish(problem, None, status, None, ctx, tuple(names))
    if outcome.code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        ctx.values = [solver.value(x) for x in xs]
    elif status is SolveStatus.UNKNOWN and ctx.values is not None:
        status = SolveStatus.FEASIBLE  # the warm start's plan stands
    if outcome.proven or (status is SolveStatus.FEASIBLE and ctx.proven()):
        status = SolveStatus.OPTIMAL
    solver_bound = solver.best_objective_bound if ctx.values is not None else None
    return _finish(problem, form, status, ctx.bound(solver_bound), ctx)


def _warm_start(
    form: Formulation, model: cp_model.CpModel, xs: list[cp_model.IntVar], ctx: _Context
) -> _Outcome | None:
    """Stage 1: find a good plan in restricted models first.

    Plans rarely split blocks and usually spread heavy rotations evenly, and the model with
    every block whole and every fairness spread at 0 is far easier for large-neighbourhood
    search (the first plans of the full model are poor and improve slowly). Each stage's plan
    is feasible for the full model and becomes its complete hint; a stage's own bound is no
    bound of the full model, so only the LP bound or the final solve proves optimality.
    """
    outcome = None
    for even, share in WARM_STAGES:
        if ctx.values is not None or not (form.half_only or (even and form.spreads)):
            continue
        restricted = model.clone()
        for var in form.half_only + (form.spreads if even else []):
            # Fix the domain in place: far cheaper than 17k equality constraints to presolve.
            domain = restricted.proto.variables[xs[var].index].domain
            domain[0] = domain[1] = 0  # a 0/1 variable: its domain is exactly [lo, hi]
        solver = _solver(ctx)
        solver.parameters.max_time_in_seconds = share * max(0.01, ctx.deadline - time.monotonic())
        solver.parameters.use_lns_only = True
        for name, setting in WARM_PARAMETERS.items():
            setattr(solver.parameters, name, setting)
        recorder = _Recorder(ctx.start, ctx.best, ctx.lock, bounds=False)
        stall = WARM_STALL_SHARE * (ctx.deadline - ctx.start)
        outcome = _run(solver, restricted, recorder, ctx, stall)
        if outcome.code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            ctx.values = [solver.value(x) for x in xs]
        if outcome.cancelled or outcome.proven:
            break
    return outcome


def _finish(
    problem: PlanProblem,
    form: Formulation | None,
    status: SolveStatus,
    bound: float | None,
    ctx: _Context,
    conflicts: tuple[str, ...] = (),
) -> PlanSolution:
    """The plan from the best values found, its objective recomputed by the validator.

    A solver's objective can exceed the plan's true cost when an auxiliary variable (a spread,
    an unmet wish) is slack in a non-optimal solution; the validator's reading is exact.
    """
    wall = time.monotonic() - ctx.start
    if form is None or ctx.values is None:
        return PlanSolution((), status, ALGORITHM, conflicts=conflicts, wall_time=wall)
    values = ctx.values
    assignments = form.decode(lambda v: values[v])
    objective = validate_plan(problem, assignments).objective
    return PlanSolution(
        assignments,
        status,
        ALGORITHM,
        objective=objective,
        bound=bound if bound is None else min(bound, objective),
        time_to_first_feasible=ctx.best.first_feasible,
        wall_time=time.monotonic() - ctx.start,
    )


def explain_infeasibility(form: Formulation, time_limit: float, seed: int = 0) -> list[str]:
    """Names of requirement groups that together cannot be met (shrunk when time allows)."""
    deadline = time.monotonic() + time_limit
    model, _, groups = _build_model(form, assume=True)
    core = _core(model, groups, list(groups), deadline, seed)
    if core is None:
        return ["The solver proved the plan infeasible but found no named cause in time"]
    if not core:
        return ["Residents cannot be given one rotation in every block (check eligibility)"]
    if len(core) <= SHRINK_LIMIT:
        core = _shrink(model, groups, core, deadline, seed)
    return core


def _core(
    model: cp_model.CpModel,
    groups: dict[str, cp_model.IntVar],
    active: list[str],
    deadline: float,
    seed: int,
) -> list[str] | None:
    """A subset of ``active`` that is infeasible on its own; None when unproven in time."""
    model.clear_assumptions()
    model.add_assumptions([groups[g] for g in active])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
    solver.parameters.num_workers = 1  # assumption cores come from the sequential search
    solver.parameters.random_seed = seed
    if solver.solve(model) != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: name for name, lit in groups.items()}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def _shrink(
    model: cp_model.CpModel,
    groups: dict[str, cp_model.IntVar],
    core: list[str],
    deadline: float,
    seed: int,
) -> list[str]:
    """Deletion-based shrinking: drop each group whose removal keeps the rest infeasible."""
    kept = list(core)
    for name in core:
        if time.monotonic() >= deadline:
            break
        if name not in kept:
            continue
        trial = [g for g in kept if g != name]
        smaller = _core(model, groups, trial, deadline, seed)
        if smaller is not None:
            kept = [g for g in trial if g in set(smaller)] or trial
    return kept
