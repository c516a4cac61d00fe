"""Schedule events reach the right people: a publish tells each person whose shifts changed
what changed (not the others, not another program), hand edits tell the person, runs tell the
program's coordinators."""

from datetime import date
from typing import Any

import pytest

from conftest import make_member
from people.models import Membership, Notification, Person, Program
from people.notify import Event
from rotations.models import ShiftType
from scheduling import edit_services, services
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.runs import finish
from testing.factories import (
    AcademicYearFactory,
    AssignmentFactory,
    CoverageFactory,
    ScheduleRunFactory,
    ShiftTypeFactory,
)


def _resident(program: Program, name: str) -> tuple[Any, Person]:
    person = Person.objects.create(
        program=program,
        kind=Person.Kind.RESIDENT,
        first_name=name,
        last_name="R",
        training_start=date(2025, 7, 1),
    )
    return make_member(program, name.lower(), Membership.Role.RESIDENT, person), person


def _notices(user: Any, event: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=event))


@pytest.fixture
def day_shift(program_a: Program) -> ShiftType:
    return ShiftTypeFactory.create(program=program_a, abbreviation="D")


def test_a_publish_tells_each_person_what_changed_for_them_only(
    program_a: Program,
    program_b: Program,
    coordinator_a: Any,
    coordinator_b: Any,
    day_shift: ShiftType,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana, ana_p = _resident(program_a, "Ana")
    ben, ben_p = _resident(program_a, "Ben")
    cy, cy_p = _resident(program_a, "Cy")  # keeps exactly her shift: told nothing
    _, other_p = _resident(program_b, "Oz")
    night = ShiftTypeFactory.create(program=program_a, abbreviation="N")
    for person, day in ((ben_p, date(2026, 7, 3)), (cy_p, date(2026, 7, 4))):
        AssignmentFactory(person=person, shift_type=day_shift, date=day, state=State.PUBLISHED)
    AssignmentFactory(person=ana_p, shift_type=night, date=date(2026, 7, 2), state=State.PUBLISHED)
    run = ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.SUCCEEDED)
    drafts = [
        (ana_p, day_shift, date(2026, 7, 1)),
        (ana_p, day_shift, date(2026, 7, 2)),  # was N: changed
        (cy_p, day_shift, date(2026, 7, 4)),
    ]
    for person, shift, day in drafts:
        AssignmentFactory(run=run, person=person, shift_type=shift, date=day, state=State.DRAFT)
    other_shift = ShiftTypeFactory.create(program=program_b)
    AssignmentFactory(person=other_p, shift_type=other_shift, state=State.PUBLISHED)

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_run_publish(run=run, actor=coordinator_a)

    (mine,) = _notices(ana, Event.SCHEDULE_PUBLISHED)
    assert mine.title == "Schedule published for 01 Jul – 28 Jul 2026: 1 added, 1 changed"
    assert mine.body.splitlines() == ["~ Thu 02 Jul N → D", "+ Wed 01 Jul D"]
    assert (mine.context["added"], mine.context["changed"], mine.url) == (1, 1, "/my/schedule/")
    (bens,) = _notices(ben, Event.SCHEDULE_PUBLISHED)
    assert bens.title.endswith(": 1 removed") and bens.body == "− Fri 03 Jul D"
    assert _notices(cy, Event.SCHEDULE_PUBLISHED) == []
    assert _notices(coordinator_b, Event.SCHEDULE_PUBLISHED) == []
    (summary,) = _notices(coordinator_a, Event.SCHEDULE_PUBLISHED)
    assert "2 people's shifts changed" in summary.title
    assert Notification.objects.filter(program=program_b).count() == 0


def test_a_long_list_of_changes_is_cut_with_a_count(
    program_a: Program, day_shift: ShiftType, django_capture_on_commit_callbacks: Any
) -> None:
    ana, ana_p = _resident(program_a, "Ana")
    run = ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.SUCCEEDED)
    for day in range(1, 6):
        AssignmentFactory(
            run=run, person=ana_p, shift_type=day_shift, date=date(2026, 7, day), state=State.DRAFT
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_run_publish(run=run, actor=None)
    (mine,) = _notices(ana, Event.SCHEDULE_PUBLISHED)
    assert mine.body.splitlines()[-1] == "… and 2 more"


def test_a_hand_edit_tells_the_person_and_nobody_else(
    program_a: Program,
    coordinator_a: Any,
    faculty_a: Any,
    day_shift: ShiftType,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ana, ana_p = _resident(program_a, "Ana")
    AcademicYearFactory(program=program_a, start_date=date(2026, 7, 1), end_date=date(2027, 6, 30))
    CoverageFactory(shift_type=day_shift)
    with django_capture_on_commit_callbacks(execute=True):
        row = edit_services.assignment_add(
            person=ana_p, day=date(2026, 10, 20), shift_type=day_shift, actor=coordinator_a
        )
    with django_capture_on_commit_callbacks(execute=True):
        edit_services.assignment_remove(
            assignment=row, actor=coordinator_a, override_reason="Cover arranged by phone"
        )
    titles = [n.title for n in _notices(ana, Event.ASSIGNMENT_CHANGED)]
    assert sorted(titles) == [
        "D on Tue 20 Oct was added to your schedule",
        "D on Tue 20 Oct was removed from your schedule",
    ]
    assert not Assignment.objects.exists()
    assert _notices(faculty_a, Event.ASSIGNMENT_CHANGED) == []
    assert _notices(coordinator_a, Event.ASSIGNMENT_CHANGED) == []


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (ScheduleRun.Status.SUCCEEDED, Event.RUN_FINISHED),
        (ScheduleRun.Status.FAILED, Event.RUN_FAILED),
    ],
)
def test_a_finished_run_tells_its_programs_coordinators(
    status: str,
    event: str,
    program_a: Program,
    coordinator_a: Any,
    coordinator_b: Any,
    resident_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        finish(run, status, error="boom" if status == ScheduleRun.Status.FAILED else "")
    (notice,) = _notices(coordinator_a, event)
    assert notice.url == f"/schedule/runs/{run.code}/"
    assert _notices(coordinator_b, event) == _notices(resident_a, event) == []


def test_a_cancelled_run_tells_nobody(
    program_a: Program, coordinator_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run = ScheduleRunFactory.create(program=program_a, status=ScheduleRun.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        finish(run, ScheduleRun.Status.CANCELLED)
    assert not Notification.objects.exists()
