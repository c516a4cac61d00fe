"""Coordinator pages for runs and the grid: success, anonymous, another program, wrong role and
wrong method; list pages pin their query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World
from people.models import Person, Program
from rotations.models import Block, ShiftType
from scheduling.models import Assignment, ScheduleRun, State

pytestmark = pytest.mark.django_db


def _run(world: World, side: str = "a") -> ScheduleRun:
    rows = world.a if side == "a" else world.b
    run = rows[ScheduleRun]
    assert isinstance(run, ScheduleRun)
    return run


def _program(world: World, side: str = "a") -> Program:
    program = (world.a if side == "a" else world.b)[Program]
    assert isinstance(program, Program)
    return program


@pytest.mark.parametrize("name", ["scheduling:runs", "scheduling:generate", "scheduling:grid"])
def test_it_redirects_anonymous_users_to_login(client: Client, world: World, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_shows_a_run_with_its_progress_to_its_coordinator(
    coordinator_client: Client, world: World
) -> None:
    run = _run(world)
    response = coordinator_client.get(reverse("scheduling:run", args=[run.code]))
    assert response.status_code == 200
    assert b'id="progress"' in response.content
    assert b'role="progressbar"' in response.content


def test_it_serves_the_progress_fragment_to_htmx(coordinator_client: Client, world: World) -> None:
    run = _run(world)
    response = coordinator_client.get(
        reverse("scheduling:run", args=[run.code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<section id="progress"')
    assert b"<html" not in response.content
    assert 'hx-trigger="every 1s"' in response.content.decode()  # still queued: keeps polling


def test_it_hides_another_programs_run(coordinator_client: Client, world: World) -> None:
    response = coordinator_client.get(reverse("scheduling:run", args=[_run(world, "b").code]))
    assert response.status_code == 404


def test_it_refuses_residents(client: Client, resident_a: Any, world: World) -> None:
    client.force_login(resident_a)
    assert client.get(reverse("scheduling:run", args=[_run(world).code])).status_code == 403
    assert client.get(reverse("scheduling:grid")).status_code == 403


@pytest.mark.parametrize(
    "name", ["scheduling:run-cancel", "scheduling:run-publish", "scheduling:run-discard"]
)
def test_it_refuses_get_on_decisions(coordinator_client: Client, world: World, name: str) -> None:
    assert coordinator_client.get(reverse(name, args=[_run(world).code])).status_code == 405


def test_it_refuses_a_decision_on_another_programs_run(
    coordinator_client: Client, world: World
) -> None:
    run = _run(world, "b")
    assert (
        coordinator_client.post(reverse("scheduling:run-cancel", args=[run.code])).status_code
        == 404
    )
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.QUEUED


def test_it_cancels_a_queued_run(coordinator_client: Client, world: World) -> None:
    run = _run(world)
    response = coordinator_client.post(reverse("scheduling:run-cancel", args=[run.code]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ScheduleRun.Status.CANCELLED


def test_it_explains_why_a_queued_run_cannot_be_published(
    coordinator_client: Client, world: World
) -> None:
    run = _run(world)
    response = coordinator_client.post(
        reverse("scheduling:run-publish", args=[run.code]), follow=True
    )
    assert b"Only a succeeded run" in response.content


def test_it_lists_only_the_coordinators_runs_with_fixed_queries(
    coordinator_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    program = _program(world)
    for day in range(2, 12):
        ScheduleRun.objects.create(
            program=program,
            start_date=date(2026, 8, day),
            end_date=date(2026, 8, day),
            status=ScheduleRun.Status.SUCCEEDED,
        )
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(reverse("scheduling:runs"))
    assert response.status_code == 200
    assert str(_run(world).code) in response.content.decode()
    assert str(_run(world, "b").code) not in response.content.decode()


def test_it_shows_the_grid_of_the_coordinators_program(
    coordinator_client: Client, world: World
) -> None:
    response = coordinator_client.get(reverse("scheduling:grid") + "?start=2026-07-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ResidentaRes" not in html  # names are rendered "First Last"
    assert "Residenta Resa" in html
    assert "Residentb" not in html


@pytest.mark.parametrize(
    "pinned_now",
    # 22:00 on block 1's last day in Los Angeles, already 29 July (block 2) in New York and UTC.
    [pytest.param(datetime(2026, 7, 29, 5, 0, tzinfo=UTC), id="block-1-last-evening")],
)
def test_it_opens_the_grid_at_the_block_of_the_programs_today(
    coordinator_client: Client, world: World
) -> None:
    program = _program(world)
    Program.objects.filter(pk=program.pk).update(timezone="America/Los_Angeles")
    block_1 = world.a[Block]
    Block.objects.create(
        academic_year=block_1.academic_year,
        number=2,
        start_date=date(2026, 7, 29),
        end_date=date(2026, 8, 25),
    )
    response = coordinator_client.get(reverse("scheduling:grid"))
    assert response.status_code == 200
    assert response.context["params"]["start"] == block_1.start_date == date(2026, 7, 1)


def test_it_refuses_the_grid_of_another_program_by_code(
    coordinator_client: Client, world: World
) -> None:
    response = coordinator_client.get(
        reverse("scheduling:grid") + f"?program={_program(world, 'b').code}"
    )
    assert response.status_code == 404


def test_it_pins_the_grid_query_count(
    coordinator_client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    program = _program(world)
    shift = world.a[ShiftType]
    for index in range(12):
        person = Person.objects.create(
            program=program, kind=Person.Kind.FACULTY, first_name=f"F{index}", last_name="X"
        )
        Assignment.objects.create(
            person=person,
            shift_type=shift,
            date=date(2026, 7, 3),
            starts_at="2026-07-03T11:00Z",
            ends_at="2026-07-03T23:00Z",
        )
    with django_assert_max_num_queries(14):
        response = coordinator_client.get(reverse("scheduling:grid") + "?start=2026-07-01")
    assert response.status_code == 200


def test_it_previews_then_saves_a_manual_edit_with_audit(
    coordinator_client: Client, coordinator_a: Any, world: World
) -> None:
    program = _program(world)
    resident = world.a[Person]
    shift = world.a[ShiftType]
    data = {
        "program": program.code,
        "person": resident.code,
        "date": "2026-07-05",
        "shift_type": shift.pk,
        "action": "add",
    }
    preview = coordinator_client.post(reverse("scheduling:grid-preview"), data)
    assert preview.status_code == 200
    assert not Assignment.objects.filter(
        person=resident, date=date(2026, 7, 5)
    ).exists()  # nothing saved
    saved = coordinator_client.post(reverse("scheduling:grid-save"), data)
    assert saved.status_code == 302
    assignment = Assignment.objects.get(
        person=resident, date=date(2026, 7, 5), state=State.PUBLISHED
    )
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(assignment).get().actor == coordinator_a


def test_it_previews_the_violation_an_edit_would_cause(
    coordinator_client: Client, world: World
) -> None:
    program = _program(world)
    resident = world.a[Person]
    shift = world.a[ShiftType]
    # The resident already works 07:00-19:00 on 1 July; the same shift again is refused by the
    # database, but a 28-hour day shift is not: use a second, overlapping shift type instead.
    late = ShiftType.objects.create(
        program=program,
        name="Late",
        abbreviation="L",
        category=ShiftType.Category.DAY,
        start_time=shift.start_time,
        duration_minutes=8 * 60,
    )
    data = {
        "program": program.code,
        "person": resident.code,
        "date": "2026-07-01",
        "shift_type": late.pk,
        "action": "add",
    }
    response = coordinator_client.post(reverse("scheduling:grid-preview"), data)
    assert response.status_code == 200
    assert b"would cause" in response.content


def test_it_refuses_a_preview_for_another_programs_person(
    coordinator_client: Client, world: World
) -> None:
    program = _program(world)
    other = world.b[Person]
    data = {
        "program": program.code,
        "person": other.code,
        "date": "2026-07-05",
        "shift_type": world.a[ShiftType].pk,
        "action": "add",
    }
    response = coordinator_client.post(reverse("scheduling:grid-preview"), data)
    assert b"Unknown person" in response.content
    assert coordinator_client.get(reverse("scheduling:grid-preview")).status_code == 405


def test_it_refuses_a_generation_that_overlaps_an_active_run(
    coordinator_client: Client, world: World
) -> None:
    program = _program(world)
    response = coordinator_client.post(
        reverse("scheduling:generate"),
        {
            "program": program.code,
            "kind": "schedule",
            "start_date": "2026-07-10",
            "end_date": "2026-07-12",
            "algorithm": "greedy",
            "time_limit_seconds": 5,
            "include_past": "on",
        },
    )
    assert response.status_code == 200
    assert str(_run(world).code) in response.content.decode()


def test_it_names_the_field_of_a_bad_period(coordinator_client: Client, world: World) -> None:
    response = coordinator_client.post(
        reverse("scheduling:generate"),
        {
            "program": _program(world).code,
            "kind": "schedule",
            "start_date": "2026-08-10",
            "end_date": "2026-08-01",
            "algorithm": "greedy",
            "time_limit_seconds": 5,
        },
    )
    assert response.status_code == 200
    assert "ends before it starts" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["?program=not-a-uuid", "?run=not-a-uuid", "?program=00000000-0000-0000-0000-000000000000"],
)
def test_it_answers_404_to_malformed_or_unknown_codes(
    coordinator_client: Client, world: World, query: str
) -> None:
    assert coordinator_client.get(reverse("scheduling:grid") + query).status_code == 404


def test_it_measures_progress_by_the_clock_since_the_run_was_claimed(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.selectors.runs import run_percent

    run = _run(world)
    run.status, run.time_limit_seconds, run.elapsed_seconds = ScheduleRun.Status.RUNNING, 20, 0.0
    run.started_at = timezone.now()
    assert run_percent(run, now=run.started_at + timedelta(seconds=5)) == 25
    assert (
        run_percent(run, now=run.started_at + timedelta(seconds=60)) == 99
    )  # never full while running
    run.status = ScheduleRun.Status.SUCCEEDED
    assert run_percent(run) == 100
