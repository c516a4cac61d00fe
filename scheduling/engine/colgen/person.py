"""What the pricing DP knows of one person of a generic ``Problem``: the day patterns they may
work, which pattern may follow which, and the resources their rules count.

A *pattern* is the set of shifts a person works on one day (one shift when
``max_shifts_per_day`` is 1, as in the shift benchmark; the residency's two half-day clinics,
or a ward day and a night, are two-shift patterns). A pattern is allowed on a day when every
shift of it is usable (a demand of that day and shift admits the person, or it is fixed; not
unavailable; no moonlighting for a PGY-1 resident when the rules forbid it), its shifts do not
overlap in real time on that day, and it holds every fixed shift of the day (a day with a fixed
shift must be worked).

**Kept exactly** (a roster the DP returns keeps these, and every roster that keeps them is
open to the DP): unavailability, eligibility, fixed assignments, overlaps within a day and
between consecutive days, forbidden successions, for residents the pairs of consecutive days
that alone break the 24 + 4 or the 14 h rest rule (``ProblemTables.breaks_periods``), ``max_shifts`` per type, hard ``ShiftCap``
caps (with their day ranges), min/max total (nominal) minutes, min/max consecutive working days,
min consecutive days off (runs touching the horizon's edges exempt, as the validator reads
them), ``max_weekends`` (weekends as the validator's ISO weeks), ``max_shifts_per_day``, PGY-1
moonlighting; for residents under ``Problem.acgme``: the night-float run cap (inside the
horizon), the in-house call cap and the 80-hour limit of the *first* window of
``window_days`` days (days 0 .. window_days - 1, duty minutes clipped at its midnights, each
shift's minutes rounded *down* to a unit, so no compliant roster is cut; the unit is chosen so
the window has fewer than ``HOURS_CELLS`` units).

**Relaxed** (dropped from the DP, so its minimum is a lower bound; ``exact`` is then False and
every column is checked by the validator's per-person rules before it enters the master):
ACGME windows other than the first (a horizon longer than one window), history and recorded
call-backs in that window (they only add minutes), one day in seven free, 24 + 4 continuous
duty and 14 h rest after a long period across more than two days, night-float runs continued from the history, linked call
days (``Problem.linked``), overlaps between days two apart, overlaps that hold on some days
only (clock changes: only the pairs that overlap on every day are forbidden), and the cost of
weighted (soft) caps (a non-negative cost; the master prices columns with it).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..acgme import CONTINUOUS_DUTY, REST_AFTER_LONG, check_resident, window_minutes_limit
from ..duty import Timeline, timed_items, timeline_for
from ..model import LeaveReading, Person, PersonKind, Problem, ShiftCategory

MAX_PATTERNS = 256  # more day patterns than this for one person: refused (PricingTooLarge)
# The 80-hour window's resource axis has fewer cells than this: in units of the gcd of the shift
# lengths when that fits, else of the shortest shift length that does (the residency's 4 h gcd
# gives 81 cells, which made every resident's DP eight times slower; 12 h units give 27, and the
# 4 h shifts then count as nothing, a relaxation). Relaxed altogether when nothing fits.
HOURS_CELLS = 48


class PricingTooLarge(ValueError):
    """A person's states (patterns or resource cells) are too many for the dense DP."""


@dataclass(frozen=True)
class Counter:
    """A resource the DP counts: at most ``limit``; ``inc[day, pattern]`` per worked day."""

    name: str
    limit: int
    inc: np.ndarray  # (days, patterns) non-negative ints


@dataclass(frozen=True)
class PersonSpec:
    person: str
    index: int  # in Problem.people
    days: int
    patterns: tuple[tuple[int, ...], ...]  # shift indexes (Problem.shift_types order)
    allowed: np.ndarray  # (days, patterns) bool
    must_work: np.ndarray  # (days,) bool: a fixed shift that day
    forbidden: np.ndarray  # (patterns, patterns) bool: pattern a, then pattern b next day
    minutes: tuple[int, ...]  # nominal minutes per pattern
    min_total: int | None
    max_total: int | None
    weekend_key: tuple[object, ...]  # per day, None on weekdays
    max_weekends: int | None
    min_work: int | None
    max_work: int | None
    min_off: int | None
    counters: tuple[Counter, ...]
    night: tuple[bool, ...]  # per pattern: holds a night-float shift
    night_cap: int | None
    relaxed: tuple[str, ...]  # the rules the DP drops for this person (empty: exact)

    @property
    def exact(self) -> bool:
        return not self.relaxed


class ProblemTables:
    """What every person's spec shares, computed once per problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.timeline: Timeline = timeline_for(problem)
        days = problem.horizon.days
        self.shift_ids = tuple(s.id for s in problem.shift_types)
        self.shift_index = {s: i for i, s in enumerate(self.shift_ids)}
        S = len(self.shift_ids)
        self.usable_by_demand: dict[tuple[int, int], list] = {}
        for demand in problem.demands:
            if demand.shift in self.shift_index and 0 <= demand.day < days:
                key = (demand.day, self.shift_index[demand.shift])
                self.usable_by_demand.setdefault(key, []).append(demand.eligibility)
        iv = np.zeros((days, S, 2), dtype=np.int64)  # real (start, end) of each cell
        for d in range(days):
            for i, sid in enumerate(self.shift_ids):
                iv[d, i] = self.timeline.interval(d, sid)
        self.intervals = iv
        # Overlap of shift a on day d with shift b on day d + 1, for every d.
        cross = np.zeros((max(days - 1, 0), S, S), dtype=bool)
        for d in range(days - 1):
            ends = iv[d, :, 1][:, None]
            starts = iv[d + 1, :, 0][None, :]
            cross[d] = ends > starts
        # Forbidden between consecutive days: pairs that overlap on every day (person.py's
        # docstring: the others are relaxed).
        self.cross_always = np.asarray(cross.all(axis=0) if days > 1 else np.zeros((S, S)), bool)
        self.cross_sometimes = np.asarray(cross.any(axis=0) if days > 1 else np.zeros((S, S)), bool)
        self.two_apart = bool(
            days > 2 and (iv[: days - 2, :, 1].max(axis=1) > iv[2:days, :, 0].min(axis=1)).any()
        )
        self.forbidden_next = np.zeros((S, S), dtype=bool)
        for i, s in enumerate(problem.shift_types):
            for name in s.forbidden_next:
                if name in self.shift_index:
                    self.forbidden_next[i, self.shift_index[name]] = True
        self.fixed: dict[str, dict[int, set[int]]] = {}
        for a in problem.fixed:
            if a.shift in self.shift_index and 0 <= a.day < days:
                self.fixed.setdefault(a.person, {}).setdefault(a.day, set()).add(
                    self.shift_index[a.shift]
                )
        self.unavailable: dict[str, dict[int, set[int] | None]] = {}
        for u in problem.unavailable:
            if not 0 <= u.day < days:
                continue
            per = self.unavailable.setdefault(u.person, {})
            if u.shift is None:
                per[u.day] = None
            elif u.shift in self.shift_index and per.get(u.day, set()) is not None:
                per.setdefault(u.day, set()).add(self.shift_index[u.shift])  # type: ignore[union-attr]
        self.linked_shifts = {s for link in problem.linked for s in link.shifts}
        # Days alike for the duty-period rules: the same real offsets of every shift from the
        # day's midnight, and the next day's (a clock change makes a day differ).
        mids = [self.timeline.midnight(d) for d in range(days + 1)]
        sig = [tuple(int(x) for x in (iv[d] - mids[d]).ravel()) for d in range(days)]
        self.day_kinds = list({(sig[d], sig[d + 1]): d for d in range(days - 1)}.values())
        self.single_kinds = list({sig[d]: d for d in range(days)}.values())
        self._period_cache: dict[tuple, bool] = {}

    def breaks_periods(
        self, person: Person, first: tuple[int, ...], second: tuple[int, ...]
    ) -> bool:
        """Whether a resident working ``first`` one day and ``second`` the next (``()``: nothing)
        breaks the 24 + 4 or the 14 h rest rule on *every* day, whatever else they work: more
        shifts only lengthen or merge duty periods and shorten the gaps, so the pair is then
        excluded from every compliant roster."""
        rules = self.problem.acgme
        if rules is None or person.kind != PersonKind.RESIDENT:
            return False
        key = (first, second)
        hit = self._period_cache.get(key)
        if hit is None:
            hit = True
            kinds = self.day_kinds if second else self.single_kinds
            for d in kinds:
                pairs = [(d, self.shift_ids[i]) for i in first]
                pairs += [(d + 1, self.shift_ids[i]) for i in second]
                found = check_resident(
                    rules, self.timeline, person, timed_items(self.timeline, pairs)
                )
                if not any(v.rule in (CONTINUOUS_DUTY, REST_AFTER_LONG) for v in found):
                    hit = False
                    break
            self._period_cache[key] = hit
        return hit

    def usable(self, person: Person) -> np.ndarray:
        """(days, shifts) bool: cells the person may be assigned to."""
        problem, days = self.problem, self.problem.horizon.days
        out = np.zeros((days, len(self.shift_ids)), dtype=bool)
        admits: dict[object, bool] = {}
        for (d, s), eligibilities in self.usable_by_demand.items():
            for e in eligibilities:
                if e not in admits:
                    admits[e] = e.admits(person)
                if admits[e]:
                    out[d, s] = True
                    break
        for d, fixed in self.fixed.get(person.id, {}).items():
            out[d, list(fixed)] = True
        for d, gone in self.unavailable.get(person.id, {}).items():
            if gone is None:
                out[d, :] = False
            else:
                out[d, list(gone)] = False
        rules = problem.acgme
        if (
            rules is not None
            and person.kind == PersonKind.RESIDENT
            and person.pgy == 1
            and not rules.pgy1_may_moonlight
        ):
            for i, st in enumerate(problem.shift_types):
                if st.category == ShiftCategory.MOONLIGHTING:
                    out[:, i] = False
        return out


def person_spec(tables: ProblemTables, index: int) -> PersonSpec:
    problem = tables.problem
    person = problem.people[index]
    limits = person.limits
    days = problem.horizon.days
    shifts = problem.shift_types
    usable = tables.usable(person)
    for sid, cap in limits.max_shifts.items():
        if cap <= 0 and sid in tables.shift_index:
            usable[:, tables.shift_index[sid]] = False
    relaxed: list[str] = []
    used = [i for i in range(len(shifts)) if usable[:, i].any()]
    per_day = limits.max_shifts_per_day if limits.max_shifts_per_day is not None else len(used)
    patterns: list[tuple[int, ...]] = []
    for size in range(1, min(per_day, len(used)) + 1):
        for combo in itertools.combinations(used, size):
            patterns.append(combo)
            if len(patterns) > MAX_PATTERNS:
                raise PricingTooLarge(f"{person.id} has more than {MAX_PATTERNS} day patterns")
    npat = len(patterns)
    iv = tables.intervals
    allowed = np.zeros((days, npat), dtype=bool)
    fixed = tables.fixed.get(person.id, {})
    must_work = np.zeros(days, dtype=bool)
    for d in fixed:
        must_work[d] = True
    for k, pat in enumerate(patterns):
        ok = np.asarray(usable[:, list(pat)].all(axis=1), dtype=bool)
        for a, b in itertools.combinations(pat, 2):  # same-day real overlap
            ok &= ~((iv[:days, a, 0] < iv[:days, b, 1]) & (iv[:days, b, 0] < iv[:days, a, 1]))
        for d, need in fixed.items():
            if not need <= set(pat):
                ok[d] = False
        allowed[:, k] = ok
    for k, pat in enumerate(patterns):
        if tables.breaks_periods(person, pat, ()):
            allowed[:, k] = False
    keep = np.asarray(allowed.any(axis=0), dtype=bool)
    patterns = [p for k, p in enumerate(patterns) if keep[k]]
    allowed = allowed[:, keep]
    npat = len(patterns)
    forbidden = np.zeros((npat, npat), dtype=bool)
    for a, pa in enumerate(patterns):
        for b, pb in enumerate(patterns):
            block = tables.forbidden_next[np.ix_(pa, pb)] | tables.cross_always[np.ix_(pa, pb)]
            forbidden[a, b] = bool(block.any()) or tables.breaks_periods(person, pa, pb)
    sub = np.ix_(used, used)
    if (tables.cross_sometimes[sub] & ~tables.cross_always[sub]).any():
        relaxed.append("overlaps between consecutive days that hold on some days only")
    if tables.two_apart:
        relaxed.append("overlaps between days two apart")
    if tables.linked_shifts & {shifts[i].id for i in used}:
        relaxed.append("linked call days")
    minutes = tuple(sum(shifts[i].minutes for i in p) for p in patterns)
    counters: list[Counter] = []
    for sid, cap in limits.max_shifts.items():
        i = tables.shift_index.get(sid)
        if i is None or i not in used:
            continue
        inc = np.array([[1 if i in p else 0 for p in patterns]] * days, dtype=np.int64)
        counters.append(Counter(f"max {sid}", cap, inc.reshape(days, npat)))
    for group in limits.caps:
        if not group.hard:
            if group.weight:
                relaxed.append(f"the weighted cap {group.name} (its cost)")
            continue
        inc = np.zeros((days, npat), dtype=np.int64)
        for d in range(days):
            for k, p in enumerate(patterns):
                inc[d, k] = sum(1 for i in p if group.covers(d, shifts[i].id))
        counters.append(Counter(group.name, group.cap, inc))
    night = tuple(any(shifts[i].category == ShiftCategory.NIGHT_FLOAT for i in p) for p in patterns)
    night_cap = None
    rules = problem.acgme
    if rules is not None and person.kind == PersonKind.RESIDENT:
        relaxed.append(
            "ACGME rules beyond the first window's hours and calls, and night-float runs"
        )
        night_cap = rules.max_consecutive_night_float if any(night) else None
        counters += _acgme_counters(tables, person, patterns, rules)
    timeline = tables.timeline
    return PersonSpec(
        person=person.id,
        index=index,
        days=days,
        patterns=tuple(patterns),
        allowed=allowed,
        must_work=must_work,
        forbidden=forbidden,
        minutes=minutes,
        min_total=limits.min_total_minutes,
        max_total=limits.max_total_minutes,
        weekend_key=tuple(timeline.weekend_keys),
        max_weekends=limits.max_weekends,
        min_work=limits.min_consecutive_work,
        max_work=limits.max_consecutive_work,
        min_off=limits.min_consecutive_off,
        counters=tuple(counters),
        night=night,
        night_cap=night_cap,
        relaxed=tuple(relaxed),
    )


def _acgme_counters(
    tables: ProblemTables, person: Person, patterns: list[tuple[int, ...]], rules: object
) -> list[Counter]:
    """The first window's duty minutes and in-house call days (see the module docstring)."""
    from ..model import AcgmeRules

    assert isinstance(rules, AcgmeRules)
    problem = tables.problem
    shifts = problem.shift_types
    days, length = problem.horizon.days, rules.window_days
    inside = min(days, length)
    npat = len(patterns)
    counted = [s.counts_toward_duty or s.category == ShiftCategory.MOONLIGHTING for s in shifts]
    used = sorted({i for p in patterns for i in p if counted[i]})
    out: list[Counter] = []
    if used:
        # The finest unit whose window fits in HOURS_CELLS: the gcd of the shift lengths, else
        # the shortest shift length that does (shorter shifts then count for less, never more).
        lengths = sorted({shifts[i].minutes for i in used})
        full = rules.max_weekly_hours * length / 7 * 60
        fits = [u for u in [math.gcd(*lengths), *lengths] if full // u < HOURS_CELLS]
        unit = fits[0] if fits else lengths[-1]
        lo, hi = tables.timeline.midnight(0), tables.timeline.midnight(length)
        inc = np.zeros((days, npat), dtype=np.int64)
        for d in range(inside):
            for k, p in enumerate(patterns):
                clipped = 0
                for i in p:
                    if counted[i]:
                        start, end = tables.intervals[d, i]
                        clipped += max(0, min(end, hi) - max(start, lo))
                inc[d, k] = clipped // unit
        leave = 0
        if rules.leave_reading == LeaveReading.OMIT:
            leave = sum(1 for d in range(length) if d in person.limits.leave_days)
        limit = int(window_minutes_limit(rules, person, 0, length, leave) // unit)
        if limit < HOURS_CELLS:
            out.append(Counter("acgme hours", limit, inc))
    calls = [any(shifts[i].category == ShiftCategory.IN_HOUSE_CALL for i in p) for p in patterns]
    if any(calls):
        inc = np.zeros((days, npat), dtype=np.int64)
        inc[:inside] = np.array(calls, dtype=np.int64)[None, :]
        out.append(Counter("acgme calls", rules.max_call_nights_per_window, inc))
    return out
