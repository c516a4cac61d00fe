"""How many shifts of a capped supervisor shift a horizon needs, before any window is built.

A faculty member's yearly ceiling on a supervisor shift (``PersonLimits.max_shifts``, the
demo's "at most 35 attending days a year") must cover more than the supervisor demands'
minimums: a day whose supervised residents outnumber one faculty member's ratio needs a
second one, and the ACGME free days decide how often that happens. Built window by window,
the year found out in a window of February or March (issue 20: "the demands need 42 shifts
... but the eligible people may take at most 41"), after minutes. Here a small model per
chunk of ``year.WINDOW_DAYS`` days counts it up front:

- the supervisor shift S: one Boolean per (person, day) admitted by a demand on S (or fixed
  there), each S demand between its minimum and maximum;
- every cell (day, shift) with a demand supervised by S: one Boolean per person admitted by
  a demand of the cell, each demand between its minimum and maximum, and the supervision
  rule exactly as the validator reads it (faculty on S x lcm >= the residents' lcm / ratio);
- a resident works these supervised shifts on at most ``window_days - min_free_days``
  days of any ACGME window inside the chunk (``_free_day_room``: why that follows from the
  free-day rule, and when it is not used);
- minimise the shifts on S.

Every valid schedule of the horizon, restricted to a chunk's S and supervised cells, is a
solution of that chunk's model (each constraint above is a rule of the horizon on those cells,
and the rest of the schedule is dropped), so the sum of the chunks' proved minimums is a lower
bound on the S shifts of every valid schedule. When it exceeds what the eligible people's
ceilings allow (``checks.shift_capacity``), no valid schedule exists: ``shortfalls`` says which
shift, how many are needed and where, and how many the ceilings allow. Otherwise the chunks'
minimums are the plan ``windows.sub_problem`` shares the ceilings by (``need``), so a window
keeps for the later ones what they will need rather than a share by days.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, lcm
from time import perf_counter

from ortools.sat.python import cp_model

from ..checks import Eligible, shift_capacity
from ..checks_seams import day_name
from ..model import Demand, PersonKind, Problem
from .params import configure

DST_MARGIN = 60  # minutes: a local day is 23 to 25 hours long


@dataclass(frozen=True)
class Needs:
    """The shifts on ``shift`` every valid schedule has, chunk by chunk (proved minimums)."""

    shift: str
    # (first day, last day + 1, at least, of which the minimums of the demands on ``shift``)
    chunks: tuple[tuple[int, int, int, int], ...]
    minimums: int  # of which the demands on ``shift`` ask by their minimums alone
    supervised: tuple[str, ...]  # the supervised shifts that ask the rest
    exact: bool  # every chunk solved to optimality (else the bounds CP-SAT proved)

    @property
    def total(self) -> int:
        return sum(n for _, _, n, _ in self.chunks)

    def per_day(self, days: int) -> list[float]:
        """The plan: each chunk's need spread evenly over its days."""
        out = [0.0] * days
        for first, last, n, _ in self.chunks:
            for d in range(first, min(last, days)):
                out[d] = n / (last - first)
        return out


@dataclass(frozen=True)
class Shortfall:
    needs: Needs
    capacity: int
    caps: dict[str, int]
    eligible: int

    @property
    def short(self) -> int:
        return self.needs.total - self.capacity

    def message(self, problem: Problem) -> str:
        n = self.needs
        rules = problem.acgme
        free = (
            f", each resident on them working at most "
            f"{rules.window_days - rules.min_free_days_per_window} days of any "
            f"{rules.window_days} (the ACGME free days)"
            if rules is not None and rules.min_free_days_per_window > 0
            else ""
        )
        where = ", ".join(
            f"{need - base} from {day_name(problem, first)} to {day_name(problem, last - 1)}"
            for first, last, need, base in n.chunks
            if need > base
        )
        by_cap = Counter(self.caps.values())
        capped = ", ".join(
            f"{k} capped at {cap}" for cap, k in sorted(by_cap.items(), key=lambda t: -t[0])
        )
        return (
            f"{n.shift}: every compliant schedule needs at least {n.total} {n.shift} shifts over "
            f"the horizon, {n.minimums} for the demands' minimums and {n.total - n.minimums} "
            f"more for the days the residents on {', '.join(n.supervised)} need another faculty "
            f"member on {n.shift} by the supervision ratios{free} ({where}); the yearly "
            f"ceilings of the {self.eligible} eligible people ({capped}) allow at most "
            f"{self.capacity}: {self.short} short. Raise the ceilings by {self.short} in total, "
            f"or change what needs the second faculty member ({', '.join(n.supervised)}'s "
            "minimums, or which residents rotate there in those weeks)."
        )


def capped_supervisor_shifts(problem: Problem) -> list[str]:
    """Supervisor shifts on which someone has a ceiling (``max_shifts``)."""
    supervisors = {d.supervisor_shift for d in problem.demands if d.supervisor_shift}
    return sorted(s for s in supervisors if any(s in p.limits.max_shifts for p in problem.people))


def needs(
    problem: Problem,
    shift: str,
    chunks: Sequence[tuple[int, int]],
    *,
    time_limit: float,
    seed: int = 0,
) -> Needs:
    """The proved minimum of ``shift`` assignments in each chunk (module docstring)."""
    by_day: dict[int, list[Demand]] = defaultdict(list)
    cells: dict[tuple[int, str], list[Demand]] = defaultdict(list)
    for d in problem.demands:
        cells[(d.day, d.shift)].append(d)
    supervised_cells = {(d.day, d.shift) for d in problem.demands if d.supervisor_shift == shift}
    for d in problem.demands:
        if d.shift == shift:
            by_day[d.day].append(d)
    out = []
    exact = True
    began_at = perf_counter()
    for i, (first, last) in enumerate(chunks):
        left = time_limit - (perf_counter() - began_at)
        share = max(0.05, left / (len(chunks) - i))
        found, optimal = _chunk(
            problem, shift, first, last, by_day, cells, supervised_cells, share, seed
        )
        exact = exact and optimal
        # The most any one demand on ``shift`` asks that day (several may share people).
        base = sum(
            max((d.minimum for d in by_day.get(day, [])), default=0) for day in range(first, last)
        )
        out.append((first, last, max(found, base), base))
    minimums = sum(base for _, _, _, base in out)
    supervised = sorted({s for _, s in supervised_cells})
    return Needs(shift, tuple(out), minimums, tuple(supervised), exact)


def shortfalls(
    problem: Problem,
    chunks: Sequence[tuple[int, int]],
    *,
    time_limit: float,
    seed: int = 0,
) -> tuple[list[Shortfall], dict[str, Needs]]:
    """For each capped supervisor shift, its needs; a shortfall where they exceed what the
    ceilings allow."""
    shifts = capped_supervisor_shifts(problem)
    found: list[Shortfall] = []
    planned: dict[str, Needs] = {}
    for i, shift in enumerate(shifts):
        n = needs(problem, shift, chunks, time_limit=time_limit / (len(shifts) - i), seed=seed)
        planned[shift] = n
        capacity, caps, eligible = shift_capacity(
            problem, [d for d in problem.demands if d.shift == shift]
        )
        if caps and n.total > capacity:
            found.append(Shortfall(n, capacity, caps, eligible))
    return found, planned


def _free_day_room(problem: Problem, shifts: set[str]) -> int | None:
    """At most how many days of any ACGME window a resident may work ``shifts`` (None: no
    such limit follows). The validator counts free periods as floor(gap / 24 h) over the gaps
    between busy blocks, clipped to the window. When every shift here ends (from its day's
    midnight) more than an hour after any of them starts, starts before 23:00 and ends after
    01:00, a gap between shifts of days a < b, with none between, is shorter than (b - a) x
    24 h even across a DST change, so it holds at most b - a - 1 free periods: the days
    between; a gap at the window's start or end holds at most the days before the first
    shift or after the last. Any other busy block only splits gaps. So a window has at most
    as many free periods as days without these shifts, and the rule's minimum N leaves at
    most window_days - N days with them."""
    rules = problem.acgme
    if rules is None or rules.min_free_days_per_window <= 0:
        return None
    types = [problem.shift_by_id[s] for s in shifts]
    starts = [t.start.hour * 60 + t.start.minute for t in types]
    ends = [s + t.minutes for s, t in zip(starts, types, strict=True)]
    if not types or max(starts) + DST_MARGIN >= min(ends):
        return None
    if max(starts) + DST_MARGIN >= 24 * 60 or min(ends) <= DST_MARGIN:
        return None
    return rules.window_days - rules.min_free_days_per_window


def _chunk(
    problem: Problem,
    shift: str,
    first: int,
    last: int,
    by_day: dict[int, list[Demand]],
    cells: dict[tuple[int, str], list[Demand]],
    supervised_cells: set[tuple[int, str]],
    time_limit: float,
    seed: int,
) -> tuple[int, bool]:
    """The proved minimum of ``shift`` assignments on days [first, last), and whether it is
    the optimum."""
    people = problem.person_by_id
    eligible = Eligible(problem)
    fixed = {(a.person, a.day, a.shift) for a in problem.fixed}

    def free(pid: str, day: int, s: str) -> bool:
        return (pid, day, s) in fixed or eligible.free(pid, day, s)

    model = cp_model.CpModel()
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}

    def var(pid: str, day: int, s: str) -> cp_model.IntVar:
        key = (pid, day, s)
        if key not in x:
            x[key] = model.new_bool_var(f"x[{pid},{day},{s}]")
            if key in fixed:
                model.add(x[key] == 1)
        return x[key]

    def cover(demands: list[Demand], day: int, s: str) -> None:
        for d in demands:
            admitted = eligible.admitted(d)
            vs = [var(pid, day, s) for pid in admitted if free(pid, day, s)]
            vs += [var(pid, day, s) for pid in _fixed_on(fixed, day, s) if pid not in admitted]
            model.add(sum(vs) >= d.minimum)
            if d.maximum is not None:
                model.add(sum(vs) <= d.maximum)

    rule = problem.supervision
    scale = lcm(*rule.ratios.values()) if rule.ratios else 1
    kept: set[str] = set()
    for day in range(first, last):
        cover(by_day.get(day, []), day, shift)
        for s in sorted({s for d, s in supervised_cells if d == day}):
            kept.add(s)
            cover(cells[(day, s)], day, s)
    on: dict[tuple[int, str], list[tuple[str, cp_model.IntVar]]] = defaultdict(list)
    for (pid, day, s), v in x.items():
        on[(day, s)].append((pid, v))
    for day, s in sorted(c for c in supervised_cells if first <= c[0] < last):
        needed = [
            (scale // rule.ratio(people[pid].pgy)) * v
            for pid, v in on[(day, s)]
            if people[pid].kind == PersonKind.RESIDENT
        ]
        faculty = [v for pid, v in on[(day, shift)] if people[pid].kind == PersonKind.FACULTY]
        if needed:
            model.add(scale * sum(faculty) >= sum(needed))
    objective = [v for (_, _, s), v in x.items() if s == shift]
    room = _free_day_room(problem, kept)
    if room is not None and problem.acgme is not None:
        length = problem.acgme.window_days
        worked: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for (pid, day, s), v in x.items():
            if s in kept and people[pid].kind == PersonKind.RESIDENT:
                worked[(pid, day)].append(v)
        for pid in sorted({pid for pid, _ in worked}):
            any_day = {}
            for day in range(first, last):
                vs = worked.get((pid, day))
                if vs:
                    w = model.new_bool_var(f"w[{pid},{day}]")
                    for v in vs:
                        model.add_implication(v, w)
                    any_day[day] = w
            for start in range(first, last - length + 1):
                ws = [any_day[d] for d in range(start, start + length) if d in any_day]
                if len(ws) > room:
                    model.add(sum(ws) <= room)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    configure(solver, time_limit=time_limit, seed=seed, workers=1)
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), True
    if status == cp_model.INFEASIBLE:
        # The supervised cells alone cannot be staffed here: the whole problem is infeasible,
        # which the other checks and the solve report; count the minimums only.
        return 0, False
    bound = solver.best_objective_bound
    return (max(0, ceil(bound - 1e-6)) if bound > float("-inf") else 0), False


def _fixed_on(fixed: set[tuple[str, int, str]], day: int, shift: str) -> list[str]:
    return [pid for pid, d, s in fixed if d == day and s == shift]
