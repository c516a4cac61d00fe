"""Reads for the calendar feeds: the live link behind a token, the rows it lists, its version."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.http import Http404

from people.models import CalendarSubscription, Membership
from people.services import hash_token
from scheduling.models import Assignment, RotationAssignment, State

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
HISTORY_DAYS = 366  # a year back; everything ahead


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


def feed_rotations(subscription: CalendarSubscription, today: date) -> QuerySet[RotationAssignment]:
    """A person's feed also lists their published rotations as all-day events (a rotation with
    no timed shift types would leave it empty otherwise); shared feeds list shifts only."""
    if subscription.scope != CalendarSubscription.Scope.PERSON:
        return RotationAssignment.objects.none()
    return RotationAssignment.objects.filter(
        person_id=subscription.owner_id,
        state=State.PUBLISHED,
        block__end_date__gte=today - timedelta(days=HISTORY_DAYS),
    )


def feed_version(
    rows: QuerySet[Assignment],
    subscription: CalendarSubscription,
    rotations: QuerySet[RotationAssignment] | None = None,
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
    if rotations is not None:
        plan = rotations.aggregate(
            count=Count("pk"), changed=Max("updated_at"), names=Max("rotation__updated_at")
        )
        stats["count"] = f"{stats['count']}+{plan['count']}"
        named += [plan[key] for key in ("changed", "names") if plan[key]]
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
