"""People pages: my requests, the coordinator's review queue, notifications, calendar links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lib.errors import ApplicationError
from lib.pages import render_page
from lib.params import is_site_path
from people import selectors, services
from people.access import DECIDE, READ, SESSION_PROGRAM, SUBMIT, WRITE, Seat, page
from people.forms import AbsenceRequestForm, DecisionForm, PreferenceRequestForm, SubscriptionForm
from people.models import Notification
from scheduling import edit_services
from scheduling.selectors import shifts as shift_selectors

NEW_TOKEN = "new_feed_token"


def _person(seat: Seat) -> Any:
    if seat.person is None:
        raise Http404("Your account is not linked to a person in this program.")
    return seat.person


@page("request", READ)
def request_list(request: HttpRequest, seat: Seat) -> HttpResponse:
    absences = list(selectors.my_absences(seat.person)) if seat.person else []
    wishes = list(selectors.my_requests(seat.person)) if seat.person else []
    return render_page(
        request, "people/requests.html", seat, "requests", absences=absences, wishes=wishes
    )


def _request_form(request: HttpRequest, seat: Seat, kind: str) -> HttpResponse:
    person = _person(seat)
    if kind == "absence":
        form: Any = AbsenceRequestForm(request.POST or None)
    else:
        form = PreferenceRequestForm(request.POST or None, program=seat.program)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        create = services.absence_request_create if kind == "absence" else services.request_create
        try:
            create(person=person, actor=request.user, **data)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Request sent. You will be notified of the decision.")
            return redirect("people:requests")
    return render_page(request, "people/request_form.html", seat, "requests", form=form, kind=kind)


@page("absence", SUBMIT, methods=("GET", "POST"))
def absence_new(request: HttpRequest, seat: Seat) -> HttpResponse:
    return _request_form(request, seat, "absence")


@page("request", SUBMIT, methods=("GET", "POST"))
def preference_new(request: HttpRequest, seat: Seat) -> HttpResponse:
    return _request_form(request, seat, "preference")


@page("request", SUBMIT, methods=("POST",))
def request_cancel(request: HttpRequest, seat: Seat, kind: str, code: Any) -> HttpResponse:
    try:
        if kind == "absence":
            services.absence_cancel(
                absence=selectors.get_own_absence(seat, code), actor=request.user
            )
        else:
            services.request_cancel(
                request=selectors.get_own_request(seat, code), actor=request.user
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Request cancelled.")
    return redirect("people:requests")


@page("absence", DECIDE)
def review(request: HttpRequest, seat: Seat) -> HttpResponse:
    absences = list(selectors.pending_absences(seat.program))
    wishes = list(selectors.pending_requests(seat.program))
    return render_page(
        request, "people/review.html", seat, "review", absences=absences, wishes=wishes
    )


@page("absence", DECIDE, methods=("POST",))
def decide(request: HttpRequest, seat: Seat, kind: str, code: Any) -> HttpResponse:
    form = DecisionForm(request.POST)
    if kind == "absence":
        item: Any = selectors.get_absence_for_manager(seat, code)
    else:
        item = selectors.get_request_for_manager(seat, code)
    if not form.is_valid() or (kind != "absence" and form.cleaned_data["decision"] == "resolve"):
        messages.error(request, "Choose approve or deny.")
        return redirect("people:review")
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    period = f"{item.start_date:%a %d %b}–{item.end_date:%a %d %b %Y}"
    if kind == "absence" and decision != "deny" and not form.cleaned_data["confirmed"]:
        overlaps = shift_selectors.absence_overlaps(item)
        if overlaps:  # before deciding, the coordinator sees what the absence leaves uncovered
            return render_page(
                request,
                "people/absence_confirm.html",
                seat,
                "review",
                absence=item,
                overlaps=overlaps,
                note=note,
                period=period,
            )
    try:
        if kind == "absence" and decision == "resolve":
            result = edit_services.absence_approve_and_resolve(
                absence=item, actor=request.user, note=note
            )
        elif kind == "absence":
            services.absence_decide(
                absence=item, approve=decision == "approve", actor=request.user, note=note
            )
        else:
            services.request_decide(
                request=item, approve=decision == "approve", actor=request.user, note=note
            )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("people:review")
    verdict = "Denied" if decision == "deny" else "Approved"
    messages.success(request, f"{verdict}: {item.person}, {period}.")
    if decision == "resolve":
        _resolution_messages(request, result)
    return redirect("people:review")


def _resolution_messages(request: HttpRequest, result: Any) -> None:
    if result.removed:
        messages.info(request, f"Taken off the schedule: {', '.join(result.removed)}.")
    if result.run is not None:
        link = reverse("scheduling:run", args=[result.run.code])
        messages.info(
            request,
            f"A minimal-change re-solve of {result.run.start_date:%d %b}–"
            f"{result.run.end_date:%d %b %Y} is running: review and publish its draft at {link}.",
        )
    if result.note:
        messages.warning(request, result.note)


@page("notification", READ)
def notification_list(request: HttpRequest, seat: Seat) -> HttpResponse:
    notifications = list(selectors.notifications_for(seat)[:100])
    return render_page(
        request, "people/notifications.html", seat, "notifications", notifications=notifications
    )


@page("notification", WRITE, methods=("POST",))
def notification_read(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    notification = selectors.get_notification_for_user(seat, code)
    services.notification_mark_read(notification=notification, actor=request.user)
    if getattr(request, "htmx", False):
        return HttpResponse("")  # the dashboard drops the row
    # Only a path inside the site is followed, whatever is stored (rows from before the check).
    return redirect(notification.url if is_site_path(notification.url) else "people:notifications")


@page("notification", WRITE, methods=("POST",))
def notification_read_all(request: HttpRequest, seat: Seat) -> HttpResponse:
    services.notifications_mark_all_read(
        user=request.user, program=seat.program, actor=request.user
    )
    return redirect("people:notifications")


# Events a person may take by email (the in-app list always has them).
EMAIL_EVENTS = [(value, label) for value, label in Notification.Event.choices if value != "message"]


@page("preference", WRITE, methods=("GET", "POST"))
def notification_settings(request: HttpRequest, seat: Seat) -> HttpResponse:
    preference = selectors.notification_preference_for(seat)
    saved = False
    if request.method == "POST":
        emailed = set(request.POST.getlist("email"))
        preference = services.notification_preference_save(
            user=request.user,
            program=seat.program,
            muted_email=[value for value, _ in EMAIL_EVENTS if value not in emailed],
            digest=request.POST.get("digest") == "on",
            actor=request.user,
        )
        saved = True
    rows = [
        {"value": value, "label": label, "email": value not in preference.muted_email}
        for value, label in EMAIL_EVENTS
    ]
    return render_page(
        request,
        "people/notification_settings.html",
        seat,
        "notifications",
        fragment="settings",
        rows=rows,
        preference=preference,
        saved=saved,
    )


def feed_urls(request: HttpRequest, token: str) -> dict[str, str]:
    path = reverse("pages:feed", kwargs={"token": token})
    https = request.build_absolute_uri(path)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@page("subscription", READ)
def calendar(request: HttpRequest, seat: Seat) -> HttpResponse:
    token = request.session.pop(NEW_TOKEN, None)  # shown once, then gone for good
    form = SubscriptionForm(program=seat.program, manager=seat.is_manager)
    return render_page(
        request,
        "people/calendar.html",
        seat,
        "calendar",
        subscriptions=list(selectors.subscriptions_for(seat)),
        form=form,
        new=feed_urls(request, token) if token else None,
    )


@page("subscription", WRITE, methods=("POST",))
def calendar_create(request: HttpRequest, seat: Seat) -> HttpResponse:
    form = SubscriptionForm(request.POST, program=seat.program, manager=seat.is_manager)
    if not form.is_valid():
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return redirect("people:calendar")
    owner = seat.person
    if owner is None and seat.is_manager and seat.membership is not None:
        owner = services.staff_person_ensure(membership=seat.membership, actor=request.user)
    if owner is None:
        raise Http404("Your account is not linked to a person in this program.")
    try:
        _, token = services.subscription_create(
            owner=owner,
            scope=form.cleaned_data["scope"],
            rotation=form.cleaned_data.get("rotation"),
            label=form.cleaned_data["label"],
            manager=seat.is_manager,
            actor=request.user,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        request.session[NEW_TOKEN] = token
    return redirect("people:calendar")


@page("subscription", WRITE, methods=("POST",))
def calendar_regenerate(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    subscription = selectors.get_subscription_for_user(seat, code)
    try:
        _, token = services.subscription_regenerate(subscription=subscription, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        request.session[NEW_TOKEN] = token
        messages.success(request, "New link made; the old one no longer works.")
    return redirect("people:calendar")


@page("subscription", WRITE, methods=("POST",))
def calendar_revoke(request: HttpRequest, seat: Seat, code: Any) -> HttpResponse:
    services.subscription_revoke(
        subscription=selectors.get_subscription_for_user(seat, code), actor=request.user
    )
    messages.success(request, "Link revoked: calendars using it stop updating.")
    return redirect("people:calendar")


@page("program", READ, methods=("POST",))
def program_switch(request: HttpRequest, seat: Seat) -> HttpResponse:
    request.session[SESSION_PROGRAM] = str(seat.program.code)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("pages:dashboard")
    return redirect(target.split("?")[0] or reverse("pages:dashboard"))
