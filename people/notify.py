"""One way to tell people something: ``notify(recipients, event, ...)``.

Every event that reaches a person goes through :func:`notify`. It resolves the recipients to
active user accounts of the program, and after the surrounding transaction commits it records one
in-app :class:`~people.models.Notification` per user and hands the new rows to
:func:`deliver`, which queues the other channels. Nothing is sent for a transaction that rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from people import delivery
from people.models import Membership, Notification, Person, Program

Event = Notification.Event

# The coarse kind the in-app list groups by, per event.
KIND_OF_EVENT: Mapping[str, str] = {
    Event.SCHEDULE_PUBLISHED: Notification.Kind.SCHEDULE,
    Event.ASSIGNMENT_CHANGED: Notification.Kind.SCHEDULE,
    Event.SWAP_OFFERED: Notification.Kind.SWAP,
    Event.SWAP_ACCEPTED: Notification.Kind.SWAP,
    Event.SWAP_APPROVED: Notification.Kind.SWAP,
    Event.SWAP_REJECTED: Notification.Kind.SWAP,
    Event.SWAP_EXECUTED: Notification.Kind.SWAP,
    Event.SWAP_UNDONE: Notification.Kind.SWAP,
    Event.SWAP_WITHDRAWN: Notification.Kind.SWAP,
    Event.CONFLICT_RAISED: Notification.Kind.CONFLICT,
    Event.REQUEST_DECIDED: Notification.Kind.REQUEST,
    Event.CERTIFICATION_EXPIRING: Notification.Kind.INFO,
    Event.RUN_FINISHED: Notification.Kind.INFO,
    Event.RUN_FAILED: Notification.Kind.INFO,
    Event.MESSAGE: Notification.Kind.INFO,
}

Recipient = Person | Membership | Any  # a Person, a Membership or a user


def recipient_user_ids(program: Program | int, recipients: Iterable[Recipient]) -> list[int]:
    """The active users of ``program`` the recipients stand for, each once, in a stable order.

    A person stands for the user linked to them in the program; a user stands for themself if they
    are a member of the program. Anyone outside the program is dropped, never told.
    """
    program_id = program if isinstance(program, int) else program.pk
    person_ids: set[int] = set()
    user_ids: set[int] = set()
    for recipient in recipients:
        if recipient is None:
            continue
        if isinstance(recipient, Person):
            person_ids.add(recipient.pk)
        elif isinstance(recipient, Membership):
            user_ids.add(recipient.user_id)
        else:
            user_ids.add(recipient.pk)
    members = Membership.objects.filter(program_id=program_id, user__is_active=True)
    found = set(members.filter(person_id__in=person_ids).values_list("user_id", flat=True))
    found |= set(members.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    return sorted(found)


def managers_of(program: Program | int) -> list[Any]:
    """The active coordinators and program admins of ``program``: who hears about runs."""
    program_id = program if isinstance(program, int) else program.pk
    return list(
        get_user_model().objects.filter(
            is_active=True,
            memberships__program_id=program_id,
            memberships__role__in=Membership.MANAGER_ROLES,
        )
    )


def notify(
    recipients: Iterable[Recipient],
    event: str,
    *,
    program: Program | int,
    title: str,
    body: str = "",
    url: str = "",
    context: Mapping[str, Any] | None = None,
) -> None:
    """Tell ``recipients`` about ``event`` once the current transaction commits.

    ``title`` and ``body`` are the words people read; ``url`` is a path inside the site;
    ``context`` carries event details (JSON-serialisable) that channel templates may use.
    """
    program_id = program if isinstance(program, int) else program.pk
    people = list(recipients)
    details = dict(context or {})
    kind = KIND_OF_EVENT.get(event, Notification.Kind.INFO)

    def record() -> None:
        rows = Notification.objects.bulk_create(
            Notification(
                recipient_id=user_id,
                program_id=program_id,
                kind=kind,
                event=event,
                title=title[:200],
                body=body,
                url=url,
                context=details,
            )
            for user_id in recipient_user_ids(program_id, people)
        )
        deliver(rows)

    transaction.on_commit(record)


def deliver(notifications: list[Notification]) -> None:
    """Queue delivery of freshly recorded notifications on the channels beyond the in-app list:
    email (per the recipient's preferences) and the program webhook (people.delivery)."""
    delivery.queue(notifications)
