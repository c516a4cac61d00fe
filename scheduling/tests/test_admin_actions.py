"""Console actions that start runs and check the published schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.admin import helpers
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from conftest import World
from people.models import AcademicYear
from rotations.models import Block
from scheduling import services
from scheduling.models import ScheduleRun

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "_enqueue", lambda run: None)


def _act(client: Client, model: type[Model], action: str, pks: list[Any]) -> Any:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: pks})


def test_it_starts_a_schedule_run_for_the_selected_blocks(
    coordinator_client: Client, world: World
) -> None:
    block = world.a[Block]
    ScheduleRun.objects.all().delete()
    response = _act(coordinator_client, Block, "generate_schedule_including_past", [block.pk])
    run = ScheduleRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:run", args=[run.code])
    assert (run.kind, run.start_date, run.end_date) == (
        ScheduleRun.Kind.SCHEDULE,
        block.start_date,
        block.end_date,
    )


def test_it_refuses_blocks_that_are_not_consecutive(
    coordinator_client: Client, world: World
) -> None:
    first = world.a[Block]
    later = Block.objects.create(
        academic_year=first.academic_year,
        number=3,
        start_date=date(2026, 8, 26),
        end_date=date(2026, 9, 22),
    )
    ScheduleRun.objects.all().delete()
    response = _act(coordinator_client, Block, "generate_schedule", [first.pk, later.pk])
    assert not ScheduleRun.objects.exists()
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith("Blocks 1 and 3 are not consecutive")


def test_it_refuses_past_days_unless_asked_to_include_them(
    coordinator_client: Client, world: World
) -> None:
    block = world.a[Block]  # July 2026, before the pinned today (14 October)
    ScheduleRun.objects.all().delete()
    response = _act(coordinator_client, Block, "generate_schedule", [block.pk])
    assert not ScheduleRun.objects.exists()
    [message] = [str(m) for m in response.wsgi_request._messages]
    assert "before today" in message and "include past days" in message


def test_it_names_the_active_run_that_blocks_a_new_one(
    coordinator_client: Client, world: World
) -> None:
    queued = world.a[ScheduleRun]  # queued over block 1 already
    response = _act(
        coordinator_client, Block, "generate_schedule_including_past", [world.a[Block].pk]
    )
    assert any(str(queued.code) in str(m) for m in response.wsgi_request._messages)


def test_it_starts_a_rotation_plan_for_the_selected_year(
    coordinator_client: Client, world: World
) -> None:
    year = world.a[AcademicYear]
    response = _act(coordinator_client, AcademicYear, "generate_rotation_plan", [year.pk])
    run = ScheduleRun.objects.get(kind=ScheduleRun.Kind.ROTATION_PLAN)
    assert response["Location"] == reverse("scheduling:run", args=[run.code])
    assert (run.start_date, run.end_date) == (year.start_date, year.end_date)


def test_it_validates_the_published_schedule_of_the_selected_blocks(
    coordinator_client: Client, world: World
) -> None:
    response = _act(coordinator_client, Block, "validate_schedule", [world.a[Block].pk])
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"])
    assert page.status_code == 200
    # Program A's faculty member works a resident-only day shift: the validator says so.
    assert "assignment.ineligible" in page.content.decode()


def test_it_hides_another_programs_blocks_from_the_action(
    coordinator_client: Client, world: World
) -> None:
    ScheduleRun.objects.all().delete()
    _act(coordinator_client, Block, "generate_schedule", [world.b[Block].pk])
    assert not ScheduleRun.objects.exists()
