"""Celery tasks for notifications: thin wrappers over people.delivery and people.housekeeping."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from people import delivery, housekeeping


@shared_task(
    name="people.send_delivery",
    autoretry_for=(delivery.DeliveryFailed,),
    retry_backoff=30,  # 30 s, 60 s, 120 s, ... with jitter, capped at retry_backoff_max
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.NOTIFY_MAX_RETRIES,
    acks_late=True,
)
def send_delivery(delivery_id: int) -> bool:
    return delivery.send(delivery_id)


@shared_task(name="people.send_digests")
def send_digests() -> int:
    return delivery.digests_send()


@shared_task(name="people.certification_reminders")
def certification_reminders() -> int:
    return housekeeping.certification_reminders_send()


@shared_task(name="people.purge_notifications")
def purge_notifications() -> int:
    return housekeeping.notifications_purge()
