"""Column generation on the master (master.py) with the pricing DP (pricing.py), the Lagrangian
lower bound, and price and branch: a restricted master IP over the generated columns whose
roster is returned only when the generic validator finds it valid.

The bound ``ceil(max L(y) - 1e-6)`` (objectives are integral) is valid at *every* complete
pricing round, converged or not, because each person's DP minimum is exact or a relaxation's
(lower). ``converged`` is claimed only when every person's DP is exact and no column prices
out; the LP value is then the bound of the roster model. A column from a relaxed DP enters the
master only if the validator's per-person rules accept it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..model import Assignment, Problem, Solution
from ..validator import validate
from .batch import batch_key
from .dive import FREE, dive_cells, dive_people
from .fixing import Reduced, reduced_costs
from .generation import EPS, PER_PERSON, _column, _generate, affords
from .master import Column, Data, Master
from .person import PricingTooLarge, ProblemTables, person_spec
from .pricing import Pricer, make_pricer

DIVE = "cells"  # the dive's form (dive.py): "cells" or "people"
# The cell dive's fixings before its LP rose: (person, day) cells, the assignments on them.
Fixings = tuple[tuple[tuple[str, int], ...], tuple[Assignment, ...]]
# The first pricing (everyone's favourite rosters) also builds every DP's per-day layouts: on
# Synth120x18x12 it took 5.3 s where the next round's pricing took 2.6 s. With ``min_rounds``
# it counts as this many rounds, and relax gives up during it once it has cost more.
FIRST_PRICING_ROUNDS = 2.0


@dataclass(frozen=True)
class RelaxResult:
    bound: int | None  # valid lower bound on the objective; None if no pricing round finished
    lagrangian: float | None  # the best L(y) reached (unrounded)
    lp_value: float | None  # restricted master LP at the last solve (a bound only if converged)
    converged: bool
    assignments: tuple[Assignment, ...] | None  # price and branch's roster, valid
    objective: float | None  # its objective by the validator
    iterations: int
    columns: int
    wall: float
    cpu: float = 0.0  # process CPU seconds
    infeasible_people: tuple[str, ...] = ()  # people with no roster keeping their own rules
    error: str | None = None  # why no relaxation was attempted (a person's DP too large)
    relaxed_people: int = 0  # people whose DP relaxes some rule (person.py)
    dropped: int = 0  # price-and-branch rosters the validator refused
    trace: tuple[tuple[float, float, float], ...] = field(default=())  # (elapsed, lp, bound)
    gave_up: bool = False  # column generation gave up after its first round (``min_rounds``)


def exact_relaxation(problem: Problem) -> bool:
    """Whether the pricing DP keeps every per-person rule of every person (person.py), so each
    column is a valid roster and the bound is the roster model's LP bound (a DP may still be
    relaxed later for memory: ``make_pricer``)."""
    try:
        tables = ProblemTables(problem)
        return all(person_spec(tables, i).exact for i in range(len(problem.people)))
    except PricingTooLarge:
        return False


def build(problem: Problem) -> tuple[Data, list[Pricer]]:
    """The master's data and one pricer per person (PricingTooLarge when one cannot fit).
    People whose specs differ only in the patterns allowed each day (unavailability,
    eligibility) share one DP structure, the union of their allowed patterns, so one batched DP
    prices them all (:func:`groups`)."""
    tables = ProblemTables(problem)
    specs = [person_spec(tables, i) for i in range(len(problem.people))]
    union: dict[tuple, np.ndarray] = {}
    for spec in specs:
        key = batch_key(spec)
        union[key] = spec.allowed | union[key] if key in union else spec.allowed
    pricers = [make_pricer(spec, union[batch_key(spec)]) for spec in specs]
    return Data(problem, specs), pricers


def column_of(data: Data, p: int, assignments: list[Assignment]) -> Column | None:
    """A person's roster as a column (None when a day's shifts form no known pattern)."""
    ids = {s.id: i for i, s in enumerate(data.problem.shift_types)}
    per_day: dict[int, set[int]] = {}
    for a in assignments:
        per_day.setdefault(a.day, set()).add(ids[a.shift])
    index = {frozenset(pat): k for k, pat in enumerate(data.specs[p].patterns)}
    column = []
    for d in range(data.D):
        shifts = per_day.get(d)
        if not shifts:
            column.append(-1)
        elif frozenset(shifts) in index:
            column.append(index[frozenset(shifts)])
        else:
            return None
    return tuple(column)


def relax(
    problem: Problem,
    *,
    time_limit: float,
    ip_time_limit: float | None = None,
    seed: int = 0,
    start: list[Assignment] | tuple[Assignment, ...] | None = None,
    smoothing: float = 0.8,
    dive: bool = True,
    dive_share: float = 0.5,
    should_stop: Callable[[], bool] | None = None,
    on_roster: Callable[[tuple[Assignment, ...], float], None] | None = None,
    on_bound: Callable[[int], None] | None = None,
    on_reduced: Callable[[Reduced], None] | None = None,
    on_fixings: Callable[[Fixings], None] | None = None,
    min_rounds: float | None = None,
    ip_patience: float = math.inf,
) -> RelaxResult:
    """Column generation for up to ``time_limit`` seconds, then the restricted master IP until
    ``ip_time_limit`` seconds after that limit (default: a quarter of ``time_limit``, at least
    one second; time column generation leaves unused goes to the IP). ``start``, a schedule,
    joins the initial columns and starts the IP. ``smoothing`` in [0, 1): the weight of the
    best-bound duals in the pricing point (0: plain column generation; 0.8 converged residency S
    without fairness and ACGME rules in 45 rounds where 0.5 had not after 28, while the shift
    benchmark's Instances 5-7 converge in fewer rounds with 0.5, which its adapter passes).
    ``dive``: ``dive_share`` of the IP time goes to price and dive (dive.py), whose roster
    starts the IP. ``should_stop``: polled between rounds and fixings, ends the work early (the
    IP is skipped). ``on_roster(schedule, objective)``: called with each valid roster as soon
    as it is found (the dive's, then the IP's when better), for a caller that runs beside it;
    ``on_bound(bound)`` once column generation ends, before the dive and the IP;
    ``on_reduced(reduced)`` then, with the reduced costs of every cell at the best bound's
    duals (fixing.py: which cells a better schedule cannot use).
    ``on_fixings(cells, assignments)``: the cell dive's (person, day) cells fixed before its
    LP first rose (dive.py's ``on_rise``) and their assignments, for a caller that completes
    them with an exact search over the other cells.
    ``min_rounds``: when the first round of column generation shows that ``time_limit`` affords
    fewer rounds like it (generation.affords), give up at once: no dive and no IP (``gave_up``;
    the bound of the rounds done is still returned); likewise during the first pricing, which
    counts as ``FIRST_PRICING_ROUNDS`` rounds (then with no bound), so a caller running beside
    it gets its core back instead of a relaxation that cannot converge in its share.
    ``ip_patience``: the IP's seconds at most, whatever column generation left unused (a
    caller running beside it wants its core back rather than an IP that has not paid)."""
    began, cpu0 = time.monotonic(), time.process_time()
    stop = should_stop if should_stop is not None else _never
    deadline = began + time_limit

    def result(**kw: object) -> RelaxResult:
        base: dict[str, object] = dict(
            bound=None, lagrangian=None, lp_value=None, converged=False, assignments=None,
            objective=None, iterations=0, columns=0, wall=time.monotonic() - began,
            cpu=time.process_time() - cpu0,
        )  # fmt: skip
        base.update(kw)
        return RelaxResult(**base)  # type: ignore[arg-type]

    try:
        data, pricers = build(problem)
    except PricingTooLarge as exc:
        return result(error=str(exc))
    master = Master(data, seed)
    start_columns = None
    if start is not None:
        mine: dict[str, list[Assignment]] = {}
        for a in start:
            mine.setdefault(a.person, []).append(a)
        cols = [column_of(data, p, mine.get(pid, [])) for p, pid in enumerate(data.people)]
        if all(c is not None for c in cols):
            start_columns = [c for c in cols if c is not None]
            for p, column in enumerate(start_columns):
                master.add(p, column)
    no_roster = []
    # Everyone's favourite rosters at the initial dual point (cover ignored), and its
    # Lagrangian: the first bound and the first centre of the smoothing.
    y0 = data.initial_duals()
    first = float(y0 @ data.rhs_array) + data.extras_term(y0) + data.global_const
    pricing_began = time.monotonic()
    for p, pricer in enumerate(pricers):
        spent = (time.monotonic() - pricing_began) / FIRST_PRICING_ROUNDS
        if min_rounds is not None and not affords(time_limit, spent, min_rounds):
            return result(relaxed_people=relaxed_count(pricers), gave_up=True)
        cost = data.cell_cost[p] + data.dual_cells(p, y0)
        found = pricer.solve_many(cost, PER_PERSON, data.day_cost[p])
        if not found:
            no_roster.append(data.people[p])
            continue
        first += data.const[p] + found[0][0]
        added = False
        for _, roster in found:
            column = _column(roster)
            if pricer.exact or data.valid(p, column):
                added |= master.add(p, column)
        if not added:  # a relaxed DP's rosters break a rule: a placeholder the master avoids
            master.add(p, (-1,) * data.D, penalty=data.big * data.D)
    relaxed = relaxed_count(pricers)
    if no_roster:
        return result(infeasible_people=tuple(no_roster), relaxed_people=relaxed)
    gen = _generate(data, pricers, master, deadline, smoothing, began, frozenset(),
                    initial=(y0, first), stop=stop, min_rounds=min_rounds)  # fmt: skip
    finite = math.isfinite(gen.bound)
    generated: dict[str, object] = dict(
        bound=math.ceil(gen.bound - EPS) if finite else None,
        lagrangian=gen.bound if finite else None,
        lp_value=gen.lp_value,
        converged=gen.converged,
        iterations=gen.iterations,
        relaxed_people=relaxed,
        trace=tuple(gen.trace),
    )
    if gen.gave_up:
        return result(columns=len(master.columns), gave_up=True, **generated)
    if on_bound is not None and math.isfinite(gen.bound):
        on_bound(math.ceil(gen.bound - EPS))
    if on_reduced is not None and gen.duals is not None and not stop():
        reduced = reduced_costs(data, pricers, gen.duals)
        if reduced is not None:
            on_reduced(reduced)
    ip_limit = ip_time_limit if ip_time_limit is not None else max(1.0, time_limit / 4)
    ip_deadline = deadline + ip_limit  # time column generation left unused goes to the IP
    found_roster: tuple[Assignment, ...] | None = None
    objective: float | None = None
    dropped = 0

    def take(columns: list[Column]) -> float:
        """The roster's objective if valid (inf if not), kept when the best so far."""
        nonlocal found_roster, objective, dropped
        schedule = tuple(a for p, c in enumerate(columns) for a in data.assignments(p, c))
        report = validate(problem, schedule)
        # Never hand back a roster that breaks a rule (cross-person rules are relaxed above).
        if not report.is_valid:
            dropped += 1
            return math.inf
        if objective is None or report.objective < objective:
            found_roster, objective = schedule, report.objective
            if on_roster is not None:
                on_roster(schedule, report.objective)
        return report.objective

    values: list[tuple[float, list[Column]]] = []
    if start_columns is not None:
        values.append((take(start_columns), start_columns))
    if dive and not stop():
        now = time.monotonic()
        until = now + dive_share * (ip_deadline - now)
        if DIVE == "cells":
            report = on_fixings
            rise = None if report is None else (lambda fixed: report(fixings(data, fixed)))
            dived = dive_cells(data, pricers, master, until, smoothing, stop, rise)
        else:
            dived = dive_people(data, pricers, master, until, smoothing, stop)
        if dived is not None:
            values.append((take(dived), dived))
    ip_start = min(values, key=lambda v: v[0])[1] if values else None
    if not stop():
        picked = master.solve_ip(min(ip_deadline - time.monotonic(), ip_patience), ip_start)
        if picked is not None:
            take(picked)
    return result(
        assignments=found_roster,
        objective=objective,
        columns=len(master.columns),
        dropped=dropped,
        **generated,
    )


def fixings(data: Data, fixed: np.ndarray) -> Fixings:
    """The dive's fixed cells (dive.py: ``FREE`` not fixed, -1 a day off, k pattern k) as
    (person, day) cells and the assignments on them."""
    rows, days = np.nonzero(fixed != FREE)
    cells = tuple((data.people[p], int(d)) for p, d in zip(rows, days, strict=True))
    worked = tuple(
        a for p in range(data.P) for a in data.assignments(p, tuple(np.maximum(fixed[p], -1)))
    )
    return cells, worked


def relaxed_count(pricers: list[Pricer]) -> int:
    return sum(not pricer.exact for pricer in pricers)


def _never() -> bool:
    return False


def _value(data: Data, columns: list[Column]) -> float:
    roster = [a for p, c in enumerate(columns) for a in data.assignments(p, c)]
    report = validate(data.problem, roster)
    return report.objective if report.is_valid else math.inf


def with_bound(
    problem: Problem, solution: Solution, *, time_limit: float, seed: int = 0
) -> tuple[Solution, RelaxResult]:
    """``solution`` with its bound raised to the roster-pattern bound when that is higher (the
    solver path's hook: any solver's Solution, the relaxation run after it for ``time_limit``
    seconds, three quarters column generation, the solution's schedule among the first columns).
    The relaxation's own result is returned too, for reporting both bounds."""
    result = relax(problem, time_limit=0.75 * time_limit, ip_time_limit=0.25 * time_limit,
                   seed=seed, start=solution.assignments or None)  # fmt: skip
    bound = solution.bound
    if result.bound is not None and (bound is None or result.bound > bound):
        bound = float(result.bound)
    return dataclasses.replace(solution, bound=bound), result
