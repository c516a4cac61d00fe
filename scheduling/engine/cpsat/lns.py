"""Rostering-aware large neighbourhood search around the CP-SAT model (workers >= 2).

CP-SAT's own LNS workers pick neighbourhoods from the constraint graph and, on a shared
two-core machine, manage a handful of calls a minute on the larger benchmark instances. Staff
rostering has natural neighbourhoods instead: re-plan a few people over the whole horizon
(their limits and runs stay intact), everybody over a few days (coverage trades between
people), the people who could fill an under-covered demand, or the people working one day.
Each move fixes every other decision to the incumbent through its domain (so presolve removes
them) in one working copy of the model (subproblem.py), hints the complete incumbent and solves
the small rest with one worker. The neighbourhood size adapts: subproblems solved to
optimality grow it, subproblems that time out shrink it (``ADAPT``).
"""

from __future__ import annotations

import logging
import random
import threading
from collections import defaultdict
from collections.abc import Callable
from time import perf_counter

from ortools.sat.python import cp_model

from .build import Builder, Key
from .neighbourhoods import KINDS, CostMap, Targets, neighbourhood
from .subproblem import Sizes, Workspace

log = logging.getLogger(__name__)

# Seconds per subproblem: enough to solve a few people's rosters exactly most of the time;
# the adaptive size keeps it so. Longer limits buy fewer, not better, moves.
SUB_TIME = 0.5
# A move's fixed cost (copy, presolve of the whole model with most of it fixed) grows with the
# model; a subproblem gets at least this many times that cost, up to MAX_SUB_TIME.
OVERHEAD_FACTOR = 4.0
MAX_SUB_TIME = 3.0
# How kinds are drawn: each kind's score is a moving average of its moves' success.
SCORE_MEMORY = 0.85
SCORE_FLOOR = 0.05
STRATEGY = "cost"  # "cost" (neighbourhoods.py) or "random" (the first version's moves)
# Completing a schedule (every decision fixed) needs propagation only, not presolve.
COMPLETE_PRESOLVE = False
# Subproblems skip presolve when it costs this many times more than a move without it.
PRESOLVE_RATIO = 2.0
# How a move's model is made: "workspace" (one working copy edited in place, subproblem.py) or
# "copy" (a fresh copy of the whole model per move, the first version).
MODEL = "workspace"
# How sizes adapt: "step" (+1 when solved to optimality, -1 when not) or "vns"
# (subproblem.Sizes: steps a share of the size, a timed-out move that improved keeps its size).
# The "vns" rule and subproblems without cuts, together, ended worse than the first version on
# Instances 8 and 12 in the side-by-side runs (docs/benchmarks.md): off.
ADAPT = "step"
# The LP's cutting planes in a subproblem. On 24 fixed neighbourhoods of one incumbent a move
# took 0.17 s without them against 0.26 s with them on Instance 8, for the same improvements;
# in whole runs (with the "vns" sizes) it did not pay, so the cuts stay.
SUB_CUTS = True
# Seconds at most to complete an incumbent found on another model (``Incumbent``) on the
# moves' own: residency L's 179k-constraint model takes about 1.7 s.
MAX_COMPLETE = 10.0


def restricted(
    base: cp_model.CpModel,
    index: dict[Key, int],
    values: dict[Key, int],
    free: set[Key],
    full: list[int] | None = None,
) -> cp_model.CpModel:
    """A copy of ``base`` with every decision outside ``free`` fixed to ``values`` (through its
    domain, so presolve removes it), hinted with the whole solution ``full`` when known.

    A hint of the decisions alone is not enough: CP-SAT's hint search guesses the auxiliary
    variables and, on the larger instances, often fails to rebuild the hinted schedule at all.
    """
    model = base.clone()
    proto = model.Proto()
    proto.clear_solution_hint()
    variables = proto.variables
    hint_vars: list[int] = []
    hint_values: list[int] = []
    for key, i in index.items():
        v = values[key]
        if full is None:
            hint_vars.append(i)
            hint_values.append(v)
        if key not in free:
            domain = variables[i].domain
            domain.clear()
            domain.extend((v, v))
    if full is not None:
        hint_vars, hint_values = list(range(len(full))), full
    proto.solution_hint.vars.extend(hint_vars)
    proto.solution_hint.values.extend(hint_values)
    return model


def complete(
    builder: Builder, values: dict[Key, int], time_limit: float
) -> tuple[float, list[int]] | None:
    """The objective and the value of every model variable for a schedule given by its
    decisions, or None when the schedule breaks the model (or the time runs out)."""
    index = {key: var.Index() for key, var in builder.x.items()}
    model = restricted(builder.model, index, values, set())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    # Every decision is fixed: propagation finds the rest, no presolve and no LP needed (on the
    # L scenario 0.43 s of CP-SAT instead of 0.77 s, measured at load 3.7).
    solver.parameters.cp_model_presolve = COMPLETE_PRESOLVE
    solver.parameters.linearization_level = 0
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver.ObjectiveValue(), list(solver.ResponseProto().solution)


class Incumbent:
    """The best schedule found by any search thread, shared under a lock.

    ``full`` (every model variable) belongs to one model: the solve's own (``model`` None) or
    another encoding of the same decisions (an LNS's workspace model, named by its builder);
    a reader gets it only for the model it asks for, else None (it completes the decisions on
    its own model, ``complete``)."""

    def __init__(self, started: float) -> None:
        self.lock = threading.Lock()
        self.started = started
        self.objective: float | None = None
        self.values: dict[Key, int] | None = None
        self.full: list[int] | None = None  # every variable of ``full_model``, when known
        self.full_model: object = None
        self.first_feasible: float | None = None
        self.version = 0

    def offer(
        self,
        objective: float,
        values: dict[Key, int],
        full: list[int] | None = None,
        model: object = None,
    ) -> bool:
        with self.lock:
            if self.first_feasible is None:
                self.first_feasible = perf_counter() - self.started
            if self.objective is not None and objective >= self.objective:
                return False
            self.objective, self.values, self.full = objective, values, full
            self.full_model = model
            self.version += 1
            return True

    def get(self) -> tuple[float | None, dict[Key, int] | None, int]:
        with self.lock:
            return self.objective, self.values, self.version

    def _full(self, model: object) -> list[int] | None:
        return self.full if self.full_model is model else None

    def full_solution(self, model: object = None) -> list[int] | None:
        with self.lock:
            return self._full(model)

    def snapshot(
        self, model: object = None
    ) -> tuple[float | None, dict[Key, int] | None, list[int] | None, int]:
        """Objective, decisions, every variable (of ``model``) and version of one incumbent,
        read together."""
        with self.lock:
            return self.objective, self.values, self._full(model), self.version


class RosterLns:
    def __init__(
        self,
        builder: Builder,
        incumbent: Incumbent,
        *,
        seed: int,
        deadline: float,
        stopped: threading.Event,
        on_improve: Callable[[], None],
        model: Callable[[], Builder] | None = None,
    ) -> None:
        """``model``: builds the model the moves solve, another encoding of ``builder``'s
        decisions (the same keys), in the LNS's own thread when it starts (``prepare``);
        None: ``builder``'s model."""
        self.b = builder
        self.make_model = model
        self.model_builder: Builder | None = None  # whose model the moves solve, once prepared
        self.tag: object = None  # the incumbent's name for that model (None: the solve's own)
        self.base = cp_model.CpModel()
        self.index: dict[Key, int] = {}
        self.work: Workspace | None = None
        self.completed: tuple[int, list[int] | None] | None = None  # (version, its variables)
        self.people = sorted({k[0] for k in builder.x})
        self.keys_of: dict[str, list[Key]] = defaultdict(list)
        for key in builder.x:
            self.keys_of[key[0]].append(key)
        # Demands with a target: (target, the decisions that count toward it).
        self.cells: list[tuple[int, list[Key]]] = []
        for demand in builder.problem.demands:
            if demand.target > 0 and demand.under_weight > 0:
                keys = [
                    (p.id, demand.day, demand.shift)
                    for p in builder.problem.people
                    if (p.id, demand.day, demand.shift) in builder.x
                    and demand.eligibility.admits(p)
                ]
                self.cells.append((demand.target, keys))
        self.incumbent = incumbent
        self.rng = random.Random(seed)
        self.deadline = deadline
        self.stopped = stopped
        self.on_improve = on_improve
        self.current: cp_model.CpSolver | None = None
        self.searching_first = False
        self.sizes = Sizes(
            len(self.people),
            builder.days,
            size=max(2, len(self.people) // 8),  # people freed per move
            span=max(2, builder.days // 7),  # days freed per all-staff move
        )
        self.improvements = 0  # moves that improved the incumbent
        self.targets = Targets(builder)
        self.costs: tuple[int, CostMap] | None = None  # (incumbent version, its cost map)
        self.score = dict.fromkeys(KINDS, 1.0)
        self.sub_time = SUB_TIME
        self.presolve = True
        # Leaves decisions out of a move's free ones (fixing.py: reduced-cost fixing).
        self.narrow: Callable[[set[Key]], set[Key]] | None = None
        # kind -> [moves, improving moves, objective gained, seconds]
        self.stats: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
        if model is None:
            self.prepare()

    def prepare(self) -> None:
        """Build (once) the model the moves solve and its working copy."""
        if self.model_builder is not None:
            return
        began = perf_counter()
        own = self.b if self.make_model is None else self.make_model()
        self.base = own.model.clone()
        self.base.Proto().clear_solution_hint()
        self.index = {key: var.Index() for key, var in own.x.items()}
        self.work = Workspace(self.base, self.index) if MODEL == "workspace" else None
        self.tag = None if own is self.b else own
        self.model_builder = own
        if own is not self.b:
            log.info(
                "LNS model of its own: %d constraints, ready in %.2f s",
                len(self.base.Proto().constraints),
                perf_counter() - began,
            )

    def _own_full(
        self, values: dict[Key, int], full: list[int] | None, version: int
    ) -> list[int] | None:
        """Every variable of the moves' model for the incumbent ``version``: its own when the
        incumbent came from this model, else the decisions completed on it (once a version;
        None when that fails: the moves then hint the decisions alone)."""
        if full is not None or self.tag is None:
            return full
        if self.completed is None or self.completed[0] != version:
            assert self.model_builder is not None
            began = perf_counter()
            done = complete(self.model_builder, values, min(MAX_COMPLETE, self._left()))
            self.completed = (version, None if done is None else done[1])
            log.info("LNS: incumbent %d completed on its model in %.2f s: %s",
                     version, perf_counter() - began, done is not None)  # fmt: skip
        return self.completed[1]

    @property
    def size(self) -> int:
        return self.sizes.size

    @property
    def days(self) -> int:
        return self.sizes.days

    def stop(self) -> None:
        self.stopped.set()
        solver = self.current
        if solver is not None:
            solver.stop_search()

    def _left(self) -> float:
        return self.deadline - perf_counter()

    def first_solution(self, time_limit: float, workers: int) -> None:
        """A feasible start: CP-SAT's portfolio (feasibility jump, LNS) on all workers, before
        the exact search starts, as one-worker tree search can take long to find one."""
        if self.stopped.is_set():
            return
        self.prepare()
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = max(0.01, min(time_limit, self._left()))
        solver.parameters.stop_after_first_solution = True
        self.current = solver
        self.searching_first = True
        if not self.stopped.is_set():
            status = solver.Solve(self.base)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                self._take(solver)
        self.searching_first = False
        self.current = None

    def first_found(self) -> None:
        """The exact search found a schedule: the first-solution phase can end."""
        solver = self.current
        if self.searching_first and solver is not None:
            solver.stop_search()

    def _take(self, solver: cp_model.CpSolver) -> None:
        solution = list(solver.ResponseProto().solution)
        values = {key: solution[i] for key, i in self.index.items()}
        if self.incumbent.offer(solver.ObjectiveValue(), values, solution, self.tag):
            self.on_improve()

    def _neighbourhood(self, values: dict[Key, int]) -> tuple[str, set[Key]]:
        kind = self.rng.choice(("people", "gap", "gap", "days", "costly"))
        if kind == "gap":
            # An under-covered demand: free people who could fill it but are off that day,
            # plus a few at random to absorb the knock-on changes of their runs and totals.
            short = [keys for target, keys in self.cells if sum(values[k] for k in keys) < target]
            if short:
                keys = self.rng.choice(short)
                idle = sorted(
                    {
                        k[0]
                        for k in keys
                        if not any(
                            values.get((k[0], k[1], s), 0) for s in self.b.shifts_of[(k[0], k[1])]
                        )
                    }
                )
                chosen = set(self.rng.sample(idle, min(len(idle), max(1, self.size - 1))))
                while len(chosen) < min(self.size + 1, len(self.people)):
                    chosen.add(self.rng.choice(self.people))
                return kind, {k for p in chosen for k in self.keys_of[p]}
            kind = "people"
        if kind == "days":
            start = self.rng.randrange(max(1, self.b.days - self.days + 1))
            span = range(start, start + self.days)
            # A couple of whole rosters too, so runs crossing the window's edges can move.
            extra = set(self.rng.sample(self.people, min(2, len(self.people))))
            return kind, {k for k in self.b.x if k[1] in span or k[0] in extra}
        if kind == "costly":
            # People working on one random day: the ones whose swaps fix that day's cover.
            day = self.rng.randrange(self.b.days)
            busy = sorted({k[0] for k, v in values.items() if v and k[1] == day})
            chosen = set(self.rng.sample(busy, min(len(busy), self.size)))
            while len(chosen) < min(self.size + 1, len(self.people)):
                chosen.add(self.rng.choice(self.people))
            return kind, {k for p in chosen for k in self.keys_of[p]}
        chosen = set(self.rng.sample(self.people, min(self.size, len(self.people))))
        return kind, {k for p in chosen for k in self.keys_of[p]}

    def _solver(self, time_limit: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = self.rng.randrange(1 << 30)
        p.linearization_level = 2
        p.add_lp_constraints_lazily = False
        p.max_time_in_seconds = max(0.01, min(time_limit, self._left()))
        p.cp_model_presolve = self.presolve
        if not SUB_CUTS:
            p.add_cg_cuts = False
            p.add_mir_cuts = False
            p.add_zero_half_cuts = False
            p.add_clique_cuts = False
        return solver

    def _fixed_move(self, values: dict[Key, int], full: list[int] | None) -> float:
        """Seconds for one move with nothing free: the fixed cost every subproblem pays."""
        began = perf_counter()
        if self.work is not None:
            model = self.work.prepare(values, set(), full, None)
        else:
            model = restricted(self.base, self.index, values, set(), full)
        solver = self._solver(MAX_SUB_TIME)
        self.current = solver
        solver.Solve(model)
        self.current = None
        return perf_counter() - began

    def _overhead(self, values: dict[Key, int], full: list[int] | None) -> None:
        """Decide by measurement how subproblems are solved. Presolve pays on the benchmark's
        run rules, but on a large model (ACGME windows) presolving the whole copy, most of it
        fixed, costs several times more than the move's search: then it is skipped. The
        subproblem limit is a multiple of what remains."""
        self.presolve = True
        with_presolve = self._fixed_move(values, full)
        self.presolve = False
        without = self._fixed_move(values, full)
        self.presolve = not (with_presolve > PRESOLVE_RATIO * without and with_presolve > 0.1)
        cost = with_presolve if self.presolve else without
        self.sub_time = min(MAX_SUB_TIME, max(SUB_TIME, OVERHEAD_FACTOR * cost))
        log.info(
            "LNS move overhead %.3f s with presolve, %.3f s without: presolve %s, "
            "subproblem limit %.2f s",
            with_presolve,
            without,
            self.presolve,
            self.sub_time,
        )

    def _pick(self, values: dict[Key, int], version: int) -> tuple[str, set[Key]]:
        if STRATEGY == "random":
            return self._neighbourhood(values)
        if self.costs is None or self.costs[0] != version:
            self.costs = (version, CostMap(self.targets, values))
        kinds = list(KINDS)
        kind = self.rng.choices(kinds, [max(SCORE_FLOOR, self.score[k]) for k in kinds])[0]
        used, free = neighbourhood(
            kind, self.targets, self.costs[1], values, self.rng, self.size, self.days
        )
        return used, free

    def run(self) -> None:
        if self.stopped.is_set():  # before a build of its own model (seconds on a large one)
            return
        self.prepare()
        measured = False
        while not self.stopped.is_set() and self._left() > 0.05:
            objective, values, full, version = self.incumbent.snapshot(self.tag)
            if values is None:
                if self.stopped.wait(0.05):
                    return
                continue
            full = self._own_full(values, full, version)
            if not measured:
                measured = True
                self._overhead(values, full)
                continue
            began = perf_counter()
            kind, free = self._pick(values, version)
            if self.narrow is not None:
                free = self.narrow(free)
            if self.work is not None:
                model = self.work.prepare(values, free, full, version)
            else:
                model = restricted(self.base, self.index, values, free, full)
            solver = self._solver(self.sub_time)
            self.current = solver
            if self.stopped.is_set():
                return
            status = solver.Solve(model)
            self.current = None
            gain = 0.0
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if objective is None or solver.ObjectiveValue() < objective:
                    gain = (objective or 0.0) - solver.ObjectiveValue()
                    self._take(solver)
                    self.improvements += 1
            self._adapt(kind, status == cp_model.OPTIMAL, gain > 0)
            self._record(kind, gain, perf_counter() - began)

    def _record(self, kind: str, gain: float, seconds: float) -> None:
        row = self.stats[kind]
        row[0] += 1
        row[1] += gain > 0
        row[2] += gain
        row[3] += seconds
        if kind in self.score:
            self.score[kind] = SCORE_MEMORY * self.score[kind] + (1 - SCORE_MEMORY) * (gain > 0)

    def summary(self) -> str:
        return (
            ", ".join(
                f"{k}: {int(r[0])} moves, {int(r[1])} better, -{r[2]:.0f}, {r[3]:.1f} s"
                for k, r in sorted(self.stats.items())
            )
            + f"; sizes at the end: {self.size} people, {self.days} days"
        )

    def _adapt(self, kind: str, solved: bool, improved: bool) -> None:
        if ADAPT == "vns":
            self.sizes.update(kind, solved, improved)
            return
        s = self.sizes
        if kind in ("days", "window"):
            s.days = min(self.b.days, s.days + 1) if solved else max(1, s.days - 1)
        else:
            s.size = min(len(self.people), s.size + 1) if solved else max(1, s.size - 1)
