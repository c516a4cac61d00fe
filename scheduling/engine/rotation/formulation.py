"""One integer-linear formulation of the rotation plan, shared by the CP-SAT and MIP back ends.

Both solvers translate the same rows, so they optimise the same model and their objectives and
bounds compare directly. The validator re-derives everything from the plan on its own.

Variables. ``x[resident, block, half, rotation]`` is 1 when the resident holds the rotation in
that half. When the rotation may fill a single half of the block (split block, splittable
rotation) the two halves have their own variables; otherwise both halves share one variable,
which forbids splitting without any extra row. Rotations that do not admit a resident get no
variable at all (eligibility is structural).

Rows carry an optional *group*: a named requirement ("curriculum.minimum: ..."). Rows without a
group are the skeleton of the problem (one rotation per half, objective definitions); grouped
rows are what an infeasible problem's conflict report can name.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduling.engine.rotation.model import (
    HALVES,
    PlanAssignment,
    PlanProblem,
    Resident,
    Rotation,
    SequencingKind,
    SequencingRule,
)

Terms = dict[int, int]  # variable index -> coefficient
Position = tuple[int, int]  # (block index, half); half 2 only where halves can differ


@dataclass
class Row:
    terms: Terms
    lb: int | None
    ub: int | None
    group: str | None = None


@dataclass
class Formulation:
    problem: PlanProblem
    lbs: list[int] = field(default_factory=list)
    ubs: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    objective: Terms = field(default_factory=dict)
    constant: int = 0
    first_only: list[int] = field(default_factory=list)  # "first half alone" variables
    half_only: list[int] = field(default_factory=list)  # every "one half alone" variable
    spreads: list[int] = field(default_factory=list)  # fairness spread variables
    by_slot: dict[tuple[str, int, int], list[tuple[str, int]]] = field(default_factory=dict)
    split_blocks: set[tuple[str, int]] = field(default_factory=set)

    def new_var(self, name: str, lb: int = 0, ub: int = 1) -> int:
        self.lbs.append(lb)
        self.ubs.append(ub)
        self.names.append(name)
        return len(self.lbs) - 1

    def is_bool(self, var: int) -> bool:
        return self.lbs[var] == 0 and self.ubs[var] == 1

    def add(self, terms: Terms, lb: int | None, ub: int | None, group: str | None = None) -> None:
        self.rows.append(Row({v: c for v, c in terms.items() if c}, lb, ub, group))

    def cost(self, terms: Terms, scale: int = 1) -> None:
        for var, coef in terms.items():
            self.objective[var] = self.objective.get(var, 0) + scale * coef

    def slot(self, res: str, block: int, half: int, pick: Callable[[Rotation], bool]) -> Terms:
        rotations = self.problem.rotation_by_id
        return {v: 1 for rot, v in self.by_slot[(res, block, half)] if pick(rotations[rot])}

    def held(self, res: str, block: int, half: int, rotation: str) -> Terms:
        return {v: 1 for rot, v in self.by_slot.get((res, block, half), []) if rot == rotation}

    def positions(self, res: str, *picks: Callable[[Rotation], bool]) -> list[Position]:
        """The resident's half slots in time order, as far as the picked rotations can tell.

        The second half is its own position only where a picked rotation may hold one half
        alone; elsewhere it repeats the first half, and rows over it would be duplicates.
        """
        out: list[Position] = []
        for block in sorted(b.index for b in self.problem.blocks):
            out.append((block, 1))
            if any(
                self.slot(res, block, 1, pick) != self.slot(res, block, 2, pick) for pick in picks
            ):
                out.append((block, 2))
        return out

    def units(self, res: str, pick: Callable[[Rotation], bool]) -> Terms:
        """Half-block units on picked rotations over the year (a shared variable counts 2)."""
        total: Terms = defaultdict(int)
        for block in self.problem.blocks:
            for half in HALVES:
                for var in self.slot(res, block.index, half, pick):
                    total[var] += 1
        return dict(total)

    def decode(self, value: Callable[[int], float]) -> tuple[PlanAssignment, ...]:
        out: list[PlanAssignment] = []
        for res in self.problem.residents:
            for block in sorted(b.index for b in self.problem.blocks):
                held = [
                    next(
                        (rot for rot, v in self.by_slot[(res.id, block, h)] if value(v) > 0.5), None
                    )
                    for h in HALVES
                ]
                if held[0] == held[1] and held[0] is not None:
                    out.append(PlanAssignment(res.id, block, held[0]))
                    continue
                for half, rot in zip(HALVES, held, strict=True):
                    if rot is not None:
                        out.append(PlanAssignment(res.id, block, rot, half))
        return tuple(out)


def _select(selector: str) -> Callable[[Rotation], bool]:
    return lambda rot: rot.matches(selector)


def build_formulation(problem: PlanProblem) -> Formulation:
    f = Formulation(problem)
    _add_assignment(f)
    _add_curriculum(f)
    _add_capacity(f)
    _add_locks_and_leave(f)
    for rule in problem.sequencing:
        _add_sequencing(f, rule)
    _add_leave_requests(f)
    _add_preferences(f)
    _add_fairness(f)
    _add_splits(f)
    return f


def _add_assignment(f: Formulation) -> None:
    p = f.problem
    for res in p.residents:
        admitted = [rot for rot in p.rotations if rot.admits(res)]
        for block in p.blocks:
            b = block.index
            halves: dict[int, list[tuple[str, int]]] = {1: [], 2: []}
            for rot in admitted:
                if p.may_split(b, rot.id):
                    # whole block, first half alone, second half alone: a split costs exactly
                    # its "first half alone" variable, with no extra row.
                    f.split_blocks.add((res.id, b))
                    whole = f.new_var(f"x[{res.id},{b},{rot.id}]")
                    alone = [f.new_var(f"x[{res.id},{b},{h},{rot.id}]") for h in HALVES]
                    f.first_only.append(alone[0])
                    f.half_only += alone
                    halves[1] += [(rot.id, whole), (rot.id, alone[0])]
                    halves[2] += [(rot.id, whole), (rot.id, alone[1])]
                else:
                    var = f.new_var(f"x[{res.id},{b},{rot.id}]")
                    halves[1].append((rot.id, var))
                    halves[2].append((rot.id, var))
            for half in HALVES:
                f.by_slot[(res.id, b, half)] = halves[half]
            for half in HALVES if (res.id, b) in f.split_blocks else (1,):
                f.add({v: 1 for _, v in halves[half]}, 1, 1)


def _add_curriculum(f: Formulation) -> None:
    for req in f.problem.requirements:
        for res in f.problem.residents:
            if res.pgy != req.pgy:
                continue
            units = f.units(res.id, _select(req.rotation))
            if req.min_units > 0:
                f.add(
                    units,
                    req.min_units,
                    None,
                    f"curriculum.minimum: PGY-{req.pgy} needs at least "
                    f"{req.min_blocks:g} blocks of {req.rotation}",
                )
            if req.max_units is not None:
                f.add(
                    units,
                    None,
                    req.max_units,
                    f"curriculum.maximum: PGY-{req.pgy} may have at most "
                    f"{req.max_blocks:g} blocks of {req.rotation}",
                )


def _add_capacity(f: Formulation) -> None:
    p = f.problem
    for cap in p.capacities:
        blocks = [cap.block] if cap.block is not None else [b.index for b in p.blocks]
        who = "" if not cap.pgy_levels else " PGY-" + "/".join(map(str, sorted(cap.pgy_levels)))
        for b in blocks:
            halves = HALVES if p.may_split(b, cap.rotation) else (1,)
            for half in halves:
                terms: Terms = {}
                for res in p.residents:
                    if cap.counts(res):
                        terms |= f.held(res.id, b, half, cap.rotation)
                if cap.minimum > 0:
                    f.add(
                        terms,
                        cap.minimum,
                        None,
                        f"capacity.minimum: {cap.rotation} needs at least {cap.minimum}"
                        f"{who} residents in block {b}",
                    )
                if cap.maximum is not None:
                    f.add(
                        terms,
                        None,
                        cap.maximum,
                        f"capacity.maximum: {cap.rotation} takes at most {cap.maximum}"
                        f"{who} residents in block {b}",
                    )


def _add_locks_and_leave(f: Formulation) -> None:
    p = f.problem
    for lock in p.locks:
        for half in HALVES if lock.half is None else (lock.half,):
            f.add(
                f.held(lock.resident, lock.block, half, lock.rotation),
                1,
                1,
                f"lock: {lock.resident} on {lock.rotation} in block {lock.block}",
            )
    for leave in p.leave:
        if not leave.approved:
            continue
        terms: Terms = {}
        for half in HALVES:
            terms |= f.slot(leave.resident, leave.block, half, lambda r: not r.leave_eligible)
        f.add(
            terms,
            None,
            0,
            f"leave.approved: {leave.resident} has approved leave in block {leave.block}",
        )


def _add_sequencing(f: Formulation, rule: SequencingRule) -> None:
    group = f"sequencing.{rule.kind}: {rule.label}"
    for res in f.problem.residents:
        if not rule.applies_to(res):
            continue
        if rule.kind is SequencingKind.BEFORE:
            _add_before(f, rule, res, group)
        elif rule.kind is SequencingKind.MAX_CONSECUTIVE:
            _add_consecutive(f, rule, res, group)
        else:
            _add_not_followed(f, rule, res, group)


def _add_before(f: Formulation, rule: SequencingRule, res: Resident, group: str) -> None:
    # seen[t] = "first was held somewhere before position t"; seen[0] = 0 by omission.
    first, second = _select(rule.first), _select(rule.second)
    seen: int | None = None
    for block, half in f.positions(res.id, first, second):
        on_second = f.slot(res.id, block, half, second)
        if on_second:
            f.add(on_second | ({seen: -1} if seen is not None else {}), None, 0, group)
        on_first = f.slot(res.id, block, half, first)
        if not on_first and seen is None:
            continue
        nxt = f.new_var(f"seen[{res.id},{block},{half},{rule.first}]")
        previous = {seen: -1} if seen is not None else {}
        f.add({nxt: 1, **{v: -1 for v in on_first}, **previous}, None, 0)
        seen = nxt


def _add_consecutive(f: Formulation, rule: SequencingRule, res: Resident, group: str) -> None:
    pick = _select(rule.first)
    touched: list[Terms] = []
    for block in sorted(b.index for b in f.problem.blocks):
        halves = [f.slot(res.id, block, h, pick) for h in HALVES]
        if halves[0] == halves[1] or not halves[1]:
            touched.append(halves[0])
            continue
        if not halves[0]:
            touched.append(halves[1])
            continue
        on = f.new_var(f"on[{res.id},{block},{rule.first}]")
        for terms in halves:
            f.add({**terms, on: -1}, None, 0)
        touched.append({on: 1})
    size = rule.limit + 1
    for start in range(len(touched) - size + 1):
        window: Terms = defaultdict(int)
        for terms in touched[start : start + size]:
            for var, coef in terms.items():
                window[var] += coef
        if window:
            f.add(dict(window), None, rule.limit, group)


def _add_not_followed(f: Formulation, rule: SequencingRule, res: Resident, group: str) -> None:
    first, second = _select(rule.first), _select(rule.second)
    positions = f.positions(res.id, first, second)
    for (b0, h0), (b1, h1) in itertools.pairwise(positions):
        before = f.slot(res.id, b0, h0, first)
        after = f.slot(res.id, b1, h1, second)
        if before and after:
            f.add({**before, **after}, None, 1, group)


def _add_leave_requests(f: Formulation) -> None:
    for leave in f.problem.leave:
        if leave.approved:
            continue
        for half in HALVES:
            f.cost(
                f.slot(leave.resident, leave.block, half, lambda r: not r.leave_eligible),
                leave.weight,
            )


def _add_preferences(f: Formulation) -> None:
    # Costs are written with non-negative coefficients only ("held some other rotation" rather
    # than "1 - held this one") so the objective's trivial bound is 0 and the LP stays honest.
    for pref in f.problem.preferences:
        w = abs(pref.weight)
        if pref.block is not None:
            wanted = pref.rotation
            for half in HALVES:
                if pref.weight > 0:
                    f.cost(f.slot(pref.resident, pref.block, half, _select_other(wanted)), w)
                else:
                    f.cost(f.slot(pref.resident, pref.block, half, _select_id(wanted)), w)
            continue
        units = f.units(pref.resident, _select_id(pref.rotation))
        if pref.weight > 0 and not units:
            f.constant += w
        elif pref.weight > 0:
            unmet = f.new_var(f"unmet[{pref.resident},{pref.rotation}]")
            f.add({unmet: 1, **units}, 1, None)
            f.cost({unmet: w})
        elif units:
            hit = f.new_var(f"hit[{pref.resident},{pref.rotation}]")
            for var in units:
                f.add({var: 1, hit: -1}, None, 0)
            f.cost({hit: w})


def _select_id(rotation: str) -> Callable[[Rotation], bool]:
    return lambda rot: rot.id == rotation


def _select_other(rotation: str) -> Callable[[Rotation], bool]:
    return lambda rot: rot.id != rotation


def _add_fairness(f: Formulation) -> None:
    p = f.problem
    year = 2 * len(p.blocks)
    for fw in p.weights:
        for pgy in p.pgy_levels if fw.pgy is None else (fw.pgy,):
            group = [r for r in p.residents if r.pgy == pgy]
            if len(group) < 2 or fw.weight == 0:
                continue
            hi = f.new_var(f"hi[{pgy},{fw.rotation}]", 0, year)
            lo = f.new_var(f"lo[{pgy},{fw.rotation}]", 0, year)
            spread = f.new_var(f"spread[{pgy},{fw.rotation}]", 0, year)
            for res in group:
                units = f.units(res.id, _select(fw.rotation))
                f.add({**units, hi: -1}, None, 0)
                f.add({**units, lo: -1}, 0, None)
            f.add({spread: 1, hi: -1, lo: 1}, 0, None)
            f.spreads.append(spread)
            f.cost({spread: fw.weight})


def _add_splits(f: Formulation) -> None:
    if f.problem.split_weight:
        f.cost({v: 1 for v in f.first_only}, f.problem.split_weight)
