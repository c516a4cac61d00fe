"""A long horizon solved window by window, never as one model (issue 20).

The whole-year CP-SAT model of the L scenario stretched to 13 blocks (210 people, 364 days,
about 179 000 decisions) found no schedule in 300 s and peaked at 9 GB; a four-week window of
it is the L scenario's size, which the same solver schedules in seconds. So a horizon of at
least ``long_horizon.MIN_DAYS`` days whose model would be larger than
``long_horizon.MAX_VARIABLES`` decisions is never built whole:

0. **Count** (ceilings.py): the shifts a capped supervisor shift needs, chunk by chunk, from
   a small model of the supervised cells; more than the yearly ceilings allow ends the run at
   once INFEASIBLE, saying which shift, how many are needed, where and how many are short
   (the demo's year: 405 attending days against ceilings of 399, in 1 s); otherwise the count
   is the plan by which the windows below share the ceilings.
1. **Start.** The greedy schedule of the whole horizon, when the validator accepts it; else
   windows built one after the other (``WINDOW_DAYS`` new days, ``LOOKAHEAD_DAYS`` planned
   ahead and re-decided by the next window, the days before fixed as history: windows.py), a
   window without a schedule tried again with a larger share and the last two weeks before it
   re-decided.
2. **Judge.** The validator checks the whole horizon (yearly totals, weekend caps per block and
   year, every seam): a schedule is accepted only when it finds no hard violation.
3. **Bound** (``relaxed_bound``): the sum of the windows' relaxed bounds, proved below.
4. **Improve** while time remains: an LNS over windows. Each move re-solves ``WINDOW_DAYS``
   consecutive days with every other day fixed (windows.py translates the yearly rules into
   what the rest of the schedule leaves, so the window's model holds them exactly), started
   from the incumbent; the result is kept when the validator finds the whole horizon valid and
   its objective lower (fairness spreads are yearly: the window's own objective only
   approximates them, the judge's is what counts). A schedule the judge refused is repaired the
   same way, windows with a violation first. Later sweeps move the windows' seams.

Progress is reported after every window (phase "start window i/n", "bound window i/n",
"window a-b"); ``should_stop`` is polled inside every window's solve and between windows, and
ends the run with the best whole schedule so far (CANCELLED).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from time import perf_counter

from .. import long_horizon
from ..model import Assignment, Problem, Progress, Solution, SolveStatus
from ..validator import Report, validate
from . import ceilings
from .windows import sub_problem

log = logging.getLogger(__name__)

WINDOW_DAYS = 28
LOOKAHEAD_DAYS = 14
BACK_OFF_DAYS = 14
MAX_RETRIES = 2
START_SHARE = 0.6  # at most, of the time limit, for the window-by-window start
BOUND_SHARE = 0.35  # at most, of the time limit, for the relaxed windows' bounds
GREEDY_SHARE = 0.1
PLAN_SHARE = 0.05  # at most, of the time limit, for ceilings.py's count of the capped shifts
PLAN_SECONDS = 15.0  # and at most this (the demo's year: 1 s)
MIN_MOVE = 4.0  # seconds: a window's move needs its model built and completed first

SolveFn = Callable[..., Solution]
ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


def takes(problem: Problem) -> bool:
    """Whether this module solves ``problem`` (long_horizon.by_windows)."""
    return long_horizon.by_windows(problem)


def partition(days: int) -> list[tuple[int, int]]:
    """Consecutive windows [first, last) of ``WINDOW_DAYS`` covering ``days``, no stub at the
    end (a remainder under half a window joins the last one)."""
    out = []
    first = 0
    while first < days:
        last = min(days, first + WINDOW_DAYS)
        if days - last < WINDOW_DAYS // 2:
            last = days
        out.append((first, last))
        first = last
    return out


def relaxed_bound(
    problem: Problem,
    *,
    time_limit: float,
    seed: int,
    solve: SolveFn,
    should_stop: StopFn | None = None,
    on_window: Callable[[int, int], None] | None = None,
) -> float | None:
    """A lower bound on the objective of every valid schedule of ``problem``: the sum over the
    windows of ``partition`` of CP-SAT's proved bound on the *relaxed* window (windows.py,
    ``relaxed=True``), each at least zero (a window left unsolved when the time runs out counts
    zero). None when a weight is negative.

    Proof. Every weight is non-negative, so every term of the objective is. Split the objective
    of a valid schedule S (model.py) into the terms of one day each, sum_d c_d(S) (a demand's
    shortfall and excess count the assignments of its day; a request and a baseline assignment
    belong to one day) and the year-spanning rest, fairness spreads and weighted caps, which is
    at least zero. Let W_1..W_n partition the days and R_k be the relaxed problem of W_k: the
    same demands, requests, baseline, unavailability, fixed assignments and links within W_k,
    every per-day, per-shift, succession, rest and run rule, but no history, no ACGME rule, no
    fairness, no weighted cap and none of the horizon-wide limits. S restricted to W_k, S_k, is
    valid for R_k: each rule of R_k is a rule of the horizon on fewer assignments (a run of
    working days that leaves W_k counts nothing outside it, a run touching W_k's edge is exempt
    from the minimums, a rest gap to a shift outside W_k is not checked), and a rule dropped
    cannot make S_k invalid. R_k's
    objective at S_k is exactly sum over d in W_k of c_d(S). So
    obj(S) >= sum_k obj_Rk(S_k) >= sum_k opt(R_k) >= sum_k max(0, LB_k),
    LB_k being any proved lower bound of R_k (opt(R_k) >= 0 as its terms are). Tested against
    the exact optimum of a small long horizon (tests/test_cpsat_year.py)."""
    if (
        any(d.under_weight < 0 or d.over_weight < 0 for d in problem.demands)
        or any(r.weight < 0 for r in problem.requests)
        or problem.change_weight < 0
    ):
        return None
    began = perf_counter()
    windows = partition(problem.horizon.days)
    total = 0.0
    for i, (first, last) in enumerate(windows):
        if should_stop is not None and should_stop():
            break
        left = time_limit - (perf_counter() - began)
        if left <= 0:
            break  # the windows not solved add their minimum, zero
        sub = sub_problem(problem, first, last, (), complete=True, relaxed=True)
        solution = solve(
            sub,
            time_limit=left / (len(windows) - i),
            seed=seed,
            workers=1,
            should_stop=should_stop,
            hint=(),
            verify=False,
        )
        found = solution.objective if solution.status is SolveStatus.OPTIMAL else solution.bound
        total += max(0.0, found or 0.0)
        log.info("bound window %d-%d: %s (%s)", first, last - 1, found, solution.status)
        if on_window is not None:
            on_window(i + 1, len(windows))
    return total


class _Best:
    """The incumbent: the best whole schedule the judge has seen (valid ones first)."""

    def __init__(self, problem: Problem, started: float) -> None:
        self.problem = problem
        self.started = started
        self.assignments: tuple[Assignment, ...] = ()
        self.report: Report | None = None
        self.first_valid: float | None = None

    @property
    def valid(self) -> bool:
        return self.report is not None and self.report.is_valid

    @property
    def objective(self) -> float | None:
        return None if self.report is None else self.report.objective

    def offer(self, assignments: Sequence[Assignment]) -> bool:
        report = validate(self.problem, assignments)
        if self.report is not None:
            old = (not self.report.is_valid, len(self.report.hard), self.report.objective)
            if (not report.is_valid, len(report.hard), report.objective) >= old:
                return False
        self.assignments, self.report = tuple(assignments), report
        if report.is_valid and self.first_valid is None:
            self.first_valid = perf_counter() - self.started
        return True


def solve(
    problem: Problem,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
    hint: Sequence[Assignment] | None,
    window_solve: SolveFn,
    algorithm: str,
) -> Solution:
    """See the module docstring. ``window_solve`` is run.solve, handed in so that neither
    module imports the other."""
    started = perf_counter()
    best = _Best(problem, started)
    bound: float | None = None

    def elapsed() -> float:
        return perf_counter() - started

    def stopped() -> bool:
        return should_stop is not None and should_stop()

    def report(phase: str) -> None:
        if on_progress is not None:
            objective = best.objective if best.valid else None
            on_progress(Progress(elapsed(), objective, bound, phase))

    def result() -> Solution:
        report("done")
        status = SolveStatus.FEASIBLE
        if not best.assignments:
            status = SolveStatus.UNKNOWN
        elif best.valid and bound is not None and (best.objective or 0.0) <= bound + 1e-9:
            status = SolveStatus.OPTIMAL
        if stopped():
            status = SolveStatus.CANCELLED
        return Solution(
            assignments=best.assignments,
            status=status,
            algorithm=algorithm,
            objective=best.objective,
            bound=None if bound is None else min(bound, best.objective or bound),
            time_to_first_feasible=best.first_valid,
            wall_time=elapsed(),
            violations=() if best.report is None else best.report.hard,
        )

    report("start by windows")
    # Before anything else: can the capped supervisor shifts be covered at all (ceilings.py)?
    short, planned = ceilings.shortfalls(
        problem,
        partition(problem.horizon.days),
        time_limit=min(PLAN_SECONDS, PLAN_SHARE * time_limit),
        seed=seed,
    )
    if short:
        return Solution(
            (),
            SolveStatus.INFEASIBLE,
            algorithm,
            wall_time=elapsed(),
            conflicts=tuple(s.message(problem) for s in short),
        )
    need = {s: n.per_day(problem.horizon.days) for s, n in planned.items()}
    if hint:
        best.offer(hint)
    if not best.valid:
        _greedy_start(problem, best, min(30.0, GREEDY_SHARE * time_limit), seed, should_stop)
    report("greedy start")
    if not best.valid and not stopped():
        built = _build_by_windows(
            problem,
            window_solve,
            time_limit=START_SHARE * time_limit - elapsed(),
            seed=seed,
            should_stop=should_stop,
            report=report,
            need=need,
        )
        if built is not None:
            best.offer(built)
        report("start by windows")
    if stopped():
        return result()
    bound = relaxed_bound(
        problem,
        time_limit=min(BOUND_SHARE * time_limit, time_limit - elapsed() - MIN_MOVE),
        seed=seed,
        solve=window_solve,
        should_stop=should_stop,
        on_window=lambda i, n: report(f"bound window {i}/{n}"),
    )
    report("bound")
    if best.assignments:
        _improve(problem, best, window_solve, time_limit - elapsed(), seed, workers, stopped,
                 report)  # fmt: skip
    return result()


def _greedy_start(
    problem: Problem, best: _Best, time_limit: float, seed: int, should_stop: StopFn | None
) -> None:
    from .. import greedy

    try:
        start = greedy.solve(problem, time_limit=time_limit, seed=seed, workers=1,
                             on_progress=None, should_stop=should_stop)  # fmt: skip
    except Exception:  # a start is optional; the windows build one anyway
        log.exception("greedy start of a long horizon failed")
        return
    if start.assignments:
        best.offer(start.assignments)
    log.info("greedy start: valid %s, objective %s", best.valid, best.objective)


def _build_by_windows(
    problem: Problem,
    window_solve: SolveFn,
    *,
    time_limit: float,
    seed: int,
    should_stop: StopFn | None,
    report: Callable[[str], None],
    need: dict[str, list[float]] | None = None,
) -> list[Assignment] | None:
    """The horizon's schedule from consecutive windows, each with the days before it fixed."""
    began = perf_counter()
    days = problem.horizon.days
    windows = len(partition(days))
    chosen: list[Assignment] = []
    new_from = 0
    retries = 0
    failed_at = -1  # the first day of the window that last found no schedule
    done = 0
    while new_from < days:
        if should_stop is not None and should_stop():
            return None
        end = min(days, new_from + WINDOW_DAYS)
        if days - end < WINDOW_DAYS // 2:
            end = days
        left = time_limit - (perf_counter() - began)
        if left <= 0.5:
            return None
        last = min(days, end + LOOKAHEAD_DAYS)
        sub = sub_problem(
            problem, new_from, last, chosen, complete=last == days, need=need, kept=end
        )
        # An even share of what is left (a retry twice or three times as much). Twice the even
        # share, as before, left the last window nothing whenever every window used its whole
        # share (the demo's year: window 11 of 13 ran out of time with any ceilings).
        share = min(left, (1 + retries) * left / max(1, windows - done))
        # No start (hint=()): on the demo's year a window's greedy start breaks rules and
        # misleads the search (issue 12's rolling start measured the same).
        solution = window_solve(sub, time_limit=share, seed=seed, workers=1,
                                should_stop=should_stop, hint=(), verify=False)  # fmt: skip
        if not solution.assignments:
            log.warning("window of days %d-%d: no schedule (%s) %s", new_from, end - 1,
                        solution.status, "; ".join(solution.conflicts[:5]))  # fmt: skip
            if retries >= MAX_RETRIES:
                return None
            retries += 1
            failed_at = max(failed_at, new_from)
            new_from = max(0, new_from - BACK_OFF_DAYS)
            chosen = [a for a in chosen if a.day < new_from]
            continue
        if end > failed_at:  # past the window that failed: its retries are spent
            retries = 0
        chosen += [
            replace(a, day=a.day + new_from) for a in solution.assignments if a.day + new_from < end
        ]
        new_from = end
        done += 1
        report(f"start window {done}/{windows}")
    return chosen


def _improve(
    problem: Problem,
    best: _Best,
    window_solve: SolveFn,
    time_limit: float,
    seed: int,
    workers: int,
    stopped: StopFn,
    report: Callable[[str], None],
) -> None:
    """The LNS over windows (module docstring, step 4)."""
    began = perf_counter()
    rng = random.Random(seed)
    days = problem.horizon.days
    sweep = 0
    while not stopped():
        offset = 0 if sweep == 0 else rng.randrange(WINDOW_DAYS)
        windows = [(max(0, a - offset), min(days, b - offset)) for a, b in partition(days)]
        if offset:
            windows.append((days - offset, days))
        windows = [(a, b) for a, b in windows if b > a]
        if not best.valid:
            bad = {v.day for v in best.report.hard if v.day is not None} if best.report else set()
            windows.sort(key=lambda w: not any(w[0] <= d < w[1] for d in bad))
        for i, (first, last) in enumerate(windows):
            left = time_limit - (perf_counter() - began)
            if stopped() or left < MIN_MOVE:
                return
            share = max(MIN_MOVE, left / (len(windows) - i))
            current = best.assignments
            outside = [a for a in current if not first <= a.day < last]
            inside = [replace(a, day=a.day - first) for a in current if first <= a.day < last]
            sub = sub_problem(problem, first, last, outside, complete=True, pinned=inside)
            solution = window_solve(sub, time_limit=min(share, left), seed=seed + sweep,
                                    workers=workers, should_stop=stopped, hint=inside,
                                    verify=False)  # fmt: skip
            kept = False
            if solution.assignments:
                moved = [replace(a, day=a.day + first) for a in solution.assignments]
                kept = best.offer(outside + moved)
            log.info(
                "window %d-%d: %s, window objective %s (first at %s s), kept %s: %s",
                first,
                last - 1,
                solution.status.value,
                solution.objective,
                solution.time_to_first_feasible,
                kept,
                best.objective,
            )
            report(f"window {first}-{last - 1}")
        sweep += 1
