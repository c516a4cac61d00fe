"""In a real browser: the demo resident offers a shift, a second demo resident takes it, the
coordinator approves, and both residents' pages and calendar feeds show the new owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from icalendar import Calendar

from people import services as people_services
from people.models import Membership, Person
from scheduler_project.demo import DEMO_PASSWORD, demo_program, seed_demo
from scheduling.models import Assignment, State
from swaps.checks import Move, Window
from swaps.models import SwapPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def compliant_pair(rey: Person) -> tuple[Assignment, Person]:
    """One of Rey's future shifts and a fellow resident who may take it as a give-away."""
    shifts = list(
        Assignment.objects.filter(
            person=rey, state=State.PUBLISHED, locked=False, starts_at__gt=timezone.now()
        )
        .select_related("person", "shift_type")
        .order_by("starts_at")[:6]
    )
    assert shifts, "the demo schedule gives the resident no future shift"
    others = list(Person.objects.filter(program=rey.program, kind=rey.kind).exclude(pk=rey.pk))
    window = Window(rey.program, [s.date for s in shifts])
    for shift in shifts:
        for other in others:
            if not window.new_hard([Move(shift, other)]):
                return shift, other
    raise AssertionError("no resident of the demo may take any of the resident's next shifts")


def feed(page: Any, base: str, token: str) -> dict[str, int]:
    """uid -> SEQUENCE of every event in a feed."""
    response = page.request.get(f"{base}/feeds/{token}.ics")
    assert response.status == 200
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    return {str(e["UID"]): int(e.get("SEQUENCE", 0)) for e in events}


def agenda_day(page: Any, base: str, shift: Assignment) -> str:
    page.goto(f"{base}/my/schedule/?view=list&date={shift.date:%Y-%m-%d}")
    label = f"{shift.date:%a} {shift.date.day} {shift.date:%b}"
    days = page.locator("ul.agenda > li", has_text=label)
    return days.first.inner_text() if days.count() else ""


def test_it_swaps_a_shift_between_two_residents_through_the_pages(
    page: Any, live_server: Any
) -> None:
    seed_demo(schedule=True, time_limit=10)
    base = live_server.url
    program = demo_program()
    assert program is not None
    SwapPolicy.objects.create(program=program, lock_days=0)  # any future shift of the demo week
    rey = Membership.objects.get(user__username="resident").person
    shift, taker = compliant_pair(rey)
    user = get_user_model().objects.create_user(username="resident2", password=DEMO_PASSWORD)
    Membership.objects.create(
        user=user, program=program, role=Membership.Role.RESIDENT, person=taker
    )
    tokens = {
        person.pk: people_services.subscription_create(owner=person, actor=None)[1]
        for person in (rey, taker)
    }
    uid = next(u for u in feed(page, base, tokens[rey.pk]) if u.startswith(str(shift.code)))
    sequence = feed(page, base, tokens[rey.pk])[uid]

    login(page, base, "resident")
    page.goto(f"{base}/swaps/")
    page.select_option("#id_assignment", str(shift.code))
    page.fill("#id_note", "Family wedding")
    page.click("text=Offer this shift")
    page.wait_for_selector("text=Your shift is on offer")

    login(page, base, "resident2")
    page.goto(f"{base}/swaps/")
    row = page.locator("tr[data-offer]", has_text="Family wedding")
    assert "compliant" in row.inner_text()
    row.locator("text=Respond").click()
    page.click("text=Take this shift")
    page.wait_for_selector("text=a coordinator will approve it")

    login(page, base, "coordinator")
    page.goto(f"{base}/swaps/queue/")
    page.locator("tr[data-swap]", has_text=taker.full_name).locator("text=Approve").click()
    page.wait_for_selector("text=Swap approved")

    login(page, base, "resident2")
    assert shift.shift_type.name in agenda_day(page, base, shift)
    login(page, base, "resident")
    assert shift.shift_type.name not in agenda_day(page, base, shift)
    assert uid not in feed(page, base, tokens[rey.pk])
    assert feed(page, base, tokens[taker.pk])[uid] > sequence
