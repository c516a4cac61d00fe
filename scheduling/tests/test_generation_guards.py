"""Issue 11, item 3: generation periods are one continuous stretch and start today or later
unless past days are asked for (page, console, API); publishing and discarding say how much
changes; the draft grid marks added, removed and changed days against the published schedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import make_member
from people.models import Membership
from rotations.models import ShiftType
from scheduling import services
from scheduling.models import Assignment, ScheduleRun, Source, State
from scheduling.tests.builders import SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 14)  # the suite's pinned instant


@pytest.fixture
def world(db: None) -> SmallProgram:
    return small_program(around=TODAY)


@pytest.fixture
def boss(world: SmallProgram) -> Any:
    return make_member(world.program, "boss", Membership.Role.COORDINATOR)


@pytest.fixture
def boss_client(boss: Any) -> Client:
    client = Client()
    client.force_login(boss)
    return client


def _generate(client: Client, world: SmallProgram, **fields: Any) -> Any:
    data = {"kind": "schedule", "algorithm": "greedy", "time_limit_seconds": 5, **fields}
    url = f"{reverse('scheduling:generate')}?program={world.program.code}"
    return client.post(url, data)


def test_it_refuses_non_consecutive_blocks_on_the_page(
    boss_client: Client, world: SmallProgram
) -> None:
    later = f.BlockFactory.create(
        academic_year=world.block.academic_year,
        number=world.block.number + 2,
        start_date=world.block.end_date + timedelta(days=29),
        end_date=world.block.end_date + timedelta(days=56),
    )
    response = _generate(boss_client, world, blocks=[world.block.pk, later.pk])
    assert response.status_code == 200
    assert not ScheduleRun.objects.exists()
    assert "are not consecutive" in response.content.decode()


def test_it_refuses_past_days_on_the_page_unless_ticked(
    boss_client: Client, world: SmallProgram
) -> None:
    period = {"start_date": "2026-10-10", "end_date": "2026-10-20"}
    response = _generate(boss_client, world, **period)
    assert response.status_code == 200 and not ScheduleRun.objects.exists()
    assert "before today" in response.content.decode()
    response = _generate(boss_client, world, include_past="on", **period)
    assert response.status_code == 302
    run = ScheduleRun.objects.get()
    assert run.parameters["include_past"] is True


def test_it_accepts_a_period_from_today_on_without_the_tick(
    boss_client: Client, world: SmallProgram
) -> None:
    response = _generate(boss_client, world, start_date="2026-10-14", end_date="2026-10-20")
    assert response.status_code == 302
    assert ScheduleRun.objects.get().start_date == TODAY


def test_it_refuses_past_days_on_the_api_unless_asked(boss: Any, world: SmallProgram) -> None:
    client = APIClient()
    client.force_authenticate(boss)
    body = {
        "program": str(world.program.code),
        "start_date": "2026-10-01",
        "end_date": "2026-10-20",
        "algorithm": "greedy",
    }
    response = client.post("/api/v1/runs/", body, format="json")
    assert response.status_code == 400
    assert "include past days" in response.json()["message"]
    response = client.post("/api/v1/runs/", {**body, "include_past": True}, format="json")
    assert response.status_code == 202


@pytest.mark.django_db(transaction=True)  # the run's progress monitor writes from a thread
def test_it_keeps_locked_past_shifts_when_past_days_are_included(world: SmallProgram) -> None:
    past = TODAY - timedelta(days=3)
    locked = f.AssignmentFactory.create(
        person=world.residents[0],
        shift_type=world.shift,
        date=past,
        state=State.PUBLISHED,
        locked=True,
    )
    run = services.schedule_run_create(
        program=world.program,
        start_date=past,
        end_date=past + timedelta(days=6),
        actor=None,
        algorithm="greedy",
        time_limit_seconds=5,
        include_past=True,
        enqueue=False,
    )
    services.schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.is_draft
    services.schedule_run_publish(run=run, actor=None, override_reason="test")
    assert Assignment.objects.filter(pk=locked.pk, state=State.PUBLISHED).exists()


# A draft against the published schedule ------------------------------------------------------


def _draft(world: SmallProgram) -> ScheduleRun:
    """Published: r0 WD on day 0 and day 1, r1 WD on day 2. Draft: r0 WD on day 0 (same),
    r0 LT on day 1 (changed), nothing on day 2 for r1 (removed), r2 WD on day 3 (added)."""
    start = world.block.start_date
    late = f.ShiftTypeFactory.create(program=world.program, abbreviation="LT")
    run = f.ScheduleRunFactory.create(
        program=world.program,
        start_date=start,
        end_date=start + timedelta(days=6),
        status=ScheduleRun.Status.SUCCEEDED,
    )
    r0, r1, r2 = world.residents[:3]
    for person, offset in ((r0, 0), (r0, 1), (r1, 2)):
        f.AssignmentFactory.create(
            person=person,
            shift_type=world.shift,
            date=start + timedelta(days=offset),
            state=State.PUBLISHED,
        )
    drafts: list[tuple[Any, int, ShiftType]] = [
        (r0, 0, world.shift),
        (r0, 1, late),
        (r2, 3, world.shift),
    ]
    for person, offset, shift in drafts:
        f.AssignmentFactory.create(
            person=person,
            shift_type=shift,
            date=start + timedelta(days=offset),
            state=State.DRAFT,
            run=run,
            source=Source.SOLVER,
        )
    return run


def test_it_marks_added_removed_and_changed_cells_on_the_draft_grid(
    boss_client: Client, world: SmallProgram
) -> None:
    run = _draft(world)
    response = boss_client.get(
        reverse("scheduling:grid"), {"program": str(world.program.code), "run": str(run.code)}
    )
    grid = response.context["grid"]
    marks = {
        (row.person.pk, (cell.day - run.start_date).days): cell.change
        for row in grid.rows
        for cell in row.cells
        if cell.change
    }
    r0, r1, r2 = world.residents[:3]
    assert marks == {(r0.pk, 1): "changed", (r1.pk, 2): "removed", (r2.pk, 3): "added"}
    assert grid.changes == {"added": 1, "removed": 1, "changed": 1}
    html = response.content.decode()
    assert html.count('data-change="') == 3 and "data-diff-legend" in html
    assert '<del class="code dropped"' in html  # the published shift the draft drops


def test_it_asks_before_publishing_or_discarding_with_the_diff_size(
    boss_client: Client, world: SmallProgram
) -> None:
    run = _draft(world)
    html = boss_client.get(reverse("scheduling:run", args=[run.code])).content.decode()
    # Draft vs published by (person, day, shift): 1 kept, 2 added (LT, r2 WD), 2 removed.
    assert "changes: 2 added, 2 removed, 1 kept." in html
    assert 'data-confirm="Discard this draft of 3 assignments (2 added, 2 removed' in html
