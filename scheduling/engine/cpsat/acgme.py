"""ACGME duty-hour rules for residents as CP-SAT constraints.

Each rule is encoded exactly or conservatively against the validator's reading
(scheduling/engine/acgme.py), so the solver never returns a schedule the validator rejects:

* weekly hours: exact. Per window, the real minutes of each duty shift clipped to the window's
  local midnights, times its Boolean (a person's shifts never overlap, so the clipped sums of
  the shifts are the clipped sums of the merged periods).
* free periods: conservative. ``free[p, d]`` may be true only when nothing busy (duty or
  at-home call) overlaps local day d; each such day is a 24 h free span of its own, so the
  validator's floor(gap / 24 h) per gap counts at least the free days. A 23 h DST day is never
  a free day.
* 24 + 4: exact. Every minimal chain of touching duty shifts that breaks the rule is a clause;
  the rule is monotone in chain extension, so forbidding minimal chains forbids every period
  containing one.
* 14 h after a >= 24 h period: conservative. A chain of >= 24 h ending at e forbids any duty
  shift starting in (e, e + 14 h), even one that would have merged into a longer period.
* call nights and night float: exact, over "has such a shift that day" literals.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict

from ortools.sat.python import cp_model

from ..acgme import weekly_minutes_limit, window_starts
from ..duty import MINUTES_PER_DAY
from ..model import Person, PersonKind, ShiftCategory
from .build import Builder, Key, Lit, neg

# A safety cap only: chains stop growing once they break the 24 + 4 rule, so their length is
# bounded by 28 h over the shortest touching shift (7 four-hour clinic sessions).
MAX_CHAIN_NODES = 64


def add_acgme(b: Builder) -> None:
    rules = b.problem.acgme
    if rules is None:
        return
    keys_of = b.person_keys()
    for person in b.problem.people:
        if person.kind != PersonKind.RESIDENT:
            continue
        keys = sorted(keys_of.get(person.id, []), key=lambda k: b.timeline.interval(k[1], k[2]))
        if not keys:
            continue
        _weekly_hours(b, person, keys)
        _free_days(b, person, keys)
        _chains(b, person, keys)
        _day_counts(b, person, keys)


def _duty(b: Builder, key: Key) -> bool:
    return b.problem.shift_by_id[key[2]].counts_toward_duty


def _weekly_hours(b: Builder, person: Person, keys: list[Key]) -> None:
    rules = b.problem.acgme
    assert rules is not None
    starts, length, _ = window_starts(b.days, rules.window_days)
    limit = int(weekly_minutes_limit(rules, person))
    day_starts = b.timeline.day_starts
    duty = [(k, b.timeline.interval(k[1], k[2])) for k in keys if _duty(b, k)]
    group = f"ACGME weekly duty hours for {person.id}"
    for w in starts:
        ws, we = day_starts[w], day_starts[w + length]
        terms = []
        total = 0
        for key, (s, e) in duty:
            inside = min(e, we) - max(s, ws)
            if inside > 0:
                terms.append(inside * b.x[key])
                total += inside
        if total > limit:
            b.linear(sum(terms) <= limit, group)


def _free_days(b: Builder, person: Person, keys: list[Key]) -> None:
    rules = b.problem.acgme
    assert rules is not None
    starts, length, full = window_starts(b.days, rules.window_days)
    if not full or rules.min_free_days_per_window <= 0:
        return
    day_starts = b.timeline.day_starts
    busy = [
        (k, b.timeline.interval(k[1], k[2]))
        for k in keys
        if _duty(b, k) or b.problem.shift_by_id[k[2]].category == ShiftCategory.AT_HOME_CALL
    ]
    free: list[Lit] = []
    for d in range(b.days):
        ds, de = day_starts[d], day_starts[d + 1]
        if de - ds < MINUTES_PER_DAY:
            free.append(False)
            continue
        blockers = [b.x[k] for k, (s, e) in busy if s < de and e > ds]
        if not blockers:
            free.append(True)
            continue
        lit = b.model.new_bool_var(f"free[{person.id},{d}]")
        for x in blockers:
            b.model.add_implication(lit, x.Not())
        free.append(lit)
    group = f"ACGME free days for {person.id}"
    for w in starts:
        window = free[w : w + length]
        constant = sum(1 for f in window if f is True)
        lits = [f for f in window if not isinstance(f, bool)]
        need = rules.min_free_days_per_window - constant
        if need > 0:
            b.linear(sum(lits) >= need, group)


def _chains(b: Builder, person: Person, keys: list[Key]) -> None:
    """Continuous-duty (24 + 4) and rest-after-long-period clauses over touching chains."""
    rules = b.problem.acgme
    assert rules is not None
    shifts = b.problem.shift_by_id
    duty = [k for k in keys if _duty(b, k)]
    iv = {k: b.timeline.interval(k[1], k[2]) for k in duty}
    starting_at: dict[int, list[Key]] = defaultdict(list)
    for k in duty:
        starting_at[iv[k][0]].append(k)
    base = int(rules.max_continuous_hours * 60)
    tail_cap = int(rules.transition_hours * 60)
    long_minutes = rules.long_period_hours * 60
    rest = rules.rest_after_long_period_hours * 60
    continuous_group = f"ACGME continuous duty for {person.id}"
    rest_group = f"ACGME rest after long period for {person.id}"
    by_start = sorted(duty, key=lambda k: iv[k][0])
    start_list = [iv[k][0] for k in by_start]

    def breaks(chain: list[Key]) -> bool:
        start, end = iv[chain[0]][0], iv[chain[-1]][1]
        core_end = start
        for k in chain:
            if shifts[k[2]].category != ShiftCategory.TRANSITION:
                core_end = max(core_end, iv[k][1])
        return end - start > base + min(end - core_end, tail_cap)

    def rest_clauses(chain: list[Key]) -> None:
        end = iv[chain[-1]][1]
        lits = [b.x[k].Not() for k in chain]
        lo, hi = bisect_right(start_list, end), bisect_left(start_list, end + rest)
        for nxt in by_start[lo:hi]:
            b.clause([*lits, b.x[nxt].Not()], rest_group)

    def extend(chain: list[Key]) -> None:
        if breaks(chain):
            b.clause([b.x[k].Not() for k in chain], continuous_group)
            return
        if iv[chain[-1]][1] - iv[chain[0]][0] >= long_minutes and rest > 0:
            rest_clauses(chain)
        if len(chain) >= MAX_CHAIN_NODES:
            return
        for nxt in starting_at.get(iv[chain[-1]][1], ()):
            extend([*chain, nxt])

    for k in duty:
        extend([k])


def _day_literals(b: Builder, pid: str, keys: list[Key], category: ShiftCategory) -> list[Lit]:
    """Per day, the literal "has a shift of this category starting that day"."""
    per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    shifts = b.problem.shift_by_id
    for k in keys:
        if shifts[k[2]].category == category:
            per_day[k[1]].append(b.x[k])
    out: list[Lit] = []
    for d in range(b.days):
        xs = per_day.get(d, [])
        if not xs:
            out.append(False)
        elif len(xs) == 1:
            out.append(xs[0])
        else:
            lit = b.model.new_bool_var(f"{category}[{pid},{d}]")
            b.model.add_max_equality(lit, xs)
            out.append(lit)
    return out


def _day_counts(b: Builder, person: Person, keys: list[Key]) -> None:
    rules = b.problem.acgme
    assert rules is not None
    calls = _day_literals(b, person.id, keys, ShiftCategory.IN_HOUSE_CALL)
    starts, length, _ = window_starts(b.days, rules.window_days)
    cap = rules.max_call_nights_per_window
    group = f"ACGME in-house call frequency for {person.id}"
    for w in starts:
        lits = [c for c in calls[w : w + length] if c is not False]
        if len(lits) > cap:
            b.linear(sum(lits) <= cap, group)
    nights = _day_literals(b, person.id, keys, ShiftCategory.NIGHT_FLOAT)
    k = rules.max_consecutive_night_float
    group = f"ACGME consecutive night float for {person.id}"
    for w in range(b.days - k):
        window = nights[w : w + k + 1]
        if all(n is not False for n in window):
            b.clause([neg(n) for n in window], group)
