"""Reads for the people pages: my requests, the review queue, notifications, calendar links.

Who may see what is decided in ``people.access``; these take the seat it gives."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from people.access import Seat
from people.honour import Dated, Honour, Standing, honour
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Notification,
    NotificationPreference,
    Person,
    PreferencePolicy,
    Program,
    Request,
    StandingPreference,
)
from scheduling.selectors.shifts import last_published_day, published_pairs


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


def my_standing_preferences(person: Person) -> QuerySet[StandingPreference]:
    return (
        StandingPreference.objects.filter(person=person)
        .exclude(status=StandingPreference.Status.CANCELLED)
        .select_related("shift_type", "decided_by")
        .order_by("kind", "weekday", "created_at")
    )


def my_blocked_dates(person: Person) -> QuerySet[Request]:
    return (
        Request.objects.filter(person=person, kind=Request.Kind.BLOCKED)
        .exclude(status=Request.Status.CANCELLED)
        .select_related("shift_type", "decided_by")
        .order_by("-start_date")
    )


def pending_standing_preferences(program: Program) -> QuerySet[StandingPreference]:
    return (
        StandingPreference.objects.filter(
            person__program=program, status=StandingPreference.Status.PENDING
        )
        .select_related("person", "shift_type")
        .order_by("person__last_name", "person__first_name", "created_at")
    )


def get_own_standing_preference(seat: Seat, code: Any) -> StandingPreference:
    rows = StandingPreference.objects.filter(code=code, person=seat.person).select_related(
        "person", "shift_type"
    )
    return _one(rows, "preference")


def get_standing_preference_for_manager(seat: Seat, code: Any) -> StandingPreference:
    if not seat.is_manager:
        raise Http404("No such preference.")
    rows = StandingPreference.objects.filter(
        code=code, person__program=seat.program
    ).select_related("person", "shift_type")
    return _one(rows, "preference")


def honour_period(program: Program, today: date) -> tuple[date, date] | None:
    """The period the honour figures cover: the academic year holding today, up to the last
    published day (days not yet scheduled honour nothing and break nothing)."""
    year = AcademicYear.objects.filter(
        program=program, start_date__lte=today, end_date__gte=today
    ).first()
    last = last_published_day(program)
    if year is None or last is None or last < year.start_date:
        return None
    return year.start_date, min(year.end_date, last)


def honour_by_person(people: list[Person], period: tuple[date, date] | None) -> dict[int, Honour]:
    """person id -> how often their approved preferences were honoured by the published
    schedule of ``period`` (people.honour says how each figure counts). Three queries."""
    if period is None or not people:
        return {person.pk: Honour() for person in people}
    start, end = period
    ids = [person.pk for person in people]
    standing: dict[int, list[Standing]] = {pk: [] for pk in ids}
    for person_id, kind, shift, weekday, weight in StandingPreference.objects.filter(
        person_id__in=ids,
        status=StandingPreference.Status.APPROVED,
        kind__in=[StandingPreference.Kind.PREFER, StandingPreference.Kind.AVOID],
    ).values_list("person_id", "kind", "shift_type_id", "weekday", "weight"):
        standing[person_id].append(Standing(kind, shift, weekday, weight))
    dated: dict[int, list[Dated]] = {pk: [] for pk in ids}
    for person_id, kind, lo, hi, shift in Request.objects.filter(
        person_id__in=ids,
        status=Request.Status.APPROVED,
        start_date__lte=end,
        end_date__gte=start,
    ).values_list("person_id", "kind", "start_date", "end_date", "shift_type_id"):
        dated[person_id].append(Dated(kind, lo, hi, shift))
    shifts = published_pairs(ids, start, end)
    return {pk: honour(shifts[pk], standing[pk], dated[pk], start, end) for pk in ids}


def preference_policy(program_id: int) -> PreferencePolicy:
    """The program's preference policy (unsaved defaults when it never set one)."""
    found = PreferencePolicy.objects.filter(program_id=program_id).first()
    return found or PreferencePolicy(program_id=program_id)


def people_with_preferences(program: Program) -> QuerySet[Person]:
    """The program's residents and faculty who stated any preference (pending or approved)."""
    live = [Request.Status.PENDING, Request.Status.APPROVED]
    return (
        Person.objects.filter(program=program, active=True)
        .exclude(kind=Person.Kind.STAFF)
        .filter(Q(requests__status__in=live) | Q(standing_preferences__status__in=live))
        .distinct()
        .order_by("last_name", "first_name")
    )


def pending_blocked_count(program: Program) -> int:
    return Request.objects.filter(
        person__program=program, kind=Request.Kind.BLOCKED, status=Request.Status.PENDING
    ).count()


def get_person_for_manager(seat: Seat, code: Any) -> Person:
    if not seat.is_manager:
        raise Http404("No such person.")
    return _one(Person.objects.filter(code=code, program=seat.program), "person")
