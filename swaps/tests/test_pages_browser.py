"""In a real browser: the demo resident offers a shift, a second demo resident takes it, the
coordinator approves, and both residents' pages and calendar feeds show the new owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from icalendar import Calendar

from console.demo import DEMO_PASSWORD, demo_program, seed_demo
from people import services as people_services
from people.models import Membership, Person
from rotations.models import ShiftType
from scheduling import edit_services
from scheduling.models import Assignment
from swaps import matcher
from swaps.models import SwapPolicy, SwapRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def compliant_pair(rey: Person) -> tuple[Assignment, Person, Assignment | None]:
    """A Saturday call the coordinator gives the demo resident, the matcher's best compliant
    taker, and what they give back (None: a give-away).

    The resident's clinic weeks leave no colleague free for a clinic session, and a Saturday
    that already has its one call cannot take a second: the first Saturday ahead where someone
    may take it is used."""
    call = ShiftType.objects.get(program=rey.program, abbreviation="CALL")
    policy = SwapPolicy.objects.get(program=rey.program)
    day = timezone.localdate() + timedelta(days=2)
    day += timedelta(days=(5 - day.weekday()) % 7)
    for week in range(6):
        saturday = day + timedelta(weeks=week)
        # The demo resident may not be on a call rotation that week: the coordinator's edit is
        # then an override, which the swap to an eligible colleague puts right.
        shift = edit_services.assignment_add(
            person=rey,
            day=saturday,
            shift_type=call,
            actor=None,
            override_reason="Browser test: a call to give away",
        )
        probe = SwapRequest(program=rey.program, requester=rey, assignment=shift)
        best = matcher.rank(probe, policy=policy, limit=1)
        if best:
            return shift, best[0].person, best[0].assignment
        edit_services.assignment_remove(assignment=shift, actor=None)
    raise AssertionError("no resident of the demo may take a Saturday call of the resident")


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
    assert rey is not None
    shift, taker, back = compliant_pair(rey)
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
    if back is not None:
        page.check(f"input[name=assignment][value='{back.code}']")
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
