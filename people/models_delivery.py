"""Delivery of notifications beyond the in-app list, preferences, and account invitations.

Imported at the end of ``people.models`` so Django sees these models as the people app's; they
name the models there by string, so this module imports nothing back from it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lib.models import CodedModel


def validate_webhook_url(value: str) -> None:
    """Webhooks go to http(s) hosts only: no file:, javascript:, or host-less URLs."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("A webhook URL starts with http:// or https:// and names a host.")


class Channel(models.TextChoices):
    IN_APP = "in_app", "In-app"
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Program webhook"


class ProgramWebhook(CodedModel):
    """A program's chat webhook: Slack-compatible incoming-webhook JSON for every event."""

    program = models.OneToOneField(
        "people.Program", on_delete=models.CASCADE, related_name="webhook"
    )
    url = models.URLField(
        max_length=500,
        validators=[validate_webhook_url],
        help_text="An incoming-webhook URL (Slack, Mattermost, Teams' Slack-compatible hooks).",
    )
    events = models.JSONField(
        default=list, blank=True, help_text="Event names to post; empty posts every event."
    )
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Webhook of {self.program}"

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class NotificationPreference(CodedModel):
    """One person's choices in one program. In-app notices are always recorded (they are the
    record the digest and the unread count read); email can be muted per event, or folded into
    one daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    program = models.ForeignKey("people.Program", on_delete=models.CASCADE, related_name="+")
    muted_email = models.JSONField(
        default=list, blank=True, help_text="Events never sent by email."
    )
    digest = models.BooleanField(
        default=False, help_text="One email a day with the day's events instead of one each."
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="one_preference_per_seat")
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user} in {self.program}"

    def emails(self, event: str) -> bool:
        return not self.digest and event not in self.muted_email


class Delivery(CodedModel):
    """One notification on one channel: queued, then sent or failed (with the reason)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        "people.Notification", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="one_delivery_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class Invitation(CodedModel):
    """A one-time link to create an account in a program, sent by a coordinator.

    Only the token's hash is stored; the link itself is in the email alone."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    # One of Membership.Role (checked by people.accounts, which offers the choices).
    role = models.CharField(max_length=16)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_count = models.PositiveSmallIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING
