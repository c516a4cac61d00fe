"""Solve a Problem with CP-SAT: parameters, hints, live progress, cancellation, diagnosis."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from time import perf_counter

from ortools.sat.python import cp_model

from ..model import Assignment, Problem, Progress, Solution, SolveStatus
from . import acgme as acgme_rules
from . import fixing, proof, relaxation, rolling, year
from .acgme import add_acgme
from .build import Builder, ModelDataError
from .limits import add_person_limits, add_rest, add_successions, add_supervision
from .lns import Incumbent, RosterLns, complete
from .params import configure

ALGORITHM = "cpsat"
# The share of the time limit a long horizon may spend on its window-by-window first schedule.
ROLLING_SHARE = 0.6
# The sequential DP start (colgen/construct.py): tried before the window-by-window start on a
# long horizon and instead of a greedy start that breaks a hard rule; at most this share of the
# time limit. False: the greedy and window-by-window starts only, as before.
SEQUENTIAL_START = True
SEQUENTIAL_SHARE = 0.4
PROGRESS_PERIOD = 0.5  # seconds between timer progress reports and should_stop polls
# With 2+ workers, what the exact search does once it has stalled (no solution of its own and
# no better bound for STALL_SHARE of the time limit, at least STALL_MIN seconds) while the LNS
# holds a better schedule than it found: "restart" it from that schedule, hand its core to a
# second LNS ("lns"), or let it run on ("none"). "lns" measured best on Instances 8 and 12 (the
# exact search finds no schedule of its own there) and changed nothing on M and L.
ON_STALL = "lns"
STALL_SHARE = 0.15
STALL_MIN = 4.0
# "lns" hands the core over only once the LNS has shown it is the one making progress (this many
# improving moves): on residency M and L no move improves, and there the exact search's own
# schedules and bound are all there is.
STALL_LNS_GAINS = 3
# The free-day encoding (acgme.FREE_DAYS) when an LNS runs (2+ workers): the chain literals let
# its moves improve residency M where the interval encoding left every move without gain, and
# the LNS's first-solution phase and the completed start schedule find the first schedule the
# larger model would cost the one-worker exact search (66 s on test_cpsat's big_problem). None:
# the one-worker encoding everywhere.
FREE_DAYS_WITH_LNS: str | None = "literals"
# With 2+ workers on a problem with ACGME rules, the exact search's core first searches the
# model without them (relaxed.py), each improving schedule completed in the full model and
# handed to the incumbent when it keeps every rule; the relaxed bound is the problem's too.
# Residency M: the relaxed search descends to 11 (optimal) in 50 s, its schedules nearly all
# keep the ACGME rules, where the full model's search stays at 20 (docs/benchmarks.md). Only
# without a caller's hint and once the completed start schedule keeps every rule.
# False: the full model's exact search from the start, as before.
RELAXED_SEARCH = True
# Seconds to complete one relaxed schedule in the full model (propagation only).
RELAXED_COMPLETE_TIME = 1.0
# Where that encoding is used: True, in the LNS's own model only (built in its thread), the
# exact search keeping the one-worker encoding (acgme.FREE_DAYS) and so its LP bound and
# proofs: on residency L the literal model's LP over 179k constraints never reached its root in
# 60 s (CP-SAT's bound -8 against 24-27 with intervals). False: one model with the literals for
# both (the exact search's too), as before.
LNS_OWN_MODEL = True
log = logging.getLogger(__name__)

ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]


def build_model(
    problem: Problem, *, diagnose: bool = False, acgme: bool = True, free_days: str | None = None
) -> Builder:
    """``acgme=False`` leaves the ACGME rules out: a relaxation (relaxed.py's bound);
    ``free_days`` the free-day encoding (acgme.FREE_DAYS when None)."""
    b = Builder(problem, diagnose=diagnose)
    b.build_variables()
    b.add_coverage()
    b.add_overlaps()
    add_person_limits(b)
    add_successions(b)
    add_rest(b)
    add_supervision(b)
    if acgme:
        add_acgme(b, free_days)
    if not diagnose:
        b.add_objective()
    return b


class _Monitor(cp_model.CpSolverSolutionCallback):
    """Hands every improving solution of the exact search to the shared incumbent."""

    def __init__(
        self, builder: Builder, incumbent: Incumbent, report: Callable[[str], None]
    ) -> None:
        super().__init__()
        self.builder = builder
        self.incumbent = incumbent
        self.report = report
        self.bound: float | None = None
        self.lock = threading.Lock()
        self.own: float | None = None  # the best objective the exact search found itself
        self.moved = perf_counter()  # when it last found a schedule or a better bound
        self.solutions = 0
        # The model being searched when it is a relaxation of ``builder``'s (same decisions):
        # its schedules are completed in the full model, and offered only when they keep it.
        self.relaxed: Builder | None = None

    def on_solution_callback(self) -> None:
        source = self.relaxed or self.builder
        full = list(self.Response().solution)
        values = {key: full[v.Index()] for key, v in source.x.items()}
        objective = self.ObjectiveValue()
        if self.relaxed is not None:
            best = self.incumbent.get()[0]
            completed = None
            if best is None or objective < best:
                completed = complete(self.builder, values, RELAXED_COMPLETE_TIME)
            if completed is None:  # no better, or it breaks a rule the relaxation left out
                self.on_bound(self.BestObjectiveBound())
                return
            objective, full = completed
        self.incumbent.offer(objective, values, full)
        self.solutions += 1
        if self.own is None or objective < self.own:
            self.own = objective
            self.moved = perf_counter()
        self.on_bound(self.BestObjectiveBound())
        self.report("solution")

    def on_bound(self, bound: float) -> None:
        with self.lock:
            if self.bound is None or bound > self.bound:
                self.bound = bound
                self.moved = perf_counter()


def _hint_from(
    problem: Problem,
    hint: Solution | Sequence[Assignment] | None,
    *,
    time_limit: float,
    seed: int,
    should_stop: StopFn | None,
    sequential_limit: float = 0.0,
) -> Sequence[Assignment]:
    if isinstance(hint, Solution):
        return hint.assignments
    if hint is not None:
        return hint
    try:
        from .. import greedy
    except ImportError:
        return ()
    try:
        found = greedy.solve(
            problem,
            time_limit=time_limit,
            seed=seed,
            workers=1,
            on_progress=None,
            should_stop=should_stop,
        )
    except Exception:  # a hint is optional; a greedy failure must not sink the exact solve
        log.exception("greedy hint failed; solving without a hint")
        return ()
    if found.status == SolveStatus.UNKNOWN:  # it breaks a hard rule: CP-SAT cannot complete it
        return _sequential(problem, sequential_limit, should_stop) or found.assignments
    return found.assignments


def _sequential(
    problem: Problem, time_limit: float, should_stop: StopFn | None
) -> list[Assignment] | None:
    """The sequential DP schedule (colgen/construct.py) when valid, else None."""
    if not SEQUENTIAL_START or time_limit <= 0:
        return None
    try:
        from ..colgen.construct import start_schedule

        return start_schedule(problem, time_limit=time_limit, should_stop=should_stop)
    except Exception:  # a start is optional
        log.exception("sequential start failed")
        return None


def _use_hint(
    builder: Builder, incumbent: Incumbent, chosen: Sequence[Assignment], *, time_limit: float
) -> None:
    """Hint a schedule. CP-SAT's hint search gets lost on a hint of the decisions alone (the
    auxiliary variables are guessed), so the schedule is first completed to every variable
    with the decisions fixed; a schedule that satisfies the model also starts the incumbent."""
    picked = {(a.person, a.day, a.shift) for a in chosen}
    values = {key: int(key in picked) for key in builder.x}
    full = complete(builder, values, time_limit)
    if full is None:
        builder.add_hint(chosen)  # infeasible here: still a useful direction for the search
        return
    objective, solution = full
    proto = builder.model.Proto()
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(solution)))
    proto.solution_hint.values.extend(solution)
    incumbent.offer(objective, values, solution)


def _full_for(builder: Builder, incumbent: Incumbent, time_limit: float) -> list[int] | None:
    """Every variable of ``builder``'s model for the incumbent: its own, or (found on the LNS's
    model) its decisions completed on this one; None when neither is known."""
    full = incumbent.full_solution()
    values = incumbent.get()[1]
    if full is not None or values is None:
        return full
    done = complete(builder, values, time_limit)
    return None if done is None else done[1]


def _check(problem: Problem) -> list[str]:
    try:
        from ..checks import check_problem
    except ImportError:
        return []
    return list(check_problem(problem))


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    hint: Solution | Sequence[Assignment] | None = None,
    verify: bool = True,
) -> Solution:
    """``verify=False`` (the window-by-window start only): an infeasibility proof ends the
    solve UNKNOWN at once, unconfirmed and unexplained, instead of spending the rest of the
    time limit on a second proof and a diagnosis."""
    started = perf_counter()

    def done(status: SolveStatus, conflicts: Sequence[str] = ()) -> Solution:
        return Solution(
            (), status, ALGORITHM, conflicts=tuple(conflicts), wall_time=perf_counter() - started
        )

    causes = _check(problem)
    if causes:
        return done(SolveStatus.INVALID, causes)
    if year.takes(problem):
        # Too long and too large for one model (issue 20): window by window, never whole.
        return year.solve(
            problem,
            time_limit=time_limit - (perf_counter() - started),
            seed=seed,
            workers=workers,
            on_progress=on_progress,
            should_stop=should_stop,
            hint=hint.assignments if isinstance(hint, Solution) else hint,
            window_solve=solve,
            algorithm=ALGORITHM,
        )
    chosen: Sequence[Assignment] | None = None
    sequential = SEQUENTIAL_SHARE * time_limit  # its time; 0 once tried
    if hint is None and problem.horizon.days >= rolling.MIN_DAYS:
        # A long horizon: the whole model finds no first schedule in useful time (issue 12).
        # Before the whole model is built: on a year that alone takes seconds.
        if on_progress is not None:
            on_progress(Progress(perf_counter() - started, None, None, "start by windows"))
        chosen, sequential = _sequential(problem, sequential, should_stop), 0.0
        budget = ROLLING_SHARE * time_limit - (perf_counter() - started)
        if chosen is None:
            chosen = rolling.rolling_start(
                problem, time_limit=budget, seed=seed, should_stop=should_stop, solve=solve
            )
    log.info("checked after %.2f s", perf_counter() - started)
    # The LNS's free-day encoding, in its own model when it differs from the exact search's.
    lns_free_days = FREE_DAYS_WITH_LNS if workers >= 2 else None
    own_model = (
        LNS_OWN_MODEL
        and problem.acgme is not None
        and lns_free_days not in (None, acgme_rules.FREE_DAYS)
    )
    try:
        builder = build_model(problem, free_days=None if own_model else lns_free_days)
    except ModelDataError as exc:
        return done(SolveStatus.INVALID, [str(exc)])
    log.info("model built after %.2f s", perf_counter() - started)
    if should_stop is not None and should_stop():
        return done(SolveStatus.CANCELLED)
    if chosen is None:
        hint_budget = min(2.0, 0.1 * time_limit)
        chosen = _hint_from(
            problem,
            hint,
            time_limit=hint_budget,
            seed=seed,
            should_stop=should_stop,
            sequential_limit=sequential - (perf_counter() - started),
        )
    log.info("start schedule after %.2f s", perf_counter() - started)
    incumbent = Incumbent(started)
    if chosen:
        _use_hint(builder, incumbent, chosen, time_limit=max(0.5, 0.2 * time_limit))

    log.info("model and start ready after %.2f s", perf_counter() - started)
    remaining = time_limit - (perf_counter() - started)
    deadline = perf_counter() + remaining
    stopped = threading.Event()  # should_stop said so
    finished = threading.Event()  # the exact search returned
    report_lock = threading.Lock()

    def report(phase: str) -> None:
        if on_progress is None:
            return
        objective = incumbent.get()[0]
        with report_lock:
            on_progress(Progress(perf_counter() - started, objective, monitor.bound, phase))

    monitor = _Monitor(builder, incumbent, report)
    lns: RosterLns | None = None
    # Built once, in the LNS's thread, shared with a second LNS.
    lns_model = functools.cache(lambda: build_model(problem, free_days=lns_free_days))
    if workers >= 2 and builder.x:
        # One core for the exact search (bounds, proofs), one for rostering LNS moves.
        lns = RosterLns(
            builder,
            incumbent,
            seed=seed,
            deadline=deadline,
            stopped=threading.Event(),
            on_improve=lambda: report("lns"),
            model=lns_model if own_model else None,
        )
    exact_workers = workers - 1 if lns else workers
    fixer = fixing.Fixer(builder, incumbent) if lns is not None and fixing.ENABLED else None
    if lns is not None and fixer is not None:
        lns.narrow = fixer.narrow
    searches = [lns] if lns is not None else []  # every LNS running, for stop()

    def new_solver() -> cp_model.CpSolver:
        fresh = cp_model.CpSolver()
        configure(
            fresh,
            time_limit=deadline - perf_counter(),
            seed=seed,
            workers=exact_workers,
            constraints=len(builder.model.Proto().constraints),
        )
        fresh.best_bound_callback = monitor.on_bound
        return fresh

    proven = threading.Event()  # an LNS schedule reached the exact search's bound
    searching = threading.Event()  # the exact search runs on a model with fixings
    refix = threading.Event()  # it was stopped to restart on tighter fixings (fixing.py)
    stalled = threading.Event()  # the exact search was stopped to restart or hand over
    patience = max(STALL_MIN, STALL_SHARE * time_limit)

    def tick() -> None:
        # Polls cancellation and reports even while no new solution arrives.
        while not finished.wait(PROGRESS_PERIOD):
            if should_stop is not None and not stopped.is_set() and should_stop():
                stopped.set()
                solver.stop_search()
                for each in searches:
                    each.stop()
            objective, bound = incumbent.get()[0], monitor.bound
            if lns is not None and objective is not None:
                lns.first_found()
            if lns is not None and objective is not None and bound is not None:
                if objective <= bound + 1e-9 and not proven.is_set():
                    proven.set()
                    solver.stop_search()
                    for each in searches:
                        each.stop()
            if (
                lns is not None
                and ON_STALL != "none"
                and not stalled.is_set()
                and objective is not None
                and (monitor.own is None or objective < monitor.own)
                and (ON_STALL != "lns" or lns.improvements >= STALL_LNS_GAINS)
                and perf_counter() - monitor.moved > patience
                and deadline - perf_counter() > patience
            ):
                stalled.set()
                solver.stop_search()
            if (
                fixer is not None
                and searching.is_set()
                and not refix.is_set()
                and deadline - perf_counter() > fixing.REFIX_LEFT
                and fixer.gained()
            ):
                refix.set()
                solver.stop_search()
            report("search")

    def search() -> None:
        assert lns is not None
        if incumbent.get()[1] is None:
            # Until the first schedule, by either thread (tick() stops this one early).
            lns.first_solution(remaining, workers)
        lns.run()

    report("start")
    timer = threading.Thread(target=tick, name="cpsat-progress", daemon=True)
    helper = threading.Thread(target=search, name="cpsat-lns", daemon=True) if lns else None
    solver = new_solver()  # before the threads: tick() may stop it
    timer.start()
    if helper is not None:
        helper.start()
    try:
        if lns is not None and relaxation.wanted(problem, workers):
            # The exact search's core first runs the roster relaxation (relaxation.py).
            bound = relaxation.run(problem, builder, incumbent, time_limit=time_limit,
                                   deadline=deadline, seed=seed, on_improve=lambda: report("relax"),
                                   should_stop=lambda: stopped.is_set() or proven.is_set(),
                                   on_reduced=None if fixer is None else fixer.take,
                                   patience=patience)  # fmt: skip
            if bound is not None:
                monitor.on_bound(bound)
            if fixer is not None and fixer.reduced is not None:
                fixer.apply(builder.model)  # the exact search runs on the reduced model
                searching.set()
            solver = new_solver()
            if stopped.is_set() or proven.is_set():  # tick() stopped the solver it knew
                solver.parameters.max_time_in_seconds = 0.01
        elif (
            lns is not None
            and RELAXED_SEARCH
            and problem.acgme is not None
            and hint is None
            and incumbent.get()[1] is not None
        ):
            # Only from a start that keeps every rule and no caller's hint: without a schedule,
            # the full model's search is what finds one (a precaution for the year's hinted
            # windows; the demo year's non-compliance on this branch is not settled: the docs).
            relaxed = _relaxed_model(problem, builder, incumbent)
            if relaxed is not None:
                solver = new_solver()  # tick() stops the solver it knows: this one
                if stopped.is_set() or proven.is_set():
                    solver.parameters.max_time_in_seconds = 0.01
                monitor.relaxed = relaxed
                try:
                    relaxed_status = solver.Solve(relaxed.model, monitor)
                finally:
                    monitor.relaxed = None
                if relaxed_status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                    if solver.BestObjectiveBound() > float("-inf"):
                        monitor.on_bound(float(solver.BestObjectiveBound()))  # relaxed.py
                log.info("relaxed search: %s at %.1f s, bound %s",
                         solver.StatusName(relaxed_status), perf_counter() - started,
                         monitor.bound)  # fmt: skip
                if stopped.is_set() or proven.is_set() or stalled.is_set():
                    solver.parameters.max_time_in_seconds = 0.01
                else:  # the full model's search goes on from the best schedule
                    full = _full_for(
                        builder, incumbent, max(0.5, 0.1 * (deadline - perf_counter()))
                    )
                    if full is not None:
                        proto = builder.model.Proto()
                        proto.clear_solution_hint()
                        proto.solution_hint.vars.extend(range(len(full)))
                        proto.solution_hint.values.extend(full)
                    solver = new_solver()
        status = solver.Solve(builder.model, monitor)
        while refix.is_set() and not stopped.is_set() and not proven.is_set():
            searching.clear()
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                break
            monitor.on_bound(float(solver.BestObjectiveBound()))  # the problem's (fixing.py)
            assert fixer is not None
            log.info(
                "exact search restarted on tighter fixings at %.1f s", perf_counter() - started
            )
            fixer.apply(builder.model)
            solver = new_solver()
            refix.clear()
            searching.set()
            status = solver.Solve(builder.model, monitor)
        searching.clear()
        while stalled.is_set() and not stopped.is_set() and not proven.is_set():
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                break
            if status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                # A stopped search's bound is proved whether or not it found a schedule.
                monitor.on_bound(float(solver.BestObjectiveBound()))
            log.info("exact search stalled at %.1f s: %s", perf_counter() - started, ON_STALL)
            if ON_STALL == "lns":
                second = RosterLns(
                    builder,
                    incumbent,
                    seed=seed + 7919,
                    deadline=deadline,
                    stopped=threading.Event(),
                    on_improve=lambda: report("lns"),
                    model=lns_model if own_model else None,
                )
                if fixer is not None:
                    second.narrow = fixer.narrow
                searches.append(second)
                if not (stopped.is_set() or proven.is_set()):
                    second.run()
                break
            full = _full_for(builder, incumbent, max(0.5, 0.1 * (deadline - perf_counter())))
            if full is not None:
                proto = builder.model.Proto()
                proto.clear_solution_hint()
                proto.solution_hint.vars.extend(range(len(full)))
                proto.solution_hint.values.extend(full)
            monitor.moved = perf_counter()
            monitor.own = incumbent.get()[0]
            solver = new_solver()
            stalled.clear()
            status = solver.Solve(builder.model, monitor)
    finally:
        for each in searches:
            each.stop()
        if helper is not None:
            helper.join()
        finished.set()
        timer.join()
    for each in searches:
        log.info("LNS: %s", each.summary())
    log.info("exact search: %d solutions", monitor.solutions)
    if status == cp_model.MODEL_INVALID:
        return done(SolveStatus.INVALID, [f"CP-SAT rejected the model: {solver.StatusName()}"])
    objective, values, _ = incumbent.get()
    if status == cp_model.INFEASIBLE and values is not None:
        # A schedule that satisfies the model is known, so the proof is wrong: never report it.
        log.error("CP-SAT reported INFEASIBLE while holding a schedule; keeping the schedule")
    elif status == cp_model.INFEASIBLE and not verify:
        return done(SolveStatus.UNKNOWN)
    elif status == cp_model.INFEASIBLE:
        return _infeasible(problem, builder, started, time_limit, seed, done, report)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        monitor.on_bound(float(solver.BestObjectiveBound()))
    # After a wrong infeasibility proof the search's bound proves nothing either.
    bound = None if status == cp_model.INFEASIBLE else monitor.bound
    if values is None:
        result = SolveStatus.CANCELLED if stopped.is_set() else SolveStatus.UNKNOWN
    elif (
        status == cp_model.OPTIMAL
        or (proven.is_set() and status != cp_model.INFEASIBLE)
        or (objective is not None and bound is not None and objective <= bound + 1e-9)
    ):
        result = SolveStatus.OPTIMAL
    elif stopped.is_set():
        result = SolveStatus.CANCELLED
    else:
        result = SolveStatus.FEASIBLE
    assignments: tuple[Assignment, ...] = ()
    if values is not None:
        assignments = builder.assignments(values)
    report("done")
    return Solution(
        assignments=assignments,
        status=result,
        algorithm=ALGORITHM,
        objective=objective,
        bound=bound,
        time_to_first_feasible=incumbent.first_feasible,
        wall_time=perf_counter() - started,
    )


def _relaxed_model(problem: Problem, builder: Builder, incumbent: Incumbent) -> Builder | None:
    """RELAXED_SEARCH: the model without the ACGME rules (relaxed.py), hinted with the
    incumbent's decisions; None when its decisions are not the full model's."""
    relaxed = build_model(problem, acgme=False)
    if set(relaxed.x) != set(builder.x):
        return None
    _, values, _ = incumbent.get()
    if values is not None:
        proto = relaxed.model.Proto()
        proto.clear_solution_hint()
        for key, var in relaxed.x.items():
            proto.solution_hint.vars.append(var.Index())
            proto.solution_hint.values.append(values[key])
    return relaxed


def _infeasible(
    problem: Problem,
    builder: Builder,
    started: float,
    time_limit: float,
    seed: int,
    done: Callable[..., Solution],
    report: Callable[[str], None],
) -> Solution:
    """The exact search proved infeasibility: prove it again independently before saying so."""
    left = time_limit - (perf_counter() - started)
    verdict = proof.confirm_infeasible(
        builder, time_limit=max(1.0, proof.CONFIRM_SHARE * left), seed=seed
    )
    if verdict is not proof.Verdict.INFEASIBLE:
        # FEASIBLE would mean the first proof was wrong; either way nothing is claimed.
        log.error("CP-SAT's infeasibility proof was not confirmed (%s)", verdict.value)
        report("done")
        return done(SolveStatus.UNKNOWN)
    left = time_limit - (perf_counter() - started)
    conflicts = diagnose(problem, time_limit=max(1.0, left), seed=seed)
    report("infeasible")
    return done(SolveStatus.INFEASIBLE, conflicts)


def diagnose(problem: Problem, *, time_limit: float, seed: int = 0) -> list[str]:
    """A small set of named constraint groups that cannot hold together (see proof.py)."""
    started = perf_counter()
    builder = build_model(problem, diagnose=True)
    left = time_limit - (perf_counter() - started)
    return proof.diagnose(builder, problem, time_limit=max(1.0, left), seed=seed)
