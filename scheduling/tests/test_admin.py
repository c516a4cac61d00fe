"""Coordinator console for the schedule: scoping, manual assignments, runs, query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.models import Person, Program
from rotations.models import ShiftType
from scheduling.models import Assignment, ScheduleRun
from testing import factories as f

pytestmark = pytest.mark.django_db


def test_it_materialises_a_manual_assignment_in_the_programs_timezone(console: Any) -> None:
    person, shift = console.world.a[Person], console.world.a[ShiftType]
    response = console.coordinator.post(
        console.url(Assignment, "add"),
        {"person": person.pk, "shift_type": shift.pk, "date": "2026-07-10", "note": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment = Assignment.objects.get(person=person, date=date(2026, 7, 10))
    # 07:00 in New York (EDT, UTC-4) is 11:00 UTC; a 12-hour shift.
    assert assignment.starts_at == datetime(2026, 7, 10, 11, tzinfo=UTC)
    assert assignment.ends_at - assignment.starts_at == timedelta(hours=12)
    assert assignment.source == "manual"


def test_it_shows_runs_read_only(console: Any) -> None:
    run = console.world.a[ScheduleRun]
    response = console.coordinator.get(console.url(ScheduleRun, "change", run.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def _ask_for_run(console: Any, program: Program, start: str, end: str) -> Any:
    return console.coordinator.post(
        console.url(ScheduleRun, "add"),
        {
            "program": program.pk,
            "kind": "schedule",
            "algorithm": "greedy",
            "start_date": start,
            "end_date": end,
            "time_limit_seconds": "10",
            "parameters": '{"include_past": true}',  # the console's "include past days"
        },
        follow=True,
    )


def test_it_queues_a_run_through_the_service(
    console: Any, program_a: Program, coordinator_a: Any
) -> None:
    _ask_for_run(console, program_a, "2026-09-01", "2026-09-28")
    run = ScheduleRun.objects.get(program=program_a, start_date=date(2026, 9, 1))
    assert run.status == ScheduleRun.Status.QUEUED
    assert run.requested_by == coordinator_a


def test_it_reports_a_refused_run_as_an_error_message(console: Any, program_a: Program) -> None:
    # The world already holds a queued run for July.
    response = _ask_for_run(console, program_a, "2026-07-10", "2026-07-20")
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert any(tag == "error" and "already queued" in text for tag, text in messages)
    assert ScheduleRun.objects.filter(program=program_a).count() == 1


def test_it_reports_a_refused_publish_as_an_error_message(console: Any) -> None:
    run = console.world.a[ScheduleRun]
    response = console.coordinator.post(
        console.url(ScheduleRun, "changelist"),
        {"action": "publish_runs", "_selected_action": [run.pk], "confirmed": "yes"},
        follow=True,
    )
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [
        ("error", "Only a succeeded run that is not yet published or discarded can be published.")
    ]


@pytest.mark.parametrize("action", ["publish_runs", "discard_runs"])
def test_it_asks_before_publishing_or_discarding_with_the_diff(
    console: Any, program_a: Program, action: str
) -> None:
    run: ScheduleRun = f.ScheduleRunFactory.create(
        program=program_a,
        status=ScheduleRun.Status.SUCCEEDED,
        start_date=date(2026, 8, 1),
        end_date=date(2026, 8, 7),
    )
    person = f.PersonFactory(program=program_a)
    for day in (1, 2):
        f.AssignmentFactory(person=person, run=run, date=date(2026, 8, day), state="draft")
    url = console.url(ScheduleRun, "changelist")
    asked = console.coordinator.post(url, {"action": action, "_selected_action": [run.pk]})
    assert asked.status_code == 200
    row = asked.content.decode().split(f'data-run="{run.code}"')[1].split("</tr>")[0]
    assert "<td>2</td><td>0</td><td>0</td>" in row  # two added, none removed, none kept
    run.refresh_from_db()
    assert run.published_at is None and run.discarded_at is None  # nothing happened yet

    console.coordinator.post(
        url, {"action": action, "_selected_action": [run.pk], "confirmed": "yes"}
    )
    run.refresh_from_db()
    done = run.published_at if action == "publish_runs" else run.discarded_at
    assert done is not None


def test_it_cancels_a_queued_run(console: Any) -> None:
    run = console.world.a[ScheduleRun]
    console.coordinator.post(
        console.url(ScheduleRun, "changelist"),
        {"action": "cancel_runs", "_selected_action": [run.pk]},
    )
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.CANCELLED


def _add_assignments(program: Program, shift: ShiftType, count: int, offset: int) -> None:
    people = Person.objects.bulk_create(
        Person(program=program, kind=Person.Kind.FACULTY, first_name=f"F{n}", last_name=f"L{n}")
        for n in range(offset, offset + count)
    )
    start = datetime(2026, 8, 1, 11, tzinfo=UTC)
    Assignment.objects.bulk_create(
        Assignment(
            person=person,
            shift_type=shift,
            date=date(2026, 8, 1),
            starts_at=start,
            ends_at=start + timedelta(hours=12),
        )
        for person in people
    )


def test_it_lists_assignments_in_a_constant_number_of_queries(
    coordinator_client: Client, program_a: Program
) -> None:
    shift = ShiftType.objects.create(
        program=program_a,
        name="Day",
        abbreviation="D",
        category=ShiftType.Category.DAY,
        start_time=datetime(2026, 1, 1, 7).time(),
        duration_minutes=720,
    )
    url = "/admin/scheduling/assignment/"
    _add_assignments(program_a, shift, 2, 0)
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    _add_assignments(program_a, shift, 18, 2)
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 14


def _change(console: Any, assignment: Assignment, minutes: str) -> Any:
    return console.coordinator.post(
        console.url(Assignment, "change", assignment.pk),
        {
            "person": assignment.person.pk,
            "shift_type": assignment.shift_type.pk,
            "date": assignment.date.isoformat(),
            "note": "",
            "call_back": minutes,
        },
        follow=True,
    )


def test_it_records_call_back_time_on_an_at_home_call_through_the_service(console: Any) -> None:
    from auditlog.models import LogEntry

    person = console.world.a[Person]
    home = ShiftType.objects.create(
        program=person.program,
        name="Home call",
        abbreviation="HC",
        category=ShiftType.Category.AT_HOME_CALL,
        start_time=time(17),
        duration_minutes=14 * 60,
    )
    assignment = f.AssignmentFactory.create(person=person, shift_type=home, date=date(2026, 7, 9))
    response = _change(console, assignment, "90")
    assert "Recorded 90 call-back minutes." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.callback_minutes == 90
    entry = LogEntry.objects.get_for_object(assignment).order_by("-timestamp").first()
    assert entry is not None and entry.actor == console.user


def test_it_refuses_call_back_time_on_a_day_shift(console: Any) -> None:
    assignment = console.world.a[Assignment]
    response = _change(console, assignment, "60")
    assert "Call-back time is recorded on at-home call only." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.callback_minutes is None
