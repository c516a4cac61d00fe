"""Preferences (page and effect), the daily digest, the layout's unread badge, and the beat's
housekeeping (certification reminders, purges), each idempotent."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.services import expired_tokens_purge
from people import delivery, housekeeping
from people.models import (
    Certification,
    Delivery,
    Notification,
    NotificationPreference,
    Program,
)
from people.notify import Event, notify


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_settings_page_saves_email_opt_outs_and_the_digest(
    program_a: Program, resident_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(resident_a)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "Always" in page.content.decode()
    answer = client.post(
        "/notifications/settings/",
        {"email": [Event.SWAP_OFFERED, Event.REQUEST_DECIDED]},
        headers={"HX-Request": "true"},
    )
    assert "Saved." in answer.content.decode() and "<html" not in answer.content.decode()
    preference = NotificationPreference.objects.get(user=resident_a, program=program_a)
    assert Event.SCHEDULE_PUBLISHED in preference.muted_email
    assert Event.SWAP_OFFERED not in preference.muted_email and not preference.digest

    with django_capture_on_commit_callbacks(execute=True):
        notify([resident_a], Event.SCHEDULE_PUBLISHED, program=program_a, title="Muted by email")
        notify([resident_a], Event.SWAP_OFFERED, program=program_a, title="Emailed")
    assert list(Delivery.objects.values_list("notification__title", flat=True)) == ["Emailed"]
    assert resident_a.notifications.count() == 2  # in-app always


def test_the_digest_folds_the_days_events_into_one_email_once(
    program_a: Program, resident_a: Any, faculty_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationPreference.objects.create(user=resident_a, program=program_a, digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("Swap offered", "Schedule published", "Request approved"):
            notify([resident_a, faculty_a], Event.MESSAGE, program=program_a, title=title)
    # No email per event for the digest reader; the others get theirs.
    assert Delivery.objects.filter(notification__recipient=resident_a).count() == 0
    assert Delivery.objects.filter(notification__recipient=faculty_a).count() == 3
    # 10:00 in New York, past the digest hour: one email with all three, then nothing more.
    now = timezone.now()
    assert delivery.digests_send(now) == 1
    assert delivery.digests_send(now + timedelta(hours=3)) == 0
    (digest,) = mail.outbox
    assert digest.to == [resident_a.email]
    for title in ("Swap offered", "Schedule published", "Request approved"):
        assert title in digest.body
    # Before 7:00 the next day nothing goes; after it, only the new day's (none): no email.
    assert delivery.digests_send(datetime(2026, 10, 15, 10, 0, tzinfo=UTC)) == 0
    assert delivery.digests_send(datetime(2026, 10, 15, 12, 0, tzinfo=UTC)) == 0
    assert len(mail.outbox) == 1


def test_the_layout_shows_the_unread_count_and_newest_title(
    program_a: Program, resident_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(resident_a)
    assert 'class="badge" aria-label' not in client.get("/notifications/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        notify([resident_a], Event.MESSAGE, program=program_a, title="Block 4 changed")
    html = client.get("/notifications/").content.decode()
    assert 'title="Block 4 changed"' in html and 'aria-label="1 unread"' in html


def _certification(person: Any, expires: date) -> Certification:
    return Certification.objects.create(
        person=person, name="ACLS", issued_on=date(2024, 1, 1), expires_on=expires
    )


def test_certification_reminders_go_once_per_threshold_to_holder_and_coordinators(
    program_a: Program,
    program_b: Program,
    resident_a: Any,
    coordinator_a: Any,
    coordinator_b: Any,
    faculty_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = resident_a.memberships.get().person
    today = date(2026, 10, 14)
    _certification(person, today + timedelta(days=45))
    _certification(faculty_a.memberships.get().person, today + timedelta(days=200))  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert housekeeping.certification_reminders_send(today) == 1
    assert housekeeping.certification_reminders_send(today) == 0  # idempotent
    told = Notification.objects.filter(event=Event.CERTIFICATION_EXPIRING)
    assert set(told.values_list("recipient", flat=True)) == {resident_a.pk, coordinator_a.pk}
    assert told.first().context["threshold"] == 60  # type: ignore[union-attr]
    # 20 days on, 25 days left: the 30-day reminder; 40 days on, 5 left: the 7-day one.
    for days, sent in ((20, 1), (40, 1), (41, 0)):
        with django_capture_on_commit_callbacks(execute=True):
            assert housekeeping.certification_reminders_send(today + timedelta(days=days)) == sent
    thresholds = told.filter(recipient=resident_a).values_list("context__threshold", flat=True)
    assert sorted(thresholds) == [7, 30, 60]
    assert not Notification.objects.filter(recipient__in=[coordinator_b, faculty_a]).exists()


def test_read_notifications_are_purged_after_the_retention_and_unread_kept(
    program_a: Program, resident_a: Any, settings: Any
) -> None:
    settings.NOTIFICATION_RETENTION_DAYS = 30
    now = timezone.now()
    old_read = Notification.objects.create(
        recipient=resident_a, program=program_a, title="old", read_at=now - timedelta(days=31)
    )
    recent = Notification.objects.create(
        recipient=resident_a, program=program_a, title="new", read_at=now - timedelta(days=3)
    )
    unread = Notification.objects.create(recipient=resident_a, program=program_a, title="unread")
    assert housekeeping.notifications_purge() == 1
    assert housekeeping.notifications_purge() == 0
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}
    assert not Notification.objects.filter(pk=old_read.pk).exists()


def test_expired_refresh_tokens_and_their_blacklist_rows_are_purged(resident_a: Any) -> None:
    now = timezone.now()
    dead = OutstandingToken.objects.create(
        user=resident_a, jti="dead", token="x", expires_at=now - timedelta(days=1)
    )
    live = OutstandingToken.objects.create(
        user=resident_a, jti="live", token="y", expires_at=now + timedelta(days=1)
    )
    BlacklistedToken.objects.create(token=dead)
    BlacklistedToken.objects.create(token=live)
    assert expired_tokens_purge() == 2  # the token and its blacklist row
    assert expired_tokens_purge() == 0
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == ["live"]


@pytest.mark.parametrize("path", ["/notifications/settings/"])
def test_the_settings_page_needs_a_login(path: str, db: None) -> None:
    assert Client().get(path).status_code == 302
