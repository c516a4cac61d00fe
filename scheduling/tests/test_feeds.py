"""Calendar feeds: parsed with icalendar and compared with the published assignments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import calendar_instants
from people import services
from people.models import CalendarSubscription, Membership, Person
from scheduling.models import Assignment, State
from scheduling.tests.pages_cast import Cast, assign, build_cast, person_of


@pytest.fixture
def cast(resident_a: Any, faculty_a: Any) -> Cast:
    return build_cast(person_of(resident_a).program, person_of(resident_a), person_of(faculty_a))


def feed_url(token: str) -> str:
    return reverse("pages:feed", kwargs={"token": token})


def personal_token(cast: Cast, user: Any) -> str:
    _, token = services.subscription_create(owner=cast.resident, actor=user)
    return token


def parse(response: Any) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@calendar_instants
def test_it_lists_every_published_assignment_of_the_owner_and_nothing_else(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    calendar = parse(client.get(feed_url(personal_token(cast, resident_a))))
    published = Assignment.objects.filter(person=cast.resident, state=State.PUBLISHED)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    shifts = {uid for uid in uids if not uid.startswith("rotation-")}
    assert shifts == {f"{a.code}@residency-scheduler" for a in published}
    assert len(shifts) == 5  # the draft and the faculty member's shift are not in it


@calendar_instants
def test_it_gives_events_the_programs_timezone_with_a_vtimezone(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    calendar = parse(client.get(feed_url(personal_token(cast, resident_a))))
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["America/New_York"]
    tz = ZoneInfo("America/New_York")
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    for assignment in Assignment.objects.filter(person=cast.resident, state=State.PUBLISHED):
        event = by_uid[f"{assignment.code}@residency-scheduler"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert start == assignment.starts_at and end == assignment.ends_at
        assert start.astimezone(tz).time() == assignment.shift_type.start_time


def test_it_includes_call_and_night_float_with_categories(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    calendar = parse(client.get(feed_url(personal_token(cast, resident_a))))
    summaries: dict[str, Any] = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "In-house call (CALL)" in summaries and "Night float (NF)" in summaries
    assert summaries["In-house call (CALL)"]["CATEGORIES"].cats == ["Call"]
    assert summaries["Night float (NF)"]["CATEGORIES"].cats == ["Night float"]


def test_it_propagates_an_edit_with_a_higher_sequence_and_a_new_etag(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    url = feed_url(personal_token(cast, resident_a))
    first = client.get(url)
    call = Assignment.objects.get(person=cast.resident, shift_type=cast.call)
    before: Any = next(
        e for e in Calendar.from_ical(first.content).walk("VEVENT") if "CALL" in str(e["SUMMARY"])
    )
    call.note = "Cover for Dr Reid"
    call.updated_at = timezone.now() + timedelta(seconds=5)
    Assignment.objects.filter(pk=call.pk).update(note=call.note, updated_at=call.updated_at)
    second = client.get(url)
    after: Any = next(e for e in parse(second).walk("VEVENT") if "CALL" in str(e["SUMMARY"]))
    assert second["ETag"] != first["ETag"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after["UID"] == before["UID"]
    assert "Cover for Dr Reid" in str(after["DESCRIPTION"])


def test_it_drops_a_removed_shift(cast: Cast, resident_a: Any, client: Client) -> None:
    url = feed_url(personal_token(cast, resident_a))
    client.get(url)
    removed = Assignment.objects.get(person=cast.resident, shift_type=cast.night)
    removed.delete()
    uids = {str(e["UID"]) for e in parse(client.get(url)).walk("VEVENT")}
    shifts = {uid for uid in uids if not uid.startswith("rotation-")}
    assert f"{removed.code}@residency-scheduler" not in shifts and len(shifts) == 4


def test_it_answers_304_to_a_matching_etag_or_date(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    url = feed_url(personal_token(cast, resident_a))
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assign(cast.resident, cast.day, cast.today + timedelta(days=5))
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 42 + "!", "a" * 42 + "."])
def test_it_answers_404_to_unknown_or_malformed_tokens(
    db: None, client: Client, token: str
) -> None:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 404 and response.content == b"Not found.\n"


def test_it_answers_a_revoked_token_exactly_like_an_unknown_one(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    token = personal_token(cast, resident_a)
    subscription = CalendarSubscription.objects.get(owner=cast.resident)
    services.subscription_revoke(subscription=subscription, actor=resident_a)
    revoked = client.get(feed_url(token))
    unknown = client.get(feed_url("Z" * 43))
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content


def test_it_stops_the_old_token_when_regenerated(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    old = personal_token(cast, resident_a)
    subscription = CalendarSubscription.objects.get(owner=cast.resident)
    _, new = services.subscription_regenerate(subscription=subscription, actor=resident_a)
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


def test_it_refuses_post(cast: Cast, resident_a: Any, client: Client) -> None:
    assert client.post(feed_url(personal_token(cast, resident_a))).status_code == 405


def test_it_needs_no_login_and_records_use(cast: Cast, resident_a: Any) -> None:
    token = personal_token(cast, resident_a)
    assert Client().get(feed_url(token)).status_code == 200
    assert CalendarSubscription.objects.get(owner=cast.resident).last_used_at is not None


@calendar_instants
def test_it_serves_a_coordinators_program_feed_with_everyone(
    cast: Cast, coordinator_a: Any, client: Client
) -> None:
    membership = Membership.objects.get(user=coordinator_a)
    owner = services.staff_person_ensure(membership=membership, actor=coordinator_a)
    _, token = services.subscription_create(
        owner=owner, scope=CalendarSubscription.Scope.PROGRAM, manager=True, actor=coordinator_a
    )
    events = parse(client.get(feed_url(token))).walk("VEVENT")
    published = Assignment.objects.filter(person__program=cast.program, state=State.PUBLISHED)
    assert {str(e["UID"]).split("@")[0] for e in events} == {str(a.code) for a in published}
    assert any(str(e["SUMMARY"]).startswith("Fay Faculty · ") for e in events)


@calendar_instants
def test_it_serves_a_rotation_feed_with_only_that_rotations_residents(
    cast: Cast, coordinator_a: Any, client: Client
) -> None:
    owner = services.staff_person_ensure(
        membership=Membership.objects.get(user=coordinator_a), actor=None
    )
    _, token = services.subscription_create(
        owner=owner,
        scope=CalendarSubscription.Scope.ROTATION,
        rotation=cast.rotation,
        manager=True,
        actor=None,
    )
    events = parse(client.get(feed_url(token))).walk("VEVENT")
    # Only days on the rotation: at a block's first day the ward days before it are not.
    on_rotation = Assignment.objects.filter(
        person=cast.resident,
        state=State.PUBLISHED,
        date__range=(cast.block.start_date, cast.block.end_date),
    )
    assert {str(e["UID"]).split("@")[0] for e in events} == {str(a.code) for a in on_rotation}
    assert len(events) == (5 if cast.block.start_date <= cast.today - timedelta(days=3) else 2)
    assert all(str(e["SUMMARY"]).startswith("Rey Resident") for e in events)


def test_it_stops_a_program_feed_when_its_owner_stops_coordinating(
    cast: Cast, coordinator_a: Any, client: Client
) -> None:
    membership = Membership.objects.get(user=coordinator_a)
    owner = services.staff_person_ensure(membership=membership, actor=None)
    _, token = services.subscription_create(
        owner=owner, scope=CalendarSubscription.Scope.PROGRAM, manager=True, actor=None
    )
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.FACULTY)
    assert client.get(feed_url(token)).status_code == 404


def test_it_refuses_program_feeds_to_residents(cast: Cast, resident_a: Any) -> None:
    from lib.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.subscription_create(
            owner=cast.resident,
            scope=CalendarSubscription.Scope.PROGRAM,
            manager=False,
            actor=resident_a,
        )


def test_it_keeps_the_feed_query_count_flat(
    cast: Cast, resident_a: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    url = feed_url(personal_token(cast, resident_a))
    for offset in range(10, 40):
        assign(cast.resident, cast.day, cast.today + timedelta(days=offset))
    with django_assert_max_num_queries(6):  # + the rotations' version and rows
        parse(client.get(url))


def test_it_hides_a_deactivated_persons_feed(cast: Cast, resident_a: Any, client: Client) -> None:
    token = personal_token(cast, resident_a)
    Person.objects.filter(pk=cast.resident.pk).update(active=False)
    assert client.get(feed_url(token)).status_code == 404


def test_it_changes_the_etag_when_the_calendars_name_changes(
    cast: Cast, resident_a: Any, client: Client
) -> None:
    url = feed_url(personal_token(cast, resident_a))
    first = client.get(url)
    Person.objects.filter(pk=cast.resident.pk).update(
        last_name="Renamed", updated_at=timezone.now() + timedelta(seconds=5)
    )
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and "Rey Renamed" in str(parse(second)["X-WR-CALNAME"])
