"""Issue 11, item 2: approving an absence first lists the published shifts it overlaps (page,
console, API) and offers approve-and-resolve: the shifts come off (audited, with the absence as
the reason) and a minimal-change re-solve of their days starts. The decision names the period."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import make_member
from people.models import Absence, Membership
from scheduling.models import Assignment, ScheduleRun, State
from scheduling.tests.builders import SmallProgram, small_program
from testing import factories as f

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 20)  # a week after the pinned today


@pytest.fixture
def world(db: None) -> SmallProgram:
    return small_program(around=DAY)


@pytest.fixture
def boss(world: SmallProgram) -> Any:
    return make_member(world.program, "boss", Membership.Role.COORDINATOR)


@pytest.fixture
def boss_client(boss: Any) -> Client:
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def absence(world: SmallProgram) -> Absence:
    """Resident 0 asks for 20-22 October off; she works the ward day on the 20th and 21st."""
    for offset in (0, 1):
        f.AssignmentFactory.create(
            person=world.residents[0],
            shift_type=world.shift,
            date=DAY + timedelta(days=offset),
            state=State.PUBLISHED,
        )
    return f.AbsenceFactory.create(
        person=world.residents[0],
        kind=Absence.Kind.CONFERENCE,
        start_date=DAY,
        end_date=DAY + timedelta(days=2),
        status=Absence.Status.REQUESTED,
    )


def _decide(client: Client, absence: Absence, **data: Any) -> Any:
    url = reverse("people:absence-decide", args=[absence.code])
    return client.post(url, {"note": "", **data}, follow=True)


def test_it_lists_the_overlapping_shifts_before_approving(
    boss_client: Client, absence: Absence
) -> None:
    response = _decide(boss_client, absence, decision="approve")
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED  # not decided yet
    html = response.content.decode()
    assert html.count("data-overlap") == 2 and "Approve and resolve" in html
    assert "Tue 20 Oct–Thu 22 Oct 2026" in html


def test_it_approves_only_when_confirmed_naming_the_full_period(
    boss_client: Client, absence: Absence
) -> None:
    response = _decide(boss_client, absence, decision="approve", confirmed="on")
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert Assignment.objects.filter(person=absence.person).count() == 2  # left as they were
    messages = [str(m) for m in response.context["messages"]]
    assert any("Tue 20 Oct–Thu 22 Oct 2026" in m for m in messages)


def test_it_approves_and_resolves_on_the_page(
    boss_client: Client, boss: Any, absence: Absence
) -> None:
    response = _decide(boss_client, absence, decision="resolve", confirmed="on")
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert not Assignment.objects.filter(person=absence.person, state=State.PUBLISHED).exists()
    run = ScheduleRun.objects.get()
    assert run.parameters == {"minimal_change": True, "absence": str(absence.code)}
    assert (run.start_date, run.end_date) == (DAY, DAY + timedelta(days=1))
    entries = LogEntry.objects.filter(
        content_type__model="assignment", action=LogEntry.Action.UPDATE
    )
    assert entries.count() == 2 and all(e.actor == boss for e in entries)
    assert all("Absence approved (Conference" in str(e.changes) for e in entries)
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "Taken off the schedule: WD Tue 20 Oct, WD Wed 21 Oct" in messages
    assert "minimal-change re-solve of 20 Oct–21 Oct 2026" in messages


def test_it_approves_at_once_when_nothing_overlaps(
    boss_client: Client, world: SmallProgram
) -> None:
    free = f.AbsenceFactory.create(
        person=world.residents[1],
        start_date=DAY,
        end_date=DAY,
        status=Absence.Status.REQUESTED,
    )
    _decide(boss_client, free, decision="approve")
    free.refresh_from_db()
    assert free.status == Absence.Status.APPROVED


def test_it_lists_the_overlaps_in_the_console_then_resolves(
    boss_client: Client, absence: Absence
) -> None:
    url = reverse("admin:people_absence_changelist")
    data = {"action": "approve", helpers.ACTION_CHECKBOX_NAME: [absence.pk]}
    response = boss_client.post(url, data)
    assert response.status_code == 200 and response.content.decode().count("data-overlap") == 2
    absence.refresh_from_db()
    assert absence.status == Absence.Status.REQUESTED
    boss_client.post(url, {**data, "overlaps": "resolve"})
    absence.refresh_from_db()
    assert absence.status == Absence.Status.APPROVED
    assert not Assignment.objects.filter(person=absence.person).exists()
    assert ScheduleRun.objects.filter(parameters__absence=str(absence.code)).exists()


def test_it_lists_the_overlaps_on_the_api_then_resolves(boss: Any, absence: Absence) -> None:
    client = APIClient()
    client.force_authenticate(boss)
    overlaps = client.get(f"/api/v1/absences/{absence.code}/overlaps/")
    assert overlaps.status_code == 200
    assert [row["date"] for row in overlaps.json()] == ["2026-10-20", "2026-10-21"]
    url = f"/api/v1/absences/{absence.code}/decide/"
    refused = client.post(url, {"approve": False, "resolve": True}, format="json")
    assert refused.status_code == 400
    response = client.post(url, {"approve": True, "resolve": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert not Assignment.objects.filter(person=absence.person).exists()
