"""Translate a program's year into the rotation planner's ``PlanProblem`` and back (``HALF``).

The planner's counterpart of ``problem.py``: residents by public code, rotations by abbreviation,
blocks by number, so that the plan's violations read the way coordinators talk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lib.errors import ApplicationError
from people.models import Absence, AcademicYear, Person, Program
from rotations.models import Block, CurriculumRequirement, Rotation
from scheduling.engine.rotation import model as pm
from scheduling.models import RotationAssignment, ScheduleRun, State

PGY_ALL = frozenset(range(1, 9))
HALF = {
    None: RotationAssignment.Half.FULL,
    1: RotationAssignment.Half.FIRST,
    2: RotationAssignment.Half.SECOND,
}
HALF_INDEX = {value: key for key, value in HALF.items()}
REQUESTED_LEAVE_WEIGHT = 5
HEAVY_FAIRNESS_WEIGHT = 10

# Program defaults until sequencing rules get their own table: no night float directly before
# intensive care, and at most three heavy blocks in a row.
DEFAULT_SEQUENCING = (
    pm.SequencingRule(
        kind=pm.SequencingKind.NOT_FOLLOWED_BY,
        first="night_float",
        second="icu",
        name="no night float directly before ICU",
    ),
    pm.SequencingRule(
        kind=pm.SequencingKind.MAX_CONSECUTIVE,
        first=pm.HEAVY,
        limit=3,
        name="at most 3 consecutive heavy blocks",
    ),
)


@dataclass(frozen=True)
class BuiltPlan:
    problem: pm.PlanProblem
    residents: dict[str, Person]
    rotations: dict[str, Rotation]
    blocks: dict[int, Block]


def year_of_run(run: ScheduleRun) -> AcademicYear:
    year = AcademicYear.objects.filter(
        program=run.program, start_date__lte=run.start_date, end_date__gte=run.start_date
    ).first()
    if year is None:
        raise ApplicationError(
            f"{run.program} has no academic year containing {run.start_date:%d %b %Y}."
        )
    return year


def build_plan(
    program: Program, year: AcademicYear, start: Any = None, end: Any = None
) -> BuiltPlan:
    blocks = list(Block.objects.filter(academic_year=year).order_by("number"))
    if start is not None and end is not None:
        blocks = [b for b in blocks if b.end_date >= start and b.start_date <= end]
    if not blocks:
        raise ApplicationError(f"{year} has no blocks in that period; create blocks first.")
    residents = [
        person
        for person in Person.objects.filter(
            program=program, kind=Person.Kind.RESIDENT, active=True
        ).select_related("pgy_override_year")
    ]
    if not residents:
        raise ApplicationError(f"{program} has no active residents to plan.")
    rotations = list(Rotation.objects.filter(program=program, active=True))
    if not rotations:
        raise ApplicationError(f"{program} has no active rotations.")
    resident_ids = {person.pk: str(person.code) for person in residents}
    block_index = {block.pk: block.number for block in blocks}

    problem = pm.PlanProblem(
        name=f"{program} {year.name}",
        blocks=tuple(
            pm.Block(index=b.number, start=b.start_date, days=b.days, split=True) for b in blocks
        ),
        rotations=tuple(_rotation(r) for r in rotations),
        residents=tuple(
            pm.Resident(id=resident_ids[p.pk], pgy=p.pgy_in(year) or 1) for p in residents
        ),
        capacities=tuple(
            pm.Capacity(rotation=r.abbreviation, minimum=r.min_residents, maximum=r.max_residents)
            for r in rotations
        ),
        requirements=tuple(
            _requirement(row, len(blocks), len(year.blocks.all()))
            for row in CurriculumRequirement.objects.filter(rotation__in=rotations).select_related(
                "rotation"
            )
        ),
        locks=tuple(
            pm.Lock(
                resident=resident_ids[row.person_id],
                block=block_index[row.block_id],
                rotation=row.rotation.abbreviation,
                half=HALF_INDEX[RotationAssignment.Half(row.half)],
            )
            for row in RotationAssignment.objects.filter(
                block__in=blocks, state=State.PUBLISHED, locked=True, person__in=residents
            ).select_related("rotation")
        ),
        leave=tuple(_leave(residents, resident_ids, blocks)),
        sequencing=DEFAULT_SEQUENCING,
        weights=(pm.FairnessWeight(weight=HEAVY_FAIRNESS_WEIGHT),),
        split_weight=1,
    )
    return BuiltPlan(
        problem=problem,
        residents={resident_ids[p.pk]: p for p in residents},
        rotations={r.abbreviation: r for r in rotations},
        blocks={b.number: b for b in blocks},
    )


def _rotation(row: Rotation) -> pm.Rotation:
    levels = frozenset(range(row.pgy_min, row.pgy_max + 1))
    return pm.Rotation(
        id=row.abbreviation,
        name=row.name,
        heavy=row.heavy,
        leave_eligible=row.leave_eligible,
        pgy_levels=frozenset() if levels >= PGY_ALL else levels,
        tags=frozenset({row.kind}),
        splittable=row.splittable,
    )


def _requirement(
    row: CurriculumRequirement, planned_blocks: int, year_blocks: int
) -> pm.CurriculumRequirement:
    if planned_blocks < year_blocks:
        # Planning part of a year: keep the maxima, drop the minima that the rest may satisfy.
        return pm.CurriculumRequirement(
            pgy=row.pgy,
            rotation=row.rotation.abbreviation,
            min_blocks=0,
            max_blocks=float(row.max_blocks),
        )
    return pm.CurriculumRequirement(
        pgy=row.pgy,
        rotation=row.rotation.abbreviation,
        min_blocks=float(row.min_blocks),
        max_blocks=float(row.max_blocks),
    )


def _leave(
    residents: list[Person], resident_ids: dict[int, str], blocks: list[Block]
) -> list[pm.LeaveRequest]:
    # Every kind of absence, not vacation only: a resident on parental leave planned onto a
    # ward block leaves the ward short for the whole block, and the year's schedule can then
    # only break the coverage minimum or the 80-hour rule (issue 12).
    requests = []
    absences = Absence.objects.filter(
        person__in=residents,
        status__in=[Absence.Status.APPROVED, Absence.Status.REQUESTED],
        start_date__lte=blocks[-1].end_date,
        end_date__gte=blocks[0].start_date,
    )
    for absence in absences:
        for block in blocks:
            if absence.start_date <= block.end_date and absence.end_date >= block.start_date:
                requests.append(
                    pm.LeaveRequest(
                        resident=resident_ids[absence.person_id],
                        block=block.number,
                        approved=absence.status == Absence.Status.APPROVED,
                        weight=REQUESTED_LEAVE_WEIGHT,
                    )
                )
    return requests
