"""A window of a long horizon as a problem of its own, with the rest of the schedule fixed.

``sub_problem(problem, first, last, outside, complete=...)`` is days ``first``..``last - 1`` of
``problem`` renumbered from 0. The schedule of the other days (``outside``) enters as
``Problem.history`` (up to ``REACH`` days on each side, stretched to whole weekends), so every
rolling ACGME window, duty period, rest gap and run of working days that touches the window is
checked against it as constants: the window's model is only its own days (issue 20; the first
version carried the history days as fixed variables, which made a 70-day model of a 28-day
window). The rules that span the whole horizon are translated into what ``outside`` leaves:

- ``max_shifts``, hard and weighted ``ShiftCap``s, ``max_total_minutes``: the limit less what
  ``outside`` already spends (never below zero; a weighted cap's cost differs by a constant);
- ``WeekendCap``: the weekends ``outside`` works with none of their cap days in the window
  come off the cap; one straddling the window's edge stays the window's, its outside day read
  from the history (``limits.weekend_room``);
- ``max_weekends`` (the horizon's weekends): less every weekend ``outside`` works (a weekend
  straddling the window's edge is counted on both sides: stricter, never looser);
- ``min_total_minutes``: less what ``outside`` gives, only when ``complete`` (``outside`` holds
  every other day); a window of a schedule still being built drops it and the validator, the
  judge of the whole horizon, reports a miss;
- while the schedule is still being built (not ``complete``), a hard count limit that also spans
  the days not yet built gets a weighted target at the window's share of what is left
  (``_reserve``), so the first windows do not spend a yearly ceiling the later ones need;
- a linked pair (``Link``) with one day outside pins the window's day: off the linked shifts
  when ``outside`` does not work them, kept as ``pinned`` says when it does.

``relaxed=True`` gives the lower-bound window of ``year.py`` instead: no history, no
horizon-wide rule, no ACGME rule, no fairness and no weighted caps (every rule it keeps is a
rule of the horizon restricted to the window's days).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from math import floor

from ..limits import weekend_saturday
from ..model import (
    Assignment,
    History,
    Horizon,
    Person,
    PersonLimits,
    Problem,
    ShiftCap,
    Unavailability,
    WeekendCap,
)

REACH = 28  # days of the outside schedule each window sees: the longest rolling rule (ACGME)


def _shifted(items: Iterable, first: int, last: int) -> tuple:
    return tuple(replace(x, day=x.day - first) for x in items if first <= x.day < last)


def _reach(horizon: Horizon, first: int, last: int) -> tuple[int, int]:
    """Days [lo, hi) of the outside schedule given as history, stretched to whole weekends."""
    lo, hi = first - REACH, last + REACH
    if weekend_saturday(horizon, lo) == lo - 1:  # lo is a Sunday: take its Saturday too
        lo -= 1
    if weekend_saturday(horizon, hi - 1) == hi - 1:  # hi - 1 is a Saturday: take its Sunday
        hi += 1
    return lo, hi


def sub_problem(
    problem: Problem,
    first: int,
    last: int,
    outside: Sequence[Assignment],
    *,
    complete: bool,
    relaxed: bool = False,
    pinned: Sequence[Assignment] = (),
    need: Mapping[str, Sequence[float]] | None = None,
    kept: int | None = None,
) -> Problem:
    """Days [first, last) of ``problem`` with ``outside`` (assignments of other days of the
    horizon) fixed around them; see the module docstring. ``pinned``: the window's current
    assignments, used to keep a linked day whose partner outside is worked. ``need``: per
    shift type, what each day of the horizon needs of it (ceilings.py's plan), by which
    ``_reserve`` shares a yearly ceiling instead of by days. ``kept``: the window keeps days
    [first, kept) and the next window re-decides the rest (its look-ahead), so the share is
    of the days kept, and the days after ``kept`` count as still to build."""
    problem = _days_renumbered(problem, first)
    h = problem.horizon
    days = h.days
    horizon = Horizon(
        h.date_of(first),
        last - first,
        h.timezone,
        frozenset(d - first for d in h.holidays if first <= d < last),
    )
    base = replace(
        problem,
        name=f"{problem.name} days {first}-{last - 1}",
        horizon=horizon,
        demands=_shifted(problem.demands, first, last),
        unavailable=_shifted(problem.unavailable, first, last),
        requests=_shifted(problem.requests, first, last),
        fixed=_shifted(problem.fixed, first, last),
        baseline=_shifted(problem.baseline, first, last),
        linked=tuple(
            replace(link, first=link.first - first, second=link.second - first)
            for link in problem.linked
            if first <= min(link.first, link.second) and max(link.first, link.second) < last
        ),
    )
    if relaxed:
        # No ACGME either: a relaxed L window without it is solved to optimality in seconds
        # where with it CP-SAT proved no bound at all in 17 s (issue 20, measured on L13).
        return replace(
            base,
            people=tuple(replace(p, limits=_relaxed_limits(p.limits)) for p in problem.people),
            fairness=(),
            history=None,
            callbacks={},
            acgme=None,
        )
    mine = [a for a in outside if (a.day < first or a.day >= last) and 0 <= a.day < days]
    lo, hi = _reach(h, first, last)
    before = () if problem.history is None else problem.history.assignments
    history = tuple(replace(a, day=a.day - first) for a in (*before, *mine) if lo <= a.day < hi)
    known_from = None
    if problem.history is not None and problem.history.known_from is not None:
        known_from = problem.history.known_from - first
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for a in mine:
        by_person[a.person].append(a)
    worked: dict[str, set[int]] = defaultdict(set)  # every day outside the window worked
    for a in (*before, *mine):
        worked[a.person].add(a.day)
    weight = 0 if complete else reserve_weight(problem)  # once per window, not per person
    people = tuple(
        _person(
            problem,
            p,
            first,
            last,
            by_person.get(p.id, []),
            worked[p.id],
            complete,
            weight,
            need,
            last if kept is None else kept,
        )
        for p in problem.people
    )
    off, keep = _link_pins(problem, first, last, mine, pinned, complete)
    return replace(
        base,
        people=people,
        unavailable=base.unavailable + off,
        fixed=base.fixed + keep,
        history=History(history, known_from) if history or problem.history else None,
        callbacks={
            (pid, d - first, s): m for (pid, d, s), m in problem.callbacks.items() if lo <= d < hi
        },
    )


def _days_renumbered(problem: Problem, first: int) -> Problem:
    """``problem`` with its people's day sets (leave days, the days a weekly-hours exception
    covers) counted from day ``first``, as the window's days are. They are horizon days (an
    ACGME window holding leave has its duty-hour limit prorated by them; one wholly inside the
    exception's days has the exception's limit); left unshifted, a window read them ``first``
    days late, and the demo year's windows broke one resident's weekly hours around a parental
    leave (the validator's three hard violations, issue 20)."""

    def shifted(limits: PersonLimits) -> PersonLimits:
        covered = limits.weekly_hours_days
        return replace(
            limits,
            leave_days=frozenset(d - first for d in limits.leave_days),
            weekly_hours_days=None if covered is None else frozenset(d - first for d in covered),
        )

    people = tuple(
        replace(p, limits=shifted(p.limits))
        if p.limits.leave_days or p.limits.weekly_hours_days is not None
        else p
        for p in problem.people
    )
    return replace(problem, people=people) if first else problem


def _relaxed_limits(limits: PersonLimits) -> PersonLimits:
    """The limits a window of a schedule obeys whatever the rest of it: every horizon-wide one
    dropped (caps, weekends, totals, per-type maximums), the per-day and run rules kept."""
    return replace(
        limits,
        max_shifts={},
        caps=(),
        weekend_caps=(),
        min_total_minutes=None,
        max_total_minutes=None,
        max_weekends=None,
    )


def _person(
    problem: Problem,
    person: Person,
    first: int,
    last: int,
    outside: list[Assignment],
    worked: set[int],
    complete: bool,
    weight: int,
    need: Mapping[str, Sequence[float]] | None = None,
    kept: int | None = None,
) -> Person:
    limits = person.limits
    if not (
        limits.max_shifts
        or limits.caps
        or limits.weekend_caps
        or limits.min_total_minutes is not None
        or limits.max_total_minutes is not None
        or limits.max_weekends is not None
    ):
        return person
    per_type = Counter(a.shift for a in outside)
    minutes = sum(problem.shift_by_id[a.shift].minutes for a in outside)
    caps = []
    days = problem.horizon.days
    hard = [
        (frozenset({s}), cap - per_type[s], 0, days - 1, s) for s, cap in limits.max_shifts.items()
    ]
    for cap in limits.caps:
        end = days - 1 if cap.last is None else cap.last
        if end < first or cap.first >= last:
            continue  # the cap's days are all outside: the outside schedule answers for it
        used = sum(1 for a in outside if cap.covers(a.day, a.shift))
        if cap.hard:
            hard.append((cap.shifts, cap.cap - used, cap.first, end, cap.name))
        caps.append(
            replace(
                cap,
                cap=max(0, cap.cap - used),
                first=max(cap.first, first) - first,
                last=min(end, last - 1) - first,
            )
        )
    weekend_caps = []
    for wcap in limits.weekend_caps:
        weekend_caps.append(
            replace(
                wcap,
                cap=max(
                    0, wcap.cap - _weekends_outside(problem.horizon, wcap, first, last, worked)
                ),
                first=wcap.first - first,
                last=wcap.last - first,
            )
        )
    if not complete:
        caps += _reserve(days, hard, first, last if kept is None else kept, weight, need)
    max_weekends = limits.max_weekends
    if max_weekends is not None:
        saturdays = {weekend_saturday(problem.horizon, a.day) for a in outside}
        max_weekends = max(0, max_weekends - len(saturdays - {None}))
    return replace(
        person,
        limits=replace(
            limits,
            max_shifts={s: max(0, cap - per_type[s]) for s, cap in limits.max_shifts.items()},
            caps=tuple(caps),
            weekend_caps=tuple(weekend_caps),
            max_weekends=max_weekends,
            max_total_minutes=None
            if limits.max_total_minutes is None
            else max(0, limits.max_total_minutes - minutes),
            min_total_minutes=None
            if limits.min_total_minutes is None or not complete
            else max(0, limits.min_total_minutes - minutes),
        ),
    )


def reserve_weight(problem: Problem) -> int:
    """What an assignment beyond a window's share costs: ten units of any demand's shortfall,
    so a window does not buy cover above a target with a ceiling the later windows need for
    their minimums. (At 10, below the demo's under-cover weights, the demo year's windows still
    spent the attendings' ceilings on a second attending for the ward's target; at one unit
    more than a shortfall, 101, a window stopped at its time limit, not at its optimum, still
    kept 48 and 54 attending days in 28 where the plan needed 28 and 32: the search had not
    got round to taking them off. At ten units it kept 28-40.)"""
    return 10 * (1 + max((d.under_weight for d in problem.demands), default=0))


def _reserve(
    days: int,
    limits: list[tuple[frozenset[str], int, int, int, str]],
    first: int,
    last: int,
    weight: int,
    need: Mapping[str, Sequence[float]] | None = None,
) -> list[ShiftCap]:
    """While the schedule is built window by window (the days after ``last`` not yet built), a
    hard count limit that also spans those days keeps the window to its share of what is left:
    a weighted target at the window's share of the limit's days still to build, rounded down
    (rounded up, a dozen faculty's shares summed to about six attending days a window more than
    the plan, which the demo's windows spent on the ward's target), each assignment beyond it
    costing ``weight``. Without it the first windows spent
    the faculty's yearly attending ceilings and a window in February found too few attendings
    left (the demo's year, issue 20). A target, not a rule: a window that needs more (a faculty
    member's service weeks) still takes it, at a cost. ``limits``: (shifts, what is left,
    first day, last day, name) in the horizon's days; ``last``: the end of the days the
    window keeps (its look-ahead after them is not shared). With ``need`` covering the limit's
    shifts, the share is by what the days need (ceilings.py's plan: a chunk whose supervision
    needs a second attending on eight days keeps more) rather than by how many they are."""
    out = []
    for shifts, left, start, end, name in limits:
        own = min(end, last - 1) - max(start, first) + 1  # the limit's days in the window
        later = min(end, days - 1) - max(start, last) + 1  # and after it, not yet built
        if later <= 0 or left <= 0 or own <= 0:
            continue
        share = left * own // (own + later)
        if need and all(s in need for s in shifts):
            mine = _needed(need, shifts, max(start, first), min(end, last - 1))
            after = _needed(need, shifts, max(start, last), min(end, days - 1))
            if mine + after > 0:
                share = floor(left * mine / (mine + after) + 1e-9)
        if share < left:
            # On the days [first, last) only: a look-ahead after them is re-decided.
            out.append(
                ShiftCap(
                    f"reserve {name}",
                    shifts,
                    share,
                    first=max(start, first) - first,
                    last=min(end, last - 1) - first,
                    hard=False,
                    weight=weight,
                )
            )
    return out


def _needed(need: Mapping[str, Sequence[float]], shifts: frozenset[str], lo: int, hi: int) -> float:
    """What days lo..hi need of ``shifts`` by the plan."""
    return sum(sum(need[s][lo : hi + 1]) for s in shifts)


def _weekends_outside(
    horizon: Horizon, cap: WeekendCap, first: int, last: int, worked: set[int]
) -> int:
    """The weekends of ``cap`` worked with none of their cap days in the window [first, last):
    the window's cap cannot see them, so they come off it. A weekend with a cap day in the
    window and the other outside is the window's own (its history answers for the outside
    day); a weekend wholly outside the horizon the translator already took off the cap."""
    found = set()
    for day in worked:
        saturday = weekend_saturday(horizon, day)
        if saturday is None or not cap.first <= day <= cap.last:
            continue
        both = [d for d in (saturday, saturday + 1) if cap.first <= d <= cap.last]
        if any(first <= d < last for d in both):
            continue
        if not any(0 <= d < horizon.days for d in both):
            continue
        found.add(saturday)
    return len(found)


def _link_pins(
    problem: Problem,
    first: int,
    last: int,
    outside: Sequence[Assignment],
    pinned: Sequence[Assignment],
    complete: bool,
) -> tuple[tuple[Unavailability, ...], tuple[Assignment, ...]]:
    """A link with one day inside the window and its partner outside: off its shifts when the
    partner is off, the window's current linked shift kept (fixed) when the partner works."""
    if not problem.linked:
        return (), ()
    days = problem.horizon.days
    # The days the outside schedule decides: all of them, or those before a window being built.
    known = set(range(days)) if complete else set(range(first))
    worked: defaultdict[tuple[str, int], set[str]] = defaultdict(set)
    for a in outside:
        worked[(a.person, a.day)].add(a.shift)
    current = {(a.person, a.day + first): a.shift for a in pinned}
    off: list[Unavailability] = []
    keep: list[Assignment] = []
    for link in problem.linked:
        for here, there in ((link.first, link.second), (link.second, link.first)):
            if not (first <= here < last) or first <= there < last or there not in known:
                continue
            for person in problem.people:
                if worked[(person.id, there)] & link.shifts:
                    shift = current.get((person.id, here))
                    if shift in link.shifts:
                        keep.append(Assignment(person.id, here - first, shift))
                else:
                    off += [Unavailability(person.id, here - first, s) for s in link.shifts]
    return tuple(off), tuple(keep)
