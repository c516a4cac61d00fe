"""Periodic work on people's data (run by beat through people.tasks), each step idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from lib.timezones import zone
from people.models import Certification, Notification, Program
from people.notify import Event, managers_of, notify

# Reminders go out when a certification is this many days (or fewer) from expiring.
REMINDER_DAYS = (7, 30, 60)


def _threshold(days_left: int) -> int | None:
    return next((days for days in REMINDER_DAYS if days_left <= days), None)


def certification_reminders_send(today: date | None = None) -> int:
    """Tell the holder and the program's coordinators once per threshold (60, 30, 7 days).

    A certification first seen 20 days before it expires gets the 30-day reminder only; running
    this twice sends nothing new (the notice itself records which threshold was told)."""
    sent = 0
    for program in Program.objects.all():
        day = today or timezone.localdate(timezone.now(), zone(program))
        expiring = Certification.objects.filter(
            person__program=program,
            person__active=True,
            expires_on__gt=day,
            expires_on__lte=day + timedelta(days=max(REMINDER_DAYS)),
        ).select_related("person")
        managers = managers_of(program)
        for certification in expiring:
            expires_on = certification.expires_on
            assert expires_on is not None  # filtered above
            days_left = (expires_on - day).days
            threshold = _threshold(days_left)
            told = Notification.objects.filter(
                event=Event.CERTIFICATION_EXPIRING,
                context__certification=str(certification.code),
                context__threshold=threshold,
            ).exists()
            if threshold is None or told:
                continue
            notify(
                [certification.person, *managers],
                Event.CERTIFICATION_EXPIRING,
                program=program,
                title=f"{certification.name} of {certification.person} expires in {days_left} days",
                body=f"It expires on {expires_on:%d %b %Y}; renew it before then.",
                context={
                    "certification": str(certification.code),
                    "threshold": threshold,
                    "expires_on": expires_on.isoformat(),
                },
            )
            sent += 1
    return sent


def notifications_purge() -> int:
    """Delete notifications read more than NOTIFICATION_RETENTION_DAYS ago (unread ones stay)."""
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
