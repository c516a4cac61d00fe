"""Every named database constraint rejects the bad row it exists for.

Each case builds a row that is valid except for one value and expects the database (not model
validation) to refuse it. A meta-test keeps the table complete: a new constraint without a case
fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from conflicts.models import ConflictAlert
from people.models import (
    CalendarSubscription,
    Certification,
    Notification,
    ProcedureCredential,
    Request,
)
from people.rules import FORBIDDEN_TRUE, NUMERIC_BOUNDS
from resilience.models import ContingencyStudy, Fallback, ResilienceSettings, ResilienceSnapshot
from rotations.models import CurriculumRequirement
from scheduler_project.tests.constraint_cases import NEW_CASES
from scheduler_project.tests.constraint_cases_preferences import PREFERENCE_CASES
from scheduler_project.tests.constraint_cases_rules import RULE_CASES
from scheduling.models import Assignment, ScheduleRun, State
from swaps.models import (
    SwapCandidate,
    SwapChainDecline,
    SwapChainLink,
    SwapPolicy,
    SwapRequest,
)
from testing import factories as f

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 1)
AT = datetime(2026, 7, 1, 11, tzinfo=UTC)


def _subscription(**overrides: object) -> None:
    person = f.PersonFactory.create()
    CalendarSubscription.objects.create(
        program=person.program, owner=person, token_hash="0" * 64, token_hint="abc", **overrides
    )


def _swap(**overrides: object) -> None:
    assignment = f.AssignmentFactory.create()
    values: dict[str, object] = {
        "program": assignment.person.program,
        "requester": assignment.person,
        "assignment": assignment,
    }
    values.update(overrides)
    if values.get("counterpart") == "requester":
        values["counterpart"] = assignment.person
    SwapRequest.objects.create(**values)


def _live_pair(first_status: str) -> None:
    assignment = f.AssignmentFactory.create()
    for status in (first_status, "open"):
        SwapRequest.objects.create(
            program=assignment.person.program,
            requester=assignment.person,
            assignment=assignment,
            status=status,
        )


def _duplicate(factory: Callable[..., object], *shared: str, **overrides: object) -> None:
    first = factory(**overrides)
    factory(**{**overrides, **{name: getattr(first, name) for name in shared}})


def _run_pair(status: str) -> None:
    run = f.ScheduleRunFactory.create(status=status)
    ScheduleRun.objects.create(
        program=run.program, start_date=run.start_date, end_date=run.end_date, status=status
    )


def _assignment_pair(state: str) -> None:
    run = f.ScheduleRunFactory.create()
    first = f.AssignmentFactory.create(state=state, run=run, person__program=run.program)
    f.AssignmentFactory.create(
        person=first.person, shift_type=first.shift_type, date=first.date, state=state, run=run
    )


def _rotation_assignment_pair(state: str) -> None:
    run = f.ScheduleRunFactory.create()
    first = f.RotationAssignmentFactory.create(state=state, run=run, person__program=run.program)
    f.RotationAssignmentFactory.create(
        person=first.person, block=first.block, rotation=first.rotation, state=state, run=run
    )


def _overlapping_blocks() -> None:
    block = f.BlockFactory.create(number=1)
    f.BlockFactory.create(
        academic_year=block.academic_year,
        number=2,
        start_date=block.end_date,
        end_date=block.end_date + timedelta(days=27),
    )


def _candidate_pair() -> None:
    assignment = f.AssignmentFactory.create()
    swap = SwapRequest.objects.create(
        program=assignment.person.program, requester=assignment.person, assignment=assignment
    )
    other = f.PersonFactory.create(program=swap.program)
    for _ in range(2):
        SwapCandidate.objects.create(swap=swap, person=other, assignment=assignment, score=0.5)


def _chain_links(*, same_position: bool = False, same_person: bool = False) -> None:
    assignment = f.AssignmentFactory.create()
    swap = SwapRequest.objects.create(
        program=assignment.person.program, requester=assignment.person, assignment=assignment
    )
    other = f.PersonFactory.create(program=swap.program)
    SwapChainLink.objects.create(
        swap=swap, position=0, person=assignment.person, assignment=assignment
    )
    SwapChainLink.objects.create(
        swap=swap,
        position=0 if same_position else 1,
        person=assignment.person if same_person else other,
        assignment=assignment,
    )


def _declines(*, same_key: bool = False) -> None:
    program = f.ProgramFactory.create()
    SwapChainDecline.objects.create(program=program, key="1:2>3:4>5:6")
    SwapChainDecline.objects.create(program=program, key="1:2>3:4>5:6" if same_key else "1:2>5:6")
    # The same chain in another program is another program's answer.
    SwapChainDecline.objects.create(program=f.ProgramFactory.create(), key="1:2>3:4>5:6")


# constraint name -> (valid row builder, bad row builder)
CASES: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
    "program_night_float_limit_positive": (
        lambda: f.ProgramFactory.create(max_consecutive_night_float=1),
        lambda: f.ProgramFactory.create(max_consecutive_night_float=0),
    ),
    "person_pgy_override_in_range": (
        lambda: f.PersonFactory.create(
            pgy_override=8, pgy_override_year=f.AcademicYearFactory.create()
        ),
        lambda: f.PersonFactory.create(
            pgy_override=9, pgy_override_year=f.AcademicYearFactory.create()
        ),
    ),
    "person_pgy_override_has_year": (
        lambda: f.PersonFactory.create(pgy_override=None),
        lambda: f.PersonFactory.create(pgy_override=2, pgy_override_year=None),
    ),
    "person_resident_has_training_start": (
        lambda: f.PersonFactory.create(kind="faculty", training_start=None),
        lambda: f.PersonFactory.create(kind="resident", training_start=None),
    ),
    "membership_one_role_per_program": (
        lambda: f.MembershipFactory.create(),
        lambda: _duplicate(f.MembershipFactory, "user", "program"),
    ),
    "membership_one_user_per_person": (
        lambda: f.MembershipFactory.create(person=f.PersonFactory.create()),
        lambda: _duplicate(f.MembershipFactory, "person", person=f.PersonFactory.create()),
    ),
    "absence_end_not_before_start": (
        lambda: f.AbsenceFactory.create(start_date=DAY, end_date=DAY),
        lambda: f.AbsenceFactory.create(start_date=DAY, end_date=DAY - timedelta(days=1)),
    ),
    "request_end_not_before_start": (
        lambda: Request.objects.create(
            person=f.PersonFactory.create(), kind="prefer_off", start_date=DAY, end_date=DAY
        ),
        lambda: Request.objects.create(
            person=f.PersonFactory.create(),
            kind="prefer_off",
            start_date=DAY,
            end_date=DAY - timedelta(days=1),
        ),
    ),
    "request_weight_1_to_10": (
        lambda: Request.objects.create(
            person=f.PersonFactory.create(),
            kind="prefer_on",
            start_date=DAY,
            end_date=DAY,
            weight=10,
        ),
        lambda: Request.objects.create(
            person=f.PersonFactory.create(),
            kind="prefer_on",
            start_date=DAY,
            end_date=DAY,
            weight=11,
        ),
    ),
    "certification_expires_after_issue": (
        lambda: Certification.objects.create(
            person=f.PersonFactory.create(),
            name="BLS",
            issued_on=DAY,
            expires_on=DAY + timedelta(days=1),
        ),
        lambda: Certification.objects.create(
            person=f.PersonFactory.create(), name="BLS", issued_on=DAY, expires_on=DAY
        ),
    ),
    "procedure_unique_name_per_program": (
        lambda: f.ProcedureFactory.create(),
        lambda: _duplicate(f.ProcedureFactory, "program", "name"),
    ),
    "credential_one_per_person_procedure": (
        lambda: ProcedureCredential.objects.create(
            person=f.PersonFactory.create(), procedure=f.ProcedureFactory.create(), granted_on=DAY
        ),
        lambda: _duplicate(
            lambda **kw: ProcedureCredential.objects.create(
                person=kw.get("person") or f.PersonFactory.create(),
                procedure=kw.get("procedure") or f.ProcedureFactory.create(),
                granted_on=DAY,
            ),
            "person",
            "procedure",
        ),
    ),
    "credential_expires_after_grant": (
        lambda: ProcedureCredential.objects.create(
            person=f.PersonFactory.create(),
            procedure=f.ProcedureFactory.create(),
            granted_on=DAY,
            expires_on=DAY + timedelta(days=1),
        ),
        lambda: ProcedureCredential.objects.create(
            person=f.PersonFactory.create(),
            procedure=f.ProcedureFactory.create(),
            granted_on=DAY,
            expires_on=DAY - timedelta(days=1),
        ),
    ),
    "subscription_rotation_scope_names_rotation": (
        lambda: _subscription(scope="person"),
        lambda: _subscription(scope="rotation", rotation=None),
    ),
    "academic_year_end_after_start": (
        lambda: f.AcademicYearFactory.create(start_date=DAY, end_date=DAY + timedelta(days=1)),
        lambda: f.AcademicYearFactory.create(start_date=DAY, end_date=DAY),
    ),
    "academic_year_unique_start_per_program": (
        lambda: f.AcademicYearFactory.create(),
        lambda: _duplicate(f.AcademicYearFactory, "program", "start_date"),
    ),
    "block_end_not_before_start": (
        lambda: f.BlockFactory.create(start_date=DAY, end_date=DAY),
        lambda: f.BlockFactory.create(start_date=DAY, end_date=DAY - timedelta(days=1)),
    ),
    "block_unique_number_per_year": (
        lambda: f.BlockFactory.create(number=1),
        lambda: _duplicate(
            lambda **kw: f.BlockFactory.create(
                number=1,
                start_date=DAY + timedelta(days=100 if kw else 0),
                end_date=DAY + timedelta(days=110 if kw else 10),
                **kw,
            ),
            "academic_year",
        ),
    ),
    "block_no_overlap_within_year": (
        lambda: f.BlockFactory.create(number=1),
        _overlapping_blocks,
    ),
    "rotation_unique_abbreviation": (
        lambda: f.RotationFactory.create(),
        lambda: _duplicate(f.RotationFactory, "program", "abbreviation"),
    ),
    "rotation_min_not_above_max": (
        lambda: f.RotationFactory.create(min_residents=3, max_residents=3),
        lambda: f.RotationFactory.create(min_residents=4, max_residents=3),
    ),
    "rotation_pgy_range_valid": (
        lambda: f.RotationFactory.create(pgy_min=1, pgy_max=8),
        lambda: f.RotationFactory.create(pgy_min=2, pgy_max=9),
    ),
    "rotation_hours_exception_at_most_88": (
        lambda: f.RotationFactory.create(weekly_hours_limit=88),
        lambda: f.RotationFactory.create(weekly_hours_limit=89),
    ),
    "curriculum_one_per_rotation_pgy": (
        lambda: CurriculumRequirement.objects.create(rotation=f.RotationFactory.create(), pgy=1),
        lambda: _duplicate(
            lambda **kw: CurriculumRequirement.objects.create(
                rotation=kw.get("rotation") or f.RotationFactory.create(), pgy=1
            ),
            "rotation",
        ),
    ),
    "curriculum_pgy_in_range": (
        lambda: CurriculumRequirement.objects.create(rotation=f.RotationFactory.create(), pgy=8),
        lambda: CurriculumRequirement.objects.create(rotation=f.RotationFactory.create(), pgy=9),
    ),
    "curriculum_min_not_above_max": (
        lambda: CurriculumRequirement.objects.create(
            rotation=f.RotationFactory.create(), pgy=1, min_blocks=2, max_blocks=2
        ),
        lambda: CurriculumRequirement.objects.create(
            rotation=f.RotationFactory.create(), pgy=1, min_blocks=3, max_blocks=2
        ),
    ),
    "shift_type_unique_abbreviation": (
        lambda: f.ShiftTypeFactory.create(),
        lambda: _duplicate(f.ShiftTypeFactory, "program", "abbreviation"),
    ),
    "shift_type_duration_1_to_28h": (
        lambda: f.ShiftTypeFactory.create(duration_minutes=28 * 60),
        lambda: f.ShiftTypeFactory.create(duration_minutes=28 * 60 + 1),
    ),
    "coverage_minimum_not_above_target": (
        lambda: f.CoverageFactory.create(minimum=2, target=2),
        lambda: f.CoverageFactory.create(minimum=3, target=2),
    ),
    "coverage_target_not_above_maximum": (
        lambda: f.CoverageFactory.create(target=2, maximum=2),
        lambda: f.CoverageFactory.create(target=3, maximum=2),
    ),
    "coverage_weekdays_valid": (
        lambda: f.CoverageFactory.create(weekdays=127),
        lambda: f.CoverageFactory.create(weekdays=0),
    ),
    "coverage_pgy_min_in_range": (
        lambda: f.CoverageFactory.create(pgy_min=1),
        lambda: f.CoverageFactory.create(pgy_min=0),
    ),
    "coverage_pgy_max_in_range": (
        lambda: f.CoverageFactory.create(pgy_max=8),
        lambda: f.CoverageFactory.create(pgy_max=9),
    ),
    "coverage_supervision_names_shift": (
        lambda: f.CoverageFactory.create(
            needs_supervision=True, supervisor_shift_type=f.ShiftTypeFactory.create()
        ),
        lambda: f.CoverageFactory.create(needs_supervision=True, supervisor_shift_type=None),
    ),
    "run_end_not_before_start": (
        lambda: f.ScheduleRunFactory.create(start_date=DAY, end_date=DAY),
        lambda: f.ScheduleRunFactory.create(start_date=DAY, end_date=DAY - timedelta(days=1)),
    ),
    "run_one_active_per_program_period": (
        lambda: _run_pair(ScheduleRun.Status.SUCCEEDED),
        lambda: _run_pair(ScheduleRun.Status.RUNNING),
    ),
    "rotation_assignment_one_published_per_slot": (
        lambda: f.RotationAssignmentFactory.create(state=State.PUBLISHED),
        lambda: _duplicate(f.RotationAssignmentFactory, "person", "block", "rotation"),
    ),
    "rotation_assignment_one_draft_per_slot_run": (
        lambda: f.RotationAssignmentFactory.create(
            state=State.DRAFT, run=f.ScheduleRunFactory.create()
        ),
        lambda: _rotation_assignment_pair(State.DRAFT),
    ),
    "rotation_assignment_draft_has_run": (
        lambda: f.RotationAssignmentFactory.create(state=State.PUBLISHED, run=None),
        lambda: f.RotationAssignmentFactory.create(state=State.DRAFT, run=None),
    ),
    "assignment_end_after_start": (
        lambda: f.AssignmentFactory.create(starts_at=AT, ends_at=AT + timedelta(minutes=1)),
        lambda: f.AssignmentFactory.create(starts_at=AT, ends_at=AT),
    ),
    "assignment_one_published_per_person_date_shift": (
        lambda: f.AssignmentFactory.create(state=State.PUBLISHED),
        lambda: _duplicate(f.AssignmentFactory, "person", "shift_type", "date"),
    ),
    "assignment_one_draft_per_person_date_shift_run": (
        lambda: f.AssignmentFactory.create(state=State.DRAFT, run=f.ScheduleRunFactory.create()),
        lambda: _assignment_pair(State.DRAFT),
    ),
    "assignment_draft_has_run": (
        lambda: f.AssignmentFactory.create(state=State.PUBLISHED, run=None),
        lambda: f.AssignmentFactory.create(state=State.DRAFT, run=None),
    ),
    "swap_one_to_one_names_counterpart_shift": (
        lambda: _swap(kind="one_to_one", status="open"),
        lambda: _swap(kind="one_to_one", status="accepted", counterpart_assignment=None),
    ),
    "swap_counterpart_not_requester": (
        lambda: _swap(counterpart=None),
        lambda: _swap(counterpart="requester"),
    ),
    "swap_candidate_unique": (lambda: None, _candidate_pair),
    "swap_chain_link_position": (_chain_links, lambda: _chain_links(same_position=True)),
    "swap_chain_link_person": (_chain_links, lambda: _chain_links(same_person=True)),
    "swap_chain_declined_once": (_declines, lambda: _declines(same_key=True)),
    "swap_one_live_request_per_shift": (
        lambda: _live_pair("cancelled"),
        lambda: _live_pair("accepted"),
    ),
    "swap_policy_weights_not_negative": (
        lambda: SwapPolicy.objects.create(program=f.ProgramFactory.create(), weight_history=0),
        lambda: SwapPolicy.objects.create(program=f.ProgramFactory.create(), weight_history=-0.1),
    ),
    "conflict_end_not_before_start": (
        lambda: ConflictAlert.objects.create(
            program=f.ProgramFactory.create(),
            kind="coverage",
            severity="high",
            start_date=DAY,
            end_date=DAY,
            message="gap",
        ),
        lambda: ConflictAlert.objects.create(
            program=f.ProgramFactory.create(),
            kind="coverage",
            severity="high",
            start_date=DAY,
            end_date=DAY - timedelta(days=1),
            message="gap",
        ),
    ),
    "resilience_utilization_not_negative": (
        lambda: ResilienceSnapshot.objects.create(
            program=f.ProgramFactory.create(),
            start_date=DAY,
            end_date=DAY,
            utilization=0,
            defense_level="green",
        ),
        lambda: ResilienceSnapshot.objects.create(
            program=f.ProgramFactory.create(),
            start_date=DAY,
            end_date=DAY,
            utilization=-0.1,
            defense_level="green",
        ),
    ),
    "resilience_end_not_before_start": (
        lambda: ResilienceSnapshot.objects.create(
            program=f.ProgramFactory.create(),
            start_date=DAY,
            end_date=DAY,
            utilization=0.5,
            defense_level="green",
        ),
        lambda: ResilienceSnapshot.objects.create(
            program=f.ProgramFactory.create(),
            start_date=DAY,
            end_date=DAY - timedelta(days=1),
            utilization=0.5,
            defense_level="green",
        ),
    ),
    "resilience_thresholds_ordered": (
        lambda: ResilienceSettings.objects.create(program=f.ProgramFactory.create()),
        lambda: ResilienceSettings.objects.create(
            program=f.ProgramFactory.create(), orange_at=0.6, yellow_at=0.7
        ),
    ),
    "contingency_done_not_above_total": (
        lambda: ContingencyStudy.objects.create(
            program=f.ProgramFactory.create(), start_date=DAY, end_date=DAY, total=2, done=2
        ),
        lambda: ContingencyStudy.objects.create(
            program=f.ProgramFactory.create(), start_date=DAY, end_date=DAY, total=2, done=3
        ),
    ),
    "fallback_end_not_before_start": (
        lambda: Fallback.objects.create(
            program=f.ProgramFactory.create(),
            scenario="lose_one_faculty",
            start_date=DAY,
            end_date=DAY,
        ),
        lambda: Fallback.objects.create(
            program=f.ProgramFactory.create(),
            scenario="lose_one_faculty",
            start_date=DAY,
            end_date=DAY - timedelta(days=1),
        ),
    ),
}


def _program_with(overrides: dict[str, object]) -> Callable[[], object]:
    return lambda: f.ProgramFactory.create(rule_overrides=overrides)


# Overrides only tighten ACGME: a value at the strict end of its range is stored, one just past
# the weak end is refused by the database (people/rules.py holds the table).
for _key, (_low, _high) in NUMERIC_BOUNDS.items():
    CASES[f"program_override_{_key}_tightens"] = (
        _program_with({_key: _low if _key.startswith(("max_", "long_", "window")) else _high}),
        _program_with({_key: _high + 1}),
    )


def _notification(url: str) -> Callable[[], object]:
    def make() -> object:
        person = f.PersonFactory.create()
        return Notification.objects.create(
            recipient=f.UserFactory.create(), program=person.program, title="Hi", url=url
        )

    return make


CASES["notification_url_is_site_path"] = (
    _notification("/requests/"),
    _notification("javascript:alert(1)"),
)
CASES["rotation_color_is_hex"] = (
    lambda: f.RotationFactory.create(color="#A1b2C3"),
    lambda: f.RotationFactory.create(color="red;x}"),
)
CASES["shift_type_color_is_hex"] = (
    lambda: f.ShiftTypeFactory.create(color="#000000"),
    lambda: f.ShiftTypeFactory.create(color="#12345g"),
)
CASES["program_leave_in_average_known"] = (
    lambda: f.ProgramFactory.create(leave_in_average="zero"),
    lambda: f.ProgramFactory.create(leave_in_average="other"),
)
for _key in FORBIDDEN_TRUE:
    CASES[f"program_override_{_key}_tightens"] = (
        _program_with({_key: False}),
        _program_with({_key: True}),
    )

CASES.update(NEW_CASES)
CASES.update(RULE_CASES)
CASES.update(PREFERENCE_CASES)

# Constraints that live in a migration rather than in Meta (they span rows).
MIGRATION_CONSTRAINTS = {"block_no_overlap_within_year"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_accepts_the_valid_row(name: str) -> None:
    valid, _ = CASES[name]
    valid()


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_rejects_the_bad_row(name: str) -> None:
    _, bad = CASES[name]
    with pytest.raises(IntegrityError), transaction.atomic():
        bad()


def test_it_has_a_case_for_every_named_constraint() -> None:
    project_apps = {
        "people", "rotations", "scheduling", "swaps", "conflicts", "resilience", "analytics",
    }  # fmt: skip
    declared = {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in project_apps
        for constraint in model._meta.constraints
    }
    assert declared | MIGRATION_CONSTRAINTS == set(CASES)


def test_it_lets_the_same_slot_be_drafted_by_two_runs() -> None:
    first = f.AssignmentFactory.create(state=State.DRAFT, run=f.ScheduleRunFactory.create())
    other_run = f.ScheduleRunFactory.create(
        program=first.person.program, start_date=date(2026, 8, 1), end_date=date(2026, 8, 28)
    )
    f.AssignmentFactory.create(
        person=first.person,
        shift_type=first.shift_type,
        date=first.date,
        state=State.DRAFT,
        run=other_run,
    )
    assert Assignment.objects.filter(person=first.person, date=first.date).count() == 2


def test_it_lets_adjacent_blocks_touch_without_overlapping() -> None:
    block = f.BlockFactory.create(number=1)
    f.BlockFactory.create(
        academic_year=block.academic_year,
        number=2,
        start_date=block.end_date + timedelta(days=1),
        end_date=block.end_date + timedelta(days=28),
    )
    assert block.academic_year.blocks.count() == 2
