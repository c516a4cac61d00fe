"""Conflicts a rotation problem shows by counting alone, before any solver runs.

Every message here is a proof of infeasibility (a count that cannot be met), never a guess, so
the solvers can refuse a problem that fails the precheck and name the reason to a coordinator.
Conflicts that need search to find (sequencing against locks, say) are left to the solvers'
conflict reporting.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from scheduling.engine.rotation.model import (
    HALVES,
    Capacity,
    CurriculumRequirement,
    PlanProblem,
    Resident,
    Rotation,
    SequencingKind,
)


class PlanError(ValueError):
    """A rotation problem that cannot be planned; ``causes`` names each conflict."""

    def __init__(self, causes: Iterable[str]) -> None:
        self.causes = tuple(causes)
        super().__init__("; ".join(self.causes) or "rotation plan is infeasible")


def raise_for_conflicts(problem: PlanProblem) -> None:
    causes = precheck_plan(problem)
    if causes:
        raise PlanError(causes)


def precheck_plan(problem: PlanProblem) -> list[str]:
    references = _check_references(problem)
    if references:
        return references  # counting over dangling ids would only add noise
    out: list[str] = []
    out += _check_bounds(problem)
    out += _check_year_fill(problem)
    out += _check_requirement_capacity(problem)
    out += _check_capacity_supply(problem)
    out += _check_block_minimums(problem)
    out += _check_locks(problem)
    out += _check_leave(problem)
    out += _check_sequencing(problem)
    return list(dict.fromkeys(out))  # keep order, drop repeats


def _block(n_units: int) -> str:
    return f"{n_units / 2:g}"


def _check_references(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    residents, rotations = problem.resident_by_id, problem.rotation_by_id
    blocks = problem.block_by_index
    if len(blocks) != len(problem.blocks):
        out.append("Two blocks share one index")
    items: list[tuple[str, str | None, str | None, int | None]]
    items = [("Lock", x.resident, x.rotation, x.block) for x in problem.locks]
    items += [("Leave request", x.resident, None, x.block) for x in problem.leave]
    items += [("Preference", x.resident, x.rotation, x.block) for x in problem.preferences]
    items += [("Capacity", None, x.rotation, x.block) for x in problem.capacities]
    for kind, res, rot, block in items:
        if res is not None and res not in residents:
            out.append(f"{kind} names unknown resident {res}")
        if rot is not None and rot not in rotations:
            out.append(f"{kind} names unknown rotation {rot}")
        if block is not None and block not in blocks:
            out.append(f"{kind} names unknown block {block}")
    for lock in problem.locks:
        if lock.half not in (None, *HALVES):
            out.append(f"Lock of {lock.resident} in block {lock.block} names half {lock.half}")
    return out


def _check_bounds(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    for req in problem.requirements:
        if req.max_units is not None and req.min_units > req.max_units:
            out.append(
                f"PGY-{req.pgy} requirement for {req.rotation} has minimum {req.min_blocks:g} "
                f"above maximum {req.max_blocks:g}"
            )
        if req.min_units > 0 and not problem.selected(req.rotation):
            out.append(f"PGY-{req.pgy} requires {req.rotation}, which matches no rotation")
    for cap in problem.capacities:
        if cap.maximum is not None and cap.minimum > cap.maximum:
            out.append(
                f"Capacity of {cap.rotation} has minimum {cap.minimum} above maximum {cap.maximum}"
            )
    return out


def _requirements_of(problem: PlanProblem, pgy: int) -> list[CurriculumRequirement]:
    return [r for r in problem.requirements if r.pgy == pgy]


def _disjoint_minimum(problem: PlanProblem, reqs: list[CurriculumRequirement]) -> int:
    """Sum of minimums over requirements on pairwise disjoint rotation sets: a lower bound."""
    taken: set[str] = set()
    total = 0
    for req in sorted(reqs, key=lambda r: -r.min_units):
        ids = {r.id for r in problem.selected(req.rotation)}
        if req.min_units and not ids & taken:
            taken |= ids
            total += req.min_units
    return total


def _max_units(problem: PlanProblem, resident: Resident, rotation: Rotation) -> int:
    """Most units the curriculum lets this resident spend on one rotation."""
    limit = 2 * len(problem.blocks)
    for req in _requirements_of(problem, resident.pgy):
        if req.max_units is not None and rotation.matches(req.rotation):
            limit = min(limit, req.max_units)
    return limit if rotation.admits(resident) else 0


def _check_year_fill(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    year = 2 * len(problem.blocks)
    for pgy in problem.pgy_levels:
        need = _disjoint_minimum(problem, _requirements_of(problem, pgy))
        if need > year:
            out.append(
                f"PGY-{pgy} needs {_block(need)} required blocks but the year has "
                f"{len(problem.blocks)}"
            )
    for res in problem.residents:
        out += _check_resident_fill(problem, res, year)
    return out


def _check_resident_fill(problem: PlanProblem, res: Resident, year: int) -> list[str]:
    out: list[str] = []
    for req in _requirements_of(problem, res.pgy):
        if req.min_units and not any(r.admits(res) for r in problem.selected(req.rotation)):
            out.append(
                f"{res.id} (PGY-{res.pgy}) needs {req.min_blocks:g} blocks of {req.rotation} "
                "but no such rotation admits them"
            )
    # Each rotation is capped by its tightest curriculum maximum; their sum bounds the year.
    room = sum(_max_units(problem, res, rot) for rot in problem.rotations)
    if room < year:
        out.append(
            f"{res.id} (PGY-{res.pgy}) can fill at most {_block(room)} of "
            f"{len(problem.blocks)} blocks: every rotation open to them is capped"
        )
    leave = {x.block for x in problem.leave if x.resident == res.id and x.approved}
    no_leave = [
        req
        for req in _requirements_of(problem, res.pgy)
        if not any(r.leave_eligible for r in problem.selected(req.rotation))
    ]
    need = _disjoint_minimum(problem, no_leave)
    if leave and need + 2 * len(leave) > year:
        out.append(
            f"{res.id} (PGY-{res.pgy}) needs {_block(need)} blocks on rotations without leave "
            f"but has {len(leave)} approved leave blocks in a {len(problem.blocks)}-block year"
        )
    return out


def _cap_limit(caps: list[Capacity], block: int, levels: set[int]) -> int | None:
    """Tightest maximum among caps of one rotation that bind every level in ``levels``."""
    limits = [
        c.maximum
        for c in caps
        if c.maximum is not None
        and (c.block is None or c.block == block)
        and (not c.pgy_levels or (levels and levels <= c.pgy_levels))
    ]
    return min(limits) if limits else None


def _caps_by_rotation(problem: PlanProblem) -> dict[str, list[Capacity]]:
    caps: dict[str, list[Capacity]] = defaultdict(list)
    for cap in problem.capacities:
        caps[cap.rotation].append(cap)
    return caps


def _check_requirement_capacity(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    caps = _caps_by_rotation(problem)
    per_class = Counter(r.pgy for r in problem.residents)
    sets = {
        req.rotation: frozenset(r.id for r in problem.selected(req.rotation))
        for req in problem.requirements
    }
    for selector, ids in sets.items():
        inside = [q for q in problem.requirements if q.min_units and sets[q.rotation] <= ids]
        levels = {q.pgy for q in inside}
        # Nested selectors of one class (electives and one elective) must not count twice.
        demand = sum(
            per_class[pgy] * _disjoint_minimum(problem, [q for q in inside if q.pgy == pgy])
            for pgy in levels
        )
        room = 0
        for rot_id in ids:
            for block in problem.blocks:
                limit = _cap_limit(caps[rot_id], block.index, levels)
                if limit is None:
                    room = -1
                    break
                room += 2 * limit
            if room < 0:
                break
        if 0 <= room < demand:
            out.append(
                f"{selector} needs at least {_block(demand)} resident-blocks from eligible "
                f"residents but its maximum capacity over the year is {_block(room)}"
            )
    return out


def _check_capacity_supply(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    groups: dict[tuple[str, frozenset[int]], list[Capacity]] = defaultdict(list)
    for cap in problem.capacities:
        groups[(cap.rotation, cap.pgy_levels)].append(cap)
    for (rot_id, levels), caps in groups.items():
        need = 0
        for block in problem.blocks:
            mins = [c.minimum for c in caps if c.block is None or c.block == block.index]
            need += 2 * max(mins, default=0)
        rot = problem.rotation_by_id[rot_id]
        supply = sum(
            _max_units(problem, res, rot)
            for res in problem.residents
            if not levels or res.pgy in levels
        )
        if need > supply:
            out.append(
                f"{rot_id} needs at least {_block(need)} resident-blocks over the year but "
                f"eligible residents can give at most {_block(supply)}"
            )
    return out


def _locked_elsewhere(problem: PlanProblem, block: int, half: int, rotation: str) -> set[str]:
    return {
        lock.resident
        for lock in problem.locks
        if lock.block == block and lock.half in (None, half) and lock.rotation != rotation
    }


def _on_leave(problem: PlanProblem, block: int) -> set[str]:
    return {x.resident for x in problem.leave if x.approved and x.block == block}


def _check_block_minimums(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    for cap in problem.capacities:
        if cap.minimum <= 0:
            continue
        rot = problem.rotation_by_id[cap.rotation]
        blocks = [cap.block] if cap.block is not None else [b.index for b in problem.blocks]
        for block in blocks:
            away = set() if rot.leave_eligible else _on_leave(problem, block)
            for half in HALVES:
                busy = away | _locked_elsewhere(problem, block, half, rot.id)
                free = [
                    r
                    for r in problem.residents
                    if rot.admits(r) and cap.counts(r) and r.id not in busy
                ]
                if len(free) < cap.minimum:
                    out.append(
                        f"Rotation {rot.id} has minimum {cap.minimum} residents in block "
                        f"{block} but only {len(free)} eligible residents are available"
                    )
                    break
    out += _check_block_totals(problem)
    return out


def _check_block_totals(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    caps = _caps_by_rotation(problem)
    n = len(problem.residents)
    for block in problem.blocks:
        need = 0
        room: int | None = 0
        for rot in problem.rotations:
            general = [
                c
                for c in caps[rot.id]
                if not c.pgy_levels and (c.block is None or c.block == block.index)
            ]
            need += max((c.minimum for c in general), default=0)
            limit = _cap_limit(caps[rot.id], block.index, set())
            room = None if room is None or limit is None else room + limit
        if need > n:
            out.append(
                f"Block {block.index} needs at least {need} residents across rotation "
                f"minimums but the program has {n}"
            )
        if room is not None and room < n:
            out.append(
                f"Block {block.index} has room for only {room} residents across rotation "
                f"maximums but the program has {n}"
            )
    return out


def _check_locks(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    held: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    units: Counter[tuple[str, str]] = Counter()
    for lock in problem.locks:
        res = problem.resident_by_id[lock.resident]
        rot = problem.rotation_by_id[lock.rotation]
        if not rot.admits(res):
            out.append(
                f"{res.id} (PGY-{res.pgy}) is locked to {rot.id} in block {lock.block}, "
                "which does not admit them"
            )
        if lock.half is not None and not problem.may_split(lock.block, rot.id):
            out.append(
                f"{res.id} is locked to half {lock.half} of block {lock.block} on {rot.id}, "
                "but that block or rotation may not be split"
            )
        halves = HALVES if lock.half is None else (lock.half,)
        for half in halves:
            held[(res.id, lock.block, half)].add(rot.id)
        units[(res.id, rot.id)] += len(halves)
    for (res_id, block, half), rots in held.items():
        if len(rots) > 1:
            out.append(
                f"{res_id} is locked to {' and '.join(sorted(rots))} in block {block} half {half}"
            )
    out += _check_lock_maximums(problem, units)
    out += _check_lock_capacity(problem, held)
    return out


def _check_lock_maximums(problem: PlanProblem, units: Counter[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for res in problem.residents:
        for req in _requirements_of(problem, res.pgy):
            if req.max_units is None:
                continue
            locked = sum(
                n
                for (r, rot), n in units.items()
                if r == res.id and problem.rotation_by_id[rot].matches(req.rotation)
            )
            if locked > req.max_units:
                out.append(
                    f"{res.id} is locked to {_block(locked)} blocks of {req.rotation} but "
                    f"PGY-{res.pgy} allows at most {req.max_blocks:g}"
                )
    return out


def _check_lock_capacity(
    problem: PlanProblem, held: dict[tuple[str, int, int], set[str]]
) -> list[str]:
    out: list[str] = []
    for cap in problem.capacities:
        if cap.maximum is None:
            continue
        count: Counter[tuple[int, int]] = Counter()
        for (res_id, block, half), rots in held.items():
            if cap.rotation in rots and cap.counts(problem.resident_by_id[res_id]):
                if cap.block is None or cap.block == block:
                    count[(block, half)] += 1
        for (block, half), n in sorted(count.items()):
            if n > cap.maximum:
                out.append(
                    f"{n} residents are locked to {cap.rotation} in block {block} half {half} "
                    f"but its maximum is {cap.maximum}"
                )
    return out


def _check_leave(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    for leave in problem.leave:
        if not leave.approved:
            continue
        res = problem.resident_by_id[leave.resident]
        if not any(r.leave_eligible and r.admits(res) for r in problem.rotations):
            out.append(f"{res.id} has approved leave but no leave-eligible rotation admits them")
        for lock in problem.locks:
            rot = problem.rotation_by_id[lock.rotation]
            if (lock.resident, lock.block) == (res.id, leave.block) and not rot.leave_eligible:
                out.append(
                    f"{res.id} has approved leave in block {leave.block}, which is locked to "
                    f"{rot.id}, a rotation without leave"
                )
    return out


def _check_sequencing(problem: PlanProblem) -> list[str]:
    out: list[str] = []
    for rule in problem.sequencing:
        first = {r.id for r in problem.selected(rule.first)}
        second = {r.id for r in problem.selected(rule.second)} if rule.second else set()
        if rule.kind is SequencingKind.NOT_FOLLOWED_BY and first & second:
            out.append(
                f"Sequencing rule '{rule.label}' selects {', '.join(sorted(first & second))} "
                "on both sides"
            )
        if rule.kind is SequencingKind.MAX_CONSECUTIVE and rule.limit < 0:
            out.append(f"Sequencing rule '{rule.label}' has a negative limit")
    return out
