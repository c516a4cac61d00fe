"""Calendar feeds (ICS): a person's published schedule, or a rotation's or program's for coordinators.

The token in the URL is the only secret: it is looked up by its SHA-256 hash, so a feed needs no
login. Unknown, revoked and malformed tokens all answer the same bare 404.

Each event is one published assignment: UID from the assignment's public code (stable across edits),
SEQUENCE from the seconds between creation and last change (grows with every edit), LAST-MODIFIED and
DTSTAMP from ``updated_at``. Times carry the program's TZID with a VTIMEZONE built from zoneinfo.
Only current published rows are listed, so a removed shift simply disappears on the next refresh.

Serialising with ``icalendar`` costs about a millisecond per event, so events are cached by their
own version and whole feeds by their ETag; the ETag (row count and newest change) costs one query.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
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
from people.models import CalendarSubscription, Membership
from people.services import hash_token, subscription_touch
from scheduling.models import Assignment, RotationAssignment, State

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
PRODID = "-//Residency Scheduler//Calendar feed//EN"
UID_DOMAIN = "residency-scheduler"
HISTORY_DAYS = 366  # a year back; everything ahead
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


def get_subscription_for_token(token: str) -> CalendarSubscription:
    """The live link behind a token, or 404 with no hint of why."""
    if not TOKEN_PATTERN.match(token):
        raise Http404()
    manager = Membership.objects.filter(
        person=OuterRef("owner"), program=OuterRef("program"), role__in=Membership.MANAGER_ROLES
    )
    subscription = (
        CalendarSubscription.objects.filter(
            token_hash=hash_token(token), revoked_at__isnull=True, owner__active=True
        )
        .annotate(owner_manages=Exists(manager))
        .select_related("program", "owner", "rotation")
        .first()
    )
    if subscription is None:
        raise Http404()
    # A coordinator's program or rotation feed stops with their coordinator role.
    if subscription.scope != CalendarSubscription.Scope.PERSON and not subscription.owner_manages:
        raise Http404()
    return subscription


def feed_assignments(subscription: CalendarSubscription, today: date) -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(
        state=State.PUBLISHED, date__gte=today - timedelta(days=HISTORY_DAYS)
    )
    scope = subscription.scope
    if scope == CalendarSubscription.Scope.PERSON:
        return rows.filter(person_id=subscription.owner_id)
    rows = rows.filter(person__program_id=subscription.program_id)
    if scope == CalendarSubscription.Scope.ROTATION and subscription.rotation_id is not None:
        on_rotation = RotationAssignment.objects.filter(
            person=OuterRef("person"),
            rotation_id=subscription.rotation_id,
            state=State.PUBLISHED,
            block__start_date__lte=OuterRef("date"),
            block__end_date__gte=OuterRef("date"),
        )
        rows = rows.filter(Exists(on_rotation))
    return rows


def feed_version(
    rows: QuerySet[Assignment], subscription: CalendarSubscription
) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) from one aggregate: any add, edit or removal changes them."""
    changes: dict[str, Any] = {"changed": Max("updated_at"), "types": Max("shift_type__updated_at")}
    if subscription.scope != CalendarSubscription.Scope.PERSON:
        changes["people"] = Max("person__updated_at")  # names appear in shared feeds
    stats = rows.aggregate(count=Count("pk"), **changes)
    # The calendar's name (X-WR-CALNAME) comes from the program, owner and rotation.
    named = [subscription.program.updated_at, subscription.owner.updated_at]
    if subscription.rotation is not None:
        named.append(subscription.rotation.updated_at)
    stamps = [stats[key] for key in changes if stats[key]] + named
    latest = max(stamps)
    key = ":".join(
        str(part)
        for part in (
            subscription.pk,
            subscription.token_hash[:12],
            stats["count"],
            latest.isoformat(),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32], latest


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


def build_feed(subscription: CalendarSubscription, rows: QuerySet[Assignment]) -> bytes:
    program = subscription.program
    tz = zone(program)
    with_person = subscription.scope != CalendarSubscription.Scope.PERSON
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
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)


def feed_name(subscription: CalendarSubscription) -> str:
    program = str(subscription.program)
    if subscription.scope == CalendarSubscription.Scope.PROGRAM:
        return f"{program} · whole program"
    if subscription.scope == CalendarSubscription.Scope.ROTATION and subscription.rotation:
        return f"{program} · {subscription.rotation.name}"
    return f"{subscription.owner.full_name} · {program}"


@page(PUBLIC, methods=("GET", "HEAD"))
def feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = get_subscription_for_token(token)
    except Http404:
        # The same few bytes for every refusal: nothing tells an unknown token from a revoked one.
        return HttpResponseNotFound(b"Not found.\n", content_type="text/plain")
    rows = feed_assignments(subscription, timezone.now().date())
    etag, last_modified = feed_version(rows, subscription)
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
            body = build_feed(subscription, rows)
            cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["ETag"] = quoted
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
