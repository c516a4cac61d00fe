"""Rows the API keeps for itself: idempotent POST replays, import jobs and the record of each
import."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lib.models import CodedModel


class IdempotencyKey(models.Model):
    """One client-chosen key per user: the same POST sent again gets the first answer back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict, blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_key_per_user"),
        ]
        indexes = [
            # idempotency_keys_purge deletes keys older than a day.
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ImportRecord(CodedModel):
    """One applied import: what, by whom, how many rows changed (rows themselves are audited)."""

    class Kind(models.TextChoices):
        PEOPLE = "people", "People"
        ABSENCES = "absences", "Absences"
        ROTATION_PLAN = "rotation-plan", "Rotation plan"
        SCHEDULE = "schedule", "Schedule"

    program = models.ForeignKey("people.Program", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import · {self.filename}"


class TokenRevocation(models.Model):
    """When a user's tokens were last revoked (logout, or by a coordinator): any API token issued
    before this instant is refused, access tokens included, not only refresh tokens."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    revoked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} revoked at {self.revoked_at:%Y-%m-%d %H:%M}"


class ImportJob(CodedModel):
    """One uploaded file on its way in: read and checked by a worker (preview), then applied on
    request; the page and the API poll its status. The file is kept only until the job ends."""

    class Mode(models.TextChoices):
        PREVIEW = "preview", "Preview"
        APPLY = "apply", "Apply"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Reading"
        PREVIEWED = "previewed", "Previewed"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    FINISHED = (Status.PREVIEWED, Status.APPLIED, Status.FAILED)

    program = models.ForeignKey("people.Program", on_delete=models.CASCADE, related_name="+")
    academic_year = models.ForeignKey(
        "people.AcademicYear", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ImportRecord.Kind.choices)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.PREVIEW)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes uploaded.")
    content = models.BinaryField(
        blank=True, default=b"", help_text="The uploaded file; emptied when the job ends."
    )
    override_reason = models.TextField(
        blank=True, help_text="Why schedule rows that break hard rules may be written."
    )
    rows_read = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the file read.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The preview (or apply) summary.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "status"], name="importjob_program_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import · {self.filename} · {self.get_status_display()}"
