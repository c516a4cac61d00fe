"""Per-person limits, forbidden successions, the minimum rest and supervision coupling.

The consecutive rules are the ones a naive model gets weak: they are encoded as sliding-window
clauses over the "works on day d" literals, which unit-propagate as soon as a run is decided
and give the LP nothing fractional to hide in.
"""

from __future__ import annotations

from collections import defaultdict
from math import lcm

from ..limits import lead_days, rest_after_history, rest_cliques, weekend_room
from ..model import PersonKind, WeekendCap
from .build import Builder, Lit, neg


def add_person_limits(b: Builder) -> None:
    problem = b.problem
    keys_of = b.person_keys()
    for person in problem.people:
        limits = person.limits
        pid = person.id
        keys = keys_of.get(pid, [])
        by_shift: dict[str, list] = defaultdict(list)
        for key in keys:
            by_shift[key[2]].append(b.x[key])
        for shift, cap in limits.max_shifts.items():
            if cap > 0 and len(by_shift.get(shift, ())) > cap:
                b.linear(sum(by_shift[shift]) <= cap, f"max {shift} shifts for {pid}")
        for group in limits.caps:
            xs = [b.x[key] for key in keys if group.covers(key[1], key[2])]
            if len(xs) <= group.cap:
                continue
            if group.hard:
                b.linear(sum(xs) <= group.cap, f"{group.name} for {pid}")
            elif group.weight and not b.diagnose:  # a weighted target: cost per extra shift
                # over == max(0, n - cap) exactly, so every reported objective is the validator's.
                top = len(xs) - group.cap
                excess = b.model.new_int_var(-group.cap, top, f"excess[{group.name},{pid}]")
                over = b.model.new_int_var(0, top, f"over[{group.name},{pid}]")
                b.model.add(excess == sum(xs) - group.cap)
                b.model.add_max_equality(over, [excess, 0])
                b.objective_terms.append((group.weight, over))
        if limits.min_total_minutes is not None or limits.max_total_minutes is not None:
            total = sum(b.minutes(d, s) * b.x[(pid, d, s)] for _, d, s in keys)
            if limits.min_total_minutes is not None:
                b.linear(total >= limits.min_total_minutes, f"minimum total minutes for {pid}")
            if limits.max_total_minutes is not None:
                b.linear(total <= limits.max_total_minutes, f"maximum total minutes for {pid}")
        if limits.max_shifts_per_day is not None:
            for day in range(b.days):
                xs = b.day_vars(pid, day)
                if len(xs) > limits.max_shifts_per_day:
                    b.linear(sum(xs) <= limits.max_shifts_per_day, f"max shifts per day for {pid}")
        work = [b.work(pid, d) for d in range(b.days)]
        _consecutive(
            b,
            pid,
            work,
            limits.max_consecutive_work,
            limits.min_consecutive_work,
            limits.min_consecutive_off,
            lead_days(problem.history_days(pid), b.days),
        )
        if limits.max_weekends is not None:
            _weekends(b, pid, limits.max_weekends)
        for weekends_cap in limits.weekend_caps:
            _weekend_cap(b, pid, weekends_cap)
        for link in problem.linked:
            if 0 <= link.first < b.days and 0 <= link.second < b.days:
                first = [
                    b.x[(pid, link.first, s)] for s in link.shifts if (pid, link.first, s) in b.x
                ]
                second = [
                    b.x[(pid, link.second, s)] for s in link.shifts if (pid, link.second, s) in b.x
                ]
                b.linear(
                    sum(first) == sum(second), f"call pattern for {pid} on {b.date(link.first)}"
                )


def _consecutive(
    b: Builder,
    pid: str,
    work: list[Lit],
    max_work: int | None,
    min_work: int | None,
    min_off: int | None,
    lead: tuple[int, int] = (0, 0),
) -> None:
    days = len(work)
    # The history's days worked across the period's edges are constants of the run.
    before, after = lead
    run: list[Lit] = [True] * before + work + [True] * after
    if max_work is not None and max_work < len(run):
        group = f"max consecutive working days for {pid}"
        for start in range(len(run) - max_work):
            if start + max_work < before or start >= before + days:
                continue  # history only: not this solve's to forbid
            window = run[start : start + max_work + 1]
            b.clause([neg(w) for w in window], group)
    # Runs touching the first or the last day of the horizon are exempt (model.py).
    if min_work is not None and min_work > 1:
        group = f"min consecutive working days for {pid}"
        _forbid_short_runs(b, work, min_work, group)
    if min_off is not None and min_off > 1:
        group = f"min consecutive days off for {pid}"
        _forbid_short_runs(b, [neg(w) for w in work], min_off, group)


def _forbid_short_runs(b: Builder, on: list[Lit], minimum: int, group: str) -> None:
    """A run starting on day d >= 1 (off d-1, on d) must still be on at d+j for every
    j < minimum with d+j inside the horizon: a shorter run ends before the last day, and runs
    reaching the last day satisfy every clause. Exact, and each clause has three literals, so
    its linear relaxation on[d] - on[d-1] <= on[d+j] is far tighter than one long clause per
    short-run pattern."""
    days = len(on)
    for start in range(1, days):
        for j in range(1, minimum):
            if start + j >= days:
                break
            b.clause([on[start - 1], neg(on[start]), on[start + j]], group)


def _weekends(b: Builder, pid: str, cap: int) -> None:
    horizon = b.problem.horizon
    weekends: dict[int, list[int]] = defaultdict(list)
    for day in range(b.days):
        if horizon.is_weekend(day):
            # Saturday and the following Sunday share their week's Monday.
            weekday = horizon.date_of(day).weekday()
            weekends[day - weekday].append(day)
    worked: list[Lit] = []
    for days in weekends.values():
        lits = [b.work(pid, d) for d in days]
        lits = [w for w in lits if w is not False]
        if not lits:
            continue
        if len(lits) == 1:
            worked.append(lits[0])
            continue
        w = b.model.new_bool_var(f"weekend[{pid},{days[0]}]")
        b.model.add_max_equality(w, lits)
        worked.append(w)
    if len(worked) > cap:
        b.linear(sum(worked) <= cap, f"max weekends for {pid}")


def _weekend_cap(b: Builder, pid: str, cap: WeekendCap) -> None:
    """At most the cap's room (limits.weekend_room) of its weekends worked."""
    room, _, weekends = weekend_room(cap, b.problem.horizon, b.problem.history_days(pid))
    worked: list[Lit] = []
    for days in weekends:
        lits = [w for w in (b.work(pid, d) for d in days) if w is not False]
        if len(lits) == 1:
            worked.append(lits[0])
        elif lits:
            w = b.model.new_bool_var(f"weekend[{pid},{cap.name},{days[0]}]")
            b.model.add_max_equality(w, lits)
            worked.append(w)
    if len(worked) > room:
        b.linear(sum(worked) <= room, f"{cap.name} for {pid}")


def add_rest(b: Builder) -> None:
    """The minimum rest (model.py): at most one of each person's shifts per clique of spans
    lengthened by the rest (limits.rest_span), and no shift too close to the history."""
    if not b.problem.min_rest_minutes:
        return
    cliques = rest_cliques(b.problem, b.timeline, {(k[1], k[2]) for k in b.x})
    for pid, keys in b.person_keys().items():
        group = f"minimum rest for {pid}"
        for clique in cliques:
            xs = [b.x[(pid, d, s)] for d, s in clique if (pid, d, s) in b.x]
            if len(xs) > 1:
                b.linear(sum(xs) <= 1, group)
        cells = [(d, s) for _, d, s in keys]
        for (d, s), _ in rest_after_history(b.problem, b.timeline, pid, cells):
            b.linear(b.x[(pid, d, s)] == 0, f"minimum rest for {pid} after the published schedule")


def add_successions(b: Builder) -> None:
    shifts = b.problem.shift_by_id
    for (pid, day, shift), var in b.x.items():
        for nxt in sorted(shifts[shift].forbidden_next):
            other = b.x.get((pid, day + 1, nxt))
            if other is not None:
                b.clause([var.Not(), other.Not()], f"forbidden succession {shift}->{nxt} for {pid}")


def add_supervision(b: Builder) -> None:
    """faculty present on the supervisor shift * L >= sum of residents' L / ratio(pgy)."""
    problem = b.problem
    rule = problem.supervision
    big_l = lcm(*rule.ratios.values()) if rule.ratios else 1
    seen: set[tuple[int, str, str]] = set()
    for demand in problem.demands:
        if demand.supervisor_shift is None:
            continue
        key = (demand.day, demand.shift, demand.supervisor_shift)
        if key in seen:
            continue
        seen.add(key)
        need = []
        have = []
        for person in problem.people:
            if person.kind == PersonKind.RESIDENT:
                v = b.x.get((person.id, demand.day, demand.shift))
                if v is not None:
                    need.append((big_l // rule.ratio(person.pgy)) * v)
            elif person.kind == PersonKind.FACULTY:
                v = b.x.get((person.id, demand.day, demand.supervisor_shift))
                if v is not None:
                    have.append(big_l * v)
        if not need:
            continue
        group = f"supervision of {demand.shift} on {b.date(demand.day)}"
        b.linear(sum(have) >= sum(need), group)
