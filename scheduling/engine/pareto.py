"""Alternative schedules on a Pareto front of objectives a coordinator recognises.

Objectives (all minimised, each the validator's own penalty terms, model.py):

* ``coverage``: weighted shortfall below and excess above each demand's target;
* ``fairness``: weighted spread (max - min) of call, night and weekend counts in each group;
* ``requests``: weight of the ON requests not met and the OFF requests broken;
* ``changes``: assignments of the current schedule (Problem.baseline) dropped, when it has one.

Method: augmented epsilon-constraint on the MIP model of mip.py (HiGHS). Each point minimises
one *primary* objective (weight 1000) plus the others (weight 1, so no point is weakly dominated),
subject to ``objective <= epsilon`` for the swept ones. The payoff table (one anchor per
objective, each started from the current or a greedy schedule) gives each objective's range; a
grid of epsilons over two swept objectives gives the rest, each grid solve started from an
anchor that already meets its bounds. The MIP model is used rather than CP-SAT because it keeps
the objective by part (``Model.parts``), so bounding one part is one row; the CP-SAT model
builds one combined objective inside the cpsat package. A CP-SAT epsilon variant was not
built. pymoo's NSGA-II seeded with these schedules was measured against this method
(benchmarks/pareto_nsga.py; figures in docs/benchmarks.md): it is not part of the app.

Every point is one call of ``solve_point(problem, bounds, seed)``: pure, picklable arguments,
so the grid fans out over processes here (``front``) or, in the app, one Celery task per point
(analytics/services.py runs the same steps: ``plan_for``, anchors, ``grid_bounds``,
``front_indices``). Every schedule is re-checked by the validator; only valid schedules (no
critical or high violation) enter the front. The hypervolume is measured against a stated
reference point: by default the worst value of each objective over the front, plus one (so
every point contributes volume).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pulp

from .model import Assignment, Problem, SolveStatus
from .validator import Report, validate

OBJECTIVES = ("coverage", "fairness", "requests", "changes")
# Weight of the primary objective against 1 for each other one. The MIP stops at an absolute
# gap below 1 (the objective is integral), so the others must keep integral weights to be
# optimised at all: a 1e-3 augmentation sat inside that gap and left fairness 3 above its best.
PRIMARY_WEIGHT = 1000.0
ANCHOR_SHARE = 0.5  # of the time limit for the payoff table (fast anchors return early)


@dataclass(frozen=True)
class Summary:
    """The validator's verdict on one schedule."""

    valid: bool
    hard: int
    objective: float
    penalties: Mapping[str, float]
    rules: Mapping[str, int]

    @classmethod
    def of(cls, report: Report) -> Summary:
        return cls(report.is_valid, len(report.hard), report.objective, dict(report.penalties),
                   dict(report.rules()))  # fmt: skip


@dataclass(frozen=True)
class Point:
    objectives: tuple[float, ...]  # in the order of Front.names
    assignments: tuple[Assignment, ...]
    report: Summary
    primary: str
    bounds: Mapping[str, float]
    status: SolveStatus
    seed: int
    wall_time: float


@dataclass(frozen=True)
class Front:
    names: tuple[str, ...]
    points: tuple[Point, ...]  # valid and mutually non-dominated, sorted by objectives
    reference: tuple[float, ...]  # hypervolume reference point (minimisation)
    hypervolume: float
    evaluated: int  # epsilon solves run
    wall_time: float
    rejected: int = 0  # schedules the validator rejected or that were dominated
    notes: tuple[str, ...] = field(default_factory=tuple)


def objective_names(problem: Problem) -> tuple[str, ...]:
    names: tuple[str, ...] = ("coverage", "fairness", "requests")
    if problem.baseline and problem.change_weight:
        names += ("changes",)
    return names


def vector(report: Report, names: Sequence[str]) -> tuple[float, ...]:
    """A schedule's objectives, from the validator's penalty terms."""
    p = report.penalties
    values = {
        "coverage": p["coverage_under"] + p["coverage_over"],
        "fairness": p["fairness"],
        "requests": p["requests_on"] + p["requests_off"],
        "changes": p["changes"],
    }
    return tuple(values[n] for n in names)


def solve_point(
    problem: Problem,
    bounds: Mapping[str, float],
    seed: int = 0,
    *,
    primary: str = "coverage",
    names: Sequence[str] | None = None,
    time_limit: float = 8.0,
    hint: Sequence[Assignment] = (),
) -> Point | None:
    """One epsilon-constraint solve: minimise ``primary`` (+ a little of the others) with
    every objective in ``bounds`` at most its bound. None when no schedule was found.
    ``hint`` is a MIP start (ignored by HiGHS when it breaks a bound)."""
    from . import mip

    began = time.monotonic()
    names = tuple(names or objective_names(problem))
    model = mip.Model(problem)
    for name, epsilon in bounds.items():
        # Objectives are integral: the bound applies to the part plus its constant offset.
        model.row(model.parts[name], -1, math.floor(epsilon + 1e-9) - model.offsets[name], None)
    terms: dict[pulp.LpVariable, float] = {}
    for name in names:
        weight = PRIMARY_WEIGHT if name == primary else 1.0
        for var, coefficient in model.parts[name]:
            terms[var] = terms.get(var, 0.0) + weight * coefficient
    model.lp.setObjective(pulp.LpAffineExpression(list(terms.items())))
    watch = mip.Watch(began, None, None)
    left = time_limit - (time.monotonic() - began)
    chosen = {(a.person, a.day, a.shift) for a in hint}
    start = [(v, float(k in chosen)) for k, v in model.x.items()] if chosen else []
    model.lp.solve(mip.solver_for(left, seed, 1, None, start))
    status, found, _ = mip.outcome(model, watch)
    if not found:
        return None
    assignments = model.assignments()
    report = validate(problem, assignments)
    return Point(vector(report, names), assignments, Summary.of(report), primary, dict(bounds),
                 status, seed, time.monotonic() - began)  # fmt: skip


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )


def non_dominated(points: Sequence[Point]) -> list[Point]:
    """Valid points no other valid point dominates, one per objective vector."""
    valid = [p for p in points if p.report.valid]
    unique = {p.objectives: p for p in sorted(valid, key=lambda p: p.wall_time, reverse=True)}
    kept = [p for p in unique.values()
            if not any(dominates(q.objectives, p.objectives) for q in unique.values())]  # fmt: skip
    return sorted(kept, key=lambda p: p.objectives)


def front_indices(vectors: Sequence[Sequence[float] | None]) -> list[int]:
    """Indices of the vectors no other dominates, the first of each repeated vector (None: no
    valid schedule there). The app's studies keep vectors, not ``Point`` objects."""
    first: dict[tuple[float, ...], int] = {}
    for i, v in enumerate(vectors):
        if v is not None:
            first.setdefault(tuple(v), i)
    return sorted(i for v, i in first.items() if not any(dominates(u, v) for u in first))


def hypervolume(vectors: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Volume dominated by ``vectors`` and bounded by ``reference`` (minimisation), by slicing
    along the last objective (exact; fine for the tens of points a front has)."""
    inside = [tuple(v) for v in vectors if all(a < r for a, r in zip(v, reference, strict=True))]
    if not inside:
        return 0.0
    if len(reference) == 1:
        return float(reference[0] - min(v[0] for v in inside))
    inside.sort(key=lambda v: v[-1])
    volume = 0.0
    for i, v in enumerate(inside):
        top = inside[i + 1][-1] if i + 1 < len(inside) else reference[-1]
        if top > v[-1]:
            volume += (top - v[-1]) * hypervolume([u[:-1] for u in inside[: i + 1]], reference[:-1])
    return volume


def epsilon_grid(
    sweep: Sequence[str],
    low: Mapping[str, float],
    high: Mapping[str, float],
    steps: Sequence[int],
) -> list[dict[str, float]]:
    """Bounds on the swept objectives: ``steps`` integer values from the ideal up to (not
    including) the payoff table's worst, which the anchors themselves cover. Levels an axis
    cannot use (a narrow range) go to the first axis, so the grid keeps its size."""

    def levels(name: str, n: int) -> list[float]:
        lo, hi = low[name], high[name]
        return sorted({float(math.floor(lo + (hi - lo) * k / n)) for k in range(n)})

    axes = [levels(name, n) for name, n in zip(sweep, steps, strict=True)]
    others = math.prod(len(a) for a in axes[1:])
    if axes and len(axes[0]) * others < math.prod(steps):
        axes[0] = levels(sweep[0], math.prod(steps) // max(1, others))
    return [dict(zip(sweep, combo, strict=True)) for combo in itertools.product(*axes)]


def default_plan(names: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """(primary, swept objectives). With a current schedule the coordinator's question is
    "how few changes buy how much fairness and how many requests", so changes is minimised;
    without one, coverage. Two swept axes keep the grid within a minute on two cores; the
    objective left over still moves through the augmentation term."""
    if "changes" in names:
        return "changes", ("fairness", "requests")
    return "coverage", ("fairness", "requests")


@dataclass(frozen=True)
class Plan:
    """What a front solves: the objectives, the swept ones and their levels, and the objective
    each grid point minimises (``primaries``: every one of them at every level; by default only
    ``primary``). The steps below (anchors, then the grid from the anchors' ranges, then the
    front) are what ``front`` runs in processes and the app runs as one Celery task per point
    (analytics/services.py)."""

    names: tuple[str, ...]
    primary: str
    sweep: tuple[str, ...]
    steps: tuple[int, ...]
    primaries: tuple[str, ...] = ()

    @property
    def grid_primaries(self) -> tuple[str, ...]:
        return self.primaries or (self.primary,)


def plan_for(
    problem: Problem,
    *,
    steps: Sequence[int] = (8, 3),
    names: Sequence[str] | None = None,
    primary: str | None = None,
    sweep: Sequence[str] | None = None,
    one_axis: bool = False,
) -> Plan:
    """The default plan sweeps two objectives and minimises one (``default_plan``).
    ``one_axis`` sweeps one objective only, "changes" when there is a current schedule (else
    "fairness"), and minimises each other objective in turn at each level: every grid solve
    then starts from a schedule that already meets its bound (the swept objective's own
    anchor), which the two-axis grid cannot promise. On the demo block under load the MIP found
    no schedule at all within a grid point's few seconds without such a start (all 12 grid
    solves empty), where the one-axis grid returns a valid schedule from every solve."""
    names = tuple(names or objective_names(problem))
    if one_axis:
        swept = "changes" if "changes" in names else "fairness"
        others = tuple(n for n in ("fairness", "requests", "coverage") if n in names and n != swept)
        return Plan(names, others[0], (swept,), tuple(steps)[:1], others)
    default_primary, default_sweep = default_plan(names)
    chosen = tuple(sweep or default_sweep)
    return Plan(names, primary or default_primary, chosen, tuple(steps)[: len(chosen)])


def anchor_order(plan: Plan) -> tuple[str, ...]:
    """One anchor per objective. Minimising fairness is the slowest solve (7 s alone on S,
    against about 1 s for the others), so it starts first, beside the others on a second worker."""
    return tuple(sorted(plan.names, key=lambda n: n != "fairness"))


def anchor_seconds(time_limit: float, anchors: int, workers: int, overhead: float = 0.0) -> float:
    """Each anchor's limit: the anchors together take up to ``ANCHOR_SHARE`` of the limit,
    ``overhead`` seconds a round (building the model, recording the point) included."""
    rounds = math.ceil(anchors / max(1, workers))
    return max(1.0, ANCHOR_SHARE * time_limit / rounds - overhead)


def grid_seconds(left: float, tasks: int, workers: int, overhead: float = 0.0) -> float:
    """Each grid point's limit: what is left, shared by the rounds of ``workers`` solves,
    ``overhead`` seconds a round included."""
    rounds = max(1, math.ceil(tasks / max(1, workers)))
    return max(1.0, 0.95 * left / rounds - overhead)


def grid_bounds(
    plan: Plan,
    anchors: Sequence[Sequence[float]],
    owners: Sequence[str] | None = None,
) -> list[tuple[dict[str, float], str, int | None]]:
    """The epsilon grid over ``plan.sweep`` from the anchors' objective vectors (the payoff
    table: ideal to worst of each swept objective), for each of the plan's primaries: (bounds,
    primary, start), where start indexes the anchor that meets the bounds with the best value
    of the primary (its schedule starts the solve), or is None when no anchor meets them.

    ``owners`` names the objective each anchor minimised. A grid point whose primary's own
    anchor already meets its bounds is left out: bounding adds constraints to the anchor's
    solve, so the point cannot do better on its primary than that anchor, which answers it (on
    the demo block six of nine such solves returned their anchor unchanged). On one axis the
    levels are then refined until the grid has the planned number of solves again."""
    names = plan.names
    low = {n: min(v[i] for v in anchors) for i, n in enumerate(names)}
    high = {n: max(v[i] for v in anchors) for i, n in enumerate(names)}

    def meets(vector: Sequence[float], bounds: Mapping[str, float]) -> bool:
        return all(vector[names.index(n)] <= b for n, b in bounds.items())

    def answered(bounds: Mapping[str, float], primary: str) -> bool:
        return owners is not None and any(
            owner == primary and meets(v, bounds) for v, owner in zip(anchors, owners, strict=True)
        )

    def points(grid: list[dict[str, float]]) -> list[tuple[dict[str, float], str]]:
        return [(b, p) for b in grid for p in plan.grid_primaries if not answered(b, p)]

    if plan.primaries and len(plan.sweep) == 1:
        # One axis: the levels strictly between its anchors' best and worst. At the best the
        # swept objective's own anchor answers already (on the demo block, "no changes" could
        # not be improved by additions alone: three solves repeated the current schedule).
        name, n = plan.sweep[0], plan.steps[0]

        def one_axis(levels: int) -> list[dict[str, float]]:
            lo, hi = low[name], high[name]
            inner = {
                float(math.floor(lo + (hi - lo) * k / (levels + 1))) for k in range(1, levels + 1)
            }
            return [{name: level} for level in sorted(inner - {lo, hi})]

        planned = n * len(plan.grid_primaries)
        chosen = points(one_axis(n))
        levels = n
        while len(chosen) < planned and levels < high[name] - low[name]:
            levels += 1
            more = points(one_axis(levels))
            if len(more) > planned:
                break
            chosen = more
    else:
        chosen = points(epsilon_grid(plan.sweep, low, high, plan.steps))
    out: list[tuple[dict[str, float], str, int | None]] = []
    for bounds, primary in chosen:
        meeting = [k for k, v in enumerate(anchors) if meets(v, bounds)]
        at = names.index(primary)
        start = min(meeting, key=lambda k: (anchors[k][at], k)) if meeting else None
        out.append((bounds, primary, start))
    return out


def collect(
    names: Sequence[str],
    every: Sequence[Point],
    *,
    solves: int,
    began: float,
    reference: Sequence[float] | None = None,
) -> Front:
    """The front of ``every`` schedule found in ``solves`` solves: valid and non-dominated
    only, with its hypervolume and notes on what was left out."""
    names = tuple(names)
    kept = non_dominated(every)
    invalid = sum(1 for p in every if not p.report.valid)
    notes = [f"{solves - len(every)} solves found no schedule, {invalid} schedules were "
             f"invalid, {len(every) - len(kept) - invalid} dominated or repeated"]  # fmt: skip
    worst = [max((p.objectives[i] for p in kept), default=0.0) for i in range(len(names))]
    ref = tuple(reference) if reference is not None else tuple(w + 1 for w in worst)
    if reference is None:
        notes.append("reference point: worst value of each objective over the front, + 1")
    hv = hypervolume([p.objectives for p in kept], ref)
    return Front(names, tuple(kept), ref, hv, solves, time.monotonic() - began,
                 len(every) - len(kept), tuple(notes))  # fmt: skip


def front(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    steps: Sequence[int] = (8, 3),
    names: Sequence[str] | None = None,
    primary: str | None = None,
    sweep: Sequence[str] | None = None,
    reference: Sequence[float] | None = None,
    hint: Sequence[Assignment] = (),
    one_axis: bool = False,
) -> Front:
    """Anchors (one per objective, started from ``hint``: the current schedule or a greedy
    one), then an epsilon grid over ``sweep`` (``steps`` levels each, integral, from the ideal
    to the worst value of the anchors) minimising ``primary``, each point solved by
    ``solve_point`` in ``workers`` processes, all within about ``time_limit`` seconds."""
    began = time.monotonic()
    plan = plan_for(problem, steps=steps, names=names, primary=primary, sweep=sweep,
                    one_axis=one_axis)  # fmt: skip
    names = plan.names
    if not hint:
        hint = default_hint(problem, seed)
    # The anchors fix every range the grid spans; they share up to half the limit.
    order = anchor_order(plan)
    left = time_limit - (time.monotonic() - began)
    per_point = anchor_seconds(left, len(order), workers)
    anchors = _run_all(problem, [({}, n, hint) for n in order], seed, names, per_point, workers)
    found = [p for p in anchors if p is not None]
    if not found:
        return Front(names, (), tuple(reference or ()), 0.0, len(anchors),
                     time.monotonic() - began, notes=("no anchor found a schedule",))  # fmt: skip
    tasks: list[Task] = [
        (bounds, primary, found[k].assignments if k is not None else ())
        for bounds, primary, k in grid_bounds(
            plan,
            [p.objectives for p in found],
            [order[i] for i, p in enumerate(anchors) if p is not None],
        )
    ]
    left = time_limit - (time.monotonic() - began)
    per_point = grid_seconds(left, len(tasks), workers)
    grid = _run_all(problem, tasks, seed, names, per_point, workers)
    every = [p for p in [*anchors, *grid] if p is not None]
    return collect(names, every, solves=len(anchors) + len(grid), began=began,
                   reference=reference)  # fmt: skip


def default_hint(problem: Problem, seed: int = 0) -> tuple[Assignment, ...]:
    """The schedule every anchor starts from: the current one, else a quick greedy one."""
    if problem.baseline:
        return tuple(problem.baseline)
    from . import greedy

    return tuple(greedy.solve(problem, time_limit=2.0, seed=seed).assignments)


Task = tuple[Mapping[str, float], str, Sequence[Assignment]]


def _run_all(
    problem: Problem,
    tasks: Sequence[Task],
    seed: int,
    names: Sequence[str],
    per_point: float,
    workers: int,
) -> list[Point | None]:
    args = [(problem, b, seed + i, p, names, per_point, h) for i, (b, p, h) in enumerate(tasks)]
    if workers <= 1 or len(tasks) <= 1:
        return [_task(*a) for a in args]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_task, *zip(*args, strict=True)))


def _task(
    problem: Problem,
    bounds: Mapping[str, float],
    seed: int,
    primary: str,
    names: Sequence[str],
    time_limit: float,
    hint: Sequence[Assignment],
) -> Point | None:
    return solve_point(problem, bounds, seed, primary=primary, names=names,
                       time_limit=time_limit, hint=hint)  # fmt: skip
