"""The program pages: dashboard, my schedule, manifest, call roster, timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import calendar_instants
from people.access import SESSION_PROGRAM
from people.models import Membership, Notification, Person
from scheduling.tests.pages_cast import Cast, assign, build_cast, person_of

# Session, user and memberships, then the page's own reads; none grows with the schedule.
PINNED_QUERIES = {
    # Every page: +1 for the layout's notification badge (people.context_processors).
    "pages:dashboard": 17,  # the gauge's rotation exception; the week's rotations; own alerts
    "pages:my-schedule": 7,  # shifts, absences, rotations
    "pages:manifest": 7,
    "pages:roster": 6,
    "pages:timeline": 10,
}
PAGES = ["pages:dashboard", "pages:my-schedule", "pages:manifest", "pages:roster", "pages:timeline"]


@pytest.fixture
def cast(resident_a: Any, faculty_a: Any) -> Cast:
    return build_cast(person_of(resident_a).program, person_of(resident_a), person_of(faculty_a))


@pytest.fixture
def resident_client(resident_a: Any, cast: Cast) -> Client:
    client = Client()
    client.force_login(resident_a)
    return client


@pytest.fixture
def faculty_client(faculty_a: Any, cast: Cast) -> Client:
    client = Client()
    client.force_login(faculty_a)
    return client


@calendar_instants
@pytest.mark.parametrize("name", PAGES)
def test_it_renders_each_page_for_a_member(resident_client: Client, name: str) -> None:
    response = resident_client.get(reverse(name))
    assert response.status_code == 200
    assert b"<html" in response.content and b"Rey Resident" in response.content


@pytest.mark.parametrize("name", PAGES)
def test_it_redirects_anonymous_users_to_login(db: None, client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PAGES)
def test_it_hides_another_programs_pages(cast: Cast, coordinator_b: Any, name: str) -> None:
    client = Client()
    client.force_login(coordinator_b)
    assert client.get(reverse(name), {"program": str(cast.program.code)}).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_it_refuses_post(resident_client: Client, name: str) -> None:
    assert resident_client.post(reverse(name)).status_code == 405


def test_it_answers_404_to_a_user_in_no_program(db: None, client: Client) -> None:
    from conftest import make_user

    client.force_login(make_user("loner"))
    assert client.get(reverse("pages:dashboard")).status_code == 404


@calendar_instants
def test_it_shows_the_dashboards_duty_hours_and_days_off(
    resident_client: Client, cast: Cast
) -> None:
    board = resident_client.get(reverse("pages:dashboard")).context["board"]
    # 3 ward days (36 h) + today's call up to midnight (17 of its 24 h): the window ends tonight
    assert board.duty.window_hours == pytest.approx(53.0)
    assert board.duty.average.value == pytest.approx(13.2)
    assert board.duty.days_off == 28 - 4
    assert [s.shift_type.abbreviation for s in board.next_shifts] == ["CALL", "NF"]


def test_it_lists_unread_notifications_and_marks_one_read_over_htmx(
    resident_client: Client, resident_a: Any, cast: Cast
) -> None:
    note = Notification.objects.create(
        recipient=resident_a, program=cast.program, title="Request approved"
    )
    assert b"Request approved" in resident_client.get(reverse("pages:dashboard")).content
    response = resident_client.post(
        reverse("people:notification-read", args=[note.code]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None


@calendar_instants
def test_it_shows_my_week_with_published_shifts_only(resident_client: Client, cast: Cast) -> None:
    response = resident_client.get(reverse("pages:my-schedule"), {"date": cast.today.isoformat()})
    period = response.context["period"]
    shown = {(day, s.shift_type.abbreviation) for day, shifts, *_ in period.days for s in shifts}
    assert (cast.today, "CALL") in shown
    assert (cast.today + timedelta(days=1), "WD") not in shown  # a draft


@calendar_instants
def test_it_answers_htmx_with_the_schedule_fragment_only(
    resident_client: Client, cast: Cast
) -> None:
    next_monday = cast.today + timedelta(days=7 - cast.today.weekday())
    assign(cast.resident, cast.day, next_monday + timedelta(days=3))
    response = resident_client.get(
        reverse("pages:my-schedule"),
        {"date": (cast.today + timedelta(days=7)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="schedule"' in response.content
    assert f"Week of {next_monday:%d %b %Y}".encode() in response.content
    assert b"Ward day" in response.content  # next Thursday's
    assert b"In-house call" not in response.content  # today's, in this week


@calendar_instants
def test_it_counts_real_hours_in_my_schedule(resident_client: Client, cast: Cast) -> None:
    # From three days ago: 3 ward days (12 h), today's call (24 h, over a DST change on the DST
    # instants: 25 or 23 h on the wall clock) and a night float (12 h).
    start = (cast.today - timedelta(days=3)).isoformat()
    response = resident_client.get(reverse("pages:my-schedule"), {"view": "list", "date": start})
    period = response.context["period"]
    assert period.count == 5 and period.hours == 72.0
    call = next(s for _, shifts, *_ in period.days for s in shifts if s.is_call)
    assert call.hours == 24.0


@calendar_instants
@pytest.mark.parametrize("view", ["week", "month", "list"])
def test_it_shows_each_view_of_my_schedule(resident_client: Client, cast: Cast, view: str) -> None:
    response = resident_client.get(
        reverse("pages:my-schedule"), {"view": view, "date": cast.today.isoformat()}
    )
    assert response.context["period"].view == view
    assert b"In-house call" in response.content


def test_it_sends_people_without_a_person_away_from_my_schedule(
    cast: Cast, coordinator_a: Any
) -> None:
    client = Client()
    client.force_login(coordinator_a)
    assert client.get(reverse("pages:my-schedule")).status_code == 404
    assert client.get(reverse("pages:dashboard")).status_code == 200


@calendar_instants
def test_it_shows_the_manifest_by_rotation_with_call_attending_and_absences(
    faculty_client: Client, cast: Cast
) -> None:
    today = faculty_client.get(reverse("pages:manifest"), {"date": cast.today.isoformat()}).context[
        "manifest"
    ]
    labels = {row.label: row for row in today.rows}
    assert set(labels) == {"Inpatient Medicine", "Faculty"}
    assert [s.shift_type.abbreviation for s in today.on_call] == ["CALL"]
    assert [s.assignment.person.last_name for s in today.attending] == ["Faculty"]
    night = labels["Inpatient Medicine"].slots["night"]
    assert [s.shift_type.abbreviation for s in night] == [
        "CALL"
    ]  # 24-hour call runs through the night
    tomorrow = faculty_client.get(
        reverse("pages:manifest"), {"date": (cast.today + timedelta(days=1)).isoformat()}
    ).context["manifest"]
    assert [a.person.last_name for a in tomorrow.absent] == ["Faculty"]


def test_it_tells_only_the_person_and_coordinators_why_someone_is_away(
    faculty_client: Client, resident_client: Client, coordinator_a: Any, cast: Cast
) -> None:
    tomorrow = {"date": (cast.today + timedelta(days=1)).isoformat()}
    coordinator = Client()
    coordinator.force_login(coordinator_a)
    for client, shown in ((faculty_client, "Conference"), (coordinator, "Conference")):
        assert f"{shown} until" in client.get(reverse("pages:manifest"), tomorrow).content.decode()
    page = resident_client.get(reverse("pages:manifest"), tomorrow).content.decode()
    assert "Away until" in page
    assert "Conference" not in page


@calendar_instants
def test_it_filters_the_call_roster_by_service(faculty_client: Client, cast: Cast) -> None:
    night = cast.today + timedelta(days=2)
    response = faculty_client.get(
        reverse("pages:roster"),
        # The month of the night float (two days from today: next month on the last days of one)
        {"month": night.strftime("%Y-%m"), "service": str(cast.night.code)},
    )
    days = [d for week in response.context["roster"].weeks for d in week if d.services]
    assert days and {st.abbreviation for d in days for st, _ in d.services} == {"NF"}
    assert [p.last_name for p in response.context["roster"].contacts] == ["Resident"]


def test_it_lists_roster_contacts(faculty_client: Client, cast: Cast) -> None:
    Person.objects.filter(pk=cast.resident.pk).update(phone="555-0199")
    response = faculty_client.get(reverse("pages:roster"), {"month": cast.today.strftime("%Y-%m")})
    assert b"555-0199" in response.content


def test_it_answers_404_to_an_unknown_roster_service(faculty_client: Client) -> None:
    assert faculty_client.get(reverse("pages:roster"), {"service": "nope"}).status_code == 404


@calendar_instants
def test_it_draws_rotation_blocks_and_attending_weeks_on_the_timeline(
    faculty_client: Client, cast: Cast
) -> None:
    Person.objects.filter(pk=cast.faculty.pk).update(attending_weeks_target=3)
    data = faculty_client.get(reverse("pages:timeline")).context["timeline"]
    resident = next(r for r in data.residents if r.person == cast.resident)
    assert [(b.label, b.span) for b in resident.bars] == [("IM", 28)]
    faculty = next(r for r in data.faculty if r.person == cast.faculty)
    # One attending day is no attending week (boards.attending_weeks: four days of a week).
    assert faculty.count == 0 and faculty.summary == "0 / 3 weeks" and faculty.status == "under"
    monday = cast.today + timedelta(days=14 - cast.today.weekday())
    for offset in range(4):
        assign(cast.faculty, cast.attending, monday + timedelta(days=offset))
    data = faculty_client.get(reverse("pages:timeline")).context["timeline"]
    faculty = next(r for r in data.faculty if r.person == cast.faculty)
    assert faculty.count == 1 and faculty.summary == "1 / 3 weeks"
    assert faculty.bars[0].title == f"Attending week of {monday:%d %b}"


def test_it_switches_program_for_people_in_two(cast: Cast, resident_a: Any, program_b: Any) -> None:
    Membership.objects.create(user=resident_a, program=program_b, role=Membership.Role.FACULTY)
    client = Client()
    client.force_login(resident_a)
    response = client.post(
        reverse("people:program-switch"), {"program": str(program_b.code), "next": "/manifest/"}
    )
    assert response.status_code == 302 and response["Location"] == "/manifest/"
    assert client.session[SESSION_PROGRAM] == str(program_b.code)
    assert client.get(reverse("pages:manifest")).context["program"] == program_b
    assert b'id="program-switch"' in client.get(reverse("pages:manifest")).content


def _queries(client: Client, url: str, params: dict[str, str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@calendar_instants
@pytest.mark.parametrize("name", PAGES)
def test_it_keeps_query_counts_flat_as_the_schedule_grows(
    resident_client: Client, cast: Cast, name: str
) -> None:
    url = reverse(name)
    params = {"date": cast.today.isoformat()}
    before = _queries(resident_client, url, params)
    others = [
        Person.objects.create(
            program=cast.program,
            kind=Person.Kind.RESIDENT,
            first_name=f"R{i}",
            last_name=f"L{i}",
            training_start=cast.year.start_date,
            phone=f"555-10{i:02d}",
        )
        for i in range(5)
    ]
    for offset in range(-3, 10):
        day = cast.today + timedelta(days=offset)
        assign(cast.resident, cast.attending, day)
        for person in others:
            assign(person, cast.call, day)
    after = _queries(resident_client, url, params)
    assert after == before
    assert before == PINNED_QUERIES[name], before


@calendar_instants
def test_it_keeps_a_day_shift_out_of_the_manifests_night(
    faculty_client: Client, cast: Cast
) -> None:
    yesterday = (cast.today - timedelta(days=1)).isoformat()
    data = faculty_client.get(reverse("pages:manifest"), {"date": yesterday}).context["manifest"]
    # The resident's row: "Inpatient Medicine", or "Other" when yesterday was before the block
    wards = next(
        row
        for row in data.rows
        if any(s.assignment.person == cast.resident for cell in row.cells for s in cell)
    )
    assert set(wards.slots) == {"morning", "afternoon"}  # 07-19 touches the night by 2 hours only
