"""The roster-pattern relaxation (``scheduling/engine/colgen``) as a primal heuristic on the
solve path: with 2+ workers, before the exact search starts, its core runs column generation,
then price and dive, then the restricted master IP (in a child process, colgen/worker.py, so
it does not share the interpreter lock with the LNS), while the LNS (lns.py) runs on the other
core from CP-SAT's first schedule. Every roster the relaxation finds (valid by the validator)
is completed to the whole model and offered to the shared incumbent as soon as it is found, so
the LNS continues from the better schedule; its bound raises the search's when higher. When
the dive's LP rises (colgen/dive.py), the cells it had fixed before are completed by CP-SAT
over all the others (``finish``), searched again with every decision of the days around the
completion's cover shortfalls freed too, and offered the same way.

Only where it pays (``MODE``): on problems whose every person's pricing DP is exact (the shift
benchmark's rules: one column is one valid roster, and the LP is tight). On the residency
scenarios the DP relaxes the ACGME windows, the roster bound is weaker than CP-SAT's (M) or
little better, and price and branch never beat CP-SAT's schedule (docs/benchmarks.md, issue
20), while the exact search is what improves M: there it keeps its core, as before.
"""

from __future__ import annotations

import logging
import math
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from ..model import Assignment, Problem
from .build import Builder, Key
from .lns import Incumbent, complete, restricted
from .neighbourhoods import CostMap, Targets

if TYPE_CHECKING:
    from ..colgen.fixing import Reduced

log = logging.getLogger(__name__)

MODE = "exact"  # "exact": when every pricing DP is exact; "always"; "off"
# Where it stops paying follows what a round costs, not the problem's size: the child gives its
# core back (colgen.relax's ``min_rounds``) when its first round of column generation (the
# master's LP solve and every person's pricing) shows that its share affords fewer than
# MIN_ROUNDS rounds like it. Later rounds cost up to twice the first (the master grows), and
# column generation converged in 17-31 rounds where it paid. Standalone, 30 s, load 5 (first
# round; rounds to converge): Instance 12 0.31 s, 31; synthetic 60x10x4 0.23 s, 20; 120x10x4
# 0.33 s, 17 (solve at 60 s, load 5: 12093 with bound 9673 against 11989 / 328 without);
# 120x18x4 1.0-1.4 s, 25 rounds in 66 s (solve: 17109 with it against 16695 without); 120x10x8
# 1.4 s, not in 30 s; 60x18x8 about 18 s before its first round ended (counter axes); 120x18x12
# 2.6 s (quiet: 65951 with it against 58670 without). The bare size rule this replaces (at most
# 20,000 people x days x types) kept 120x10x4 (33,600) out and would let a small instance with
# an expensive DP in.
MIN_ROUNDS = 40
# Shares of the time limit: column generation (it stops earlier once converged), then the dive
# and the IP (``DIVE_SHARE`` of that second part to the dive).
CG_SHARE = 0.5
POLISH_SHARE = 0.2
DIVE_SHARE = 0.75
SMOOTHING = 0.5  # the benchmark's (colgen.relax: fewer rounds than 0.8 on Instances 5-7)
COMPLETE_LIMIT = 5.0  # seconds to complete a roster to every model variable
# Seconds for the exact search over the cells the dive left free when its LP rose (colgen/
# dive.py's ``on_rise``; after the child has ended; 0: off). Instance 8 (load 4.8): 1405 and 1406, each proved optimal
# for its fixings in under 3 s, where the dive itself ended at 1500-1700.
FIXINGS_LIMIT = 8.0
# Then seconds for the same search from the completed schedule with every decision within
# SPREAD days of a demand it leaves short freed too (``finish``'s ``release_limit``; 0: off).
# Instance 8 (a /tmp harness, quiet, 8 s each): the rise's fixings completed to 1408 (optimal
# for them, 1.4 s); freed +-1 day around its 7 short days, 1306 in 8 s; +-2 and +-3 days (1796,
# 2036 decisions free of 2520), no better than 1408 in 8 s. The fixings of 1-5 rounds before the
# rise (fewer cells fixed) completed to 1407, 1404, 1404, 1404, 1398 in 2.8-7.4 s: not kept.
RELEASE_LIMIT = 8.0
SPREAD = 1
# The restricted master IP gets at most the solve's stall patience (``run``'s ``patience``)
# instead of everything column generation left unused. Where column generation converges early
# the IP held the exact search's core for the rest of the relaxation's shares and gave nothing
# the LNS had not: Instance 7 (logged, 60 s, 2 workers) 33 s of IP ending at 1275 against the
# shared 1075, Instance 9 26 s and nothing (its 439 is the dive's). False: as before.
IP_PATIENCE = True
GRACE = 3.0  # seconds past its limits the child may take (start-up, the last round)
POLL = 0.2  # seconds between should_stop polls while waiting for the child
ROOT = Path(__file__).resolve().parents[3]  # the project, where ``scheduling`` imports from


def wanted(problem: Problem, workers: int) -> bool:
    """Whether the relaxation runs first on this problem (``MODE``; 2+ workers only)."""
    if workers < 2 or MODE == "off":
        return False
    if MODE == "always":
        return True
    from ..colgen import exact_relaxation

    return exact_relaxation(problem)


def offer(
    builder: Builder, incumbent: Incumbent, schedule: Sequence[Assignment], time_limit: float
) -> bool:
    """Hand a schedule to the incumbent (completed to every model variable); False when it
    breaks the model or is no better."""
    picked = {(a.person, a.day, a.shift) for a in schedule}
    values = {key: int(key in picked) for key in builder.x}
    if len(picked) != sum(values.values()):
        log.warning("relaxation roster has assignments the model does not know; not offered")
        return False
    full = complete(builder, values, time_limit)
    if full is None:
        log.warning("relaxation roster breaks the model; not offered")
        return False
    return incumbent.offer(full[0], values, full[1])


def finish(
    builder: Builder,
    incumbent: Incumbent,
    cells: Sequence[tuple[str, int]],
    schedule: Sequence[Assignment],
    time_limit: float,
    should_stop: Callable[[], bool] = lambda: False,
    release_limit: float = 0.0,
    until: float = math.inf,
) -> float | None:
    """The best schedule keeping the dive's fixed (person, day) ``cells`` as in ``schedule``,
    by CP-SAT over every other decision for up to ``time_limit`` seconds (one worker, ended
    early when ``should_stop`` says so); then, for up to ``release_limit`` seconds, the same
    search from that schedule with every decision within ``SPREAD`` days of a demand it leaves
    short freed too (``released``; never past ``until``, a ``perf_counter`` time). The best is offered to the incumbent; its objective (None
    when none was found or it was no better)."""
    fixed = set(cells)
    picked = {(a.person, a.day, a.shift) for a in schedule}
    values = {key: int(key in picked) for key in builder.x}
    free = {key for key in builder.x if (key[0], key[1]) not in fixed}
    index = {key: var.Index() for key, var in builder.x.items()}
    found = _search(builder, index, values, free, None, time_limit, should_stop)
    log.info("the dive's %d fixed cells completed: %s", len(fixed), found and found[0])
    if found is None:
        return None
    release_limit = min(release_limit, until - perf_counter())
    if release_limit > 0 and not should_stop():
        wider = free | released(builder, found[1])
        if len(wider) > len(free):
            better = _search(builder, index, found[1], wider, found[2], release_limit, should_stop)
            log.info("released around its shortfalls (%d more decisions free): %s",
                     len(wider) - len(free), better and better[0])  # fmt: skip
            if better is not None and better[0] < found[0]:
                found = better
    objective, best, full = found
    if not incumbent.offer(objective, best, full):
        return None
    return objective


def released(builder: Builder, values: dict[Key, int]) -> set[Key]:
    """Every decision within ``SPREAD`` days of a day where ``values`` leave a demand short of
    its target (the cost's own decomposition, neighbourhoods.CostMap)."""
    short = {demand.day for _, under, demand, _ in CostMap(Targets(builder), values).cells if under}
    days = {d for day in short for d in range(day - SPREAD, day + SPREAD + 1)}
    return {key for key in builder.x if key[1] in days}


def _search(
    builder: Builder,
    index: dict[Key, int],
    values: dict[Key, int],
    free: set[Key],
    full: list[int] | None,
    time_limit: float,
    should_stop: Callable[[], bool],
) -> tuple[float, dict[Key, int], list[int]] | None:
    """CP-SAT (one worker) over the ``free`` decisions, the others fixed to ``values``, hinted
    with ``full`` when given: (objective, decisions, every variable), None if none found."""
    model = restricted(builder.model, index, values, free, full)
    if full is None:
        model.Proto().clear_solution_hint()  # the fixings and the incumbent disagree
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.linearization_level = 2
    done = threading.Event()

    def watch() -> None:
        while not done.wait(POLL):
            if should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name="relaxation-fixings", daemon=True)
    watcher.start()
    try:
        status = solver.Solve(model)
    finally:
        done.set()
        watcher.join()
    log.info("%d free decisions: %s in %.1f s", len(free), solver.StatusName(status),
             solver.WallTime())  # fmt: skip
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = list(solver.ResponseProto().solution)
    return solver.ObjectiveValue(), {key: solution[i] for key, i in index.items()}, solution


def run(
    problem: Problem,
    builder: Builder,
    incumbent: Incumbent,
    *,
    time_limit: float,
    deadline: float,
    seed: int,
    should_stop: Callable[[], bool],
    on_improve: Callable[[], None],
    on_reduced: Callable[[Reduced], None] | None = None,
    patience: float = math.inf,
) -> float | None:
    """The relaxation until at most ``(CG_SHARE + POLISH_SHARE) * time_limit`` from now (never
    past ``deadline``), in a child process (colgen/worker.py), then up to ``FIXINGS_LIMIT``
    seconds completing the dive's fixings (``finish``); returns its lower bound (None if none).
    Ends the child early when ``should_stop`` says so. ``on_reduced``: called with the
    relaxation's reduced costs (colgen/fixing.py) when they come. ``patience``: the restricted
    master IP's seconds at most (colgen.relax's ``ip_patience``), whatever column generation
    left unused: the solve's stall patience (run.py), the time it gives a search that finds
    nothing before handing its core on."""
    left = deadline - perf_counter()
    cg = min(CG_SHARE * time_limit, left)
    polish = max(0.0, min(POLISH_SHARE * time_limit, left - cg))
    options = dict(time_limit=cg, ip_time_limit=polish, seed=seed, smoothing=SMOOTHING,
                   dive_share=DIVE_SHARE, min_rounds=MIN_ROUNDS,
                   ip_patience=patience if IP_PATIENCE else math.inf)  # fmt: skip
    until = perf_counter() + cg + polish + GRACE
    child = subprocess.Popen(
        [sys.executable, "-m", "scheduling.engine.colgen.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert child.stdin is not None and child.stdout is not None
    bound: float | None = None
    messages: queue.Queue[tuple] = queue.Queue()
    fixings: tuple | None = None  # the dive's ("fixings", cells, assignments), when its LP rose

    def read() -> None:  # blocking reads in a thread: no frame is left unseen in a buffer
        stream = child.stdout
        assert stream is not None
        try:
            while True:
                messages.put(pickle.load(stream))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            messages.put(("end",))

    reader = threading.Thread(target=read, name="relaxation-reader", daemon=True)
    try:
        child.stdin.write(pickle.dumps((problem, options)))
        child.stdin.close()
        reader.start()
        while perf_counter() < until and not should_stop():
            try:
                message = messages.get(timeout=POLL)
            except queue.Empty:
                continue
            if message[0] == "end":
                log.warning("relaxation process ended without a result")
                break
            if message[0] == "bound":
                bound = float(message[1])
                continue
            if message[0] == "reduced":
                if on_reduced is not None:
                    on_reduced(message[1])
                continue
            if message[0] == "fixings":
                fixings = message  # completed once the child has ended: no third busy process
                continue
            if message[0] == "roster":
                _, schedule, objective = message
                if offer(builder, incumbent, schedule, COMPLETE_LIMIT):
                    log.info("relaxation roster %.0f offered to the incumbent", objective)
                    on_improve()
                continue
            result = message[1]
            if result.gave_up:
                log.info("relaxation gave its core back after %d rounds in %.1f s: its share "
                         "affords fewer than %d rounds", result.iterations, result.wall,
                         MIN_ROUNDS)  # fmt: skip
            log.info(
                "relaxation: bound %s (%s, %d rounds), roster %s, %.1f s, %.1f CPU s",
                result.bound,
                "converged" if result.converged else "not converged",
                result.iterations,
                result.objective,
                result.wall,
                result.cpu,
            )
            if result.bound is not None:
                bound = float(result.bound)
            break
    except OSError:  # the child died before reading its input: the solve goes on without it
        log.exception("relaxation process failed")
    finally:
        if child.poll() is None:
            child.kill()  # our own child, by its handle
        child.wait()
        if reader.is_alive():
            reader.join()
        child.stdout.close()
    if fixings is not None and FIXINGS_LIMIT > 0 and not should_stop():
        _, cells, schedule = fixings
        limit = min(FIXINGS_LIMIT, deadline - perf_counter())
        if (
            finish(builder, incumbent, cells, schedule, limit, should_stop, RELEASE_LIMIT, deadline)
            is not None
        ):
            on_improve()
    return bound
