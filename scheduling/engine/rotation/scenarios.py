"""Realistic annual rotation problems for tests and benchmarks (internal-medicine style).

A program of ``n`` residents in three PGY classes plans 13 four-week blocks over wards, ICU,
night float, emergency, continuity clinic, a consult service and electives. The generator first
builds a *witness plan* that meets every curriculum, eligibility and sequencing rule with
balanced block loads, then derives capacities, locks and approved leave from it, so every
scenario is feasible by construction. Requested leave and preferences are drawn independently
and compete with each other and with fairness, which is what the objective trades off.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, timedelta

from scheduling.engine.rotation.model import (
    Block,
    Capacity,
    CurriculumRequirement,
    FairnessWeight,
    LeaveRequest,
    Lock,
    PlanAssignment,
    PlanProblem,
    Resident,
    Rotation,
    RotationPreference,
    SequencingKind,
    SequencingRule,
)

BLOCKS = 13
YEAR_START = date(2026, 7, 1)
PRIMARY_CARE = "primary_care"
HOLIDAY_BLOCK = 6  # mid-December to mid-January

Plan = dict[str, list[str]]  # resident -> rotation id per block (witness plan, whole blocks)


def _rotations() -> tuple[Rotation, ...]:
    def rot(rid: str, name: str, **kw: object) -> Rotation:
        return Rotation(rid, name, **kw)  # type: ignore[arg-type]

    every, seniors = frozenset({1, 2, 3}), frozenset({2, 3})
    elective = {"leave_eligible": True, "splittable": True}
    return (
        rot(
            "WARDS", "Inpatient wards", heavy=True, pgy_levels=every, tags=frozenset({"inpatient"})
        ),
        rot(
            "ICU", "Medical ICU", heavy=True, pgy_levels=every, tags=frozenset({"icu", "inpatient"})
        ),
        rot(
            "NF",
            "Night float",
            heavy=True,
            pgy_levels=every,
            tags=frozenset({"night_float", "inpatient"}),
        ),
        rot(
            "ED", "Emergency medicine", pgy_levels=frozenset({1, 2}), tags=frozenset({"emergency"})
        ),
        rot(
            "CLINIC",
            "Continuity clinic",
            pgy_levels=every,
            tags=frozenset({"ambulatory"}),
            **elective,
        ),
        rot(
            "CONSULT", "General medicine consults", pgy_levels=seniors, tags=frozenset({"consult"})
        ),
        rot(
            "CARDS",
            "Cardiology elective",
            pgy_levels=every,
            tags=frozenset({"elective"}),
            **elective,
        ),
        rot(
            "GI",
            "Gastroenterology elective",
            pgy_levels=every,
            tags=frozenset({"elective"}),
            **elective,
        ),
        rot(
            "ID",
            "Infectious disease elective",
            pgy_levels=seniors,
            tags=frozenset({"elective"}),
            **elective,
        ),
        rot(
            "GERI",
            "Geriatrics (primary-care track)",
            pgy_levels=seniors,
            tags=frozenset({"elective", "ambulatory"}),
            required_tags=frozenset({PRIMARY_CARE}),
            **elective,
        ),
        rot(
            "RESEARCH",
            "Research",
            pgy_levels=frozenset({3}),
            tags=frozenset({"elective"}),
            **elective,
        ),
    )


# Whole blocks of each rotation in the witness plan; "*" is an elective drawn per resident.
_WITNESS: dict[int, dict[str, int]] = {
    1: {"WARDS": 4, "ICU": 2, "NF": 1, "ED": 1, "CLINIC": 2, "*": 3},
    2: {"WARDS": 3, "ICU": 2, "NF": 2, "ED": 1, "CLINIC": 2, "CONSULT": 1, "*": 2},
    3: {"WARDS": 2, "ICU": 1, "NF": 1, "CLINIC": 2, "CONSULT": 2, "*": 5},
}

# (selector, min blocks, max blocks) per PGY level; the witness plan sits inside every range.
_CURRICULUM: dict[int, list[tuple[str, float, float]]] = {
    1: [
        ("WARDS", 4, 5),
        ("ICU", 1, 2),
        ("NF", 1, 2),
        ("ED", 1, 1),
        ("ambulatory", 1.5, 3),
        ("elective", 2, 4),
    ],
    2: [
        ("WARDS", 3, 4),
        ("ICU", 2, 3),
        ("NF", 1, 2),
        ("ED", 1, 2),
        ("CLINIC", 2, 3),
        ("CONSULT", 1, 2),
        ("elective", 1.5, 4),
    ],
    3: [
        ("WARDS", 2, 3),
        ("ICU", 1, 2),
        ("NF", 1, 2),
        ("CLINIC", 2, 3),
        ("CONSULT", 1, 3),
        ("elective", 3, 6),
        ("RESEARCH", 0, 2),
    ],
}

_SEQUENCING = (
    SequencingRule(
        SequencingKind.BEFORE,
        "WARDS",
        "NF",
        pgy_levels=frozenset({1}),
        name="PGY-1 do wards before night float",
    ),
    SequencingRule(
        SequencingKind.MAX_CONSECUTIVE, "heavy", limit=3, name="at most 3 consecutive heavy blocks"
    ),
    SequencingRule(
        SequencingKind.NOT_FOLLOWED_BY,
        "night_float",
        "icu",
        name="no ICU straight after night float",
    ),
)


def plan_scenario(n_residents: int, seed: int = 0) -> PlanProblem:
    return _scenario(n_residents, seed)[0]


def scenario_witness(n_residents: int, seed: int = 0) -> tuple[PlanAssignment, ...]:
    """The plan the scenario was built around: proof of feasibility (tests only, not a hint)."""
    witness = _scenario(n_residents, seed)[1]
    return tuple(
        PlanAssignment(res, block, rot)
        for res, row in witness.items()
        for block, rot in enumerate(row)
    )


def _scenario(n_residents: int, seed: int) -> tuple[PlanProblem, Plan]:
    rng = random.Random(seed * 7919 + n_residents)
    rotations = _rotations()
    by_id = {r.id: r for r in rotations}
    residents = _residents(n_residents, rng)
    blocks = tuple(
        Block(i, YEAR_START + timedelta(days=28 * i), 28, split=True) for i in range(BLOCKS)
    )
    witness = _witness_plan(residents, by_id, rng)
    leave = _leave(residents, witness, by_id, rng)
    problem = PlanProblem(
        blocks=blocks,
        rotations=rotations,
        residents=residents,
        capacities=_capacities(residents, witness, rotations),
        requirements=tuple(
            CurriculumRequirement(pgy, sel, lo, hi)
            for pgy, rows in _CURRICULUM.items()
            for sel, lo, hi in rows
        ),
        locks=_locks(residents, witness, rng),
        leave=leave,
        preferences=_preferences(residents, by_id, rng),
        sequencing=_SEQUENCING,
        weights=(FairnessWeight(weight=2), FairnessWeight(weight=1, rotation="night_float")),
        split_weight=1,
        name=f"rotation-plan-{n_residents}-seed{seed}",
    )
    return problem, witness


def _residents(n: int, rng: random.Random) -> tuple[Resident, ...]:
    out = []
    for i in range(n):
        pgy = 1 + (i * 3) // n
        track = frozenset({PRIMARY_CARE}) if rng.random() < 0.25 else frozenset()
        out.append(Resident(f"R{i + 1:03d}", pgy, track))
    return tuple(out)


def _valid_sequence(seq: list[str], pgy: int, by_id: dict[str, Rotation]) -> bool:
    if pgy == 1 and seq.index("NF") < seq.index("WARDS"):
        return False
    run = 0
    for rot_id in seq:
        run = run + 1 if by_id[rot_id].heavy else 0
        if run > 3:
            return False
    return all(not (a == "NF" and b == "ICU") for a, b in itertools.pairwise(seq))


def _electives(res: Resident, by_id: dict[str, Rotation], rng: random.Random) -> list[str]:
    pool = [
        r.id
        for r in by_id.values()
        if "elective" in r.tags and r.admits(res) and r.id != "RESEARCH"
    ]
    count = _WITNESS[res.pgy]["*"]
    picks = [rng.choice(pool) for _ in range(count)]
    if res.pgy == 3:
        picks[0] = "RESEARCH"
    return picks


def _witness_plan(
    residents: tuple[Resident, ...], by_id: dict[str, Rotation], rng: random.Random
) -> Plan:
    """Shuffled sequences that satisfy the sequencing rules, chosen to level block loads."""
    load: Counter[tuple[str, int]] = Counter()
    plan: Plan = {}
    for res in residents:
        base = [r for r, n in _WITNESS[res.pgy].items() if r != "*" for _ in range(n)]
        base += _electives(res, by_id, rng)
        best: list[str] | None = None
        best_cost = 0
        for _ in range(400):
            seq = base[:]
            rng.shuffle(seq)
            if not _valid_sequence(seq, res.pgy, by_id):
                continue
            cost = sum(load[(r, b)] for b, r in enumerate(seq))
            if best is None or cost < best_cost:
                best, best_cost = seq, cost
        assert best is not None, "no valid witness sequence; loosen the sequencing rules"
        for b, r in enumerate(best):
            load[(r, b)] += 1
        plan[res.id] = best
    return plan


def _capacities(
    residents: tuple[Resident, ...], witness: Plan, rotations: tuple[Rotation, ...]
) -> tuple[Capacity, ...]:
    def loads(rot: str, levels: frozenset[int]) -> list[int]:
        return [
            sum(1 for r in residents if witness[r.id][b] == rot and (not levels or r.pgy in levels))
            for b in range(BLOCKS)
        ]

    out: list[Capacity] = []
    for rot in rotations:
        per_block = loads(rot.id, frozenset())
        # Staffing floors sit below the typical load and ceilings above it (about 15% either
        # way, as programs keep room for sick days); electives only have a ceiling.
        margin = max(1, round(0.15 * sum(per_block) / BLOCKS))
        service = rot.heavy or rot.id in ("ED", "CONSULT")
        floor = max(0, min(per_block) - margin) if service else 0
        out.append(Capacity(rot.id, floor, max(per_block) + margin))
    out.append(Capacity("WARDS", min(loads("WARDS", frozenset({1}))), pgy_levels=frozenset({1})))
    out.append(Capacity("ICU", min(loads("ICU", frozenset({2, 3}))), pgy_levels=frozenset({2, 3})))
    return tuple(out)


def _leave(
    residents: tuple[Resident, ...],
    witness: Plan,
    by_id: dict[str, Rotation],
    rng: random.Random,
) -> tuple[LeaveRequest, ...]:
    out: list[LeaveRequest] = []
    for res in residents:
        restful = [b for b, r in enumerate(witness[res.id]) if by_id[r].leave_eligible]
        if restful and rng.random() < 0.5:
            out.append(LeaveRequest(res.id, rng.choice(restful), approved=True))
        # Nearly half the program asks for the holidays, more than the service rotations can
        # release, so some requests must be refused: the weights decide whose.
        taken = {x.block for x in out if x.resident == res.id}
        wanted = {HOLIDAY_BLOCK} if rng.random() < 0.45 else set()
        if rng.random() < 0.4:
            wanted.add(rng.randrange(BLOCKS))
        for block in sorted(wanted - taken):
            out.append(LeaveRequest(res.id, block, approved=False, weight=rng.randint(1, 5)))
    return tuple(out)


def _locks(residents: tuple[Resident, ...], witness: Plan, rng: random.Random) -> tuple[Lock, ...]:
    out: list[Lock] = []
    for res in residents:
        if rng.random() < 0.06:
            block = rng.randrange(BLOCKS)
            out.append(Lock(res.id, block, witness[res.id][block]))
        if rng.random() < 0.03 and "CLINIC" in witness[res.id]:
            out.append(Lock(res.id, witness[res.id].index("CLINIC"), "CLINIC", half=1))
    return tuple(out)


def _preferences(
    residents: tuple[Resident, ...], by_id: dict[str, Rotation], rng: random.Random
) -> tuple[RotationPreference, ...]:
    # Wishes cluster on popular electives and on the December block (HOLIDAY_BLOCK), so they
    # compete for the same capacity and the objective has real trade-offs to make.
    out: list[RotationPreference] = []
    for res in residents:
        electives = [r.id for r in by_id.values() if "elective" in r.tags and r.admits(res)]
        popular = [r for r in ("CARDS", "GI") if r in electives]
        if rng.random() < 0.5:
            out.append(
                RotationPreference(
                    res.id, rng.choice(popular), rng.randrange(BLOCKS), rng.randint(1, 4)
                )
            )
        if rng.random() < 0.25:
            out.append(RotationPreference(res.id, rng.choice(electives), None, 3))
        if rng.random() < 0.4:
            out.append(RotationPreference(res.id, "NF", HOLIDAY_BLOCK, -2))
        if rng.random() < 0.2:
            out.append(RotationPreference(res.id, "ICU", HOLIDAY_BLOCK, -1))
    return tuple(out)
