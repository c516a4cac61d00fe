"""The roster-pattern relaxation of a benchmark instance, by column generation, and a restricted
master IP over its columns ("price and branch").

Master (one column per person and whole roster ``j``, soft cover as slack columns)::

    min  sum_pj c_pj x_pj + sum_k (u_k under_k + o_k over_k)
    s.t. sum_j x_pj = 1                                  for every person p   (dual pi_p)
         sum_pj a_kj x_pj + under_k - over_k = req_k     for every cover line k (dual mu_k)

``c_pj`` is the roster's request penalty. The LP is solved by HiGHS; :mod:`.pricing` finds each
person's cheapest roster under the cover duals.

The bound is the Lagrangian dual of the cover rows at the duals ``mu`` (clipped to ``[-o_k,
u_k]``, the box where the slack terms cannot go below zero)::

    L(mu) = sum_k mu_k req_k + sum_p min_j (c_pj - sum_k mu_k a_kj)

which is a valid lower bound for *any* such ``mu``, converged or not, because the pricing DP
returns the exact minimum over all feasible rosters (or, for a person whose exact DP would not fit
in memory, the minimum of a relaxation, which is lower still). At convergence it equals the LP
value. The objective is integral, so the reported bound is ``ceil(max L - 1e-6)``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np

from ..highs import size_pool
from .evaluate import evaluate
from .instance import NrpInstance
from .pricing import Pricer, PricingTooLarge, make_pricer
from .roster import Roster

Column = tuple[int, ...]  # shift index per day, -1 for a day off
EPS = 1e-6
DIVE_ROUNDS = 3  # pricing rounds between two fixings of the dive (a heuristic: no need to converge)
FULL_EVERY = 4  # with partial pricing, every how many rounds everyone is priced
PER_PERSON = 3  # columns a pricing round may add per person (best roster per final state)


@dataclass(frozen=True)
class ColumnGenResult:
    bound: int | None  # valid lower bound on the objective; None if no pricing round finished
    lagrangian: float | None  # the best L(mu) reached (unrounded)
    lp_value: float | None  # restricted master LP at the last solve (a bound only if converged)
    converged: bool
    roster: Roster | None  # the restricted master IP's roster (price and branch)
    objective: int | None  # its objective by the benchmark evaluator
    iterations: int
    columns: int
    wall: float
    infeasible_staff: tuple[str, ...] = ()  # people with no feasible roster at all
    error: str | None = None  # why no relaxation was attempted (a person's DP too large)
    trace: tuple[tuple[float, float, float], ...] = field(default=())  # (elapsed, lp, bound)


class _Data:
    """The instance as arrays: per-person (day, shift) costs and the cover rows."""

    def __init__(self, instance: NrpInstance) -> None:
        self.instance = instance
        self.staff = instance.staff_ids
        shift = {s: i for i, s in enumerate(instance.shift_ids)}
        person = {s: i for i, s in enumerate(self.staff)}
        self.P, self.D, self.S = len(self.staff), instance.days, len(shift)
        self.base = np.zeros((self.P, self.D, self.S))  # request cost of working (d, s)
        self.const = np.zeros(self.P)  # every on-request unmet
        for r in instance.on_requests:
            p = person[r.staff]
            self.const[p] += r.weight
            self.base[p, r.day, shift[r.shift]] -= r.weight
        for r in instance.off_requests:
            self.base[person[r.staff], r.day, shift[r.shift]] += r.weight
        self.row = np.full((self.D, self.S), -1, dtype=np.int64)  # cover row of (d, s)
        cover = instance.cover
        for k, c in enumerate(cover):
            self.row[c.day, shift[c.shift]] = k
        self.K = len(cover)
        self.req = np.array([c.requirement for c in cover], dtype=float)
        self.under = np.array([c.under_weight for c in cover], dtype=float)
        self.over = np.array([c.over_weight for c in cover], dtype=float)
        # More than any roster can cost: the price of a placeholder column.
        self.big = 1.0 + float(self.const.sum() + self.base.clip(min=0).sum())
        self.big += float(self.req @ self.under) + float(self.over.sum() * self.P)

    def cost(self, p: int, column: Column) -> float:
        return float(
            self.const[p] + sum(self.base[p, d, s] for d, s in enumerate(column) if s >= 0)
        )

    def rows(self, column: Column) -> list[int]:
        return [int(self.row[d, s]) for d, s in enumerate(column) if s >= 0 and self.row[d, s] >= 0]

    def dual_cost(self, mu: np.ndarray) -> np.ndarray:
        """(D, S) matrix of -mu over the cover cells (zero elsewhere)."""
        full = np.concatenate([-mu, [0.0]])
        return full[self.row]  # row -1 picks the trailing zero

    def feasible(self, p: int, column: Column) -> bool:
        """Whether the roster keeps every hard rule of person p (the benchmark evaluator)."""
        alone = dataclasses.replace(
            self.instance, staff=(self.instance.staff[p],), cover=(), on_requests=(),
            off_requests=(),
        )  # fmt: skip
        ids = self.instance.shift_ids
        roster = {self.staff[p]: [None if s < 0 else ids[s] for s in column]}
        return evaluate(alone, roster).feasible

    def roster(self, columns: list[Column]) -> Roster:
        ids = self.instance.shift_ids
        return {
            sid: [None if s < 0 else ids[s] for s in col]
            for sid, col in zip(self.staff, columns, strict=True)
        }


class _Master:
    """The restricted master in one HiGHS object, grown column by column."""

    def __init__(self, data: _Data, seed: int) -> None:
        import highspy

        size_pool(1)
        self.highspy = highspy
        self.data = data
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", seed)
        P, K = data.P, data.K
        rhs = np.concatenate([np.ones(P), data.req])
        h.addRows(P + K, rhs, rhs, 0, np.zeros(P + K, np.int32), np.zeros(0, np.int32), np.zeros(0))
        # Slack columns: under_k (+1 in row P+k), then over_k (-1).
        n = 2 * K
        rows = np.concatenate([np.arange(K), np.arange(K)]).astype(np.int32) + P
        vals = np.concatenate([np.ones(K), -np.ones(K)])
        h.addCols(n, np.concatenate([data.under, data.over]), np.zeros(n),
                  np.full(n, highspy.kHighsInf), n, np.arange(n, dtype=np.int32), rows, vals)  # fmt: skip
        self.slacks = n
        self.owner: list[int] = []  # person of each roster column
        self.columns: list[Column] = []
        self.seen: set[tuple[int, Column]] = set()

    def add(self, p: int, column: Column, penalty: float = 0.0) -> bool:
        if (p, column) in self.seen:
            return False
        self.seen.add((p, column))
        rows = [p, *(self.data.P + k for k in self.data.rows(column))]
        cost = self.data.cost(p, column) + penalty
        self.h.addCol(cost, 0.0, self.highspy.kHighsInf, len(rows),
                      np.array(rows, np.int32), np.ones(len(rows)))  # fmt: skip
        self.owner.append(p)
        self.columns.append(column)
        return True

    def solve_lp(self, time_left: float) -> tuple[float, np.ndarray, np.ndarray] | None:
        """(value, pi, mu) or None when HiGHS stops short of an optimum."""
        size_pool(1)
        self.h.setOptionValue("time_limit", max(0.05, time_left))
        self.h.run()
        if self.h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        dual = np.asarray(self.h.getSolution().row_dual)
        value = self.h.getInfo().objective_function_value
        return value, dual[: self.data.P], dual[self.data.P :]

    def best_columns(self) -> dict[int, tuple[int, float]]:
        """Each person's column of largest LP value: person -> (column, value)."""
        values = np.asarray(self.h.getSolution().col_value)[self.slacks :]
        best: dict[int, tuple[int, float]] = {}
        for j, p in enumerate(self.owner[: len(values)]):  # columns the last solve knew
            if p not in best or values[j] > best[p][1]:
                best[p] = (j, float(values[j]))
        return best

    def fix(self, j: int, on: bool) -> None:
        """Column j forced to 1 (``on``) or free again."""
        lower = 1.0 if on else 0.0
        self.h.changeColBounds(self.slacks + j, lower, self.highspy.kHighsInf)

    def solve_ip(self, time_left: float, start: list[Column] | None) -> list[Column] | None:
        """The best integer choice of one column per person HiGHS finds in the time left."""
        n = len(self.columns)
        idx = np.arange(self.slacks, self.slacks + n, dtype=np.int32)
        kind = np.full(n, self.highspy.HighsVarType.kInteger.value, np.uint8)
        self.h.changeColsIntegrality(n, idx, kind)
        self.h.setOptionValue("time_limit", max(0.05, time_left))
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.setOptionValue("mip_abs_gap", 0.999)  # integral objective
        if start is not None:
            chosen = {(p, c) for p, c in enumerate(start)}
            values = [
                1.0 if (p, c) in chosen else 0.0
                for p, c in zip(self.owner, self.columns, strict=True)
            ]
            self.h.setSolution(n, idx, np.array(values))
        size_pool(1)
        self.h.run()
        solution = np.asarray(self.h.getSolution().col_value)
        if self.h.getInfo().primal_solution_status != 2 or len(solution) < self.slacks + n:
            return None
        picked: list[Column | None] = [None] * self.data.P
        best = np.full(self.data.P, -1.0)
        for j, (p, column) in enumerate(zip(self.owner, self.columns, strict=True)):
            value = solution[self.slacks + j]
            if value > best[p]:
                best[p], picked[p] = value, column
        if any(c is None or best[p] < 0.5 for p, c in enumerate(picked)):
            return None
        return [c for c in picked if c is not None]


def _column(roster: list[int | None]) -> Column:
    return tuple(-1 if s is None else s for s in roster)


def relax(
    instance: NrpInstance,
    *,
    time_limit: float,
    ip_time_limit: float | None = None,
    seed: int = 0,
    start: Roster | None = None,
    smoothing: float = 0.5,
    dive: bool = True,
) -> ColumnGenResult:
    """Column generation for up to ``time_limit`` seconds, then the restricted master IP until
    ``ip_time_limit`` seconds after that limit (default: a quarter of ``time_limit``, at least
    one second; time column generation leaves unused goes to the IP). ``start``,
    a feasible roster, joins the initial columns and starts the IP. ``smoothing`` in [0, 1):
    the weight of the best-bound duals in the pricing point (0: plain column generation).
    ``dive``: half the IP time goes to price-and-dive, whose roster starts the IP."""
    began = time.monotonic()
    deadline = began + time_limit
    data = _Data(instance)
    try:
        pricers = [make_pricer(instance, st) for st in instance.staff]
    except PricingTooLarge as exc:
        return ColumnGenResult(None, None, None, False, None, None, 0, 0,
                               time.monotonic() - began, error=str(exc))  # fmt: skip
    master = _Master(data, seed)
    index = {s: i for i, s in enumerate(instance.shift_ids)}
    start_columns = None
    if start is not None:
        start_columns = [
            tuple(-1 if s is None else index[s] for s in start[sid]) for sid in data.staff
        ]
        for p, column in enumerate(start_columns):
            master.add(p, column)
    no_roster = []
    for p, pricer in enumerate(pricers):  # everyone's favourite roster, cover ignored
        _, roster = pricer.solve(data.base[p])
        if not roster:
            no_roster.append(data.staff[p])
        elif pricer.exact or data.feasible(p, _column(roster)):
            master.add(p, _column(roster))
        else:  # a relaxed DP's roster breaks a rule: a placeholder the master avoids
            master.add(p, (-1,) * data.D, penalty=data.big)
    if no_roster:
        return ColumnGenResult(None, None, None, False, None, None, 0, 0,
                               time.monotonic() - began, tuple(no_roster))  # fmt: skip
    gen = _generate(data, pricers, master, deadline, smoothing, began, frozenset())
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
    found: Roster | None = None
    objective: int | None = None
    for columns in candidates:
        evaluation = evaluate(instance, data.roster(columns))
        # An infeasible roster would be a pricing bug: never hand back one that breaks rules.
        if evaluation.feasible and (objective is None or evaluation.objective < objective):
            found, objective = data.roster(columns), evaluation.objective
    best_bound = gen.bound
    bound = math.ceil(best_bound - EPS) if math.isfinite(best_bound) else None
    return ColumnGenResult(
        bound=bound,
        lagrangian=best_bound if math.isfinite(best_bound) else None,
        lp_value=gen.lp_value,
        converged=gen.converged,
        roster=found,
        objective=objective,
        iterations=gen.iterations,
        columns=len(master.columns),
        wall=time.monotonic() - began,
        trace=tuple(gen.trace),
    )


@dataclass
class _Generation:
    bound: float = -math.inf  # the best L(mu); meaningful only with nobody fixed
    lp_value: float | None = None
    converged: bool = False
    iterations: int = 0
    trace: list[tuple[float, float, float]] = field(default_factory=list)


def _generate(
    data: _Data,
    pricers: list[Pricer],
    master: _Master,
    deadline: float,
    smoothing: float,
    began: float,
    fixed: frozenset[int],
    rounds: int | None = None,
    partial: bool = False,
) -> _Generation:
    """Column generation until no column prices out, the deadline or ``rounds`` pricing rounds;
    people in ``fixed`` are not priced (their roster is fixed in the master, and there is then
    no bound)."""
    gen = _Generation()
    center: np.ndarray | None = None  # the duals of the best bound so far
    smooth = smoothing > 0
    # Partial pricing (off by default: on Instances 5-7 it took as much CPU to converge as full
    # rounds): most rounds stop once a quarter of the people have given a column, those with
    # the most negative reduced cost last time first; every FULL_EVERY-th round, and any round
    # after a partial one found nothing, prices everyone (the bound needs it).
    last = np.zeros(data.P)  # each person's last reduced cost
    full = True
    while time.monotonic() < deadline and (rounds is None or gen.iterations < rounds):
        solved = master.solve_lp(deadline - time.monotonic())
        if solved is None:
            break
        gen.lp_value, pi, mu = solved
        gen.iterations += 1
        full = full or not partial or gen.iterations % FULL_EVERY == 0
        mu = np.clip(mu, -data.over, data.under)
        # Wentges smoothing: price at a point between the best-bound duals and the LP's; a
        # convex combination stays in the box, so its L(mu) is a bound like any other. (With
        # people fixed there is no bound, so no centre: plain pricing.)
        at = mu if center is None or not smooth else smoothing * center + (1 - smoothing) * mu
        dual_cost = data.dual_cost(at)
        total, added, complete, gave = float(at @ data.req), 0, True, 0
        for p in np.argsort(last, kind="stable"):
            if p in fixed:
                continue
            if time.monotonic() >= deadline or (not full and gave >= max(1, data.P // 4)):
                complete = False  # a partial round gives no bound and proves nothing
                break
            pricer = pricers[p]
            found = pricer.solve_many(data.base[p] + dual_cost, PER_PERSON)
            total += data.const[p] + found[0][0]
            last[p] = data.const[p] + found[0][0] - pi[p]
            before = added
            for _, roster in found:
                column = _column(roster)
                reduced = data.cost(p, column) - pi[p] - sum(mu[k] for k in data.rows(column))
                # Against the LP's own duals; a relaxed DP's roster may break a dropped rule.
                if reduced < -EPS and (pricer.exact or data.feasible(p, column)):
                    added += master.add(p, column)
            gave += added > before
        if complete and not fixed:
            if total > gen.bound:
                gen.bound, center = total, at
            gen.trace.append((time.monotonic() - began, gen.lp_value, gen.bound))
        full = False
        if complete and added == 0:
            if at is mu:
                # Proven only when every DP is exact; a relaxed one has simply run dry.
                gen.converged = all(pricer.exact for pricer in pricers)
                break
            smooth = False  # a mispricing: price at the LP's duals next
        else:
            smooth = smoothing > 0
            full = added == 0  # a partial round that found nothing: everyone next time
    return gen


def _value(data: _Data, columns: list[Column]) -> float:
    return float(evaluate(data.instance, data.roster(columns)).objective)


def _dive(
    data: _Data, pricers: list[Pricer], master: _Master, deadline: float, smoothing: float
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
