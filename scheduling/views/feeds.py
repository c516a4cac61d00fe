"""Calendar feeds (ICS): a person's published schedule, or a rotation's or program's for coordinators.

The token in the URL is the only secret: it is looked up by its SHA-256 hash, so a feed needs no
login. Unknown, revoked and malformed tokens all answer the same bare 404.

Each timed event is one published assignment: UID from the assignment's public code (stable across edits),
SEQUENCE from the seconds between creation and last change (grows with every edit), LAST-MODIFIED and
DTSTAMP from ``updated_at``. Times carry the program's TZID with a VTIMEZONE built from zoneinfo.
Only current published rows are listed, so a removed shift simply disappears on the next refresh.
A person's feed also carries each published rotation as an all-day event (VALUE=DATE, UID from
the rotation assignment's code).

Serialising with ``icalendar`` costs about a millisecond per event, so events are cached by their
own version and whole feeds by their ETag; the ETag (row count and newest change) costs one query.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseNotModified,
)
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from icalendar import Calendar, Event, Timezone

from lib.timezones import zone
from people.access import PUBLIC, page
from people.services import subscription_touch
from scheduling.models import Assignment, RotationAssignment
from scheduling.selectors.boards import rotation_label
from scheduling.selectors.feeds import (
    feed_assignments,
    feed_rotations,
    feed_version,
    get_subscription_for_token,
)

if TYPE_CHECKING:
    from people.models import CalendarSubscription

PRODID = "-//Residency Scheduler//Calendar feed//EN"
UID_DOMAIN = "residency-scheduler"
CACHE_SECONDS = 24 * 3600
CATEGORY_LABELS = {
    "day": "Shift",
    "clinic": "Clinic",
    "in_house_call": "Call",
    "at_home_call": "Call",
    "night_float": "Night float",
    "attending": "Attending",
    "transition": "Transition",
    "moonlighting": "Moonlighting",
}


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    component = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return component.to_ical()


def event_ical(assignment: Assignment, tz: Any, *, with_person: bool) -> bytes:
    """One VEVENT, cached under its own version (assignment, shift type and person changes)."""
    shift = assignment.shift_type
    person = assignment.person if with_person else None
    key = "ics:v1:{}:{}:{}:{}:{}".format(
        assignment.pk,
        assignment.updated_at.timestamp(),
        shift.updated_at.timestamp(),
        person.updated_at.timestamp() if person else "-",
        tz.key,
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    event = Event()
    event.add("uid", f"{assignment.code}@{UID_DOMAIN}")
    summary = f"{shift.name} ({shift.abbreviation})"
    event.add("summary", f"{person.full_name} · {summary}" if person else summary)
    event.add("dtstart", assignment.starts_at.astimezone(tz))
    event.add("dtend", assignment.ends_at.astimezone(tz))
    event.add("dtstamp", assignment.updated_at)
    event.add("created", assignment.created_at)
    event.add("last-modified", assignment.updated_at)
    event.add(
        "sequence", max(int((assignment.updated_at - assignment.created_at).total_seconds()), 0)
    )
    event.add("categories", [CATEGORY_LABELS.get(shift.category, "Shift")])
    lines = [shift.get_category_display(), f"{assignment.duration.total_seconds() / 3600:g} hours"]
    if assignment.note:
        lines.append(assignment.note)
    event.add("description", "\n".join(lines))
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    data = event.to_ical()
    cache.set(key, data, CACHE_SECONDS)
    return data


def rotation_event_ical(row: RotationAssignment) -> bytes:
    """One all-day VEVENT for a published rotation (a block or half block): DTSTART and DTEND
    are VALUE=DATE, DTEND the day after the last (RFC 5545); free time, so the timed shifts on
    those days are what a calendar shows as busy."""
    rotation = row.rotation
    event = Event()
    event.add("uid", f"rotation-{row.code}@{UID_DOMAIN}")
    event.add("summary", rotation_label(rotation))
    event.add("dtstart", row.first_day)
    event.add("dtend", row.last_day + timedelta(days=1))
    event.add("dtstamp", row.updated_at)
    event.add("created", row.created_at)
    event.add("last-modified", max(row.updated_at, rotation.updated_at))
    event.add("sequence", max(int((row.updated_at - row.created_at).total_seconds()), 0))
    event.add("categories", ["Rotation"])
    if rotation.location:
        event.add("location", rotation.location)
    event.add("description", f"{rotation.name}: {row.block}")
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    return event.to_ical()


def build_feed(
    subscription: CalendarSubscription,
    rows: QuerySet[Assignment],
    rotations: QuerySet[RotationAssignment] | None = None,
) -> bytes:
    program = subscription.program
    tz = zone(program)
    with_person = subscription.scope != subscription.Scope.PERSON
    assignments = list(rows.select_related("shift_type", "person").order_by("starts_at", "pk"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", feed_name(subscription))
    calendar.add("x-wr-timezone", program.timezone)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    head = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)[0]
    parts = [head]
    if assignments:
        first = min(a.starts_at for a in assignments).year - 1
        last = max(a.ends_at for a in assignments).year + 1
        parts.append(vtimezone(program.timezone, first, last))
    parts.extend(event_ical(a, tz, with_person=with_person) for a in assignments)
    if rotations is not None:
        plan = rotations.select_related("rotation", "block").order_by("block__start_date", "half")
        parts.extend(rotation_event_ical(row) for row in plan)
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def feed_name(subscription: CalendarSubscription) -> str:
    program = str(subscription.program)
    if subscription.scope == subscription.Scope.PROGRAM:
        return f"{program} · whole program"
    if subscription.scope == subscription.Scope.ROTATION and subscription.rotation:
        return f"{program} · {subscription.rotation.name}"
    return f"{subscription.owner.full_name} · {program}"


@page(PUBLIC, methods=("GET", "HEAD"))
def feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = get_subscription_for_token(token)
    except Http404:
        # The same few bytes for every refusal: nothing tells an unknown token from a revoked one.
        return HttpResponseNotFound(b"Not found.\n", content_type="text/plain")
    today = timezone.now().date()
    rows = feed_assignments(subscription, today)
    rotations = feed_rotations(subscription, today)
    etag, last_modified = feed_version(rows, subscription, rotations)
    subscription_touch(subscription=subscription)
    quoted = f'"{etag}"'
    stamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=quoted, last_modified=stamp)
    if not_modified is not None and isinstance(not_modified, HttpResponseNotModified):
        response: HttpResponse = not_modified
    else:
        key = f"ics:feed:{etag}"
        body = cache.get(key)
        if body is None:
            body = build_feed(subscription, rows, rotations)
            cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["ETag"] = quoted
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
