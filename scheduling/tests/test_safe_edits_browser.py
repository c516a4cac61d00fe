"""In a real browser (issue 11): a grid Save that breaks a hard rule is refused, then saved with
a written reason and marked on the cell; approving an absence first lists the published shifts
it overlaps, then approves and resolves."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_member
from people.models import Absence, Membership
from scheduling.models import Assignment, State
from scheduling.tests.builders import SmallProgram, small_program
from testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 10, 20)  # a week after the suite's pinned today


@pytest.fixture
def world(db: None) -> SmallProgram:
    world = small_program(around=DAY)
    make_member(world.program, "boss", Membership.Role.COORDINATOR)
    for offset in (0, 1):
        f.AssignmentFactory.create(
            person=world.residents[0],
            shift_type=world.shift,
            date=DAY + timedelta(days=offset),
            state=State.PUBLISHED,
        )
    return world


def login(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _open_cell(page: Any, world: SmallProgram) -> None:
    name = world.residents[0].full_name
    page.click(f'button.cell[aria-label^="{name}, {DAY.day} Oct"]')
    page.wait_for_selector("#editor[open] #id_shift_type")


def test_it_refuses_a_grid_save_then_saves_it_with_a_reason(
    page: Any, live_server: Any, world: SmallProgram
) -> None:
    night = f.ShiftTypeFactory.create(
        program=world.program, abbreviation="NT", start_time=time(18), duration_minutes=720
    )
    base = live_server.url
    login(page, base)
    grid = f"{base}{reverse('scheduling:grid')}?program={world.program.code}"
    page.goto(f"{grid}&start={world.block.start_date.isoformat()}")

    _open_cell(page, world)
    page.select_option("#id_shift_type", str(night.pk))
    page.click("#editor button:text-is('Save')")
    page.wait_for_selector(".messages li.error")
    refusal = page.inner_text(".messages li.error")
    assert refusal.startswith("Not saved.") and "override reason" in refusal
    assert not Assignment.objects.filter(shift_type=night).exists()

    _open_cell(page, world)
    page.select_option("#id_shift_type", str(night.pk))
    page.fill("#id_override_reason", "Locum cancelled; she agreed")
    page.click("#editor button:text-is('Save')")
    page.wait_for_selector(".messages li.success")
    assert "overriding" in page.inner_text(".messages li.success")
    marker = page.locator("[data-override]").first
    assert (
        marker.get_attribute("title")
        == "Saved despite a hard rule. Reason: Locum cancelled; she agreed"
    )
    assert Assignment.objects.get(shift_type=night).override_reason == "Locum cancelled; she agreed"


def test_it_shows_the_overlapping_shifts_before_approving_an_absence(
    page: Any, live_server: Any, world: SmallProgram
) -> None:
    absence = f.AbsenceFactory.create(
        person=world.residents[0],
        kind=Absence.Kind.CONFERENCE,
        start_date=DAY,
        end_date=DAY + timedelta(days=2),
        status=Absence.Status.REQUESTED,
    )
    base = live_server.url
    login(page, base)
    page.goto(f"{base}{reverse('people:review')}")
    page.click("button:text-is('Approve')")
    page.wait_for_selector("[data-absence-overlaps]")
    assert page.locator("[data-overlap]").count() == 2
    assert "Tue 20 Oct–Thu 22 Oct 2026" in page.inner_text("main")
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED  # nothing decided yet

    page.click("button:text-is('Approve and resolve')")
    page.wait_for_selector(".messages li.success")
    assert "Tue 20 Oct–Thu 22 Oct 2026" in page.inner_text(".messages")
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert not Assignment.objects.filter(person=world.residents[0], state=State.PUBLISHED).exists()
