"""The ACGME rows (and the night-float policy) of the MIP model (mip.py), with history.

Readings as cpsat/acgme.py, in linear rows over the binaries ``x`` and history constants:
* weekly hours: exact, every window overlapping the horizon, its validator limit;
* free periods: exact (free_periods.py), continuous slice variables bounded by 1 - blocker,
  their predecessor and the sum of their anchor items (at 0/1 ``x`` a slice is positive only
  when it is really free, so the window sum counts real free periods);
* 24 + 4 and 14 h rest: minimal chains (history nodes are constants), conservative for the rest;
* call nights and night-float runs: window sums of the shifts themselves (conservative).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING, Any, cast

from .acgme import Frame, frame, window_limits
from .free_periods import free_structure
from .model import ShiftCategory
from .validator import history_pairs

if TYPE_CHECKING:
    from .mip import Key, Model, Terms

MAX_CHAIN = 12  # as cpsat/acgme.py: longer chains only arise with tiny shifts


def add_acgme(m: Model, pid: str) -> None:
    problem, tl, shifts = m.problem, m.timeline, m.problem.shift_by_id
    rules = problem.acgme
    assert rules is not None
    own = m.keys_of.get(pid, [])
    if not own:
        return
    fixed = {(pid, d, s) for d, s in _history(m).get(pid, [])}
    keys = sorted([*own, *fixed], key=lambda k: tl.interval(k[1], k[2]))
    fr = frame(tl, rules)
    person = problem.person_by_id[pid]

    def counts(k: Key) -> bool:
        shift = shifts[k[2]]
        return shift.counts_toward_duty or shift.category == ShiftCategory.MOONLIGHTING

    def split(pairs: list[tuple[Key, float]]) -> tuple[Terms, float]:
        terms = [(m.x[k], c) for k, c in pairs if k not in fixed]
        return terms, sum(c for k, c in pairs if k in fixed)

    duty = [(k, tl.interval(k[1], k[2])) for k in keys if counts(k)]
    for key, minutes in problem.callbacks.items():
        if key in fixed or key in m.x:
            noon = tl.midnight(key[1]) + 12 * 60
            duty.append((key, (noon, noon + minutes)))
    limits = window_limits(rules, person, fr)
    mids = fr.midnights
    for w in range(fr.count):
        ws, we = mids[w], mids[w + fr.length]
        inside = [(k, float(min(e, we) - max(s, ws))) for k, (s, e) in duty]
        terms, constant = split([(k, c) for k, c in inside if c > 0])
        limit = int(limits[w]) - constant
        if terms and sum(c for _, c in terms) > limit:
            m.row(terms, -1, limit, f"ACGME weekly duty hours for {pid}")
    if rules.min_free_days_per_window > 0:
        _free_days(m, pid, keys, fixed, fr)
    _chains(m, pid, [k for k in keys if counts(k)], fixed)
    _day_counts(m, pid, keys, fixed, fr)


def _history(m: Model) -> dict[str, list[tuple[int, str]]]:
    cached = getattr(m, "_history_pairs", None)
    if cached is None:
        cached = history_pairs(m.problem)
        m._history_pairs = cached  # type: ignore[attr-defined]
    return cached


def _free_days(m: Model, pid: str, keys: list[Key], fixed: set[Key], fr: Frame) -> None:
    rules, tl, shifts = m.problem.acgme, m.timeline, m.problem.shift_by_id
    assert rules is not None
    busy = [
        (None if k in fixed else k, *tl.interval(k[1], k[2]))
        for k in keys
        if shifts[k[2]].counts_toward_duty
        or shifts[k[2]].category in (ShiftCategory.AT_HOME_CALL, ShiftCategory.MOONLIGHTING)
    ]
    need = rules.min_free_days_per_window
    st = free_structure(busy, fr.midnights, fr.count, fr.length, need)
    zone: dict[int, Any] = {}
    for t, blockers in st.zones.items():
        if blockers:
            z = zone[t] = m.var("free24")
            for k in blockers:
                m.row([(z, 1.0), (m.x[cast("Key", k)], 1.0)], -1, 1, None)
    on: list[Any] = []
    for node in st.nodes:
        v = m.var("free")
        if node.zone is not None:
            m.row([(v, 1.0), (zone[node.zone], -1.0)], -1, 0, None)
        if node.previous is not None:
            m.row([(v, 1.0), (on[node.previous], -1.0)], -1, 0, None)
        if not node.anchor_fixed:
            m.row([(v, 1.0), *((m.x[cast("Key", k)], -1.0) for k in node.anchor_keys)], -1, 0, None)
        on.append(v)
    for w in st.windows:
        inside = set().union(*st.by_end[: w + st.length + 1]) - set().union(*st.by_anchor[: w + 1])
        terms = [(on[i], 1.0) for i in [*st.lead[w], *sorted(inside)]]
        m.row(terms, 1, need, f"ACGME free days for {pid}")


def _chains(m: Model, pid: str, duty: list[Key], fixed: set[Key]) -> None:
    """24 + 4 and 14 h rest over minimal chains of touching duty shifts (cpsat/acgme.py)."""
    rules, shifts = m.problem.acgme, m.problem.shift_by_id
    assert rules is not None
    iv = {k: m.timeline.interval(k[1], k[2]) for k in duty}
    by_start = sorted(duty, key=lambda k: iv[k][0])
    starting_at: dict[int, list[Key]] = defaultdict(list)
    for k in by_start:
        starting_at[iv[k][0]].append(k)
    start_list = [iv[k][0] for k in by_start]
    base, tail_cap = rules.max_continuous_hours * 60, rules.transition_hours * 60
    long_minutes, rest = rules.long_period_hours * 60, rules.rest_after_long_period_hours * 60

    def forbid(chain: list[Key], what: str) -> None:
        free = [k for k in chain if k not in fixed]
        if free:  # a chain of history only is not this solve's to forbid
            m.row([(m.x[k], 1.0) for k in free], -1, len(free) - 1, f"ACGME {what} for {pid}")

    def extend(chain: list[Key]) -> None:
        start, end = iv[chain[0]][0], iv[chain[-1]][1]
        core = max([start] + [iv[k][1] for k in chain
                              if shifts[k[2]].category != ShiftCategory.TRANSITION])  # fmt: skip
        if end - start > base + min(end - core, tail_cap):
            forbid(chain, "continuous duty")  # minimal: longer chains contain it
            return
        if end - start >= long_minutes and rest > 0:
            lo, hi = bisect_right(start_list, end), bisect_left(start_list, end + rest)
            for nxt in by_start[lo:hi]:
                forbid([*chain, nxt], "rest after long period")
        for nxt in starting_at.get(end, ()) if len(chain) < MAX_CHAIN else ():
            extend([*chain, nxt])

    for k in duty:
        extend([k])


def _day_counts(m: Model, pid: str, keys: list[Key], fixed: set[Key], fr: Frame) -> None:
    """Call nights per window and night-float runs: sums of the shifts (conservative)."""
    rules, shifts = m.problem.acgme, m.problem.shift_by_id
    assert rules is not None
    nf = rules.max_consecutive_night_float
    plans = [(ShiftCategory.IN_HOUSE_CALL, rules.max_call_nights_per_window, fr.length,
              "ACGME in-house call frequency")]  # fmt: skip
    if nf is not None:
        plans.append((ShiftCategory.NIGHT_FLOAT, nf, nf + 1, "program policy: consecutive night float"))  # fmt: skip
    total = fr.count + fr.length - 1
    for category, cap, span, what in plans:
        marks: list[list[Key]] = [[] for _ in range(total)]
        for k in keys:
            if shifts[k[2]].category == category and 0 <= k[1] - fr.first < total:
                marks[k[1] - fr.first].append(k)
        for w in range(total - span + 1):
            window = [k for d in range(w, w + span) for k in marks[d]]
            # History days count once (a day with a fixed such shift is one night).
            constant = len({k[1] for k in window if k in fixed})
            terms = [(m.x[k], 1.0) for k in window if k not in fixed]
            if terms and len(terms) + constant > cap:
                m.row(terms, -1, cap - constant, f"{what} for {pid}")
