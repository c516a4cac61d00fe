"""Email and the program webhook: one Delivery per channel, sent once, failures recorded and
retried; a local HTTP server on 127.0.0.1 stands in for Slack."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from people import delivery
from people.models import Channel, Delivery, NotificationPreference, Program, ProgramWebhook
from people.notify import Event, notify
from people.tasks import send_delivery
from scheduler_project.celery import app as celery_app
from testing.webhook_server import WebhookServer, webhook_server

Status = Delivery.Status


@pytest.fixture
def eager() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def hook(program_a: Program) -> Iterator[WebhookServer]:
    with webhook_server() as server:
        ProgramWebhook.objects.create(program=program_a, url=server.url)
        yield server


def _tell(program: Program, recipients: list[Any], capture: Any, **extra: Any) -> None:
    with capture(execute=True):
        notify(
            recipients,
            extra.pop("event", Event.MESSAGE),
            program=program,
            title=extra.pop("title", "Block 4 is published"),
            body="3 shifts added",
            url="/schedule/",
            **extra,
        )


def test_email_and_webhook_are_delivered_once_each(
    program_a: Program,
    resident_a: Any,
    faculty_a: Any,
    hook: WebhookServer,
    eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _tell(program_a, [resident_a, faculty_a], django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([resident_a.email, faculty_a.email])
    message = mail.outbox[0]
    assert message.subject.endswith("Block 4 is published")
    assert "http://localhost:8000/schedule/" in message.body
    html, mime = message.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html" and "Block 4 is published" in html
    # The program's channel hears the event once, in Slack's incoming-webhook shape.
    assert len(hook.received) == 1
    assert "*Block 4 is published*" in hook.received[0]["text"]
    assert hook.received[0]["blocks"][0]["type"] == "section"
    rows = Delivery.objects.all()
    assert sorted(r.channel for r in rows) == ["email", "email", "webhook"]
    assert {(r.status, r.attempts) for r in rows} == {(Status.SENT, 1)}


def test_a_retried_or_doubled_task_sends_once(
    program_a: Program, resident_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _tell(program_a, [resident_a], django_capture_on_commit_callbacks)  # not eager: queued only
    row = Delivery.objects.get()
    assert (row.status, mail.outbox) == (Status.QUEUED, [])
    assert delivery.send(row.pk) is True
    assert delivery.send(row.pk) is False  # the retry finds it sent
    send_delivery.apply(args=[row.pk])
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


@pytest.mark.parametrize("status", [404, 500])
def test_a_refusing_webhook_is_recorded_and_retried_until_it_gives_up(
    status: int,
    program_a: Program,
    resident_a: Any,
    hook: WebhookServer,
    eager: None,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hook.status = status
    _tell(program_a, [resident_a], django_capture_on_commit_callbacks)
    row = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert row.status == Status.FAILED
    assert row.last_error == f"DeliveryFailed: The webhook answered HTTP {status}."
    # Retried with backoff (eager mode runs the retries at once) until max_retries.
    assert row.attempts == send_delivery.max_retries + 1 == len(hook.received)
    # The email of the same event went out regardless.
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Status.SENT


def test_a_webhook_that_recovers_is_sent_on_the_retry(
    program_a: Program,
    resident_a: Any,
    hook: WebhookServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hook.status = 503
    _tell(program_a, [resident_a], django_capture_on_commit_callbacks)
    row = Delivery.objects.get(channel=Channel.WEBHOOK)
    with pytest.raises(delivery.DeliveryFailed):
        delivery.send(row.pk)
    hook.status = 200
    assert delivery.send(row.pk) is True
    row.refresh_from_db()
    assert (row.status, row.attempts, len(hook.received)) == (Status.SENT, 2, 2)


def test_a_webhook_timeout_is_a_recorded_failure(
    program_a: Program,
    resident_a: Any,
    hook: WebhookServer,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.2
    hook.delay = 1.0
    _tell(program_a, [resident_a], django_capture_on_commit_callbacks)
    row = Delivery.objects.get(channel=Channel.WEBHOOK)
    with pytest.raises(delivery.DeliveryFailed, match="did not answer"):
        delivery.send(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "did not answer" in row.last_error


def test_a_webhook_url_must_be_http(program_a: Program) -> None:
    for bad in ("ftp://example.org/hook", "javascript:alert(1)", "file:///etc/passwd", "http://"):
        with pytest.raises(ValidationError):
            ProgramWebhook(program=program_a, url=bad).full_clean()
    ProgramWebhook(program=program_a, url="https://hooks.slack.com/services/T/B/X").full_clean()


def test_a_stored_non_http_url_fails_at_sending_without_blocking(
    program_a: Program, resident_a: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    ProgramWebhook.objects.create(program=program_a, url="ftp://example.org/hook")
    _tell(program_a, [resident_a], django_capture_on_commit_callbacks)
    row = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert row.status == Status.FAILED and "not http(s)" in row.last_error


def test_email_opt_out_and_webhook_event_filter(
    program_a: Program,
    resident_a: Any,
    faculty_a: Any,
    hook: WebhookServer,
    eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    NotificationPreference.objects.create(
        user=resident_a, program=program_a, muted_email=[Event.SCHEDULE_PUBLISHED]
    )
    ProgramWebhook.objects.filter(program=program_a).update(events=[Event.RUN_FAILED])
    _tell(
        program_a,
        [resident_a, faculty_a],
        django_capture_on_commit_callbacks,
        event=Event.SCHEDULE_PUBLISHED,
    )
    assert [m.to[0] for m in mail.outbox] == [faculty_a.email]
    assert hook.received == []
    # In-app is always on: both still have the notice.
    assert resident_a.notifications.count() == faculty_a.notifications.count() == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(
    program_a: Program, resident_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([resident_a], Event.MESSAGE, program=program_a, title="never")
            raise RuntimeError
    assert callbacks == [] and Delivery.objects.count() == 0
