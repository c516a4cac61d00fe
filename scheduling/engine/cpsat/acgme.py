"""ACGME duty-hour rules (and the night-float policy) for residents as CP-SAT constraints.

Each rule is encoded exactly or conservatively against the validator's reading
(scheduling/engine/acgme.py, docs/rules.md), so the solver never returns a schedule the validator
rejects. ``Problem.history`` enters as constants: every window overlapping the horizon is
encoded, and chains, rests and night-float runs reach into the history.

* weekly hours: exact. Per window, the real minutes of each duty shift clipped to the window's
  local midnights, times its literal, plus recorded call-back minutes; the limit per window
  (88-hour exception coverage, leave days) is the validator's.
* free periods: exact. ``FREE_DAYS`` (or the build's ``free_days``) chooses the encoding:
  "intervals" (the one-worker default), per window
  N ordered 24 h interval variables sharing one NoOverlap with the person's busy items (see
  ``_free_days``); "literals", the chain literals of free_periods.py (shared with the MIP)
  whose window sums the LP sees; "both".
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
from collections.abc import Mapping

from ortools.sat.python import cp_model

from ..acgme import Frame, frame, window_limits
from ..duty import MINUTES_PER_DAY
from ..free_periods import free_structure
from ..model import Person, PersonKind, ShiftCategory
from ..validator import history_pairs
from .build import Builder, Key, Lit, neg

# A safety cap only: chains stop growing once they break the 24 + 4 rule, so their length is
# bounded by 28 h over the shortest touching shift (7 four-hour clinic sessions).
MAX_CHAIN_NODES = 64
# The encoding of "one day in seven free" (module docstring) when the build does not choose
# one. With the literals the LNS moves improve residency M (20 / 22 against 25 / 28 at 60 s,
# load 2-4) where with intervals none did; L is level (53) but its model triples (57k to 179k
# constraints); and one worker alone (no LNS) took 66 s to a first schedule on test_cpsat's
# big_problem. So the literals only where an LNS runs (run.FREE_DAYS_WITH_LNS).
FREE_DAYS = "intervals"


def add_acgme(b: Builder, free_days: str | None = None) -> None:
    rules = b.problem.acgme
    if rules is None:
        return
    encoding = FREE_DAYS if free_days is None else free_days
    fr = frame(b.timeline, rules)
    keys_of = b.person_keys()
    history = history_pairs(b.problem)
    for person in b.problem.people:
        if person.kind != PersonKind.RESIDENT:
            continue
        own = keys_of.get(person.id, [])
        if not own:
            continue
        lit: dict[Key, Lit] = {k: b.x[k] for k in own}
        for day, shift in history.get(person.id, []):
            lit[(person.id, day, shift)] = True
        keys = sorted(lit, key=lambda k: b.timeline.interval(k[1], k[2]))
        _weekly_hours(b, person, fr, keys, lit)
        if encoding in ("literals", "both"):
            _free_day_literals(b, person, fr, keys, lit)
        if encoding in ("intervals", "both"):
            _free_days(b, person, fr, keys, lit)
        _chains(b, person, keys, lit)
        _day_counts(b, person, fr, keys, lit)


def _duty(b: Builder, key: Key) -> bool:
    shift = b.problem.shift_by_id[key[2]]
    return shift.counts_toward_duty or shift.category == ShiftCategory.MOONLIGHTING


def _weekly_hours(
    b: Builder, person: Person, fr: Frame, keys: list[Key], lit: Mapping[Key, Lit]
) -> None:
    rules = b.problem.acgme
    assert rules is not None
    limits = window_limits(rules, person, fr)
    mids = fr.midnights
    duty = [(k, b.timeline.interval(k[1], k[2])) for k in keys if _duty(b, k)]
    for key, minutes in b.problem.callbacks.items():
        if key in lit:
            noon = b.timeline.midnight(key[1]) + 12 * 60
            duty.append((key, (noon, noon + minutes)))  # the call's day, whatever the hour
    group = f"ACGME weekly duty hours for {person.id}"
    for w in range(fr.count):
        ws, we = mids[w], mids[w + fr.length]
        terms = []
        constant = total = 0
        for key, (s, e) in duty:
            inside = min(e, we) - max(s, ws)
            if inside <= 0:
                continue
            if lit[key] is True:
                constant += inside
            else:
                terms.append(inside * lit[key])
                total += inside
        limit = int(limits[w]) - constant
        if terms and total > limit:
            b.linear(sum(terms) <= limit, group)


def _free_days(
    b: Builder, person: Person, fr: Frame, keys: list[Key], lit: Mapping[Key, Lit]
) -> None:
    """Exact: a window holds >= N free periods of 24 h exactly when N disjoint 24 h intervals
    fit in it between the busy items (packing them left in each gap gives the validator's
    floor(gap / 24 h), the gap at the window's start clipped there). So per window, N ordered
    interval variables of 24 h inside it share one NoOverlap with the person's busy items."""
    rules = b.problem.acgme
    assert rules is not None
    need = rules.min_free_days_per_window
    if need <= 0:
        return
    shifts = b.problem.shift_by_id
    busy = sorted(
        (b.timeline.interval(k[1], k[2]), k)
        for k in keys
        if _duty(b, k) or shifts[k[2]].category == ShiftCategory.AT_HOME_CALL
    )
    if not busy:
        return
    model = b.model
    mids = fr.midnights
    origin = mids[0]  # minutes from the frame's start keep the domains small
    day = MINUTES_PER_DAY
    spans: list[tuple[int, int, Key | None]] = []  # history busy time merged into blocks
    for (s, e), k in busy:
        if lit[k] is not True:
            spans.append((s, e, k))
        elif spans and spans[-1][2] is None and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], e), None)
        else:
            spans.append((s, e, None))
    intervals: dict[int, cp_model.IntervalVar] = {}

    def member(i: int) -> cp_model.IntervalVar:
        hit = intervals.get(i)
        if hit is None:
            s, e, k = spans[i]
            if k is None:
                hit = model.new_fixed_size_interval_var(s - origin, e - s, f"busy[{i}]")
            else:
                hit = model.new_optional_fixed_size_interval_var(
                    s - origin, e - s, b.x[k], f"busy[{person.id},{k[1]},{k[2]}]"
                )
            intervals[i] = hit
        return hit

    starts = [t[0] for t in spans]
    longest = max(t[1] - t[0] for t in spans)
    group = f"ACGME free days for {person.id}"
    for w in range(fr.count):
        ws, we = mids[w], mids[w + fr.length]
        inside = [
            i
            for i in range(bisect_left(starts, ws - longest), bisect_left(starts, we))
            if spans[i][1] > ws
        ]
        # A stretch of N x 24 h at either end that nothing can touch: no schedule breaks it.
        if all(spans[i][0] >= ws + need * day for i in inside) or all(
            spans[i][1] <= we - need * day for i in inside
        ):
            continue
        # NoOverlap takes no enforcement literal: when diagnosing, the group's literal is the
        # presence of the free intervals (absent, they constrain nothing).
        present = _group_literal(b, group)
        frees = []
        previous: cp_model.IntVar | None = None
        for n in range(need):
            name = f"rest[{person.id},{w},{n}]"
            start = model.new_int_var(ws - origin, we - day - origin, name)
            if previous is not None:
                order = model.add(start >= previous + day)
                if present is not True:
                    order.only_enforce_if(present)
            previous = start
            if present is True:
                frees.append(model.new_fixed_size_interval_var(start, day, name))
            else:
                frees.append(model.new_optional_fixed_size_interval_var(start, day, present, name))
        model.add_no_overlap([member(i) for i in inside] + frees)


def _free_day_literals(
    b: Builder, person: Person, fr: Frame, keys: list[Key], lit: Mapping[Key, Lit]
) -> None:
    """Exact, as Boolean chains (free_periods.py): a node is on only when its 24 h and its
    predecessors' are free and (first node) an anchor item is on; per window the lead and
    anchored nodes inside it sum to at least N."""
    rules = b.problem.acgme
    assert rules is not None
    need = rules.min_free_days_per_window
    if need <= 0:
        return
    shifts = b.problem.shift_by_id
    busy = [
        (None if lit[k] is True else k, *b.timeline.interval(k[1], k[2]))
        for k in keys
        if _duty(b, k) or shifts[k[2]].category == ShiftCategory.AT_HOME_CALL
    ]
    if not busy:
        return
    st = free_structure(busy, fr.midnights, fr.count, fr.length, need)
    if not st.windows:
        return
    model = b.model
    zone: dict[int, cp_model.IntVar] = {}
    for t, blockers in st.zones.items():
        if blockers:
            z = zone[t] = model.new_bool_var(f"free24[{person.id},{t}]")
            for k in blockers:
                model.add_bool_or([z.Not(), b.x[k].Not()])  # type: ignore[index]
    on: list[cp_model.IntVar] = []
    for i, node in enumerate(st.nodes):
        v = model.new_bool_var(f"free[{person.id},{i}]")
        if node.zone is not None:
            model.add_implication(v, zone[node.zone])
        if node.previous is not None:
            model.add_implication(v, on[node.previous])
        if not node.anchor_fixed:
            model.add_bool_or([v.Not(), *(b.x[k] for k in node.anchor_keys)])  # type: ignore[index]
        on.append(v)
    group = f"ACGME free days for {person.id}"
    for w in st.windows:
        inside = set().union(*st.by_end[: w + st.length + 1]) - set().union(*st.by_anchor[: w + 1])
        b.linear(sum(on[i] for i in [*st.lead[w], *sorted(inside)]) >= need, group)


def _group_literal(b: Builder, group: str) -> Lit:
    """True in a normal solve; the group's assumption literal when diagnosing."""
    if not b.diagnose:
        return True
    if group not in b.groups:
        b.groups[group] = b.model.new_bool_var(f"group[{group}]")
    return b.groups[group]


def _chains(b: Builder, person: Person, keys: list[Key], lit: Mapping[Key, Lit]) -> None:
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
        lits = [neg(lit[k]) for k in chain]
        lo, hi = bisect_right(start_list, end), bisect_left(start_list, end + rest)
        for nxt in by_start[lo:hi]:
            _forbid(b, [*lits, neg(lit[nxt])], rest_group)

    def extend(chain: list[Key]) -> None:
        if breaks(chain):
            _forbid(b, [neg(lit[k]) for k in chain], continuous_group)
            return
        if iv[chain[-1]][1] - iv[chain[0]][0] >= long_minutes and rest > 0:
            rest_clauses(chain)
        if len(chain) >= MAX_CHAIN_NODES:
            return
        for nxt in starting_at.get(iv[chain[-1]][1], ()):
            extend([*chain, nxt])

    for k in duty:
        extend([k])


def _forbid(b: Builder, lits: list[Lit], group: str) -> None:
    """A clause over a chain, unless the chain is all history (not this solve's to forbid)."""
    if all(isinstance(x, bool) for x in lits):
        return
    b.clause(lits, group)


def _day_literals(
    b: Builder, keys: list[Key], lit: Mapping[Key, Lit], category: ShiftCategory, fr: Frame
) -> list[Lit]:
    """Per frame day, the literal "has a shift of this category starting that day"."""
    per_day: dict[int, list[Lit]] = defaultdict(list)
    shifts = b.problem.shift_by_id
    for k in keys:
        if shifts[k[2]].category == category:
            per_day[k[1]].append(lit[k])
    out: list[Lit] = []
    for i in range(fr.count + fr.length - 1):
        xs = per_day.get(fr.day(i), [])
        if not xs:
            out.append(False)
        elif any(x is True for x in xs):
            out.append(True)
        elif len(xs) == 1:
            out.append(xs[0])
        else:
            day_lit = b.model.new_bool_var(f"{category}[{keys[0][0]},{fr.day(i)}]")
            b.model.add_max_equality(day_lit, xs)
            out.append(day_lit)
    return out


def _day_counts(
    b: Builder, person: Person, fr: Frame, keys: list[Key], lit: Mapping[Key, Lit]
) -> None:
    rules = b.problem.acgme
    assert rules is not None
    calls = _day_literals(b, keys, lit, ShiftCategory.IN_HOUSE_CALL, fr)
    cap = rules.max_call_nights_per_window
    group = f"ACGME in-house call frequency for {person.id}"
    for w in range(fr.count):
        window = calls[w : w + fr.length]
        constant = sum(1 for c in window if c is True)
        lits = [c for c in window if not isinstance(c, bool)]
        if lits and constant + len(lits) > cap:
            b.linear(sum(lits) <= cap - constant, group)
    k = rules.max_consecutive_night_float
    if k is None:
        return
    nights = _day_literals(b, keys, lit, ShiftCategory.NIGHT_FLOAT, fr)
    group = f"program policy: consecutive night float for {person.id}"
    for w in range(len(nights) - k):
        window = nights[w : w + k + 1]
        if all(n is not False for n in window) and not all(n is True for n in window):
            b.clause([neg(n) for n in window], group)
