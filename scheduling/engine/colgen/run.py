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
from dataclasses import dataclass, field

import numpy as np

from ..model import Assignment, Problem, Solution
from ..validator import validate
from .batch import batch_key, solve_batch
from .master import Column, Data, Master
from .person import PricingTooLarge, ProblemTables, person_spec
from .pricing import Pricer, make_pricer

EPS = 1e-6
DIVE_ROUNDS = 3  # pricing rounds between two fixings of the dive (a heuristic: no need to converge)
PER_PERSON = 3  # columns a pricing round may add per person (best roster per final state)


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


def _column(roster: list[int | None]) -> Column:
    return tuple(-1 if k is None else k for k in roster)


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


def groups(pricers: list[Pricer]) -> list[list[int]]:
    """People whose pricers share one structure (priced in one batched DP)."""
    found: dict[tuple, list[int]] = {}
    for p, pricer in enumerate(pricers):
        key = (batch_key(pricer.spec), pricer.exact, pricer.shape, pricer.stacked)
        found.setdefault(key, []).append(p)
    return list(found.values())


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
) -> RelaxResult:
    """Column generation for up to ``time_limit`` seconds, then the restricted master IP until
    ``ip_time_limit`` seconds after that limit (default: a quarter of ``time_limit``, at least
    one second; time column generation leaves unused goes to the IP). ``start``, a schedule,
    joins the initial columns and starts the IP. ``smoothing`` in [0, 1): the weight of the
    best-bound duals in the pricing point (0: plain column generation; 0.8 converged residency S
    without fairness and ACGME rules in 45 rounds where 0.5 had not after 28, while the shift
    benchmark's Instances 5-7 converge in fewer rounds with 0.5, which its adapter passes). ``dive``: half the IP
    time goes to price-and-dive, whose roster starts the IP."""
    began, cpu0 = time.monotonic(), time.process_time()
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
    for p, pricer in enumerate(pricers):
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
    relaxed = sum(not pricer.exact for pricer in pricers)
    if no_roster:
        return result(infeasible_people=tuple(no_roster), relaxed_people=relaxed)
    gen = _generate(data, pricers, master, deadline, smoothing, began, frozenset(),
                    initial=(y0, first))  # fmt: skip
    ip_limit = ip_time_limit if ip_time_limit is not None else max(1.0, time_limit / 4)
    ip_deadline = deadline + ip_limit  # time column generation left unused goes to the IP
    candidates: list[list[Column]] = [start_columns] if start_columns is not None else []
    if dive:
        now = time.monotonic()
        dived = _dive(data, pricers, master, now + (ip_deadline - now) / 2, smoothing)
        if dived is not None:
            candidates.append(dived)
    ip_start = min(candidates, key=lambda c: _value(data, c), default=None)
    picked = master.solve_ip(ip_deadline - time.monotonic(), ip_start)
    if picked is not None:
        candidates.append(picked)
    found_roster: tuple[Assignment, ...] | None = None
    objective: float | None = None
    dropped = 0
    for columns in candidates:
        schedule = tuple(a for p, c in enumerate(columns) for a in data.assignments(p, c))
        report = validate(problem, schedule)
        # Never hand back a roster that breaks a rule (cross-person rules are relaxed above).
        if not report.is_valid:
            dropped += 1
        elif objective is None or report.objective < objective:
            found_roster, objective = schedule, report.objective
    finite = math.isfinite(gen.bound)
    return result(
        bound=math.ceil(gen.bound - EPS) if finite else None,
        lagrangian=gen.bound if finite else None,
        lp_value=gen.lp_value,
        converged=gen.converged,
        assignments=found_roster,
        objective=objective,
        iterations=gen.iterations,
        columns=len(master.columns),
        relaxed_people=relaxed,
        dropped=dropped,
        trace=tuple(gen.trace),
    )


@dataclass
class _Generation:
    bound: float = -math.inf  # the best L(y); meaningful only with nobody fixed
    lp_value: float | None = None
    converged: bool = False
    iterations: int = 0
    trace: list[tuple[float, float, float]] = field(default_factory=list)


def _generate(
    data: Data,
    pricers: list[Pricer],
    master: Master,
    deadline: float,
    smoothing: float,
    began: float,
    fixed: frozenset[int],
    rounds: int | None = None,
    batches: list[list[int]] | None = None,
    initial: tuple[np.ndarray, float] | None = None,
) -> _Generation:
    """Column generation until no column prices out, the deadline or ``rounds`` pricing rounds;
    people in ``fixed`` are not priced (their roster is fixed in the master, and there is then
    no bound). ``initial``: duals and their Lagrangian, the first centre of the smoothing."""
    gen = _Generation()
    if batches is None:
        batches = groups(pricers)
    center: np.ndarray | None = None  # the duals of the best bound so far
    if initial is not None and not fixed:
        center, gen.bound = initial  # (duals, their Lagrangian)
    smooth = smoothing > 0
    while time.monotonic() < deadline and (rounds is None or gen.iterations < rounds):
        solved = master.solve_lp(deadline - time.monotonic())
        if solved is None:
            break
        gen.lp_value, pi, y = solved
        gen.iterations += 1
        # Wentges smoothing: price at a point between the best-bound duals and the LP's; a
        # convex combination keeps the signs, so its L(y) is a bound like any other. (With
        # people fixed there is no bound, so no centre: plain pricing.)
        at = y if center is None or not smooth else smoothing * center + (1 - smoothing) * y
        total = float(at @ data.rhs_array) + data.extras_term(at) + data.global_const
        added, complete = 0, True
        for group in batches:
            people = [p for p in group if p not in fixed]
            if not people:
                continue
            if time.monotonic() >= deadline:
                complete = False  # a partial round gives no bound and proves nothing
                break
            priced = solve_batch(
                [pricers[p] for p in people],
                [data.cell_cost[p] + data.dual_cells(p, at) for p in people],
                [data.day_cost[p] for p in people],
                PER_PERSON,
            )
            for p, found in zip(people, priced, strict=True):
                if not found:  # cannot happen: the person had a roster at the start
                    complete = False
                    continue
                total += data.const[p] + found[0][0]
                for _, roster in found:
                    column = _column(roster)
                    rows = data.rows(p, column)
                    reduced = data.cost(p, column) - pi[p]
                    reduced -= sum(y[r] * c for r, c in rows.items())
                    # Against the LP's own duals; a relaxed DP's roster may break a dropped rule.
                    if reduced < -EPS and (pricers[p].exact or data.valid(p, column)):
                        added += master.add(p, column)
        if complete and not fixed:
            if total > gen.bound:
                gen.bound, center = total, at
            gen.trace.append((time.monotonic() - began, gen.lp_value, gen.bound))
        if complete and added == 0:
            if at is y:
                # Proven only when every DP is exact; a relaxed one has simply run dry.
                gen.converged = all(pricer.exact for pricer in pricers)
                break
            smooth = False  # a mispricing: price at the LP's duals next
        else:
            smooth = smoothing > 0
    return gen


def _value(data: Data, columns: list[Column]) -> float:
    roster = [a for p, c in enumerate(columns) for a in data.assignments(p, c)]
    report = validate(data.problem, roster)
    return report.objective if report.is_valid else math.inf


def _dive(
    data: Data, pricers: list[Pricer], master: Master, deadline: float, smoothing: float
) -> list[Column] | None:
    """Price and dive: fix the people whose LP roster is (nearly) whole, or the one nearest to
    it, generate columns for the others, repeat until everyone has a roster. The fixings are
    undone before returning; None when the deadline comes first."""
    fixed: dict[int, int] = {}  # person -> fixed column
    try:
        while len(fixed) < data.P and time.monotonic() < deadline:
            gen = _generate(data, pricers, master, deadline, smoothing, 0.0, frozenset(fixed),
                            rounds=DIVE_ROUNDS)  # fmt: skip
            if gen.lp_value is None or master.solve_lp(deadline - time.monotonic()) is None:
                return None  # the deadline (the LP re-solve takes in the last columns)
            # Everyone whose roster is nearly whole, and at least a tenth of the people left.
            free = sorted(((v, p, j) for p, (j, v) in master.best_columns().items()
                           if p not in fixed), reverse=True)  # fmt: skip
            least = max(1, (data.P - len(fixed)) // 10)
            chosen = {p: j for i, (v, p, j) in enumerate(free) if v > 0.9 or i < least}
            if not chosen:
                return None
            for p, j in chosen.items():
                master.fix(j, True)
                fixed[p] = j
        if len(fixed) < data.P:
            return None
        return [master.columns[fixed[p]] for p in range(data.P)]
    finally:
        for j in fixed.values():
            master.fix(j, False)


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
