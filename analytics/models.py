"""Pareto studies: alternative schedules for one period, each a draft a coordinator may publish."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel


class ParetoStudy(CodedModel):
    """One request for alternatives (analytics/pareto.py): anchors first, then an epsilon grid,
    one Celery task per point. ``points`` holds one entry per solve (index -> objectives,
    bounds, status, validity and the code of the draft ``ScheduleRun`` that keeps its
    schedule); the valid, mutually non-dominated ones are marked ``front`` when the study ends."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="pareto_studies"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=40, blank=True)
    time_limit_seconds = models.PositiveIntegerField(default=60)
    workers = models.PositiveSmallIntegerField(
        default=2, help_text="Solves the time limit is shared between (Celery workers)."
    )
    seed = models.IntegerField(default=0)
    names = models.JSONField(default=list, blank=True, help_text="Objectives, in vector order.")
    primaries = models.JSONField(
        default=list, blank=True, help_text="The objectives the grid minimises, in turn."
    )
    sweep = models.JSONField(default=list, blank=True)
    steps = models.JSONField(default=list, blank=True)
    tasks = models.JSONField(
        default=list, blank=True, help_text="The solves planned: bounds, start, time limit."
    )
    total = models.PositiveIntegerField(default=0, help_text="Solves planned so far.")
    done = models.PositiveIntegerField(default=0)
    points = models.JSONField(default=dict, blank=True, help_text="Solve index -> outcome.")
    hypervolume = models.FloatField(null=True, blank=True)
    reference = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "Pareto studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="pareto_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="pareto_done_not_above_total"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Alternatives {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d} "
            f"({self.get_status_display()})"
        )

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES
