"""Faculty pages show faculty measures, not the residents' ACGME gauge (issue 11, item 6):
attending weeks as real weeks, call counts and clinic sessions against targets, and duty hours as
the engine counts them (an at-home call adds only its recorded call-back time)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Person
from rotations.models import ShiftType
from scheduling.models import Assignment
from scheduling.tests.pages_cast import Cast, assign, build_cast, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(resident_a: Any, faculty_a: Any) -> Cast:
    return build_cast(person_of(resident_a).program, person_of(resident_a), person_of(faculty_a))


@pytest.fixture
def faculty_client(faculty_a: Any, cast: Cast) -> Client:
    client = Client()
    client.force_login(faculty_a)
    return client


def _shift(cast: Cast, abbr: str, category: str, start: int, hours: int, **extra: Any) -> ShiftType:
    return ShiftType.objects.create(
        program=cast.program,
        name=abbr,
        abbreviation=abbr,
        category=category,
        start_time=time(start),
        duration_minutes=hours * 60,
        **extra,
    )


def _monday(cast: Cast, weeks: int) -> Any:
    return cast.today - timedelta(days=cast.today.weekday()) + timedelta(weeks=weeks)


def test_the_faculty_dashboard_has_no_acgme_gauge(faculty_client: Client, cast: Cast) -> None:
    response = faculty_client.get(reverse("pages:dashboard"))
    html = response.content.decode()
    assert response.context["board"].duty is None
    assert "ACGME limit of 80" not in html and 'class="gauge' not in html
    assert 'id="faculty-measures"' in html and "attending weeks" in html


def test_a_resident_still_sees_the_gauge(resident_a: Any, cast: Cast) -> None:
    client = Client()
    client.force_login(resident_a)
    html = client.get(reverse("pages:dashboard")).content.decode()
    assert "ACGME limit of 80" in html and 'id="faculty-measures"' not in html


def test_attending_weeks_are_real_weeks_against_the_target(
    faculty_client: Client, cast: Cast
) -> None:
    Person.objects.filter(pk=cast.faculty.pk).update(attending_weeks_target=2)
    monday = _monday(cast, 2)
    for offset in range(5):  # a real attending week
        assign(cast.faculty, cast.attending, monday + timedelta(days=offset))
    for weeks in (4, 5, 6):  # scattered single days make no week
        assign(cast.faculty, cast.attending, _monday(cast, weeks) + timedelta(days=2))
    measures = faculty_client.get(reverse("pages:dashboard")).context["board"].faculty
    assert measures.attending.scheduled == 1 and measures.attending.target == 2
    assert measures.attending.count == 0  # not yet done
    assert measures.attending.status == "under"


def test_calls_and_clinic_sessions_are_counted_against_targets(
    faculty_client: Client, cast: Cast
) -> None:
    Person.objects.filter(pk=cast.faculty.pk).update(clinic_sessions_target=3)
    home = _shift(cast, "HOME", ShiftType.Category.AT_HOME_CALL, 17, 14, counts_toward_duty=False)
    precepting = _shift(cast, "PAM", ShiftType.Category.ATTENDING, 8, 4)
    clinic = _shift(cast, "CAM", ShiftType.Category.CLINIC_HALF_DAY, 13, 4)
    assign(cast.faculty, home, cast.today - timedelta(days=1))
    assign(cast.faculty, home, cast.today + timedelta(days=3))
    for offset in (-2, 4, 5):
        assign(cast.faculty, precepting, cast.today + timedelta(days=offset))
    assign(cast.faculty, clinic, cast.today + timedelta(days=6))
    measures = faculty_client.get(reverse("pages:dashboard")).context["board"].faculty
    assert (measures.calls.count, measures.calls.scheduled) == (1, 2)
    assert (measures.clinic.count, measures.clinic.scheduled) == (1, 4)
    assert measures.clinic.status == "over"


def test_at_home_call_adds_only_its_recorded_call_back_time(
    faculty_client: Client, cast: Cast
) -> None:
    home = _shift(cast, "HOME", ShiftType.Category.AT_HOME_CALL, 17, 14, counts_toward_duty=False)
    monday = _monday(cast, 0)
    call = assign(cast.faculty, home, monday)
    before = faculty_client.get(reverse("pages:dashboard")).context["board"].faculty
    # Today's 10-hour attending day (the cast's) counts when it falls in this week; the call none.
    attending = 10.0
    assert before.week_hours == attending
    Assignment.objects.filter(pk=call.pk).update(callback_minutes=90)
    after = faculty_client.get(reverse("pages:dashboard")).context["board"].faculty
    assert after.week_hours == attending + 1.5
    schedule = faculty_client.get(
        reverse("pages:my-schedule"), {"view": "list", "date": monday.isoformat()}
    ).content.decode()
    assert "from home, 1.5 h called in" in schedule and "14 h" not in schedule
