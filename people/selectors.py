"""Reads for the people pages: my requests, the review queue, notifications, calendar links.

Who may see what is decided in ``people.access``; these take the seat it gives."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from people.access import Seat
from people.models import (
    Absence,
    CalendarSubscription,
    Notification,
    NotificationPreference,
    Person,
    Program,
    Request,
)


def my_absences(person: Person) -> QuerySet[Absence]:
    return (
        Absence.objects.filter(person=person).select_related("decided_by").order_by("-start_date")
    )


def my_requests(person: Person) -> QuerySet[Request]:
    return (
        Request.objects.filter(person=person)
        .select_related("shift_type", "decided_by")
        .order_by("-start_date")
    )


def pending_absences(program: Program) -> QuerySet[Absence]:
    return (
        Absence.objects.filter(person__program=program, status=Absence.Status.REQUESTED)
        .select_related("person")
        .order_by("start_date")
    )


def pending_requests(program: Program) -> QuerySet[Request]:
    return (
        Request.objects.filter(person__program=program, status=Request.Status.PENDING)
        .select_related("person", "shift_type")
        .order_by("start_date")
    )


def _one(rows: QuerySet[Any], what: str) -> Any:
    row = rows.first()
    if row is None:
        raise Http404(f"No such {what}.")
    return row


def get_absence_for_manager(seat: Seat, code: Any) -> Absence:
    if not seat.is_manager:
        raise Http404("No such absence.")
    rows = Absence.objects.filter(code=code, person__program=seat.program).select_related("person")
    return _one(rows, "absence")


def get_request_for_manager(seat: Seat, code: Any) -> Request:
    if not seat.is_manager:
        raise Http404("No such request.")
    rows = Request.objects.filter(code=code, person__program=seat.program).select_related("person")
    return _one(rows, "request")


def get_own_absence(seat: Seat, code: Any) -> Absence:
    return _one(Absence.objects.filter(code=code, person=seat.person), "absence")


def get_own_request(seat: Seat, code: Any) -> Request:
    return _one(Request.objects.filter(code=code, person=seat.person), "request")


def notifications_for(seat: Seat) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=seat.user, program=seat.program)


def get_notification_for_user(seat: Seat, code: Any) -> Notification:
    notification = notifications_for(seat).filter(code=code).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def subscriptions_for(seat: Seat) -> QuerySet[CalendarSubscription]:
    if seat.person is None:
        return CalendarSubscription.objects.none()
    return CalendarSubscription.objects.filter(
        owner=seat.person, program=seat.program
    ).select_related("rotation")


def get_subscription_for_user(seat: Seat, code: Any) -> CalendarSubscription:
    subscription = subscriptions_for(seat).filter(code=code).first()
    if subscription is None:
        raise Http404("No such calendar link.")
    return subscription


def notification_preference_for(seat: Seat) -> NotificationPreference:
    """The user's choices in the seat's program (unsaved defaults when they never chose)."""
    found = NotificationPreference.objects.filter(user=seat.user, program=seat.program).first()
    return found or NotificationPreference(user=seat.user, program=seat.program)
