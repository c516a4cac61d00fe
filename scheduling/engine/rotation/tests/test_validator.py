from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from scheduling.engine.rotation.model import (
    FairnessWeight,
    LeaveRequest,
    Lock,
    PlanAssignment,
    PlanProblem,
    RotationPreference,
    SequencingKind,
    SequencingRule,
)
from scheduling.engine.rotation.tests.builders import blocks, small_problem
from scheduling.engine.rotation.validator import validate_plan

# A plan of small_problem() that meets every hard rule (see builders for the problem).
ROWS = {
    "R1": ["WARDS", "NF", "ELEC", "ELEC"],
    "R2": ["ELEC", "WARDS", "NF", "CLINIC"],
    "R3": ["ICU", "WARDS", "ELEC", "ELEC"],
    "R4": ["WARDS", "ICU", "ELEC", "NF"],
    "R5": ["CLINIC", "ELEC", "WARDS", "ELEC"],
    "R6": ["ELEC", "CLINIC", "ELEC", "WARDS"],
}


def plan(**changes: list[str]) -> list[PlanAssignment]:
    rows = ROWS | changes
    return [PlanAssignment(res, b, rot) for res, row in rows.items() for b, rot in enumerate(row)]


def without(assignments: list[PlanAssignment], resident: str, block: int) -> list[PlanAssignment]:
    return [a for a in assignments if (a.resident, a.block) != (resident, block)]


def split(resident: str, block: int, first: str, second: str) -> list[PlanAssignment]:
    base = without(plan(), resident, block)
    return [
        *base,
        PlanAssignment(resident, block, first, 1),
        PlanAssignment(resident, block, second, 2),
    ]


def rule(kind: SequencingKind, first: str, second: str = "", limit: int = 0) -> PlanProblem:
    return small_problem(sequencing=(SequencingRule(kind, first, second, limit),))


CASES = [
    ("assignment.coverage", small_problem(), without(plan(), "R1", 0)),
    ("assignment.coverage", small_problem(), [*plan(), PlanAssignment("R1", 0, "CLINIC")]),
    ("assignment.unknown", small_problem(), [*plan(), PlanAssignment("R1", 0, "XYZ")]),
    ("eligibility", small_problem(), plan(R1=["WARDS", "NF", "ICU", "ELEC"])),
    ("curriculum.minimum", small_problem(), plan(R3=["ELEC", "WARDS", "ELEC", "ELEC"])),
    ("curriculum.maximum", small_problem(), plan(R1=["WARDS", "NF", "WARDS", "WARDS"])),
    ("capacity.maximum", small_problem(), plan(R3=["ICU", "NF", "ELEC", "ELEC"])),
    ("capacity.minimum", small_problem(), plan(R5=["CLINIC", "ELEC", "ELEC", "ELEC"])),
    ("lock", small_problem(locks=(Lock("R1", 0, "NF"),)), plan()),
    ("lock", small_problem(locks=(Lock("R1", 2, "CLINIC", half=2),)), plan()),
    ("leave.approved", small_problem(leave=(LeaveRequest("R1", 0, approved=True),)), plan()),
    ("assignment.split", small_problem(), split("R1", 2, "ELEC", "NF")),
    (
        "assignment.split",
        small_problem(blocks=blocks(split=False)),
        split("R1", 2, "ELEC", "CLINIC"),
    ),
    ("sequencing.before", rule(SequencingKind.BEFORE, "NF", "WARDS"), plan()),
    ("sequencing.max_consecutive", rule(SequencingKind.MAX_CONSECUTIVE, "heavy", limit=1), plan()),
    ("sequencing.not_followed_by", rule(SequencingKind.NOT_FOLLOWED_BY, "inpatient", "NF"), plan()),
]


def test_it_accepts_a_plan_that_meets_every_rule() -> None:
    report = validate_plan(small_problem(), plan())
    assert report.valid, report.violations


def test_it_accepts_a_split_between_splittable_rotations() -> None:
    report = validate_plan(small_problem(), split("R1", 2, "ELEC", "CLINIC"))
    assert report.valid, report.violations


@pytest.mark.parametrize(
    ("rule_name", "problem", "assignments"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_it_detects_each_kind_of_violation(
    rule_name: str, problem: PlanProblem, assignments: list[PlanAssignment]
) -> None:
    report = validate_plan(problem, assignments)
    assert rule_name in report.rules()
    assert not report.valid


def test_it_reports_measured_value_and_limit() -> None:
    report = validate_plan(small_problem(), plan(R1=["WARDS", "NF", "WARDS", "WARDS"]))
    (violation,) = [v for v in report.violations if v.rule == "curriculum.maximum"]
    assert (violation.resident, violation.measured, violation.limit) == ("R1", 3, 2)


@pytest.mark.parametrize(
    ("changes", "term", "expected"),
    [
        ({"leave": (LeaveRequest("R1", 0, approved=False, weight=3),)}, "leave.requested", 6),
        ({"preferences": (RotationPreference("R1", "ELEC", 0, 2),)}, "preference", 4),
        ({"preferences": (RotationPreference("R1", "NF", 1, -5),)}, "preference", 10),
        ({"preferences": (RotationPreference("R3", "CLINIC", None, 3),)}, "preference", 3),
        ({"preferences": (RotationPreference("R3", "ELEC", None, -3),)}, "preference", 3),
        ({"weights": (FairnessWeight(3),)}, "fairness", 6),
        ({"weights": (FairnessWeight(3, pgy=1),)}, "fairness", 0),
    ],
)
def test_it_computes_each_soft_term(changes: dict[str, Any], term: str, expected: int) -> None:
    report = validate_plan(replace(small_problem(), **changes), plan())
    assert report.penalties[term] == expected
    assert report.objective == expected


def test_it_charges_split_blocks() -> None:
    report = validate_plan(small_problem(split_weight=2), split("R1", 2, "ELEC", "CLINIC"))
    assert report.penalties["split"] == 2
