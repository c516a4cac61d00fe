"""The master of the roster-pattern relaxation of a generic ``Problem``: one column per person
and whole roster, the objective's cross-person terms as rows.

Master (``x_pj``: person p works roster j; every other variable is bounded, so the Lagrangian
below is finite for any duals)::

    min  sum_pj c_pj x_pj + sum_v cost_v z_v
    s.t. sum_j x_pj = 1                                   every person p (dual pi_p)
         sum_pj a_rpj x_pj + sum_v e_rv z_v  (= or >=) b_r   every linking row r (dual y_r)
         0 <= z_v <= hi_v

``c_pj`` is the roster's own part of the objective, exactly as the validator counts it:
requests (a shift-less request is met by any shift of the day), baseline changes and weighted
caps. Linking rows:

- each demand: ``n + under + under' - over - over' = target``, ``under`` up to
  ``target - minimum`` at ``under_weight``, ``over`` up to ``maximum - target`` (or the number of
  people it admits) at ``over_weight``; the primed slacks go past the hard minimum / maximum at a
  high price (``ARTIFICIAL`` times the largest weight: the LP is always feasible, and the master
  with them is a relaxation of the problem, so the bound stays valid whatever the price; an
  integer roster using them is invalid and dropped);
- each supervised (day, shift): ``L * faculty on the supervisor shift - sum L / ratio(pgy) of
  the residents >= 0`` (``SupervisionRule``), with such a slack;
- each fairness group: ``M - count_p >= 0`` and ``count_p - m >= 0`` for every member, ``M`` at
  ``+weight`` and ``m`` at ``-weight`` (so ``weight * (M - m)`` is the max-min spread).

Relaxed here (cross-person, not in the master): a supervised-level credential worked with no lead
beside it. The roster price and branch returns is always checked by the validator.

The Lagrangian bound at any duals ``y`` (``y_r >= 0`` on ``>=`` rows) is::

    L(y) = sum_r y_r b_r + sum_p min_j (c_pj - y a_pj) + sum_v min(0, hi_v (cost_v - y e_v))

which is a lower bound on the objective for every such ``y`` when each ``min_j`` is replaced by
anything no larger (the pricing DP's exact minimum, or a relaxation's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..highs import size_pool
from ..model import Assignment, PersonKind, Problem, RequestKind
from ..objective import fairness_measure
from ..validator import HARD, person_violations
from .person import PersonSpec

Column = tuple[int, ...]  # pattern index per day, -1 for a day off
EQ, GE = "=", ">="
CENTRAL_DUALS = False
# The simplex for the next LP solve: after columns alone were added the last basis is still
# primal feasible, so the primal simplex starts from it ("primal"); after bounds changed (the
# dive's bars and fixings) it is still dual feasible, so the dual simplex does ("dual").
# HiGHS's own choice ("choose": dual) re-solved a growing master from far: under load (3-4),
# 30 s, Instance 12 converged in 31 rounds and 19.9 s with "primal" against not in 29 rounds
# with "choose" (LP 8.6 s against 20.4 s); Synth60x10x4 8.7 s against 13.9 s; on
# Synth120x18x12 a round's LP took 1-4 s against 4-13 s.
SIMPLEX = "by change"  # "by change" (the rule above) or "choose" (HiGHS's default)
_STRATEGY = {"choose": 1, "dual": 1, "primal": 4}  # HiGHS's simplex_strategy values
ARTIFICIAL = 2  # a hard rule's slack costs this many times the largest objective weight


@dataclass
class Extra:
    cost: float
    hi: float
    entries: list[tuple[int, float]] = field(default_factory=list)  # (linking row, coefficient)


class Data:
    """The problem as arrays: per-person costs and linking-row coefficients per cell."""

    def __init__(self, problem: Problem, specs: list[PersonSpec]) -> None:
        self.problem, self.specs = problem, specs
        self.people = [p.id for p in problem.people]
        pindex = {pid: i for i, pid in enumerate(self.people)}
        shift = {s.id: i for i, s in enumerate(problem.shift_types)}
        self.P, self.D, self.S = len(self.people), problem.horizon.days, len(shift)
        P, D, S = self.P, self.D, self.S
        self.cell_cost = np.zeros((P, D, S))
        self.day_cost = np.zeros((P, D))
        self.const = np.zeros(P)
        self.global_const = 0.0
        for r in problem.requests:
            p = pindex.get(r.person)
            if p is None or not 0 <= r.day < D or (r.shift is not None and r.shift not in shift):
                if r.kind == RequestKind.ON:
                    self.global_const += r.weight  # never met
                continue
            sign = -1.0 if r.kind == RequestKind.ON else 1.0
            if r.kind == RequestKind.ON:
                self.const[p] += r.weight
            if r.shift is None:
                self.day_cost[p, r.day] += sign * r.weight
            else:
                self.cell_cost[p, r.day, shift[r.shift]] += sign * r.weight
        if problem.change_weight:
            for a in problem.baseline:
                p = pindex.get(a.person)
                if p is None:
                    self.global_const += problem.change_weight
                    continue
                self.const[p] += problem.change_weight
                if 0 <= a.day < D and a.shift in shift:
                    self.cell_cost[p, a.day, shift[a.shift]] -= problem.change_weight
        self.soft_caps = [
            [c for c in person.limits.caps if not c.hard and c.weight] for person in problem.people
        ]
        # Cells each person may work (some allowed pattern holds them).
        self.usable = np.zeros((P, D, S), dtype=bool)
        for p, spec in enumerate(specs):
            for k, pat in enumerate(spec.patterns):
                for i in pat:
                    self.usable[p, :, i] |= spec.allowed[:, k]
        self.rhs: list[float] = []
        self.even: dict[int, float] = {}  # fairness row -> its share of the group's weight
        self.sense: list[str] = []
        self.extras: list[Extra] = []
        entries: list[list[tuple[int, int, float]]] = [[] for _ in range(P)]  # (cell, row, coef)
        # The price of breaking a hard minimum, maximum or supervision ratio in the master. Any
        # price keeps the bound valid (the master with these slacks is a relaxation of the
        # problem); a moderate one keeps the duals, and so the Lagrangian, in a sane range.
        weights = [1.0, float(np.abs(self.cell_cost).max(initial=0))]
        weights += [float(np.abs(self.day_cost).max(initial=0))]
        weights += [max(d.under_weight, d.over_weight) for d in problem.demands]
        weights += [g.weight for g in problem.fairness]
        self.big = ARTIFICIAL * max(weights)
        self._demand_rows(entries, shift)
        self._supervision_rows(entries, shift)
        self._fairness_rows(entries)
        self.R = len(self.rhs)
        self.rhs_array = np.array(self.rhs, dtype=float)
        self.ge = np.array([s == GE for s in self.sense], dtype=bool)
        self.cells = [np.array([e[0] for e in es], dtype=np.int64) for es in entries]
        self.rows_of = [np.array([e[1] for e in es], dtype=np.int64) for es in entries]
        self.coefs = [np.array([e[2] for e in es], dtype=float) for es in entries]
        self.by_cell: list[dict[int, list[tuple[int, float]]]] = []
        for es in entries:
            table: dict[int, list[tuple[int, float]]] = {}
            for cell, row, coef in es:
                table.setdefault(cell, []).append((row, coef))
            self.by_cell.append(table)
        self._valid: dict[tuple[int, Column], bool] = {}

    def _row(self, rhs: float, sense: str) -> int:
        self.rhs.append(rhs)
        self.sense.append(sense)
        return len(self.rhs) - 1

    def _extra(self, cost: float, hi: float, row: int, coef: float) -> None:
        if hi > 0:
            self.extras.append(Extra(cost, hi, [(row, coef)]))

    def _demand_rows(self, entries: list[list[tuple[int, int, float]]], shift: dict) -> None:
        problem, S = self.problem, self.S
        for demand in problem.demands:
            if demand.shift not in shift or not 0 <= demand.day < self.D:
                continue
            if (
                demand.target == 0
                and demand.minimum == 0
                and demand.maximum is None
                and demand.over_weight == 0
            ):
                continue  # binds nothing and costs nothing
            s = shift[demand.shift]
            cell = demand.day * S + s
            admitted = [
                p
                for p, person in enumerate(problem.people)
                if self.usable[p, demand.day, s] and demand.eligibility.admits(person)
            ]
            row = self._row(demand.target, EQ)
            for p in admitted:
                entries[p].append((cell, row, 1.0))
            floor = min(demand.minimum, demand.target)
            self._extra(demand.under_weight, demand.target - floor, row, 1.0)
            self._extra(self.big, floor, row, 1.0)
            most = len(admitted)
            top = most if demand.maximum is None else min(most, demand.maximum)
            self._extra(demand.over_weight, max(0, top - demand.target), row, -1.0)
            if demand.maximum is not None:
                self._extra(self.big, max(0, most - max(demand.maximum, demand.target)), row, -1.0)

    def _supervision_rows(self, entries: list[list[tuple[int, int, float]]], shift: dict) -> None:
        problem, S = self.problem, self.S
        rule = problem.supervision
        scale = math.lcm(*rule.ratios.values()) if rule.ratios else 1
        seen = set()
        for demand in problem.demands:
            sup = demand.supervisor_shift
            key = (demand.day, demand.shift, sup)
            if sup is None or key in seen or sup not in shift or demand.shift not in shift:
                continue
            seen.add(key)
            d, s, b = demand.day, shift[demand.shift], shift[sup]
            row = self._row(0.0, GE)
            need = 0.0
            for p, person in enumerate(problem.people):
                if person.kind == PersonKind.RESIDENT and self.usable[p, d, s]:
                    coef = scale // rule.ratio(person.pgy)
                    entries[p].append((d * S + s, row, -float(coef)))
                    need += coef
                if person.kind == PersonKind.FACULTY and self.usable[p, d, b]:
                    entries[p].append((d * S + b, row, float(scale)))
            self._extra(self.big, need, row, 1.0)

    def _fairness_rows(self, entries: list[list[tuple[int, int, float]]]) -> None:
        problem, S = self.problem, self.S
        pindex = {pid: i for i, pid in enumerate(self.people)}
        for group in problem.fairness:
            if group.weight <= 0 or len(group.people) < 2:
                continue
            counts = fairness_measure(problem, group.measure)
            counted = np.array(
                [[counts(d, s.id) for s in problem.shift_types] for d in range(self.D)], bool
            )
            reach = []
            for pid in sorted(group.people):
                p = pindex.get(pid)
                reach.append(0 if p is None else int((counted & self.usable[p]).sum()))
            top, bottom = Extra(group.weight, max(reach)), Extra(-group.weight, min(reach))
            share = group.weight / len(group.people)
            for pid in sorted(group.people):
                upper, lower = self._row(0.0, GE), self._row(0.0, GE)
                self.even[upper] = self.even[lower] = share
                top.entries.append((upper, 1.0))
                bottom.entries.append((lower, -1.0))
                p = pindex.get(pid)
                if p is None:
                    continue
                for d, s in zip(*np.nonzero(counted & self.usable[p]), strict=True):
                    entries[p].append((int(d) * S + int(s), upper, -1.0))
                    entries[p].append((int(d) * S + int(s), lower, 1.0))
            self.extras += [top, bottom]

    def initial_duals(self) -> np.ndarray:
        """A dual point whose Lagrangian is at least the cheapest rosters' requests (never
        negative): zero on the demand and supervision rows, and each fairness group's weight
        shared evenly by its members' two rows, so the spread's variables cost nothing and the
        members' two rows cancel on every cell."""
        y = np.zeros(self.R)
        for row, share in self.even.items():
            y[row] = share
        return y

    # -- columns -------------------------------------------------------------------------------

    def pairs(self, p: int, column: Column) -> list[tuple[int, int]]:
        """(day, shift index) of every assignment of the roster."""
        patterns = self.specs[p].patterns
        return [(d, i) for d, k in enumerate(column) if k >= 0 for i in patterns[k]]

    def cost(self, p: int, column: Column) -> float:
        pairs = self.pairs(p, column)
        total = self.const[p] + sum(self.cell_cost[p, d, s] for d, s in pairs)
        total += sum(self.day_cost[p, d] for d, k in enumerate(column) if k >= 0)
        ids = self.problem.shift_types
        for cap in self.soft_caps[p]:
            n = sum(1 for d, s in pairs if cap.covers(d, ids[s].id))
            total += cap.weight * max(0, n - cap.cap)
        return float(total)

    def rows(self, p: int, column: Column) -> dict[int, float]:
        out: dict[int, float] = {}
        table = self.by_cell[p]
        for d, s in self.pairs(p, column):
            for row, coef in table.get(d * self.S + s, ()):
                out[row] = out.get(row, 0.0) + coef
        return out

    def dual_cells(self, p: int, y: np.ndarray) -> np.ndarray:
        """(D, S): minus the duals' weight of each cell in person p's rows."""
        out = np.zeros(self.D * self.S)
        if len(self.cells[p]):
            np.add.at(out, self.cells[p], -self.coefs[p] * y[self.rows_of[p]])
        return out.reshape(self.D, self.S)

    def extras_term(self, y: np.ndarray) -> float:
        total = 0.0
        for v in self.extras:
            reduced = v.cost - sum(y[r] * c for r, c in v.entries)
            total += min(0.0, v.hi * reduced)
        return total

    def assignments(self, p: int, column: Column) -> list[Assignment]:
        ids = self.problem.shift_types
        return [Assignment(self.people[p], d, ids[s].id) for d, s in self.pairs(p, column)]

    def valid(self, p: int, column: Column) -> bool:
        """Whether the roster keeps every per-person rule of the validator."""
        key = (p, column)
        if key not in self._valid:
            ids = self.problem.shift_types
            pairs = [(d, ids[s].id) for d, s in self.pairs(p, column)]
            found = person_violations(self.problem, self.problem.people[p], pairs)
            self._valid[key] = not any(v.severity in HARD for v in found)
        return self._valid[key]


class Master:
    """The restricted master in one HiGHS object, grown column by column."""

    def __init__(self, data: Data, seed: int) -> None:
        import highspy

        size_pool(1)
        self.highspy = highspy
        self.data = data
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", seed)
        if CENTRAL_DUALS:
            # Interior point without crossover: duals near the centre of the optimal face, not
            # the vertex the simplex ends on (the master is very degenerate: vertex duals swing
            # from one extreme to another and the Lagrangian bound with them).
            h.setOptionValue("solver", "ipm")
            h.setOptionValue("run_crossover", "off")
        P, R = data.P, data.R
        inf = highspy.kHighsInf
        lower = np.concatenate([np.ones(P), data.rhs_array])
        upper = np.concatenate([np.ones(P), np.where(data.ge, inf, data.rhs_array)])
        h.addRows(P + R, lower, upper, 0, np.zeros(P + R, np.int32), np.zeros(0, np.int32),
                  np.zeros(0))  # fmt: skip
        for v in data.extras:
            rows = np.array([P + r for r, _ in v.entries], np.int32)
            h.addCol(v.cost, 0.0, v.hi, len(rows), rows, np.array([c for _, c in v.entries]))
        self.slacks = len(data.extras)
        self.owner: list[int] = []  # person of each roster column
        self.columns: list[Column] = []
        self.seen: set[tuple[int, Column]] = set()
        self._changed = "primal"  # what changed since the last solve: columns or bounds

    def add(self, p: int, column: Column, penalty: float = 0.0) -> bool:
        if (p, column) in self.seen:
            return False
        self.seen.add((p, column))
        rows = self.data.rows(p, column)
        index = np.array([p, *(self.data.P + r for r in rows)], np.int32)
        values = np.array([1.0, *rows.values()])
        cost = self.data.cost(p, column) + penalty
        self.h.addCol(cost, 0.0, self.highspy.kHighsInf, len(index), index, values)
        self.owner.append(p)
        self.columns.append(column)
        return True

    def _simplex(self) -> None:
        """The simplex for the next solve (``SIMPLEX``), then columns are assumed added."""
        kind = self._changed if SIMPLEX == "by change" else "choose"
        self.h.setOptionValue("simplex_strategy", _STRATEGY[kind])
        self._changed = "primal"

    def _limit(self, time_left: float) -> None:
        """HiGHS compares ``time_limit`` with its run clock, the time of *every* run of this
        object so far: the next run gets ``time_left`` beyond it. (Set to ``time_left`` alone,
        a master whose LP solves had added up to more than the time left stopped at once:
        generation ended early, the dive and the IP found nothing.)"""
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(0.05, time_left))

    def solve_lp(self, time_left: float) -> tuple[float, np.ndarray, np.ndarray] | None:
        """(value, pi, y) or None when HiGHS stops short of an optimum; ``y`` clipped to the
        sign its row allows."""
        size_pool(1)
        self._limit(time_left)
        self._simplex()
        self.h.run()
        if self.h.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        dual = np.asarray(self.h.getSolution().row_dual)
        value = self.h.getInfo().objective_function_value + self.data.global_const
        y = dual[self.data.P :].copy()
        y[self.data.ge] = np.maximum(y[self.data.ge], 0.0)
        return value, dual[: self.data.P], y

    def best_columns(self) -> dict[int, tuple[int, float]]:
        """Each person's column of largest LP value: person -> (column, value)."""
        values = np.asarray(self.h.getSolution().col_value)[self.slacks :]
        best: dict[int, tuple[int, float]] = {}
        for j, p in enumerate(self.owner[: len(values)]):  # columns the last solve knew
            if p not in best or values[j] > best[p][1]:
                best[p] = (j, float(values[j]))
        return best

    def values(self) -> np.ndarray:
        """The last solve's value of every roster column known to it."""
        return np.asarray(self.h.getSolution().col_value)[self.slacks :]

    def bar(self, columns: np.ndarray, on: bool) -> None:
        """Roster columns forced to 0 (``on``) or free again."""
        upper = 0.0 if on else self.highspy.kHighsInf
        self._changed = "dual"
        for j in columns:
            self.h.changeColBounds(self.slacks + int(j), 0.0, upper)

    def fix(self, j: int, on: bool) -> None:
        """Column j forced to 1 (``on``) or free again."""
        lower = 1.0 if on else 0.0
        self._changed = "dual"
        self.h.changeColBounds(self.slacks + j, lower, self.highspy.kHighsInf)

    def solve_ip(self, time_left: float, start: list[Column] | None) -> list[Column] | None:
        """The best integer choice of one column per person HiGHS finds in the time left."""
        n = len(self.columns)
        idx = np.arange(self.slacks, self.slacks + n, dtype=np.int32)
        kind = np.full(n, self.highspy.HighsVarType.kInteger.value, np.uint8)
        self.h.changeColsIntegrality(n, idx, kind)
        self.h.setOptionValue("solver", "choose")
        self.h.setOptionValue("simplex_strategy", _STRATEGY["choose"])
        self._limit(time_left)
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.setOptionValue("mip_abs_gap", 0.999)  # integral objective
        if start is not None:
            chosen = set(enumerate(start))
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
