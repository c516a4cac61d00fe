"""Small rotation problems for the tests: a four-block year with a handful of residents."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from scheduling.engine.rotation.model import (
    Block,
    Capacity,
    CurriculumRequirement,
    PlanProblem,
    Resident,
    Rotation,
)

WARDS = Rotation("WARDS", heavy=True, tags=frozenset({"inpatient"}))
ICU = Rotation("ICU", heavy=True, tags=frozenset({"icu"}), pgy_levels=frozenset({2, 3}))
NF = Rotation("NF", heavy=True, tags=frozenset({"night_float"}))
CLINIC = Rotation("CLINIC", leave_eligible=True, splittable=True, tags=frozenset({"ambulatory"}))
ELECTIVE = Rotation("ELEC", leave_eligible=True, splittable=True, tags=frozenset({"elective"}))
ROTATIONS = (WARDS, ICU, NF, CLINIC, ELECTIVE)


def blocks(n: int = 4, split: bool = True) -> tuple[Block, ...]:
    return tuple(Block(i, date(2026, 7, 1) + timedelta(days=28 * i), 28, split) for i in range(n))


def residents(*pgys: int) -> tuple[Resident, ...]:
    return tuple(Resident(f"R{i + 1}", pgy) for i, pgy in enumerate(pgys))


def small_problem(**changes: Any) -> PlanProblem:
    """Six residents (two per PGY), four blocks, loose capacities: feasible, solves instantly."""
    problem = PlanProblem(
        blocks=blocks(),
        rotations=ROTATIONS,
        residents=residents(1, 1, 2, 2, 3, 3),
        capacities=(
            Capacity("WARDS", 1, 3),
            Capacity("ICU", 0, 2),
            Capacity("NF", 0, 1),
            Capacity("CLINIC", 0, 3),
        ),
        requirements=(
            CurriculumRequirement(1, "WARDS", 1, 2),
            CurriculumRequirement(2, "icu", 1, 1),
            CurriculumRequirement(3, "ambulatory", 1, 2),
        ),
        name="small",
    )
    return replace(problem, **changes)
