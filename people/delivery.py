"""Channels beyond the in-app list: email and the program webhook, and the daily digest.

:func:`queue` (called by ``people.notify.deliver``) records one :class:`Delivery` per notification
and channel and queues a Celery task for each after commit. :func:`send` is that task's body: it
locks the delivery row, returns at once if it was already sent (so a retried or doubled task
sends once), tries the channel, and records ``sent`` or ``failed`` with the reason; a failure
raises :class:`DeliveryFailed` so the task retries with backoff. Nothing here runs inside the
request that caused the event, so a dead webhook never blocks a publish.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lib.timezones import zone
from people.models import (
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
    ProgramWebhook,
)

Status = Delivery.Status


class DeliveryFailed(Exception):
    """A channel refused or did not answer; the task retries."""


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url or '/notifications/'}"


def preferences_of(user_ids: Sequence[int], program_id: int) -> dict[int, NotificationPreference]:
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, program_id=program_id)
    return {row.user_id: row for row in rows}


def queue(notifications: Sequence[Notification]) -> list[Delivery]:
    """Record the deliveries the new notifications need and queue each after commit."""
    if not notifications:
        return []
    first = notifications[0]
    user_ids = [row.recipient_id for row in notifications]
    preferences = preferences_of(user_ids, first.program_id)
    emails = dict(type(first.recipient).objects.filter(pk__in=user_ids).values_list("pk", "email"))
    wanted: list[Delivery] = []
    for row in notifications:
        preference = preferences.get(row.recipient_id)
        if emails.get(row.recipient_id) and (preference is None or preference.emails(row.event)):
            wanted.append(Delivery(notification=row, channel=Channel.EMAIL))
    webhook = ProgramWebhook.objects.filter(program_id=first.program_id).first()
    if webhook is not None and webhook.wants(first.event) and not first.context.get("personal"):
        # The program's channel hears an event once, however many people it reached, and never
        # one person's own shifts (context "personal").
        wanted.append(Delivery(notification=first, channel=Channel.WEBHOOK))
    rows = Delivery.objects.bulk_create(wanted)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: enqueue(ids))
    return rows


def enqueue(delivery_ids: Sequence[int]) -> None:
    task = current_app.tasks["people.send_delivery"]
    for delivery_id in delivery_ids:
        task.delay(delivery_id)


def send(delivery_id: int) -> bool:
    """Send one delivery once. True if this call sent it; DeliveryFailed if the channel failed."""
    error = ""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("notification__recipient", "notification__program")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status == Status.SENT:
            return False
        delivery.attempts += 1
        try:
            CHANNELS[delivery.channel](delivery.notification)
        except Exception as exc:  # any refusal is recorded, then retried
            error = f"{type(exc).__name__}: {exc}"[:500] or "failed"
            delivery.status, delivery.last_error = Status.FAILED, error
        else:
            delivery.status, delivery.sent_at = Status.SENT, timezone.now()
        delivery.save(update_fields=["attempts", "status", "last_error", "sent_at", "updated_at"])
    if error:
        raise DeliveryFailed(error)
    return True


def send_email(notification: Notification) -> None:
    user = notification.recipient
    context = {
        "n": notification,
        "user": user,
        "link": absolute(notification.url),
        "settings_link": absolute("/notifications/settings/"),
    }
    message = EmailMultiAlternatives(
        subject=f"[{notification.program.short_name or notification.program}] {notification.title}",
        body=render_to_string("emails/notification.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/notification.html", context), "text/html")
    message.send()


def slack_payload(notification: Notification) -> dict[str, Any]:
    """Slack's incoming-webhook JSON: ``text`` (mrkdwn, with a link) and one section block."""
    link = absolute(notification.url)
    text = f"*{notification.title}*"
    if notification.body:
        text += f"\n{notification.body}"
    text += f"\n<{link}|Open in Residency Scheduler>"
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def post_webhook(notification: Notification) -> None:
    webhook = ProgramWebhook.objects.get(program_id=notification.program_id)
    parts = urlsplit(webhook.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryFailed("The webhook URL is not http(s).")
    request = urllib.request.Request(
        webhook.url,
        data=json.dumps(slack_payload(notification)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as answer:
            answer.read(1024)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"The webhook answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"The webhook did not answer: {reason}.") from None


CHANNELS: dict[str, Callable[[Notification], None]] = {
    Channel.EMAIL: send_email,
    Channel.WEBHOOK: post_webhook,
}


# The daily digest ---------------------------------------------------------------------------

DIGEST_HOUR = 7  # local time of the program; the beat runs hourly and sends once a day


def digest_send(preference_id: int, now: datetime) -> bool:
    """Fold the notifications since the last digest into one email; once per local day."""
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update()
            .select_related("user", "program")
            .get(pk=preference_id)
        )
        tz = zone(preference.program)
        last = preference.last_digest_at
        if not preference.digest or (
            last and timezone.localtime(last, tz).date() == now.astimezone(tz).date()
        ):
            return False
        since = max(last or now - timedelta(days=1), now - timedelta(days=1))
        notices = list(
            Notification.objects.filter(
                recipient=preference.user, program=preference.program, created_at__gte=since
            ).order_by("created_at")
        )
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at", "updated_at"])
        if not notices or not preference.user.email or not preference.user.is_active:
            return False
        context = {
            "notices": notices,
            "user": preference.user,
            "program": preference.program,
            "link": absolute("/notifications/"),
            "site": settings.SITE_URL,
        }
        message = EmailMultiAlternatives(
            subject=f"[{preference.program.short_name}] {len(notices)} update(s) today",
            body=render_to_string("emails/digest.txt", context),
            to=[preference.user.email],
        )
        message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
        message.send()
    return True


def digests_send(now: datetime | None = None) -> int:
    """Send every digest due now (local hour at or past DIGEST_HOUR); returns how many went."""
    now = now or timezone.now()
    sent = 0
    for preference in NotificationPreference.objects.filter(digest=True).select_related("program"):
        tz = zone(preference.program)
        last = preference.last_digest_at
        local = now.astimezone(tz)
        if local.hour >= DIGEST_HOUR and (
            last is None or last.astimezone(tz).date() != local.date()
        ):
            sent += digest_send(preference.pk, now)
    return sent
