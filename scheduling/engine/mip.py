"""MIP solver for the shift problem's linear core (algorithm "mip"): PuLP with HiGHS, else CBC.

One binary ``x[p, d, s]`` per eligible, not-pruned (person, day, shift), as in the CP-SAT model,
and linear rows only, each exact or *conservative* (forbidding a little more than the
validator's reading, never less), so a schedule the MIP accepts is one the validator accepts.
* exact: coverage minimum/maximum, fixed (lower bound 1), unavailability / PGY-1 moonlighting /
  ``max_shifts == 0`` (no variable), overlaps (one row per clique of real intervals alive
  together), the minimum rest (the same on intervals lengthened by it, and no shift too close
  to the history), shifts per day, per type and total minutes, successions, supervision ratios,
  consecutive-day rules over "works on day d" (the day's sum when its shifts pairwise overlap,
  else a continuous ``x <= w <= sum x``; the history's days across the edges as constants), max
  weekends and weekend caps per block, and ACGME 28-day duty minutes clipped at the window's
  midnights.
* ACGME (mip_acgme.py): weekly hours and free periods exact, with history constants; 24 + 4
  and 14 h rest by forbidding every minimal chain of touching duty shifts that breaks the rule
  and every duty shift starting too soon after a long chain (cpsat/acgme.py's readings); call
  nights and night-float runs as window sums of the shifts themselves (conservative).
* objective: model.py's terms with continuous slacks (fairness as weight * (hi - lo)); the
  objective reported is the validator's (slacks may be loose before optimality). Infeasible
  problems are named by an elastic re-solve: each named group of hard rows gets a 0/1 "drop"
  variable and the MIP drops as few groups as it can.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulp

from .checks import check_problem
from .duty import Timeline, interval_cliques, timeline_for
from .highs import size_pool
from .limits import lead_days, rest_after_history, rest_cliques, weekend_room
from .mip_acgme import add_acgme
from .model import (
    Assignment,
    Demand,
    PersonKind,
    Problem,
    Progress,
    RequestKind,
    ShiftCategory,
    Solution,
    SolveStatus,
)
from .objective import fairness_measure
from .validator import validate

ALGORITHM = "mip"
PROGRESS_SECONDS = 1.0
STOP_POLL_SECONDS = 0.2
EXPLAIN_SECONDS = 10.0
MAX_CHAIN = 12  # as cpsat/acgme.py: longer chains only arise with tiny shifts
SAFETY = 0.15  # seconds kept from the solver's limit for decoding and validating

Key = tuple[str, int, str]
Terms = list[tuple[pulp.LpVariable, float]]
ProgressFn = Callable[[Progress], None]
StopFn = Callable[[], bool]
PARTS = ("coverage", "requests", "fairness", "changes")  # the objective's parts


class Model:
    """The PuLP problem of one Problem; ``elastic`` adds a drop variable per named group."""

    def __init__(self, problem: Problem, *, elastic: bool = False) -> None:
        self.problem, self.elastic, self.days = problem, elastic, problem.horizon.days
        self.timeline: Timeline = timeline_for(problem)
        self.lp = pulp.LpProblem("shifts", pulp.LpMinimize)
        self.x: dict[Key, pulp.LpVariable] = {}
        self.on_day: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.keys_of: dict[str, list[Key]] = defaultdict(list)
        self.drops: dict[str, pulp.LpVariable] = {}
        self.parts: dict[str, Terms] = {k: [] for k in PARTS}
        self.offsets: dict[str, float] = dict.fromkeys(PARTS, 0.0)
        self.objective: Terms = []
        self.constant, self._rows, self._aux = 0.0, 0, 0
        self._work: dict[tuple[str, int], Terms] = {}
        self._variables()
        self._coverage()
        self._overlaps()
        for person in problem.people:
            self._limits(person.id)
            if problem.acgme is not None and person.kind == PersonKind.RESIDENT:
                add_acgme(self, person.id)
        self._successions()
        self._rest()
        self._supervision()
        if elastic:
            self.lp += pulp.lpSum(self.drops.values())
        else:
            self._soft()
            self.lp += pulp.LpAffineExpression(self.objective, constant=self.constant)

    def var(self, name: str, ub: float | None = 1.0) -> pulp.LpVariable:
        """A continuous auxiliary; those in hard rows stay in [0, 1] (see ``row``)."""
        self._aux += 1
        return self.lp.add_variable(f"{name}{self._aux}", 0, ub, pulp.LpContinuous)

    def row(self, terms: Terms, sense: int, rhs: float, group: str | None) -> None:
        """``terms`` <= (sense -1), == (0) or >= (1) ``rhs``. In elastic mode a named group's
        rows can be switched off; every variable of a hard row lies in [0, 1], so the reach of
        ``terms`` (its negative / positive coefficient sums) sizes the drop's big-M."""
        terms = [t for t in terms if t[1]]
        if not terms:
            if (rhs == 0) if sense == 0 else sense * rhs <= 0:
                return  # 0 satisfies it
            # Impossible: a variable fixed at zero lets HiGHS prove it (and elastic drop it).
            terms = [(self.lp.add_variable(f"zero{self._rows}", 0, 0), 1.0)]
        if self.elastic and group is not None:
            if (drop := self.drops.get(group)) is None:
                drop = self.drops[group] = self.lp.add_variable(f"drop{len(self.drops)}", 0, 1, pulp.LpBinary)  # fmt: skip
            low, high = sum(c for _, c in terms if c < 0), sum(c for _, c in terms if c > 0)
            if sense <= 0 and high > rhs:
                self._add([*terms, (drop, rhs - high)], pulp.LpConstraintLE, rhs)
            if sense >= 0 and low < rhs:
                self._add([*terms, (drop, rhs - low)], pulp.LpConstraintGE, rhs)
            return
        kind = {0: pulp.LpConstraintEQ, -1: pulp.LpConstraintLE, 1: pulp.LpConstraintGE}[sense]
        self._add(terms, kind, rhs)

    def _add(self, terms: Terms, kind: int, rhs: float) -> None:
        self._rows += 1
        self.lp.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), kind, f"r{self._rows}", rhs))  # fmt: skip

    def work(self, pid: str, day: int) -> Terms:
        """ "Works on day" as terms whose value is exactly 0 or 1 at integral x."""
        hit = self._work.get((pid, day))
        if hit is None:
            xs = [self.x[(pid, day, s)] for s in self.on_day.get((pid, day), ())]
            hit = [(v, 1.0) for v in xs]
            # One shift a day, or the day's shifts pairwise overlap: the sum is 0 or 1.
            ivs = [self.timeline.interval(day, s) for s in self.on_day.get((pid, day), ())]
            exclusive = self.problem.person_by_id[pid].limits.max_shifts_per_day == 1 or all(
                a[0] < b[1] and b[0] < a[1] for i, a in enumerate(ivs) for b in ivs[i + 1 :])  # fmt: skip
            if len(xs) > 1 and not exclusive:
                w = self.var("w")
                for v in xs:
                    self.row([(w, 1.0), (v, -1.0)], 1, 0, None)
                self.row([(w, 1.0), *((v, -1.0) for v in xs)], -1, 0, None)
                hit = [(w, 1.0)]
            self._work[(pid, day)] = hit
        return hit

    def _variables(self) -> None:
        problem, rules = self.problem, self.problem.acgme
        unavailable = {(u.person, u.day, u.shift) for u in problem.unavailable}
        no_moonlight = rules is not None and not rules.pgy1_may_moonlight
        wanted = {(p.id, d.day, d.shift) for d in problem.demands for p in problem.people
                  if d.eligibility.admits(p)}  # fmt: skip
        fixed = {(a.person, a.day, a.shift) for a in problem.fixed}
        order = {s.id: i for i, s in enumerate(problem.shift_types)}
        people = {p.id: i for i, p in enumerate(problem.people)}
        for key in sorted(wanted | fixed, key=lambda k: (people[k[0]], k[1], order[k[2]])):
            pid, day, shift = key
            person = problem.person_by_id[pid]
            moonlight = problem.shift_by_id[shift].category == ShiftCategory.MOONLIGHTING
            pruned = (
                (pid, day, None) in unavailable or (pid, day, shift) in unavailable
                or person.limits.max_shifts.get(shift) == 0
                or (no_moonlight and moonlight and person.kind == PersonKind.RESIDENT
                    and person.pgy == 1)
            )  # fmt: skip
            if pruned and key not in fixed:
                continue  # checks.py names fixed assignments that hit these rules
            self.x[key] = self.lp.add_variable(
                f"x{len(self.x)}", int(key in fixed), 1, pulp.LpBinary
            )
            self.on_day[(pid, day)].append(shift)
            self.keys_of[pid].append(key)
        for a in problem.fixed:
            what = f"fixed assignment of {a.person} to {a.shift} on {_date(self.problem, a.day)}"
            self.row([(self.x[(a.person, a.day, a.shift)], 1.0)], 1, 1, what)

    def _coverage(self) -> None:
        self.counts: list[Terms] = []
        for d in self.problem.demands:
            terms: Terms = [(self.x[(p.id, d.day, d.shift)], 1.0) for p in self.problem.people
                            if (p.id, d.day, d.shift) in self.x and d.eligibility.admits(p)]  # fmt: skip
            self.counts.append(terms)
            where = f"{d.shift} on {_date(self.problem, d.day)}"
            if d.minimum > 0:
                self.row(terms, 1, d.minimum, f"coverage minimum for {where}")
            if d.maximum is not None and d.maximum < len(terms):
                self.row(terms, -1, d.maximum, f"coverage maximum for {where}")
            self._leads(d, where)

    def _leads(self, d: Demand, where: str) -> None:
        """A supervised-level holder works the demand only beside a lead (model.py)."""
        if not d.eligibility.skills:
            return
        cell = [(p, self.x.get((p.id, d.day, d.shift))) for p in self.problem.people]
        admitted = [(p, v) for p, v in cell if v is not None and d.eligibility.admits(p)]
        leads: Terms = [(v, -1.0) for p, v in admitted if d.eligibility.leads(p)]
        for p, v in admitted:
            if not d.eligibility.leads(p):
                self.row([(v, 1.0), *leads], -1, 0, f"supervised credential of {p.id} on {where}")

    def _overlaps(self) -> None:
        """Cliques of (day, shift) intervals alive at one instant: at most one per person."""
        iv = self.timeline.interval
        cliques = interval_cliques({(k[1], k[2]) for k in self.x}, lambda ds: iv(*ds))
        for pid in self.keys_of:
            for clique in cliques:
                xs = [(self.x[(pid, d, s)], 1.0) for d, s in clique if (pid, d, s) in self.x]
                if len(xs) > 1:
                    self.row(xs, -1, 1, None)

    def _limits(self, pid: str) -> None:
        lim, keys = self.problem.person_by_id[pid].limits, self.keys_of.get(pid, [])
        for shift, cap in lim.max_shifts.items():
            terms = [(self.x[k], 1.0) for k in keys if k[2] == shift]
            if len(terms) > cap:
                self.row(terms, -1, cap, f"max {shift} shifts for {pid}")
        for group in (c for c in lim.caps if c.hard):
            terms = [(self.x[k], 1.0) for k in keys if group.covers(k[1], k[2])]
            if len(terms) > group.cap:
                self.row(terms, -1, group.cap, f"{group.name} for {pid}")
        minutes = [(self.x[k], float(self.problem.shift_by_id[k[2]].minutes)) for k in keys]
        for sense, bound, what in ((-1, lim.max_total_minutes, "maximum"), (1, lim.min_total_minutes, "minimum")):  # fmt: skip
            if bound is not None:
                self.row(minutes, sense, bound, f"{what} total minutes for {pid}")
        for day in range(self.days) if lim.max_shifts_per_day is not None else ():
            xs = [(self.x[(pid, day, s)], 1.0) for s in self.on_day.get((pid, day), ())]
            if len(xs) > (cap := lim.max_shifts_per_day or 0):
                self.row(xs, -1, cap, f"max shifts per day for {pid}")
        days, runs = self.days, (lim.max_consecutive_work, lim.min_consecutive_work, lim.min_consecutive_off)  # fmt: skip
        w = [self.work(pid, d) for d in range(days)] if any(r is not None for r in runs) else []
        # The history's days worked across the period's edges are constants of the run.
        before, after = lead_days(self.problem.history_days(pid), days)
        if (longest := lim.max_consecutive_work) is not None and longest < before + days + after:
            for first in range(-before, days + after - longest):
                last = first + longest  # window first..last, with a day of the horizon in it
                if last < 0 or first >= days:
                    continue
                window = [t for d in range(max(first, 0), min(last, days - 1) + 1) for t in w[d]]
                carried = max(0, -first) + max(0, last - days + 1)
                self.row(window, -1, longest - carried, f"max consecutive working days for {pid}")
        # A run starting on day s >= 1 must last to s + j for each j below the minimum (runs
        # reaching the last day are exempt, as the clauses stop at the horizon).
        for low, on, what in ((lim.min_consecutive_work, True, "working days"),
                              (lim.min_consecutive_off, False, "days off")):  # fmt: skip
            for s in range(1, days) if low and low > 1 else ():
                for j in range(1, min(low or 0, days - s)):
                    clause = w[s - 1] + _neg(w[s]) + w[s + j]  # off-runs: over 1 - works
                    self.row(clause if on else _neg(clause), 1, 0 if on else -1, f"min consecutive {what} for {pid}")  # fmt: skip
        if lim.max_weekends is not None:
            self._weekends(pid, lim.max_weekends)
        for weekends_cap in lim.weekend_caps:
            room, _, weekends = weekend_room(
                weekends_cap, self.problem.horizon, self.problem.history_days(pid)
            )
            worked = [self._worked_any(pid, ds) for ds in weekends]
            terms = [t for ts in worked for t in ts]
            if len(terms) > room:
                self.row(terms, -1, room, f"{weekends_cap.name} for {pid}")
        for link in self.problem.linked:
            if 0 <= link.first < self.days and 0 <= link.second < self.days:
                terms = [(self.x[k], 1.0 if k[1] == link.first else -1.0) for k in keys
                         if k[1] in (link.first, link.second) and k[2] in link.shifts]  # fmt: skip
                self.row(terms, 0, 0, f"call pattern for {pid} on day {link.first}")

    def _weekends(self, pid: str, cap: int) -> None:
        horizon, worked = self.problem.horizon, cast(Terms, [])
        weekends: dict[int, list[Terms]] = defaultdict(list)
        for day in (d for d in range(self.days) if horizon.is_weekend(d) and self.work(pid, d)):
            weekends[day - horizon.date_of(day).weekday()].append(self.work(pid, day))
        for parts in weekends.values():  # weekend worked >= each of its days worked
            wk = parts[0] if len(parts) == 1 else [(self.var("wk"), 1.0)]
            for p in parts if len(parts) > 1 else ():
                self.row([*wk, *_neg(p)], 1, 0, None)
            worked += wk
        if len(worked) > cap:
            self.row(worked, -1, cap, f"max weekends for {pid}")

    def _worked_any(self, pid: str, days: Sequence[int]) -> Terms:
        """ "Works on one of ``days``" as terms worth 0 or 1 at integral x (as ``_weekends``)."""
        parts = [self.work(pid, d) for d in days if self.work(pid, d)]
        if len(parts) <= 1:
            return parts[0] if parts else []
        worked = [(self.var("wk"), 1.0)]
        for p in parts:  # worked >= each day worked
            self.row([*worked, *_neg(p)], 1, 0, None)
        return worked

    def _rest(self) -> None:
        """The minimum rest (model.py): at most one of a person's shifts per clique of spans
        lengthened by the rest (limits.rest_span), and none too close to the history."""
        if not self.problem.min_rest_minutes:
            return
        cliques = rest_cliques(self.problem, self.timeline, {(k[1], k[2]) for k in self.x})
        for pid, keys in self.keys_of.items():
            for clique in cliques:
                xs = [(self.x[(pid, d, s)], 1.0) for d, s in clique if (pid, d, s) in self.x]
                if len(xs) > 1:
                    self.row(xs, -1, 1, f"minimum rest for {pid}")
            cells = [(d, s) for _, d, s in keys]
            for (d, s), _ in rest_after_history(self.problem, self.timeline, pid, cells):
                what = f"minimum rest for {pid} after the published schedule"
                self.row([(self.x[(pid, d, s)], 1.0)], -1, 0, what)

    def _successions(self) -> None:
        for (pid, day, shift), v in self.x.items():
            for nxt in sorted(self.problem.shift_by_id[shift].forbidden_next):
                if (other := self.x.get((pid, day + 1, nxt))) is not None:
                    what = f"forbidden succession {shift}->{nxt} for {pid}"
                    self.row([(v, 1.0), (other, 1.0)], -1, 1, what)

    def _supervision(self) -> None:
        rule = self.problem.supervision
        scale = math.lcm(*rule.ratios.values()) if rule.ratios else 1
        cells = {(d.day, d.shift, d.supervisor_shift) for d in self.problem.demands}
        for day, shift, sup in sorted(c for c in cells if c[2] is not None):
            terms: Terms = []
            for p in self.problem.people:
                # (LpVariable is falsy: compare with None.)
                v = self.x.get((p.id, day, shift if p.kind == PersonKind.RESIDENT else sup or ""))
                if v is not None and p.kind == PersonKind.RESIDENT:
                    terms.append((v, -float(scale // rule.ratio(p.pgy))))
                elif v is not None and p.kind == PersonKind.FACULTY:
                    terms.append((v, float(scale)))
            if any(c < 0 for _, c in terms):
                self.row(terms, 1, 0, f"supervision of {shift} on {_date(self.problem, day)}")

    # ----------------------------------------------------------------- objective
    def _soft(self) -> None:
        """The objective's terms by part (pareto.py constrains the parts one by one)."""
        problem, parts, offset = self.problem, self.parts, self.offsets
        for demand, terms in zip(problem.demands, self.counts, strict=True):
            uw, ow, target = demand.under_weight, demand.over_weight, demand.target
            offset["coverage"] += 0 if terms else uw * target  # nobody can work it
            if uw and target > 0 and terms:
                parts["coverage"].append((u := self.var("under", None), float(uw)))
                self.row([(u, 1.0), *terms], 1, target, None)  # u >= target - n
            if ow and len(terms) > target:
                parts["coverage"].append((o := self.var("over", None), float(ow)))
                self.row([(o, 1.0), *_neg(terms)], 1, -target, None)  # o >= n - target
        for req in problem.requests:
            v = self.x.get((req.person, req.day, req.shift or ""))
            terms = self.work(req.person, req.day) if req.shift is None else _one(v)
            on = req.kind == RequestKind.ON  # costs weight * (1 - works)
            offset["requests"] += req.weight if on else 0
            parts["requests"] += [(v, (-c if on else c) * req.weight) for v, c in terms]
        for a in problem.baseline if problem.change_weight else ():
            offset["changes"] += problem.change_weight
            kept = _one(self.x.get((a.person, a.day, a.shift)))  # costs weight * (1 - kept)
            parts["changes"] += [(v, -float(problem.change_weight)) for v, _ in kept]
        for group in problem.fairness:
            if group.weight and len(group.people) >= 2:
                hi, lo = self.var("hi", None), self.var("lo", None)
                for pid in sorted(group.people):
                    count = _neg(self.fairness_terms(pid, group.measure))
                    self.row([(hi, 1.0), *count], 1, 0, None)
                    self.row([(lo, 1.0), *count], -1, 0, None)
                parts["fairness"] += [(hi, float(group.weight)), (lo, -float(group.weight))]
        for pid, keys in self.keys_of.items():  # weighted caps: with the wishes, "requests"
            for cap in self.problem.person_by_id[pid].limits.caps:
                terms = [(self.x[k], 1.0) for k in keys if cap.covers(k[1], k[2])]
                if not cap.hard and cap.weight and len(terms) > cap.cap:
                    parts["requests"].append((o := self.var("target", None), float(cap.weight)))
                    self.row([(o, 1.0), *_neg(terms)], 1, -cap.cap, None)  # o >= n - cap
        self.objective = [t for terms in parts.values() for t in terms]
        self.constant = sum(offset.values())

    def fairness_terms(self, pid: str, measure: str) -> Terms:
        """The assignments counted by a fairness measure, by the validator's own predicate."""
        counts = fairness_measure(self.problem, measure)
        return [(self.x[k], 1.0) for k in self.keys_of.get(pid, ()) if counts(k[1], k[2])]

    def assignments(self) -> tuple[Assignment, ...]:
        return tuple(Assignment(*k) for k, v in self.x.items() if (v.varValue or 0.0) > 0.5)


def _one(v: pulp.LpVariable | None) -> Terms:
    return [] if v is None else [(v, 1.0)]


def _date(problem: Problem, day: int) -> str:
    return problem.horizon.date_of(day).isoformat()


def _neg(terms: Terms) -> Terms:
    return [(v, -c) for v, c in terms]


# --------------------------------------------------------------------------- solving
@dataclass
class Watch:
    """State shared with the HiGHS callback (called in this thread, inside ``run``)."""

    start: float
    on_progress: ProgressFn | None
    should_stop: StopFn | None
    offset: float = 0.0  # PuLP hands HiGHS the objective without its constant
    objective: float | None = None
    bound: float | None = None
    first_feasible: float | None = None
    stopped: bool = False
    deadline: float = math.inf  # HiGHS overruns its own time limit by seconds on big models
    last_report = last_poll = last_interrupt = 0.0

    def report(self, phase: str) -> None:
        self.last_report = now = time.monotonic()
        if self.on_progress is not None:
            self.on_progress(Progress(now - self.start, self.objective, self.bound, phase))

    def poll(self) -> bool:
        self.stopped = self.stopped or bool(self.should_stop and self.should_stop())
        return self.stopped

    def shifted(self, value: float) -> float | None:
        finite = math.isfinite(value) and abs(value) < 1e20
        return max(0.0, value + self.offset) if finite else None  # every term is >= 0


def _callback(kind: Any, message: str, data_out: Any, data_in: Any, watch: Watch) -> None:
    cb, now = pulp.HiGHS.hscb.HighsCallbackType, time.monotonic()
    if kind == cb.kCallbackMipImprovingSolution:
        watch.objective = watch.shifted(data_out.objective_function_value)
        watch.first_feasible = watch.first_feasible or now - watch.start
        watch.report("solution")
    elif kind == cb.kCallbackMipInterrupt:
        watch.objective = watch.shifted(data_out.mip_primal_bound)
        watch.bound = watch.shifted(data_out.mip_dual_bound)
        if now - watch.last_report >= PROGRESS_SECONDS:
            watch.report("search")
        # On large programs these calls come seconds apart and HiGHS's own limit overruns by
        # as much: stop when the next call would come after the deadline.
        gap, watch.last_interrupt = now - (watch.last_interrupt or now), now
        late = now + gap >= watch.deadline
        if now - watch.last_poll >= STOP_POLL_SECONDS or late:
            watch.last_poll, data_in.user_interrupt = now, watch.poll() or late


class _StartedHighs(pulp.HiGHS):
    """PuLP's HiGHS API solver plus a MIP start of the binaries (HiGHS completes the rest).
    PuLP copies the model row by row before ``callSolver`` (seconds on large programs), so the
    time limit is set here, from the caller's deadline."""

    def __init__(self, start: Sequence[tuple[pulp.LpVariable, float]], deadline: float, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.start, self.deadline = start, deadline

    def callSolver(self, lp: pulp.LpProblem) -> None:
        size_pool(self.threads or 1)
        lp.solverModel.setOptionValue("time_limit", max(0.05, self.deadline - time.monotonic()))
        if self.start:
            import numpy as np

            index, value = zip(*((v.index, val) for v, val in self.start), strict=True)
            lp.solverModel.setSolution(len(index), np.array(index, np.int32), np.array(value))
        lp.solverModel.run()


def solver_for(time_limit: float, seed: int, workers: int, watch: Watch | None,
               start: Sequence[tuple[pulp.LpVariable, float]] = ()) -> Any:  # fmt: skip
    """HiGHS (with ``start`` and progress through ``watch``) when installed, else CBC."""
    limit = max(0.05, time_limit)
    if pulp.HiGHS().available():
        cb = pulp.HiGHS.hscb.HighsCallbackType
        active = [cb.kCallbackMipInterrupt, cb.kCallbackMipImprovingSolution]
        callbacks = {"callbackTuple": (_callback, watch), "callbacksToActivate": active}
        # Every weight is an integer, so a gap below 1 already proves optimality.
        return _StartedHighs(start, time.monotonic() + limit, msg=False, timeLimit=limit,
                             threads=max(1, workers), gapRel=0.0, gapAbs=0.999,
                             random_seed=seed, **(callbacks if watch is not None else {}))  # fmt: skip
    for var, value in start:
        var.setInitialValue(value)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=max(1, workers),
                             warmStart=bool(start),
                             options=[f"randomSeed {seed + 1}", "allowableGap 0.999"])  # fmt: skip


def outcome(model: Model, watch: Watch) -> tuple[SolveStatus, bool, float | None]:
    """(status, whether a schedule was found, dual bound including the constant)."""
    lp, highs = model.lp, getattr(model.lp, "solverModel", None)
    if highs is None:  # CBC: PuLP's status only, and no bound
        if lp.status == pulp.LpStatusInfeasible:
            return SolveStatus.INFEASIBLE, False, None
        found = lp.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        optimal = lp.sol_status == pulp.LpSolutionOptimal
        return (SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE if found
                else SolveStatus.UNKNOWN), found, None  # fmt: skip
    import highspy

    code, kind = highs.getModelStatus(), highspy.HighsModelStatus
    found = highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    bound = watch.shifted(highs.getInfo().mip_dual_bound)
    bound = None if bound is None else float(math.ceil(bound - 1e-6))  # integral objective
    if code == kind.kOptimal:
        return SolveStatus.OPTIMAL, True, bound
    if code in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return SolveStatus.INFEASIBLE, False, None
    if watch.stopped:  # a kInterrupt of our own deadline is a time limit, not a cancel
        return SolveStatus.CANCELLED, found, bound
    return (SolveStatus.FEASIBLE if found else SolveStatus.UNKNOWN), found, bound


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 1,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    hint: Solution | Sequence[Assignment] | None = None,
) -> Solution:
    """Solve ``problem`` as a MIP; the schedule returned is re-checked by the validator.
    ``hint`` (a schedule or Solution) is the MIP start; without one, as the CP-SAT solver does,
    a greedy schedule built in a tenth of the time limit (2 s at most)."""
    began = time.monotonic()
    watch = Watch(began, on_progress, should_stop)

    def finish(status: SolveStatus, **fields: Any) -> Solution:
        watch.report("done")
        return Solution(assignments=fields.pop("assignments", ()), status=status,
                        algorithm=ALGORITHM, wall_time=time.monotonic() - began, **fields)  # fmt: skip

    watch.report("start")
    causes = check_problem(problem)
    if causes:
        return finish(SolveStatus.INVALID, conflicts=tuple(causes))
    if watch.poll():
        return finish(SolveStatus.CANCELLED)
    if hint is None:
        from .greedy import solve as greedy

        hint = greedy(problem, time_limit=min(2.0, 0.1 * time_limit), seed=seed, should_stop=should_stop)  # fmt: skip
    schedule = hint.assignments if isinstance(hint, Solution) else hint
    chosen = {(a.person, a.day, a.shift) for a in schedule}
    model = Model(problem)
    watch.offset = model.constant
    watch.report("model")
    if watch.poll():
        return finish(SolveStatus.CANCELLED)
    start = [(v, float(key in chosen)) for key, v in model.x.items()] if chosen else []
    # Reading the solution back through PuLP takes time in proportion to the model.
    remaining = time_limit - (time.monotonic() - began) - SAFETY - 2e-5 * model._rows
    watch.deadline = time.monotonic() + remaining
    model.lp.solve(solver_for(remaining, seed, workers, watch, start))
    status, found, bound = outcome(model, watch)
    if status is SolveStatus.INFEASIBLE:
        left = time_limit - (time.monotonic() - began)
        names = explain(problem, time_limit=min(EXPLAIN_SECONDS, max(1.0, left)), seed=seed)
        return finish(status, conflicts=tuple(names))
    if not found:
        return finish(status, bound=bound)
    assignments = model.assignments()
    report = validate(problem, assignments)
    objective = watch.objective = report.objective
    watch.bound = None if bound is None else min(bound, objective)
    if not report.is_valid:
        # The encoding is meant to make this impossible; should it happen, say so (with the
        # violations) rather than hand back a rejected schedule as a solution.
        status = SolveStatus.UNKNOWN
    elif status is SolveStatus.FEASIBLE and bound is not None and objective <= bound:
        status = SolveStatus.OPTIMAL
    first = watch.first_feasible or time.monotonic() - began
    return finish(status, assignments=assignments, objective=objective, bound=watch.bound,
                  time_to_first_feasible=first if report.is_valid else None,
                  violations=report.hard)  # fmt: skip


def explain(problem: Problem, *, time_limit: float, seed: int = 0) -> list[str]:
    """A smallest set of named rule groups whose removal makes the problem feasible."""
    model = Model(problem, elastic=True)
    model.lp.solve(solver_for(time_limit, seed, 1, None))
    dropped = sorted(name for name, v in model.drops.items() if (v.varValue or 0.0) > 0.5)
    return dropped or ["the MIP proved the hard rules infeasible but named no group in time"]
