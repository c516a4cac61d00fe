"""Writes about people: absence and preference requests, decisions, notifications, feed links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conflicts.triggers import schedule_detection
from lib.errors import ApplicationError
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Membership,
    Notification,
    NotificationPreference,
    Person,
    Program,
    Request,
)
from people.notify import Event, notify
from rotations.models import Rotation, ShiftType

TOKEN_BYTES = 32  # 256 bits: the token is the only secret guarding a feed
TOKEN_HINT_LENGTH = 6


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_dates(person: Person, start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise ApplicationError(
            "The end date is before the start date.", details={"field": "end_date"}
        )
    year = AcademicYear.objects.filter(
        program_id=person.program_id, start_date__lte=start_date, end_date__gte=start_date
    ).first()
    if year is None:
        raise ApplicationError(
            "This date is outside the program's academic years.", details={"field": "start_date"}
        )
    if end_date > year.end_date:
        raise ApplicationError(
            f"The academic year {year.name} ends on {year.end_date:%d %b %Y}; "
            "request the rest in next year's schedule.",
            details={"field": "end_date"},
        )


def absence_request_create(
    *,
    person: Person,
    kind: str,
    start_date: date,
    end_date: date,
    note: str = "",
    actor: Any,
) -> Absence:
    """A person asks for time off; a coordinator decides later."""
    _check_dates(person, start_date, end_date)
    with transaction.atomic(), set_actor(actor):
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time
        overlapping = (
            Absence.objects.filter(
                person=person, start_date__lte=end_date, end_date__gte=start_date
            )
            .exclude(status__in=[Absence.Status.DENIED, Absence.Status.CANCELLED])
            .first()
        )
        if overlapping is not None:
            raise ApplicationError(
                f"This overlaps your {overlapping.get_kind_display().lower()} of "
                f"{overlapping.start_date:%d %b}–{overlapping.end_date:%d %b %Y}.",
                details={"field": "start_date"},
            )
        return Absence.objects.create(
            person=person,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            note=note,
            status=Absence.Status.REQUESTED,
        )


def request_create(
    *,
    person: Person,
    kind: str,
    start_date: date,
    end_date: date,
    shift_type: ShiftType | None = None,
    weight: int = 5,
    note: str = "",
    actor: Any,
) -> Request:
    """A soft wish to work, or not to work, some dates (optionally one shift type)."""
    _check_dates(person, start_date, end_date)
    if shift_type is not None and shift_type.program_id != person.program_id:
        raise ApplicationError(
            "That shift type belongs to another program.", details={"field": "shift_type"}
        )
    if not 1 <= weight <= 10:
        raise ApplicationError("The weight runs from 1 to 10.", details={"field": "weight"})
    with transaction.atomic(), set_actor(actor):
        Person.objects.select_for_update().filter(pk=person.pk).first()
        active = Request.objects.filter(
            person=person,
            start_date__lte=end_date,
            end_date__gte=start_date,
            status__in=[Request.Status.PENDING, Request.Status.APPROVED],
        )
        if shift_type is not None:  # a wish about one shift clashes with whole-day wishes only
            active = active.filter(Q(shift_type__isnull=True) | Q(shift_type=shift_type))
        overlapping = active.first()
        if overlapping is not None:
            raise ApplicationError(
                f"This overlaps your request of {overlapping.start_date:%d %b}–"
                f"{overlapping.end_date:%d %b %Y}.",
                details={"field": "start_date"},
            )
        return Request.objects.create(
            person=person,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            shift_type=shift_type,
            weight=weight,
            note=note,
            status=Request.Status.PENDING,
        )


def _decide(row: Any, *, waiting: str, approve: bool, actor: Any, title: str, note: str) -> Any:
    """Approve or deny a pending absence or request (locked), then tell the requester."""
    model = type(row)
    with transaction.atomic(), set_actor(actor):
        row = model.objects.select_for_update().select_related("person__program").get(pk=row.pk)
        if row.status != waiting:
            raise ApplicationError(
                f"This {model._meta.verbose_name} is already {row.get_status_display().lower()}."
            )
        row.status = model.Status.APPROVED if approve else model.Status.DENIED
        row.decided_by = actor if getattr(actor, "pk", None) else None
        row.decided_at = timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        verdict = "approved" if approve else "declined"
        notify(
            [row.person],
            Event.REQUEST_DECIDED,
            program=row.person.program_id,
            title=title.format(verdict=verdict),
            body=f"{row.start_date:%a %d %b}–{row.end_date:%a %d %b %Y}. {note}".strip(),
            url="/requests/",
            context={"verdict": verdict},
        )
    return row


def absence_decide(*, absence: Absence, approve: bool, actor: Any, note: str = "") -> Absence:
    title = f"Your {absence.get_kind_display().lower()} request was {{verdict}}"
    result: Absence = _decide(
        absence,
        waiting=Absence.Status.REQUESTED,
        approve=approve,
        actor=actor,
        title=title,
        note=note,
    )
    if approve:
        schedule_detection(result.person.program_id, result.start_date, result.end_date)
    return result


def request_decide(*, request: Request, approve: bool, actor: Any, note: str = "") -> Request:
    title = f"Your request “{request.get_kind_display().lower()}” was {{verdict}}"
    result: Request = _decide(
        request,
        waiting=Request.Status.PENDING,
        approve=approve,
        actor=actor,
        title=title,
        note=note,
    )
    return result


def absence_cancel(*, absence: Absence, actor: Any) -> Absence:
    with transaction.atomic(), set_actor(actor):
        absence = Absence.objects.select_for_update().get(pk=absence.pk)
        if absence.status not in (Absence.Status.REQUESTED, Absence.Status.APPROVED):
            raise ApplicationError("Only a requested or approved absence can be cancelled.")
        absence.status = Absence.Status.CANCELLED
        absence.save(update_fields=["status", "updated_at"])
    return absence


def request_cancel(*, request: Request, actor: Any) -> Request:
    with transaction.atomic(), set_actor(actor):
        request = Request.objects.select_for_update().get(pk=request.pk)
        if request.status not in (Request.Status.PENDING, Request.Status.APPROVED):
            raise ApplicationError("Only a pending or approved request can be cancelled.")
        request.status = Request.Status.CANCELLED
        request.save(update_fields=["status", "updated_at"])
    return request


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: Any, program: Program, actor: Any) -> int:
    return Notification.objects.filter(
        recipient=user, program=program, read_at__isnull=True
    ).update(read_at=timezone.now(), updated_at=timezone.now())


def notification_preference_save(
    *, user: Any, program: Program, muted_email: list[str], digest: bool, actor: Any
) -> NotificationPreference:
    """Which events a person takes by email, or one daily digest instead (in-app is always on)."""
    unknown = set(muted_email) - set(Notification.Event.values)
    if unknown:
        raise ApplicationError(f"Unknown events: {', '.join(sorted(unknown))}.")
    with transaction.atomic(), set_actor(actor):
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            user=user, program=program
        )
        preference.muted_email = sorted(set(muted_email))
        preference.digest = digest
        preference.save(update_fields=["muted_email", "digest", "updated_at"])
    return preference


def staff_person_ensure(*, membership: Membership, actor: Any) -> Person:
    """The person a coordinator's feeds belong to: a feed link always has an owner."""
    if membership.person_id is not None:
        return membership.person  # type: ignore[return-value]
    with transaction.atomic(), set_actor(actor):
        user = membership.user
        person = Person.objects.create(
            program=membership.program,
            kind=Person.Kind.STAFF,
            first_name=user.first_name or user.get_username(),
            last_name=user.last_name or "(coordinator)",
            email=user.email,
        )
        membership.person = person
        membership.save(update_fields=["person", "updated_at"])
    return person


def _new_token() -> tuple[str, str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token), token[:TOKEN_HINT_LENGTH]


def subscription_create(
    *,
    owner: Person,
    scope: str = CalendarSubscription.Scope.PERSON,
    rotation: Rotation | None = None,
    label: str = "",
    manager: bool = False,
    actor: Any,
) -> tuple[CalendarSubscription, str]:
    """A new feed link. Returns the row and the token, which is never stored and never shown again."""
    if scope != CalendarSubscription.Scope.PERSON and not manager:
        raise ApplicationError("Only coordinators can subscribe to rotation or program calendars.")
    if scope == CalendarSubscription.Scope.ROTATION:
        if rotation is None or rotation.program_id != owner.program_id:
            raise ApplicationError(
                "Choose a rotation of your program.", details={"field": "rotation"}
            )
    else:
        rotation = None
    token, digest, hint = _new_token()
    with transaction.atomic(), set_actor(actor):
        subscription = CalendarSubscription.objects.create(
            program_id=owner.program_id,
            owner=owner,
            scope=scope,
            rotation=rotation,
            label=label,
            token_hash=digest,
            token_hint=hint,
        )
    return subscription, token


def subscription_regenerate(
    *, subscription: CalendarSubscription, actor: Any
) -> tuple[CalendarSubscription, str]:
    """A fresh token for the same link: the old URL stops working at once."""
    token, digest, hint = _new_token()
    with transaction.atomic(), set_actor(actor):
        subscription = CalendarSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.revoked_at is not None:
            raise ApplicationError("This link is revoked; create a new one.")
        subscription.token_hash, subscription.token_hint = digest, hint
        subscription.last_used_at = None
        subscription.save(update_fields=["token_hash", "token_hint", "last_used_at", "updated_at"])
    return subscription, token


def subscription_revoke(*, subscription: CalendarSubscription, actor: Any) -> CalendarSubscription:
    with transaction.atomic(), set_actor(actor):
        subscription = CalendarSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.revoked_at is None:
            subscription.revoked_at = timezone.now()
            subscription.save(update_fields=["revoked_at", "updated_at"])
    return subscription


def subscription_touch(*, subscription: CalendarSubscription) -> None:
    """Record that a calendar fetched the feed; at most one write an hour per link."""
    now = timezone.now()
    last = subscription.last_used_at
    if last is None or (now - last).total_seconds() > 3600:
        CalendarSubscription.objects.filter(pk=subscription.pk).update(last_used_at=now)
