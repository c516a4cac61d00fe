"""In a real browser (issue 15): the coordinator publishes a draft that moves a resident's shift;
the resident's layout then shows a new unread notification naming the change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_member
from people.models import Membership, Notification
from scheduling.models import ScheduleRun, State
from scheduling.tests.builders import SmallProgram, small_program
from testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 10, 20)  # a week after the suite's pinned today


@pytest.fixture
def world(db: None) -> tuple[SmallProgram, ScheduleRun]:
    world = small_program(around=DAY)
    make_member(world.program, "boss", Membership.Role.COORDINATOR)
    mover, stayer = world.residents[:2]
    make_member(world.program, "rey", Membership.Role.RESIDENT, mover)
    make_member(world.program, "sam", Membership.Role.RESIDENT, stayer)
    run = f.ScheduleRunFactory.create(
        program=world.program,
        status=ScheduleRun.Status.SUCCEEDED,
        start_date=DAY,
        end_date=DAY + timedelta(days=6),
    )
    for person, published, draft in ((mover, DAY, DAY + timedelta(days=1)), (stayer, DAY, DAY)):
        f.AssignmentFactory.create(
            person=person, shift_type=world.shift, date=published, state=State.PUBLISHED
        )
        f.AssignmentFactory.create(
            run=run, person=person, shift_type=world.shift, date=draft, state=State.DRAFT
        )
    return world, run


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_published_change_shows_as_an_unread_notification(
    page: Any, live_server: Any, world: tuple[SmallProgram, ScheduleRun]
) -> None:
    _, run = world
    base = live_server.url
    login(page, base, "rey")
    assert page.locator("#unread-badge .badge").count() == 0  # nothing unread yet

    coordinator = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    boss = coordinator.new_page()
    login(boss, base, "boss")
    boss.goto(f"{base}{reverse('scheduling:run', args=[run.code])}")
    boss.once("dialog", lambda dialog: dialog.accept())  # "Publish this draft? ... changes"
    boss.click("form[action$='/publish/'] button[type=submit]")
    boss.wait_for_selector(".messages li.success")
    assert "Published" in boss.inner_text(".messages")
    coordinator.close()

    page.reload()
    badge = page.locator("#unread-badge")
    assert badge.locator(".badge").inner_text() == "1"
    title = "Schedule published for 20 Oct – 26 Oct 2026: 1 added, 1 removed"
    assert badge.get_attribute("title") == title
    badge.click()
    page.wait_for_url(f"{base}/notifications/")
    assert page.locator(".tag.pending").count() == 1  # marked new
    main = page.inner_text("main")
    assert title in main and "+ Wed 21 Oct WD" in main and "− Tue 20 Oct WD" in main
    # Sam's shift did not change: he was told nothing.
    assert not Notification.objects.filter(recipient__username="sam").exists()
