"""Conflict alerts raised when the live schedule breaks a rule, and how a program resolves them.

``ConflictAlert`` rows are written only by ``conflicts.services`` (detection keeps one open alert per
fingerprint and resolves it when the conflict disappears); ``ConflictPolicy`` holds a program's
resolution settings and ``BackupDuty`` its backup (jeopardy) pool by date.
"""

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
        DOUBLE_BOOKING = "double_booking", "Double booking"
        ELIGIBILITY = "eligibility", "Not eligible"
        NEAR_LIMIT = "near_limit", "Near the duty-hour limit"
        WORKLOAD = "workload", "Workload imbalance"
        INACTIVE = "inactive", "Inactive person holds shifts"

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
    rule = models.CharField(max_length=64, blank=True, help_text="The rule id, e.g. acgme.min_rest")
    # The same conflict always has the same fingerprint: one open alert per fingerprint.
    fingerprint = models.CharField(max_length=200, blank=True)
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
    # The latest resolution candidates and the schedule stamp they were computed against.
    candidates = models.JSONField(default=list, blank=True)
    candidates_stamp = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="conflict_end_not_before_start"
            ),
            models.UniqueConstraint(
                fields=["program", "fingerprint"],
                condition=Q(status__in=["open", "acknowledged"]) & ~Q(fingerprint=""),
                name="conflict_one_open_per_fingerprint",
            ),
        ]
        indexes = [
            # The coordinator's queue: a program's open alerts.
            models.Index(fields=["program", "status"], name="conflict_program_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} · {self.get_kind_display()} · {self.start_date:%Y-%m-%d}"


class ConflictPolicy(models.Model):
    """A program's conflict-resolution settings; a program without a row gets these defaults."""

    class Order(models.TextChoices):
        JUNIOR_FIRST = "junior_first", "Junior first"
        SENIOR_FIRST = "senior_first", "Senior first"

    program = models.OneToOneField(
        "people.Program", on_delete=models.CASCADE, related_name="conflict_policy"
    )
    auto_apply_low_risk = models.BooleanField(
        default=False,
        help_text="Apply the top candidate of a low-severity alert by itself when it is "
        "compliant and moves at most one other person.",
    )
    reassign_order = models.CharField(
        max_length=16, choices=Order.choices, default=Order.JUNIOR_FIRST
    )
    # Shift types that may be split: {"CALL": ["WD", "NT"]} splits a CALL into a WD and an NT.
    splits = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "conflict policies"

    def __str__(self) -> str:
        return f"Conflict policy · {self.program}"


class BackupDuty(CodedModel):
    """A person in the backup (on-call jeopardy) pool on a date."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="backup_duties"
    )
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "person"]
        verbose_name_plural = "backup duties"
        constraints = [
            models.UniqueConstraint(fields=["person", "date"], name="backup_duty_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"Backup · {self.person} · {self.date:%Y-%m-%d}"
