"""Snapshots of coverage risk (utilisation, defence level, N-1/N-2 contingency)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q


class ResilienceSnapshot(models.Model):
    class DefenseLevel(models.TextChoices):
        GREEN = "green", "Green: normal"
        YELLOW = "yellow", "Yellow: strained"
        ORANGE = "orange", "Orange: backup in use"
        RED = "red", "Red: sacrificing non-essential work"
        BLACK = "black", "Black: unsafe"
        UNKNOWN = "unknown", "Unknown: program data missing"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="resilience_snapshots"
    )
    taken_at = models.DateTimeField(auto_now_add=True)
    start_date = models.DateField()
    end_date = models.DateField()
    utilization = models.FloatField(help_text="Scheduled duty over available capacity (0–1+).")
    defense_level = models.CharField(max_length=8, choices=DefenseLevel.choices)
    n1_failures = models.PositiveIntegerField(
        default=0, help_text="Single absences that break coverage."
    )
    n2_failures = models.PositiveIntegerField(
        default=0, help_text="Pairs of absences that break coverage."
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-taken_at"]
        get_latest_by = "taken_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(utilization__gte=0), name="resilience_utilization_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="resilience_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.taken_at:%Y-%m-%d %H:%M} {self.get_defense_level_display()}"


DEFAULT_SACRIFICE_ORDER = [
    "patient_safety",
    "acgme_required",
    "continuity",
    "core_education",
    "research",
    "administration",
    "optional_education",
]


def default_sacrifice_order() -> list[str]:
    return list(DEFAULT_SACRIFICE_ORDER)


def default_fallback_scenarios() -> list[str]:
    return ["lose_one_faculty"]


class ResilienceSettings(models.Model):
    """A program's thresholds (utilisation at which each defence level starts), the order in
    which demand categories are protected (first = shed last) and the fallbacks it keeps."""

    program = models.OneToOneField(
        "people.Program", on_delete=models.CASCADE, related_name="resilience_settings"
    )
    yellow_at = models.FloatField(default=0.70)
    orange_at = models.FloatField(default=0.80)
    red_at = models.FloatField(default=0.90)
    black_at = models.FloatField(default=0.95)
    faculty_weekly_hours = models.FloatField(
        default=60.0, help_text="Faculty duty ceiling per week (residents use the ACGME limit)."
    )
    sacrifice_order = models.JSONField(
        default=default_sacrifice_order,
        help_text="Coverage categories from most protected to first shed.",
    )
    fallback_scenarios = models.JSONField(
        default=default_fallback_scenarios,
        blank=True,
        help_text='Fallbacks to precompute, e.g. ["lose_one_faculty", "lose_two_faculty", '
        '"holiday_skeleton", "lose_30pct_residents"].',
    )

    class Meta:
        verbose_name_plural = "resilience settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_at__gt=0)
                & Q(orange_at__gte=F("yellow_at"))
                & Q(red_at__gte=F("orange_at"))
                & Q(black_at__gte=F("red_at")),
                name="resilience_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Resilience settings of {self.program}"


class ContingencyStudy(models.Model):
    """N-1 / N-2 of one program and period: one scenario per removed person (or pair), each
    re-solved from the published schedule; ``results`` holds one entry per scenario."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="contingency_studies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    time_limit_seconds = models.PositiveIntegerField(default=10)
    scenarios = models.JSONField(default=list, help_text="Each scenario: the person codes removed.")
    results = models.JSONField(default=dict, blank=True, help_text="Scenario index -> outcome.")
    elapsed_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "contingency studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="contingency_done_not_above_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} N-1/N-2 {self.start_date:%Y-%m-%d} ({self.done}/{self.total})"


class Fallback(models.Model):
    """A precomputed fallback schedule: a draft run of the normal kind, published on activation.
    The dashboard and the API name it by ``code`` (STYLE rule 6), never by its database id."""

    class Scenario(models.TextChoices):
        LOSE_ONE_FACULTY = "lose_one_faculty", "Lose the busiest faculty member"
        LOSE_TWO_FACULTY = "lose_two_faculty", "Lose the two busiest faculty members"
        HOLIDAY_SKELETON = "holiday_skeleton", "Holiday skeleton (minimum coverage only)"
        LOSE_30PCT_RESIDENTS = "lose_30pct_residents", "Lose 30 % of residents to illness"

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="fallbacks"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scenario = models.CharField(max_length=32, choices=Scenario.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    computed_at = models.DateTimeField(auto_now_add=True)
    run = models.ForeignKey(
        "scheduling.ScheduleRun", on_delete=models.CASCADE, related_name="+", null=True
    )
    removed = models.JSONField(default=list, blank=True, help_text="Person codes taken out.")
    baseline_signature = models.CharField(
        max_length=64, help_text="Digest of the published schedule it was computed from."
    )
    baseline = models.JSONField(
        default=list, blank=True, help_text="The published rows it replaces (for restoring)."
    )
    summary = models.JSONField(default=dict, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="fallback_end_not_before_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scenario_display()} {self.start_date:%Y-%m-%d}"

    @property
    def outcome(self) -> str:
        """One line for the dashboard: what publishing it would change, or why there is nothing
        to publish (nobody to take away, or the re-solve found no schedule)."""
        summary = self.summary or {}
        if summary.get("why"):
            return str(summary["why"])
        diff = summary.get("diff") or {}
        if not diff:
            return f"No fallback schedule: {summary.get('error') or summary.get('status') or '?'}"
        return f"{diff.get('added', 0)} added, {diff.get('removed', 0)} removed"

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None and self.deactivated_at is None
