from __future__ import annotations

import pytest

from scheduling.engine.rotation.model import (
    Capacity,
    CurriculumRequirement,
    LeaveRequest,
    Lock,
    PlanProblem,
    SequencingKind,
    SequencingRule,
)
from scheduling.engine.rotation.precheck import PlanError, precheck_plan, raise_for_conflicts
from scheduling.engine.rotation.scenarios import plan_scenario
from scheduling.engine.rotation.tests.builders import small_problem


def with_requirements(*extra: CurriculumRequirement) -> PlanProblem:
    return small_problem(requirements=small_problem().requirements + extra)


def with_capacities(*extra: Capacity) -> PlanProblem:
    return small_problem(capacities=small_problem().capacities + extra)


CASES = [
    (
        small_problem(
            requirements=(
                CurriculumRequirement(1, "WARDS", 3, 4),
                CurriculumRequirement(1, "elective", 2, 2),
            )
        ),
        "PGY-1 needs 5 required blocks but the year has 4",
    ),
    (
        small_problem(
            capacities=(Capacity("ICU", 0, 1),),
            requirements=(
                CurriculumRequirement(2, "icu", 2, 3),
                CurriculumRequirement(3, "icu", 1, 2),
            ),
        ),
        "icu needs at least 6 resident-blocks from eligible residents but its maximum capacity "
        "over the year is 4",
    ),
    (
        with_capacities(Capacity("ICU", 5, 6, block=2)),
        "Rotation ICU has minimum 5 residents in block 2 but only 4 eligible residents are "
        "available",
    ),
    (
        small_problem(
            capacities=(Capacity("ICU", 2),),
            requirements=(
                CurriculumRequirement(2, "icu", 1, 1),
                CurriculumRequirement(3, "icu", 0, 1),
            ),
        ),
        "ICU needs at least 8 resident-blocks over the year but eligible residents can give at "
        "most 4",
    ),
    (
        with_capacities(Capacity("ELEC", 6)),
        "Block 0 needs at least 7 residents across rotation minimums but the program has 6",
    ),
    (
        small_problem(locks=(Lock("R1", 0, "ICU"),)),
        "R1 (PGY-1) is locked to ICU in block 0, which does not admit them",
    ),
    (
        small_problem(locks=(Lock("R3", 0, "ICU"), Lock("R3", 1, "ICU"))),
        "R3 is locked to 2 blocks of icu but PGY-2 allows at most 1",
    ),
    (
        small_problem(
            locks=(Lock("R1", 0, "WARDS"),), leave=(LeaveRequest("R1", 0, approved=True),)
        ),
        "R1 has approved leave in block 0, which is locked to WARDS, a rotation without leave",
    ),
    (
        small_problem(locks=(Lock("R1", 0, "WARDS"), Lock("R1", 0, "NF", half=1))),
        "R1 is locked to NF and WARDS in block 0 half 1",
    ),
    (
        with_requirements(CurriculumRequirement(1, "NF", 2, 1)),
        "PGY-1 requirement for NF has minimum 2 above maximum 1",
    ),
    (
        small_problem(
            requirements=(
                CurriculumRequirement(1, "WARDS", 0, 1),
                CurriculumRequirement(1, "NF", 0, 1),
                CurriculumRequirement(1, "ambulatory", 0, 0.5),
                CurriculumRequirement(1, "elective", 0, 0.5),
            )
        ),
        "R1 (PGY-1) can fill at most 3 of 4 blocks: every rotation open to them is capped",
    ),
    (
        small_problem(
            requirements=(
                CurriculumRequirement(1, "WARDS", 2, 3),
                CurriculumRequirement(1, "NF", 1, 1),
            ),
            leave=(LeaveRequest("R1", 0, approved=True), LeaveRequest("R1", 1, approved=True)),
        ),
        "R1 (PGY-1) needs 3 blocks on rotations without leave but has 2 approved leave blocks "
        "in a 4-block year",
    ),
    (small_problem(locks=(Lock("R99", 0, "WARDS"),)), "Lock names unknown resident R99"),
    (
        small_problem(sequencing=(SequencingRule(SequencingKind.NOT_FOLLOWED_BY, "heavy", "icu"),)),
        "Sequencing rule 'heavy not directly followed by icu' selects ICU on both sides",
    ),
]


def test_it_finds_nothing_in_a_feasible_problem() -> None:
    assert precheck_plan(small_problem()) == []


@pytest.mark.parametrize(("problem", "message"), CASES, ids=[c[1][:40] for c in CASES])
def test_it_names_each_conflict_it_can_count(problem: PlanProblem, message: str) -> None:
    assert message in precheck_plan(problem)


def test_it_raises_plan_error_with_the_causes() -> None:
    problem = small_problem(locks=(Lock("R1", 0, "ICU"),))
    with pytest.raises(PlanError) as caught:
        raise_for_conflicts(problem)
    assert caught.value.causes == tuple(precheck_plan(problem))
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("size", [24, 90, 150])
def test_it_passes_every_benchmark_scenario(size: int) -> None:
    assert precheck_plan(plan_scenario(size)) == []
