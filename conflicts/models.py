"""Conflict alerts raised when the live schedule breaks a rule (detectors come later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel


class ConflictAlert(CodedModel):
    class Kind(models.TextChoices):
        ABSENCE = "absence", "Absence over a shift"
        COVERAGE = "coverage", "Coverage gap"
        DUTY_HOURS = "duty_hours", "Duty-hour rule"
        SUPERVISION = "supervision", "Supervision ratio"
        CREDENTIAL = "credential", "Missing credential"

    class Severity(models.TextChoices):
        CRITICAL = "critical", "Critical"
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="conflict_alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assignment = models.ForeignKey(
        "scheduling.Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    absence = models.ForeignKey(
        "people.Absence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    message = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    resolution = models.JSONField(default=dict, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="conflict_end_not_before_start"
            ),
        ]
        indexes = [
            # The coordinator's queue: a program's open alerts.
            models.Index(fields=["program", "status"], name="conflict_program_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} · {self.get_kind_display()} · {self.start_date:%Y-%m-%d}"
