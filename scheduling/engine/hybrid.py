"""Hybrid solver (algorithm "hybrid"): chooses and chains the engine's solvers for a problem.

The chain is greedy -> one exact solver started from the greedy schedule (its hint / MIP start)
-> optionally CP-SAT large-neighbourhood improvement of the best schedule (``Plan.polish``;
no measured case needs it yet). Which exact solver runs follows rules measured side by side by
benchmarks/compare.py, recorded in docs/benchmarks-hybrid.md (see ``choose``):

* MIP (HiGHS) on the residency programs (ACGME, supervision, fairness spreads) up to about
  20 000 variables: it proves S optimal first and leads on M and L, where CP-SAT stays at or
  near the greedy schedule within 20 s;
* CP-SAT on rosters with minimum runs of work and days off (the shift benchmark), whose
  three-literal run clauses CP-SAT propagates far better than HiGHS's LP;
* the greedy alone when neither exact model could even be built within half the limit.

Every stage's schedule is judged by the validator; the best valid one wins, so the hybrid is
never worse than its greedy start and never returns a schedule the validator rejects as a
solution. ``Solution.algorithm`` names the stages that ran, e.g. "hybrid(greedy>mip)".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from . import greedy, long_horizon
from .checks import check_problem
from .model import Assignment, Problem, Progress, Solution, SolveStatus
from .validator import validate

ALGORITHM = "hybrid"
GREEDY_SHARE = 0.1  # of the time limit, at most GREEDY_SECONDS: the greedy is a start only
GREEDY_SECONDS = 2.0
POLISH_MIN_SECONDS = 3.0  # an improvement stage shorter than this rarely pays for its setup
# L (13 700 variables) builds in ~3.5 s through PuLP; larger models are not measured, and
# PuLP's row-by-row copy grows with them, so CP-SAT takes over above this.
MIP_MAX_VARIABLES = 20_000
HANDOVER_SECONDS = 0.5  # kept per stage for judging its schedule and handing over
BUILD_RATE = 1500.0  # variables a second an exact model is built at (CP-SAT on Y: 65 700 in ~40 s)
BUILD_SHARE = 0.5  # skip the exact stage when building would take more of the limit

ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


@dataclass(frozen=True)
class Plan:
    """What the hybrid will run after the greedy start, and why (for logs and the docs)."""

    exact: str  # "mip", "cpsat" or "none" (the greedy alone)
    polish: bool  # CP-SAT LNS on the best schedule with the time the exact stage leaves
    reason: str
    greedy: bool = True  # a greedy stage first (CP-SAT's window path starts from its own)


@dataclass(frozen=True)
class Features:
    variables: int  # eligible (person, day, shift) triples, the size of both exact models
    acgme: bool
    supervised: bool
    runs: bool  # min consecutive work/off rules (the shift benchmark's hard core)
    people: int
    days: int
    windows: bool = False  # long and large: CP-SAT solves it window by window (issue 20)


def features(problem: Problem) -> Features:
    variables = long_horizon.variables(problem)
    return Features(
        variables=variables,
        acgme=problem.acgme is not None,
        supervised=any(d.supervisor_shift for d in problem.demands),
        runs=any(
            (p.limits.min_consecutive_work or 0) > 1 or (p.limits.min_consecutive_off or 0) > 1
            for p in problem.people
        ),
        people=len(problem.people),
        days=problem.horizon.days,
        windows=long_horizon.by_windows(problem, variables),
    )


def choose(f: Features, time_limit: float = 10.0) -> Plan:
    """The selection rules, from benchmarks/compare.py runs (docs/benchmarks-hybrid.md)."""
    if f.windows:
        # A year of a large program (L13: 178 724 decisions): the one model peaked at 9 GB with
        # no schedule in 300 s; CP-SAT's window path builds only four weeks at a time, starts
        # from the greedy schedule itself when it is valid, and gives a bound (issue 20).
        return Plan("cpsat", polish=False, reason="long horizon: window by window", greedy=False)
    if f.variables / BUILD_RATE > BUILD_SHARE * time_limit:
        # Y (65 700 variables): CP-SAT spent ~40 s building and returned the greedy schedule
        # after 71 s of a 30 s limit; neither exact model can be built in time.
        return Plan("none", polish=False, reason="no exact model can be built in the limit")
    if f.runs and not f.acgme:
        # Shift benchmark: CP-SAT leads on Instance5/7/8/10/11 and ties on 1 and 3. Started
        # from the MIP's first roster it did far worse (Instance5 +40 %, Instance7 +38 % in
        # run 2), so it gets the greedy's roster as its hint, as it would alone.
        return Plan("cpsat", polish=False, reason="rostering runs: CP-SAT propagates them")
    if f.variables <= MIP_MAX_VARIABLES:
        # Residency S/M/L: the MIP proves S optimal and leads on M (12-16 against CP-SAT's
        # 22-26) and L (39 against 44-54) in all four runs at 20 s.
        return Plan("mip", polish=False, reason="MIP's LP bound is strong on this model")
    return Plan("cpsat", polish=False, reason="too large for PuLP's model copy in the limit")


@dataclass
class _Best:
    solution: Solution | None = None
    objective: float | None = None
    valid: bool = False
    first_valid: float | None = None  # seconds since the hybrid began

    def offer(self, problem: Problem, solution: Solution, stage_start: float) -> None:
        if not solution.assignments:
            return
        report = validate(problem, solution.assignments)
        if report.is_valid:
            at = stage_start + (solution.time_to_first_feasible or solution.wall_time)
            self.first_valid = at if self.first_valid is None else min(self.first_valid, at)
        better = (report.is_valid and not self.valid) or (
            report.is_valid == self.valid
            and (self.objective is None or report.objective < self.objective)
        )
        if better:
            self.solution = replace(solution, objective=report.objective, violations=report.hard)
            self.objective, self.valid = report.objective, report.is_valid


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> Solution:
    began = time.monotonic()
    best = _Best()
    stages: list[str] = []

    def elapsed() -> float:
        return time.monotonic() - began

    def relay(stage: str) -> ProgressFn:
        def report(p: Progress) -> None:
            objective = p.objective
            if best.valid and best.objective is not None:
                objective = best.objective if objective is None else min(objective, best.objective)
            if on_progress is not None:
                on_progress(Progress(elapsed(), objective, p.bound, f"{stage}:{p.phase}"))

        return report

    def stopped() -> bool:
        return should_stop is not None and should_stop()

    relay("hybrid")(Progress(0.0, None, None, "start"))
    causes = check_problem(problem)
    if causes:
        relay("hybrid")(Progress(0.0, None, None, "done"))
        return Solution((), SolveStatus.INVALID, ALGORITHM, conflicts=tuple(causes),
                        wall_time=elapsed())  # fmt: skip
    plan = choose(features(problem), time_limit)
    at = elapsed()
    start: Solution | None = None
    if plan.greedy:
        start = greedy.solve(problem, time_limit=min(GREEDY_SECONDS, GREEDY_SHARE * time_limit),
                             seed=seed, workers=1, on_progress=relay("greedy"),
                             should_stop=should_stop)  # fmt: skip
        stages.append("greedy")
        best.offer(problem, start, at)
    exact: Solution | None = None
    if plan.exact != "none" and not stopped() and _left(time_limit, elapsed()) > 0.1:
        # The greedy schedule is the hint even when it breaks hard rules (as on the shift
        # benchmark): CP-SAT repairs it faster than it builds a roster from nothing.
        hint: Sequence[Assignment] | None = None
        if start is not None:
            hint = start.assignments if best.solution is None else best.solution.assignments
        at = elapsed()
        exact = _run(plan.exact, problem, _left(time_limit, at), seed, workers,
                     relay(plan.exact), should_stop, hint)  # fmt: skip
        stages.append(plan.exact)
        best.offer(problem, exact, at)
    # A schedule the validator accepts refutes any infeasibility proof: never report one then.
    if exact is not None and exact.status is SolveStatus.INFEASIBLE and not best.valid:
        relay("hybrid")(Progress(elapsed(), None, None, "done"))
        return replace(exact, algorithm=_name(stages), wall_time=elapsed())
    at = elapsed()
    left = _left(time_limit, at)
    proven = exact is not None and exact.status is SolveStatus.OPTIMAL
    if plan.polish and not proven and not stopped() and left >= POLISH_MIN_SECONDS:
        hint = best.solution.assignments if best.solution is not None else ()
        polished = _run("cpsat", problem, left, seed + 1, workers, relay("lns"), should_stop, hint)
        stages.append("lns")
        best.offer(problem, polished, at)
    return _result(best, exact, stages, began, stopped(), relay("hybrid"))


def _left(time_limit: float, elapsed: float) -> float:
    """Time for the next stage, keeping a margin for judging its schedule and handing over
    (the stages each overrun their limit a little; the hybrid must not add those up)."""
    return time_limit - elapsed - min(HANDOVER_SECONDS, 0.03 * time_limit)


def _run(
    name: str,
    problem: Problem,
    time_limit: float,
    seed: int,
    workers: int,
    on_progress: ProgressFn,
    should_stop: StopFn | None,
    hint: Sequence[Assignment] | None,
) -> Solution:
    if name == "mip":
        from . import mip

        return mip.solve(problem, time_limit=time_limit, seed=seed, workers=workers,
                         on_progress=on_progress, should_stop=should_stop, hint=hint)  # fmt: skip
    from . import cpsat

    return cpsat.solve(problem, time_limit=time_limit, seed=seed, workers=workers,
                       on_progress=on_progress, should_stop=should_stop, hint=hint)  # fmt: skip


def _name(stages: Sequence[str]) -> str:
    return f"{ALGORITHM}({'>'.join(stages)})"


def _result(
    best: _Best,
    exact: Solution | None,
    stages: Sequence[str],
    began: float,
    cancelled: bool,
    report: ProgressFn,
) -> Solution:
    wall = time.monotonic() - began
    report(Progress(wall, best.objective, None, "done"))
    bound = exact.bound if exact is not None else None
    if best.solution is None:
        status = SolveStatus.CANCELLED if cancelled else SolveStatus.UNKNOWN
        return Solution((), status, _name(stages), bound=bound, wall_time=wall)
    objective = best.objective
    if cancelled:
        status = SolveStatus.CANCELLED
    elif not best.valid:
        status = SolveStatus.UNKNOWN  # the validator's hard violations are in .violations
    elif bound is not None and objective is not None and objective <= bound:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    return Solution(
        assignments=best.solution.assignments,
        status=status,
        algorithm=_name(stages),
        objective=objective,
        bound=None if bound is None or objective is None else min(bound, objective),
        time_to_first_feasible=best.first_valid if best.valid else None,
        wall_time=wall,
        violations=best.solution.violations,
    )
