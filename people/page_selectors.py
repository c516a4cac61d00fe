"""Reads for the people pages: the user's seat in a program, requests, notifications, feed links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from people.models import (
    Absence,
    CalendarSubscription,
    Membership,
    Notification,
    Person,
    Program,
    Request,
)

SESSION_PROGRAM = "program_code"


@dataclass(frozen=True)
class Seat:
    """Where the user sits: the program shown, their role and person there, and their programs."""

    user: Any
    program: Program
    role: str
    person: Person | None
    membership: Membership | None
    programs: list[Program] = field(default_factory=list)

    @property
    def is_manager(self) -> bool:
        return self.role in Membership.MANAGER_ROLES

    @property
    def role_label(self) -> str:
        return Membership.Role(self.role).label


def current_seat(request: HttpRequest) -> Seat:
    """The program asked for (``?program=``), else the one chosen in the session, else the first.

    404 when the user belongs to no program, or asks for one they do not belong to.
    """
    user: Any = request.user
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("program", "person")
        .order_by("program__name")
    )
    by_code = {str(m.program.code): m for m in memberships}
    programs = [m.program for m in memberships]
    if getattr(user, "is_superuser", False):
        programs = list(Program.objects.order_by("name"))
    wanted = request.GET.get("program") or request.POST.get("program")
    if wanted:
        chosen = next((p for p in programs if str(p.code) == wanted), None)
        if chosen is None:
            raise Http404("No such program.")
    else:
        remembered = request.session.get(SESSION_PROGRAM)
        chosen = next((p for p in programs if str(p.code) == remembered), None) or (
            programs[0] if programs else None
        )
    if chosen is None:
        raise Http404("You belong to no program.")
    membership = by_code.get(str(chosen.code))
    role = membership.role if membership else Membership.Role.ADMIN
    return Seat(
        user=user,
        program=chosen,
        role=role,
        person=membership.person if membership else None,
        membership=membership,
        programs=programs,
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


def get_absence_for_manager(seat: Seat, code: Any) -> Absence:
    absence = (
        Absence.objects.filter(code=code, person__program=seat.program)
        .select_related("person")
        .first()
        if seat.is_manager
        else None
    )
    if absence is None:
        raise Http404("No such absence.")
    return absence


def get_request_for_manager(seat: Seat, code: Any) -> Request:
    wish = (
        Request.objects.filter(code=code, person__program=seat.program)
        .select_related("person")
        .first()
        if seat.is_manager
        else None
    )
    if wish is None:
        raise Http404("No such request.")
    return wish


def get_own_absence(seat: Seat, code: Any) -> Absence:
    absence = Absence.objects.filter(code=code, person=seat.person).first() if seat.person else None
    if absence is None:
        raise Http404("No such absence.")
    return absence


def get_own_request(seat: Seat, code: Any) -> Request:
    wish = Request.objects.filter(code=code, person=seat.person).first() if seat.person else None
    if wish is None:
        raise Http404("No such request.")
    return wish


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
