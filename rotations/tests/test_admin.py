"""Coordinator console for rotations: scoping, the create-blocks action, coverage weekdays."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client

from people.models import AcademicYear, Program
from rotations.models import Block, CoverageRequirement, ShiftType

pytestmark = pytest.mark.django_db


# Create blocks --------------------------------------------------------------------------------


@pytest.fixture
def empty_year(program_a: Program) -> AcademicYear:
    from datetime import date

    return AcademicYear.objects.create(
        program=program_a, name="2027–2028", start_date=date(2027, 7, 1), end_date=date(2028, 6, 30)
    )


def _create_blocks(client: Client, year: AcademicYear, **form: Any) -> Any:
    return client.post(
        "/admin/people/academicyear/",
        {"action": "create_blocks", ACTION_CHECKBOX_NAME: [year.pk], **form},
        follow=True,
    )


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_asks_for_the_pattern_on_an_intermediate_page(
    coordinator_client: Client, empty_year: AcademicYear
) -> None:
    response = _create_blocks(coordinator_client, empty_year)
    assert response.templates[0].name == "admin/people/academicyear/create_blocks.html"
    assert not empty_year.blocks.exists()


def test_it_creates_13_blocks_covering_the_year(
    coordinator_client: Client, empty_year: AcademicYear
) -> None:
    weekday = empty_year.start_date.weekday()
    response = _create_blocks(
        coordinator_client, empty_year, apply="1", pattern="four_weeks", weekday=str(weekday)
    )
    blocks = list(empty_year.blocks.order_by("number"))
    assert len(blocks) == 13
    assert blocks[0].start_date == empty_year.start_date
    assert blocks[-1].end_date == empty_year.end_date
    for previous, following in itertools.pairwise(blocks):
        assert following.start_date == previous.end_date + timedelta(days=1)
    assert any("created 13 blocks" in text for text in _messages(response))


def test_it_refuses_to_create_blocks_a_second_time(
    coordinator_client: Client, empty_year: AcademicYear
) -> None:
    _create_blocks(coordinator_client, empty_year, apply="1", pattern="four_weeks", weekday="")
    response = _create_blocks(
        coordinator_client, empty_year, apply="1", pattern="calendar_months", weekday=""
    )
    assert response.status_code == 200
    assert any("already has blocks" in text for text in _messages(response))
    assert empty_year.blocks.count() == 13


def test_it_creates_calendar_month_blocks(
    coordinator_client: Client, empty_year: AcademicYear
) -> None:
    _create_blocks(coordinator_client, empty_year, apply="1", pattern="calendar_months")
    assert empty_year.blocks.count() == 12


def test_it_cannot_create_blocks_for_another_programs_year(
    coordinator_client: Client, program_b: Program
) -> None:
    from datetime import date

    year_b = AcademicYear.objects.create(
        program=program_b, name="B", start_date=date(2027, 7, 1), end_date=date(2028, 6, 30)
    )
    _create_blocks(coordinator_client, year_b, apply="1", pattern="four_weeks")
    assert not Block.objects.filter(academic_year=year_b).exists()


# Coverage weekdays ----------------------------------------------------------------------------


def test_it_edits_coverage_weekdays_as_checkboxes(console: Any) -> None:
    coverage = console.world.a[CoverageRequirement]
    shift = console.world.a[ShiftType]
    response = console.coordinator.post(
        console.url(CoverageRequirement, "change", coverage.pk),
        {
            "shift_type": shift.pk,
            "rotation": "",
            "person_kind": "resident",
            "weekdays": ["1", "4", "16"],  # Monday, Wednesday, Friday
            "minimum": "1",
            "target": "1",
            "under_weight": "100",
            "over_weight": "10",
            "sacrifice_category": coverage.sacrifice_category,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    coverage.refresh_from_db()
    assert coverage.weekdays == 0b10101
    listing = console.coordinator.get(console.url(CoverageRequirement, "changelist"))
    assert "Mon Wed Fri" in listing.content.decode()


def test_it_sends_old_academic_year_links_to_the_years_new_place(
    coordinator_client: Client, empty_year: AcademicYear
) -> None:
    response = coordinator_client.get(
        f"/admin/rotations/academicyear/{empty_year.pk}/change/?_changelist_filters=x"
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/admin/people/academicyear/{empty_year.pk}/change/?_changelist_filters=x"
    )
    assert coordinator_client.get(response["Location"]).status_code == 200
