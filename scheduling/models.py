"""The schedule: the annual rotation plan, timed assignments, and the solver runs behind them."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Source(models.TextChoices):
    SOLVER = "solver", "Solver"
    MANUAL = "manual", "Manual"
    SWAP = "swap", "Swap"
    IMPORT = "import", "Import"


class ScheduleRun(CodedModel):
    class Kind(models.TextChoices):
        SCHEDULE = "schedule", "Shift schedule"
        ROTATION_PLAN = "rotation_plan", "Rotation plan"

    class Algorithm(models.TextChoices):
        GREEDY = "greedy", "Greedy"
        CPSAT = "cpsat", "CP-SAT"
        MIP = "mip", "MIP"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        # A schedule came back, but the validator found hard violations: publishing it needs
        # a coordinator override with a written reason (schedule_run_publish).
        WITH_VIOLATIONS = "with_violations", "Succeeded with violations"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    program = models.ForeignKey(
        "people.Program", on_delete=models.CASCADE, related_name="schedule_runs"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SCHEDULE)
    # The one default for the form, the API, the console action, the service and the demo: the
    # hybrid was best or within 1 % of the best on every residency scenario and benchmark
    # instance measured (docs/benchmarks-hybrid.md, runs 3 and 4): greedy > MIP on residency
    # programs, greedy > CP-SAT on rosters.
    DEFAULT_ALGORITHM = Algorithm.HYBRID
    algorithm = models.CharField(
        max_length=16, choices=Algorithm.choices, default=DEFAULT_ALGORITHM
    )
    start_date = models.DateField()
    end_date = models.DateField()
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=40, blank=True)
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    elapsed_seconds = models.FloatField(default=0)
    time_limit_seconds = models.PositiveIntegerField(default=60)
    metrics = models.JSONField(default=dict, blank=True)
    violations = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why a schedule with hard violations was published anyway."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="run_end_not_before_start"
            ),
            models.UniqueConstraint(
                fields=["program", "kind", "start_date", "end_date"],
                condition=Q(status__in=["queued", "running"]),
                name="run_one_active_per_program_period",
            ),
        ]
        indexes = [
            # The reaper looks for running runs whose heartbeat stopped.
            models.Index(fields=["status", "heartbeat_at"], name="run_status_heartbeat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def needs_override(self) -> bool:
        return self.status == self.Status.WITH_VIOLATIONS

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_draft(self) -> bool:
        """Succeeded, and neither published nor discarded: its rows await a decision."""
        return (
            self.status in (self.Status.SUCCEEDED, self.Status.WITH_VIOLATIONS)
            and self.published_at is None
            and self.discarded_at is None
        )


class ScheduleRunProgress(models.Model):
    """One progress sample of a run: the chart of objective and bound over time."""

    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="progress")
    elapsed_seconds = models.FloatField()
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    phase = models.CharField(max_length=40, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "elapsed_seconds"]

    def __str__(self) -> str:
        return f"{self.run_id} @ {self.elapsed_seconds:.1f}s"


class RotationAssignment(CodedModel):
    """Resident x block -> rotation: one row of the annual plan (a half block when split)."""

    class Half(models.TextChoices):
        FULL = "full", "Whole block"
        FIRST = "first", "First half"
        SECOND = "second", "Second half"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="rotation_assignments"
    )
    block = models.ForeignKey(
        "rotations.Block", on_delete=models.CASCADE, related_name="rotation_assignments"
    )
    rotation = models.ForeignKey(
        "rotations.Rotation", on_delete=models.PROTECT, related_name="assignments"
    )
    half = models.CharField(max_length=8, choices=Half.choices, default=Half.FULL)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    locked = models.BooleanField(
        default=False, help_text="Solvers keep locked entries as they are."
    )
    run = models.ForeignKey(
        ScheduleRun,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rotation_assignments",
    )

    class Meta:
        ordering = ["block", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "block", "half"],
                condition=Q(state="published"),
                name="rotation_assignment_one_published_per_slot",
            ),
            models.UniqueConstraint(
                fields=["person", "block", "half", "run"],
                condition=Q(state="draft"),
                name="rotation_assignment_one_draft_per_slot_run",
            ),
            models.CheckConstraint(
                condition=~Q(state="draft") | Q(run__isnull=False),
                name="rotation_assignment_draft_has_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.block} · {self.rotation}"

    @property
    def first_day(self) -> date:
        block = self.block
        return block.midpoint if self.half == self.Half.SECOND else block.start_date

    @property
    def last_day(self) -> date:
        block = self.block
        if self.half == self.Half.FIRST:
            return block.midpoint - timedelta(days=1)
        return block.end_date


class Assignment(CodedModel):
    """Person x date x shift type: the one schedule table (call is a shift category)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="assignments"
    )
    shift_type = models.ForeignKey(
        "rotations.ShiftType", on_delete=models.PROTECT, related_name="assignments"
    )
    date = models.DateField()
    # Materialised in UTC from the shift type and the program's timezone, so duty-hour queries
    # and feeds need no timezone arithmetic.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PUBLISHED)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    locked = models.BooleanField(default=False)
    run = models.ForeignKey(
        ScheduleRun, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    note = models.CharField(max_length=200, blank=True)
    # A coordinator's written reason for saving an edit that breaks a hard rule
    # (scheduling.edit_services.schedule_edit); shown on the grid's cell and kept in the audit log.
    override_reason = models.CharField(max_length=500, blank=True)
    # At-home call only: minutes actually spent in the hospital, entered after the fact
    # (assignment_callback_record); only these count toward the 80 hours.
    callback_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="assignment_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["person", "date", "shift_type"],
                condition=Q(state="published"),
                name="assignment_one_published_per_person_date_shift",
            ),
            models.UniqueConstraint(
                fields=["person", "date", "shift_type", "run"],
                condition=Q(state="draft"),
                name="assignment_one_draft_per_person_date_shift_run",
            ),
            models.CheckConstraint(
                condition=~Q(state="draft") | Q(run__isnull=False), name="assignment_draft_has_run"
            ),
        ]
        indexes = [
            # Feeds, pages and the validator read one person's schedule over a date range.
            models.Index(fields=["person", "state", "date"], name="assignment_person_date_idx"),
            # The manifest and grid read everyone's shifts on a range of dates.
            models.Index(fields=["state", "date"], name="assignment_state_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.shift_type.abbreviation} {self.date:%Y-%m-%d}"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at
