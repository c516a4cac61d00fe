"""Check any rotation plan against its problem, independently of every solver.

The validator reads the plan as a grid of half slots and re-derives everything from it, so a
solver bug cannot hide behind a shared formulation. Hard rules become ``PlanViolation`` rows;
the soft terms of the objective (see ``model``'s docstring) are summed into ``PlanReport``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduling.engine.rotation.model import (
    HALVES,
    PlanAssignment,
    PlanProblem,
    Resident,
    SequencingKind,
    SequencingRule,
)

Slot = tuple[int, int]  # (block index, half)
Grid = dict[str, dict[Slot, list[str]]]  # resident -> slot -> rotation ids held


@dataclass(frozen=True)
class PlanViolation:
    rule: str  # e.g. "curriculum.minimum", "capacity.maximum", "sequencing.before"
    message: str
    resident: str | None = None
    block: int | None = None
    half: int | None = None
    rotation: str | None = None
    measured: float | None = None
    limit: float | None = None


@dataclass(frozen=True)
class PlanReport:
    violations: tuple[PlanViolation, ...]
    objective: int
    penalties: dict[str, int] = field(default_factory=dict)  # objective by term

    @property
    def valid(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def validate_plan(problem: PlanProblem, assignments: Iterable[PlanAssignment]) -> PlanReport:
    violations: list[PlanViolation] = []
    grid = _build_grid(problem, list(assignments), violations)
    violations += _check_slots(problem, grid)
    violations += _check_curriculum(problem, grid)
    violations += _check_capacity(problem, grid)
    violations += _check_locks(problem, grid)
    violations += _check_leave(problem, grid)
    for rule in problem.sequencing:
        violations += _check_sequencing(problem, grid, rule)
    penalties = _penalties(problem, grid)
    return PlanReport(tuple(violations), sum(penalties.values()), penalties)


def plan_grid(problem: PlanProblem, assignments: Iterable[PlanAssignment]) -> Grid:
    """The plan as resident -> (block, half) -> rotations (one when the plan is sound)."""
    return _build_grid(problem, list(assignments), [])


def _build_grid(
    problem: PlanProblem, assignments: list[PlanAssignment], out: list[PlanViolation]
) -> Grid:
    grid: Grid = {r.id: {s: [] for s in problem.slots} for r in problem.residents}
    for a in assignments:
        known = (
            a.resident in grid
            and a.block in problem.block_by_index
            and a.rotation in problem.rotation_by_id
            and a.half in (None, *HALVES)
        )
        if not known:
            out.append(
                PlanViolation(
                    "assignment.unknown",
                    f"Assignment {a} names an unknown resident, block, rotation or half",
                    a.resident,
                    a.block,
                    a.half,
                    a.rotation,
                )
            )
            continue
        for half in HALVES if a.half is None else (a.half,):
            grid[a.resident][(a.block, half)].append(a.rotation)
    return grid


def _held(grid: Grid, resident: str, slot: Slot) -> str | None:
    """The single rotation held in a slot, or None when empty or ambiguous."""
    rotations = grid[resident][slot]
    return rotations[0] if len(rotations) == 1 else None


def _check_slots(problem: PlanProblem, grid: Grid) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    for res in problem.residents:
        for block in problem.blocks:
            first = grid[res.id][(block.index, 1)]
            second = grid[res.id][(block.index, 2)]
            for half, held in ((1, first), (2, second)):
                if len(held) != 1:
                    out.append(
                        PlanViolation(
                            "assignment.coverage",
                            f"{res.id} holds {len(held)} rotations in block {block.index} "
                            f"half {half}; exactly one is required",
                            res.id,
                            block.index,
                            half,
                            None,
                            len(held),
                            1,
                        )
                    )
            for rot_id in set(first + second):
                rot = problem.rotation_by_id[rot_id]
                if not rot.admits(res):
                    out.append(
                        PlanViolation(
                            "eligibility",
                            f"{res.id} (PGY-{res.pgy}) is not eligible for {rot_id}",
                            res.id,
                            block.index,
                            None,
                            rot_id,
                        )
                    )
            if len(first) == 1 and len(second) == 1 and first != second:
                out += _check_split(problem, res.id, block.index, first[0], second[0])
    return out


def _check_split(
    problem: PlanProblem, resident: str, block: int, first: str, second: str
) -> list[PlanViolation]:
    if problem.may_split(block, first) and problem.may_split(block, second):
        return []
    return [
        PlanViolation(
            "assignment.split",
            f"{resident} splits block {block} between {first} and {second}, but the block "
            "or a rotation may not be split",
            resident,
            block,
            None,
            None,
        )
    ]


def _units(problem: PlanProblem, grid: Grid, resident: str, selector: str) -> int:
    return sum(
        1
        for slot in problem.slots
        for rot_id in grid[resident][slot]
        if problem.rotation_by_id[rot_id].matches(selector)
    )


def _check_curriculum(problem: PlanProblem, grid: Grid) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    for req in problem.requirements:
        for res in problem.residents:
            if res.pgy != req.pgy:
                continue
            units = _units(problem, grid, res.id, req.rotation)
            if units < req.min_units:
                out.append(
                    PlanViolation(
                        "curriculum.minimum",
                        f"{res.id} has {units / 2:g} blocks of {req.rotation}; "
                        f"PGY-{req.pgy} needs at least {req.min_blocks:g}",
                        res.id,
                        None,
                        None,
                        req.rotation,
                        units / 2,
                        req.min_blocks,
                    )
                )
            if req.max_units is not None and units > req.max_units:
                out.append(
                    PlanViolation(
                        "curriculum.maximum",
                        f"{res.id} has {units / 2:g} blocks of {req.rotation}; "
                        f"PGY-{req.pgy} allows at most {req.max_blocks:g}",
                        res.id,
                        None,
                        None,
                        req.rotation,
                        units / 2,
                        req.max_blocks,
                    )
                )
    return out


def _check_capacity(problem: PlanProblem, grid: Grid) -> list[PlanViolation]:
    counts: dict[tuple[str, int, int], list[Resident]] = defaultdict(list)
    for res in problem.residents:
        for slot in problem.slots:
            for rot_id in grid[res.id][slot]:
                counts[(rot_id, *slot)].append(res)
    out: list[PlanViolation] = []
    for cap in problem.capacities:
        blocks = [cap.block] if cap.block is not None else [b.index for b in problem.blocks]
        for block in blocks:
            for half in HALVES:
                n = sum(1 for r in counts[(cap.rotation, block, half)] if cap.counts(r))
                who = _levels(cap.pgy_levels)
                if n < cap.minimum:
                    out.append(
                        PlanViolation(
                            "capacity.minimum",
                            f"{cap.rotation} has {n} {who} in block {block} half {half}; "
                            f"at least {cap.minimum} required",
                            None,
                            block,
                            half,
                            cap.rotation,
                            n,
                            cap.minimum,
                        )
                    )
                if cap.maximum is not None and n > cap.maximum:
                    out.append(
                        PlanViolation(
                            "capacity.maximum",
                            f"{cap.rotation} has {n} {who} in block {block} half {half}; "
                            f"at most {cap.maximum} allowed",
                            None,
                            block,
                            half,
                            cap.rotation,
                            n,
                            cap.maximum,
                        )
                    )
    return out


def _levels(levels: frozenset[int]) -> str:
    if not levels:
        return "residents"
    return "PGY-" + "/".join(str(p) for p in sorted(levels)) + " residents"


def _check_locks(problem: PlanProblem, grid: Grid) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    for lock in problem.locks:
        if lock.resident not in grid:
            continue
        for half in HALVES if lock.half is None else (lock.half,):
            held = grid[lock.resident].get((lock.block, half), [])
            if held != [lock.rotation]:
                out.append(
                    PlanViolation(
                        "lock",
                        f"{lock.resident} is locked to {lock.rotation} in block {lock.block} "
                        f"half {half} but holds {', '.join(held) or 'nothing'}",
                        lock.resident,
                        lock.block,
                        half,
                        lock.rotation,
                    )
                )
    return out


def _check_leave(problem: PlanProblem, grid: Grid) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    for leave in problem.leave:
        if not leave.approved or leave.resident not in grid:
            continue
        for half in HALVES:
            for rot_id in grid[leave.resident].get((leave.block, half), []):
                if not problem.rotation_by_id[rot_id].leave_eligible:
                    out.append(
                        PlanViolation(
                            "leave.approved",
                            f"{leave.resident} has approved leave in block {leave.block} but "
                            f"half {half} is on {rot_id}, which is not leave-eligible",
                            leave.resident,
                            leave.block,
                            half,
                            rot_id,
                        )
                    )
    return out


def _matches(problem: PlanProblem, grid: Grid, resident: str, slot: Slot, sel: str) -> bool:
    return any(problem.rotation_by_id[r].matches(sel) for r in grid[resident][slot])


def _check_sequencing(
    problem: PlanProblem, grid: Grid, rule: SequencingRule
) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    for res in problem.residents:
        if not rule.applies_to(res):
            continue
        if rule.kind is SequencingKind.BEFORE:
            out += _check_before(problem, grid, rule, res.id)
        elif rule.kind is SequencingKind.MAX_CONSECUTIVE:
            out += _check_consecutive(problem, grid, rule, res.id)
        else:
            out += _check_followed(problem, grid, rule, res.id)
    return out


def _check_before(
    problem: PlanProblem, grid: Grid, rule: SequencingRule, resident: str
) -> list[PlanViolation]:
    for slot in problem.slots:
        if _matches(problem, grid, resident, slot, rule.first):
            return []
        if _matches(problem, grid, resident, slot, rule.second):
            return [
                PlanViolation(
                    "sequencing.before",
                    f"{resident} is on {rule.second} in block {slot[0]} half {slot[1]} "
                    f"before any {rule.first} ({rule.label})",
                    resident,
                    slot[0],
                    slot[1],
                    rule.second,
                )
            ]
    return []


def _check_consecutive(
    problem: PlanProblem, grid: Grid, rule: SequencingRule, resident: str
) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    run = 0
    for block in sorted(b.index for b in problem.blocks):
        touched = any(_matches(problem, grid, resident, (block, h), rule.first) for h in HALVES)
        run = run + 1 if touched else 0
        if run == rule.limit + 1:  # report each run once, where it first breaks the limit
            out.append(
                PlanViolation(
                    "sequencing.max_consecutive",
                    f"{resident} has more than {rule.limit} consecutive blocks of {rule.first} "
                    f"ending at or after block {block} ({rule.label})",
                    resident,
                    block,
                    None,
                    None,
                    run,
                    rule.limit,
                )
            )
    return out


def _check_followed(
    problem: PlanProblem, grid: Grid, rule: SequencingRule, resident: str
) -> list[PlanViolation]:
    out: list[PlanViolation] = []
    slots = problem.slots
    for before, after in itertools.pairwise(slots):
        if grid[resident][before] == grid[resident][after]:
            continue  # the same rotation continuing is not a transition
        if _matches(problem, grid, resident, before, rule.first) and _matches(
            problem, grid, resident, after, rule.second
        ):
            out.append(
                PlanViolation(
                    "sequencing.not_followed_by",
                    f"{resident} goes from {rule.first} straight to {rule.second} at block "
                    f"{after[0]} half {after[1]} ({rule.label})",
                    resident,
                    after[0],
                    after[1],
                    None,
                )
            )
    return out


def _penalties(problem: PlanProblem, grid: Grid) -> dict[str, int]:
    return {
        "leave.requested": _leave_penalty(problem, grid),
        "preference": _preference_penalty(problem, grid),
        "fairness": _fairness_penalty(problem, grid),
        "split": _split_penalty(problem, grid),
    }


def _leave_penalty(problem: PlanProblem, grid: Grid) -> int:
    total = 0
    for leave in problem.leave:
        if leave.approved or leave.resident not in grid:
            continue
        for half in HALVES:
            held = grid[leave.resident].get((leave.block, half), [])
            if not all(problem.rotation_by_id[r].leave_eligible for r in held):
                total += leave.weight
    return total


def _preference_penalty(problem: PlanProblem, grid: Grid) -> int:
    total = 0
    for pref in problem.preferences:
        if pref.resident not in grid:
            continue
        slots = problem.slots if pref.block is None else [(pref.block, h) for h in HALVES]
        on = sum(1 for s in slots if pref.rotation in grid[pref.resident].get(s, []))
        if pref.block is None:
            missed = on == 0 if pref.weight > 0 else on > 0
            total += abs(pref.weight) if missed else 0
        elif pref.weight > 0:
            total += pref.weight * (len(slots) - on)
        else:
            total += -pref.weight * on
    return total


def _fairness_penalty(problem: PlanProblem, grid: Grid) -> int:
    total = 0
    for fw in problem.weights:
        levels = problem.pgy_levels if fw.pgy is None else (fw.pgy,)
        for pgy in levels:
            units = [
                _units(problem, grid, r.id, fw.rotation) for r in problem.residents if r.pgy == pgy
            ]
            if len(units) > 1:
                total += fw.weight * (max(units) - min(units))
    return total


def _split_penalty(problem: PlanProblem, grid: Grid) -> int:
    if not problem.split_weight:
        return 0
    splits = sum(
        1
        for res in problem.residents
        for b in problem.blocks
        if grid[res.id][(b.index, 1)] != grid[res.id][(b.index, 2)]
    )
    return problem.split_weight * splits
