"""Snapshots of coverage risk (utilisation, defence level, N-1/N-2 contingency)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class ResilienceSnapshot(models.Model):
    class DefenseLevel(models.TextChoices):
        GREEN = "green", "Green: normal"
        YELLOW = "yellow", "Yellow: strained"
        ORANGE = "orange", "Orange: backup in use"
        RED = "red", "Red: sacrificing non-essential work"
        BLACK = "black", "Black: unsafe"

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
