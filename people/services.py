"""Writes about people: absence and preference requests (dated wishes, blocked dates, standing
preferences), decisions, program rules, notifications, feed links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone

from conflicts.triggers import schedule_detection
from lib.errors import ApplicationError
from people.models import (
    Absence,
    CalendarSubscription,
    Membership,
    Notification,
    NotificationPreference,
    Person,
    Program,
    ProgramRule,
    Request,
    StandingPreference,
)
from people.models_preferences import (
    CLINIC_SESSIONS_PER_YEAR,
    WEEKS_PER_YEAR,
    WEIGHT_MAX,
    WEIGHT_MIN,
)
from people.notify import Event, notify
from people.request_checks import (
    absence_overlap,
    check_dates,
    request_fields_check,
    request_overlap,
)
from people.selectors import preference_policy
from rotations.models import Rotation, ShiftType

TOKEN_BYTES = 32  # 256 bits: the token is the only secret guarding a feed
TOKEN_HINT_LENGTH = 6


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    check_dates(person, start_date, end_date)
    with transaction.atomic(), set_actor(actor):
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time
        absence_overlap(person, start_date, end_date)
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
    reason: str = "",
    note: str = "",
    actor: Any,
) -> Request:
    """A soft wish to work, or not to work, some dates (optionally one shift type); or blocked
    dates, with a reason. Pending until a coordinator decides, unless the program's preference
    policy lets it apply at once."""
    request_fields_check(person, kind, start_date, end_date, shift_type, weight, reason)
    blocked = kind == Request.Kind.BLOCKED
    with transaction.atomic(), set_actor(actor):
        Person.objects.select_for_update().filter(pk=person.pk).first()
        request_overlap(person, start_date, end_date, shift_type)
        reviewed = preference_policy(person.program_id).needs_review(blocked_or_target=blocked)
        return Request.objects.create(
            person=person,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            shift_type=shift_type,
            weight=weight,
            reason=reason,
            note=note,
            status=Request.Status.PENDING if reviewed else Request.Status.APPROVED,
            decided_at=None if reviewed else timezone.now(),
        )


def _decide(
    row: Any,
    *,
    waiting: str,
    approve: bool,
    actor: Any,
    title: str,
    note: str,
    url: str = "/requests/",
) -> Any:
    """Approve or deny a pending absence, request or standing preference (locked), then tell
    the requester (dated rows name their dates, standing ones what they ask)."""
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
        what = (
            f"{row.start_date:%a %d %b}–{row.end_date:%a %d %b %Y}"
            if hasattr(row, "start_date")
            else row.describe()
        )
        notify(
            [row.person],
            Event.REQUEST_DECIDED,
            program=row.person.program_id,
            title=title.format(verdict=verdict),
            body=f"{what}. {note}".strip(),
            url=url,
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
    """Withdraw a requested or approved absence; the row stays, cancelled. Cancelling an approved
    one puts the person back on the schedule's dates, which can raise or clear conflicts there."""
    with transaction.atomic(), set_actor(actor):
        absence = Absence.objects.select_for_update().get(pk=absence.pk)
        if absence.status not in (Absence.Status.REQUESTED, Absence.Status.APPROVED):
            raise ApplicationError("Only a requested or approved absence can be cancelled.")
        was_approved = absence.status == Absence.Status.APPROVED
        absence.status = Absence.Status.CANCELLED
        absence.save(update_fields=["status", "updated_at"])
        if was_approved:
            schedule_detection(absence.person.program_id, absence.start_date, absence.end_date)
    return absence


def absence_status_set(*, absence: Absence, status: str, actor: Any) -> Absence:
    """Bring an absence to ``status`` (a status picked on a person's page, or a file's column)
    the one way each is reached: approved or denied by ``absence_decide``, cancelled by
    ``absence_cancel``, which refuse what they do not allow (deciding twice, cancelling a denied
    absence). Requested again is refused: one asks again."""
    if status == absence.status:
        return absence
    if status == Absence.Status.CANCELLED:
        absence_cancel(absence=absence, actor=actor)
    elif status in (Absence.Status.APPROVED, Absence.Status.DENIED):
        approve = status == Absence.Status.APPROVED
        absence_decide(absence=absence, approve=approve, actor=actor)
    else:
        raise ApplicationError(
            f"This absence is {absence.get_status_display().lower()}; ask again rather than "
            "setting it back to requested.",
            details={"field": "status"},
        )
    absence.refresh_from_db()
    return absence


def request_cancel(*, request: Request, actor: Any) -> Request:
    with transaction.atomic(), set_actor(actor):
        request = Request.objects.select_for_update().get(pk=request.pk)
        if request.status not in (Request.Status.PENDING, Request.Status.APPROVED):
            raise ApplicationError("Only a pending or approved request can be cancelled.")
        request.status = Request.Status.CANCELLED
        request.save(update_fields=["status", "updated_at"])
    return request


def _standing_errors(
    person: Person,
    kind: str,
    shift_type: ShiftType | None,
    weekday: int | None,
    weight: int,
    attending_weeks: int | None,
    clinic_sessions: int | None,
) -> ApplicationError | None:
    Kind = StandingPreference.Kind
    if kind not in Kind.values:
        return ApplicationError(f"Unknown preference kind {kind!r}.", details={"field": "kind"})
    if kind == Kind.TARGET:
        if person.kind != Person.Kind.FACULTY:
            return ApplicationError("Yearly targets are for faculty.", details={"field": "kind"})
        if attending_weeks is None and clinic_sessions is None:
            return ApplicationError(
                "Give attending weeks, clinic sessions, or both.",
                details={"field": "attending_weeks"},
            )
        if attending_weeks is not None and not 0 <= attending_weeks <= WEEKS_PER_YEAR:
            return ApplicationError(
                f"Attending weeks run from 0 to {WEEKS_PER_YEAR}.",
                details={"field": "attending_weeks"},
            )
        if clinic_sessions is not None and not 0 <= clinic_sessions <= CLINIC_SESSIONS_PER_YEAR:
            return ApplicationError(
                f"Clinic sessions run from 0 to {CLINIC_SESSIONS_PER_YEAR} a year.",
                details={"field": "clinic_sessions"},
            )
        return None
    if shift_type is None and weekday is None:
        return ApplicationError(
            "Name a shift type, a weekday, or both.", details={"field": "shift_type"}
        )
    if shift_type is not None and shift_type.program_id != person.program_id:
        return ApplicationError(
            "That shift type belongs to another program.", details={"field": "shift_type"}
        )
    if weekday is not None and not 0 <= weekday <= 6:
        return ApplicationError("Choose a weekday.", details={"field": "weekday"})
    if not WEIGHT_MIN <= weight <= WEIGHT_MAX:
        return ApplicationError("The weight runs from 1 to 10.", details={"field": "weight"})
    return None


def standing_preference_create(
    *,
    person: Person,
    kind: str,
    shift_type: ShiftType | None = None,
    weekday: int | None = None,
    weight: int = 5,
    attending_weeks: int | None = None,
    clinic_sessions: int | None = None,
    note: str = "",
    actor: Any,
) -> StandingPreference:
    """A preferred or avoided shift type and/or weekday, or a faculty member's yearly targets.
    Pending until a coordinator decides, unless the program's policy lets it apply at once."""
    Kind = StandingPreference.Kind
    error = _standing_errors(
        person, kind, shift_type, weekday, weight, attending_weeks, clinic_sessions
    )
    if error is not None:
        raise error
    target = kind == Kind.TARGET
    if target:
        shift_type = weekday = None
    else:
        attending_weeks = clinic_sessions = None
    with transaction.atomic(), set_actor(actor):
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one at a time
        active = StandingPreference.objects.filter(
            person=person,
            status__in=[StandingPreference.Status.PENDING, StandingPreference.Status.APPROVED],
        )
        if target:
            waiting = active.filter(kind=Kind.TARGET, status=StandingPreference.Status.PENDING)
            if waiting.exists():
                raise ApplicationError(
                    "Your last target change is still waiting for review; cancel it first.",
                    details={"field": "attending_weeks"},
                )
        else:
            same = active.exclude(kind=Kind.TARGET).filter(shift_type=shift_type, weekday=weekday)
            clash = same.first()
            if clash is not None:
                raise ApplicationError(
                    f"You already have “{clash.describe()}” "
                    f"({clash.get_status_display().lower()}); cancel it first.",
                    details={"field": "shift_type"},
                )
        reviewed = preference_policy(person.program_id).needs_review(blocked_or_target=target)
        row = StandingPreference.objects.create(
            person=person,
            kind=kind,
            shift_type=shift_type,
            weekday=weekday,
            weight=weight,
            attending_weeks=attending_weeks,
            clinic_sessions=clinic_sessions,
            note=note,
            status=StandingPreference.Status.PENDING
            if reviewed
            else StandingPreference.Status.APPROVED,
            decided_at=None if reviewed else timezone.now(),
        )
        if target and not reviewed:
            _apply_target(row)
    return row


def _apply_target(row: StandingPreference) -> None:
    """An approved target becomes the person's stored target (what the engine and the
    dashboards read); it replaces the person's earlier approved target."""
    person = Person.objects.select_for_update().get(pk=row.person_id)
    fields = []
    if row.attending_weeks is not None:
        person.attending_weeks_target = row.attending_weeks
        fields.append("attending_weeks_target")
    if row.clinic_sessions is not None:
        person.clinic_sessions_target = row.clinic_sessions
        fields.append("clinic_sessions_target")
    person.save(update_fields=[*fields, "updated_at"])
    for earlier in StandingPreference.objects.filter(
        person_id=row.person_id,
        kind=StandingPreference.Kind.TARGET,
        status=StandingPreference.Status.APPROVED,
    ).exclude(pk=row.pk):
        earlier.status = StandingPreference.Status.CANCELLED
        earlier.save(update_fields=["status", "updated_at"])


def standing_preference_decide(
    *, preference: StandingPreference, approve: bool, actor: Any, note: str = ""
) -> StandingPreference:
    title = "Your preference was {verdict}"
    with transaction.atomic():
        result: StandingPreference = _decide(
            preference,
            waiting=StandingPreference.Status.PENDING,
            approve=approve,
            actor=actor,
            title=title,
            note=note,
            url="/preferences/",
        )
        if approve and result.kind == StandingPreference.Kind.TARGET:
            with set_actor(actor):
                _apply_target(result)
    return result


def standing_preference_cancel(*, preference: StandingPreference, actor: Any) -> StandingPreference:
    with transaction.atomic(), set_actor(actor):
        row = StandingPreference.objects.select_for_update().get(pk=preference.pk)
        if row.status not in (
            StandingPreference.Status.PENDING,
            StandingPreference.Status.APPROVED,
        ):
            raise ApplicationError("Only a pending or approved preference can be cancelled.")
        if row.kind == StandingPreference.Kind.TARGET and row.status != row.Status.PENDING:
            raise ApplicationError(
                "An approved target stays until a new one replaces it; send the new figure."
            )
        row.status = StandingPreference.Status.CANCELLED
        row.save(update_fields=["status", "updated_at"])
    return row


def program_rule_save(
    *, rule: ProgramRule, actor: Any, values: dict[str, Any] | None = None
) -> ProgramRule:
    """Create ``rule`` (unsaved) or change it by ``values``: the one write path of a program rule,
    for the console and the API alike. The model's checks (field choices, ``ProgramRule.clean``,
    its constraints) run here, so bad input from any door is the same ``ValidationError`` naming
    the fields (a form error in the console, a 400 by field in the API)."""
    values = dict(values or {})
    with transaction.atomic(), set_actor(actor):
        if rule.pk is not None:
            rule = ProgramRule.objects.select_for_update().get(pk=rule.pk)
        for name, value in values.items():
            setattr(rule, name, value)
        rule.full_clean()
        if rule.pk is None:
            rule.save()
        else:
            rule.save(update_fields=[*values, "updated_at"])
    return rule


def program_rule_deactivate(*, rule: ProgramRule, actor: Any) -> ProgramRule:
    """Stop applying a rule from the next run; the row stays, with its history, to reactivate."""
    with transaction.atomic(), set_actor(actor):
        rule = ProgramRule.objects.select_for_update().get(pk=rule.pk)
        if rule.active:
            rule.active = False
            rule.save(update_fields=["active", "updated_at"])
    return rule


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
