"""Programs and their academic years, the people in them, their roles, absences, credentials
and feeds. Requests and standing preferences live in ``people.models_preferences``; delivery and
invitations in ``people.models_delivery`` (both imported at the end)."""

from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel
from lib.params import is_site_path
from people.rules import (
    FORBIDDEN_TRUE,
    NUMERIC_BOUNDS,
    default_workload_weights,
    override_checks,
    override_errors,
    supervision_errors,
    workload_errors,
)
from scheduling.engine.model import RULE_SETS

PGY_MIN, PGY_MAX = 1, 8

TIMEZONE_CHOICES = sorted((tz, tz) for tz in available_timezones())


def default_supervision_ratios() -> dict[str, int]:
    # Program policy, not ACGME text: one faculty per 2 PGY-1 and per 4 PGY-2+ residents.
    return {"1": 2, "2": 4}


def validate_site_path(value: str) -> None:
    if value and not is_site_path(value):
        raise ValidationError("Give a path inside this site, such as /requests/.")


class Program(CodedModel):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="America/New_York")
    acgme_rules_version = models.CharField(  # the versions the engine ships
        max_length=40, choices=[(v, v) for v in RULE_SETS], default="ACGME-CPR-2025"
    )
    rule_overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'Stricter local rules, e.g. {"max_call_nights_per_window": 8}; values that loosen '
            "ACGME are refused (docs/rules.md)."
        ),
    )
    supervision_ratios = models.JSONField(
        default=default_supervision_ratios,
        help_text='Residents per faculty member by PGY level, e.g. {"1": 2, "2": 4}.',
    )
    director_attending_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The program director's attending weeks a year, unless "
        "their own target says otherwise."
    )  # fmt: skip
    # Program policy, not ACGME (docs/rules.md).
    max_consecutive_night_float = models.PositiveSmallIntegerField(default=6)

    workload_weights = models.JSONField(
        default=default_workload_weights,
        blank=True,
        help_text=(
            "Workload points per item in the fairness report: hours, calls, weekend_calls, "
            'nights, holidays, e.g. {"hours": 0.1, "calls": 2, "weekend_calls": 3}.'
        ),
    )

    class LeaveReading(models.TextChoices):
        OMIT = "omit", "Leave days leave the 4-week average (stricter)"
        ZERO = "zero", "Leave days count as zero-hour days"

    leave_in_average = models.CharField(
        max_length=8,
        choices=LeaveReading.choices,
        default=LeaveReading.OMIT,
        help_text="How approved leave enters the 80-hour average over 4 weeks (docs/rules.md).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_consecutive_night_float__gte=1),
                name="program_night_float_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(acgme_rules_version__in=list(RULE_SETS)), name="program_rule_set_known"
            ),
            models.CheckConstraint(
                condition=Q(leave_in_average__in=["omit", "zero"]),
                name="program_leave_in_average_known",
            ),
            # Overrides only tighten ACGME: one check per rule (people/rules.py).
            *(
                models.CheckConstraint(condition=check, name=f"program_override_{key}_tightens")
                for key, check in zip(
                    [*NUMERIC_BOUNDS, *FORBIDDEN_TRUE], override_checks(), strict=True
                )
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        errors = override_errors(self.rule_overrides)
        if errors:
            raise ValidationError({"rule_overrides": errors})
        if errors := workload_errors(self.workload_weights):
            raise ValidationError({"workload_weights": errors})
        if errors := supervision_errors(self.supervision_ratios, PGY_MIN, PGY_MAX):
            raise ValidationError({"supervision_ratios": errors})


class AcademicYear(CodedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=40, help_text="e.g. 2026–2027")
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        # The table keeps the name it had when the model lived in rotations (migration 0003).
        db_table = "rotations_academicyear"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="academic_year_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["program", "start_date"], name="academic_year_unique_start_per_program"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.name}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The academic year must end after it starts."})

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Person(CodedModel):
    class Kind(models.TextChoices):
        RESIDENT = "resident", "Resident"
        FACULTY = "faculty", "Faculty"
        STAFF = "staff", "Other staff"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    training_start = models.DateField(
        null=True, blank=True, help_text="First day of PGY-1; PGY is derived from it each year."
    )
    pgy_override = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="PGY level for the override year (e.g. a repeated year)."
    )
    pgy_override_year = models.ForeignKey(
        AcademicYear, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_program_director = models.BooleanField(default=False)
    is_adjunct = models.BooleanField(default=False)
    adjunct_takes_call = models.BooleanField(
        default=False, help_text="Adjunct faculty take no call unless this is ticked."
    )
    attending_weeks_target = models.PositiveSmallIntegerField(null=True, blank=True)
    clinic_sessions_target = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Faculty: clinic half-days and precepting sessions a year.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(pgy_override__isnull=True)
                | Q(pgy_override__gte=PGY_MIN, pgy_override__lte=PGY_MAX),
                name="person_pgy_override_in_range",
            ),
            models.CheckConstraint(
                condition=Q(pgy_override__isnull=True, pgy_override_year__isnull=True)
                | Q(pgy_override__isnull=False, pgy_override_year__isnull=False),
                name="person_pgy_override_has_year",
            ),
            models.CheckConstraint(
                condition=~Q(kind="resident") | Q(training_start__isnull=False),
                name="person_resident_has_training_start",
            ),
        ]
        indexes = [
            # Admin and pages list a program's people by kind.
            models.Index(fields=["program", "kind"], name="person_program_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def pgy_in(self, year: AcademicYear) -> int | None:
        """PGY level during an academic year: derived from training start unless overridden."""
        if self.kind != self.Kind.RESIDENT or self.training_start is None:
            return None
        if self.pgy_override is not None and self.pgy_override_year_id == year.pk:
            return self.pgy_override
        return pgy_from_training_start(self.training_start, year.start_date)

    def clean(self) -> None:
        if self.kind == self.Kind.RESIDENT and self.training_start is None:
            raise ValidationError({"training_start": "A resident needs a training start date."})
        if (self.pgy_override is None) != (self.pgy_override_year_id is None):
            raise ValidationError(
                {"pgy_override": "Give both the PGY override and its academic year, or neither."}
            )
        if self.pgy_override is not None and not PGY_MIN <= self.pgy_override <= PGY_MAX:
            raise ValidationError({"pgy_override": f"PGY must be between {PGY_MIN} and {PGY_MAX}."})


def pgy_from_training_start(training_start: date, year_start: date) -> int:
    """Whole years of training completed by the year's start, plus one."""
    years = year_start.year - training_start.year
    if (year_start.month, year_start.day) < (training_start.month, training_start.day):
        years -= 1
    return max(years + 1, PGY_MIN)


class Membership(CodedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", "Program admin"
        COORDINATOR = "coordinator", "Coordinator"
        FACULTY = "faculty", "Faculty"
        RESIDENT = "resident", "Resident"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )

    MANAGER_ROLES = (Role.ADMIN, Role.COORDINATOR)

    class Meta:
        ordering = ["program", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"], name="membership_one_role_per_program"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(person__isnull=False),
                name="membership_one_user_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    def clean(self) -> None:
        if self.person_id is None:
            return
        person = self.person
        if person is None:
            return
        if person.program_id != self.program_id:
            raise ValidationError({"person": "This person belongs to another program."})
        expected = {
            self.Role.RESIDENT: Person.Kind.RESIDENT,
            self.Role.FACULTY: Person.Kind.FACULTY,
        }
        if self.role in expected and person.kind != expected[self.Role(self.role)]:
            raise ValidationError(
                {
                    "role": f"A {self.get_role_display().lower()} membership must link a {expected[self.Role(self.role)].label.lower()}, not {person.get_kind_display().lower()}."
                }
            )


class Absence(CodedModel):
    class Kind(models.TextChoices):
        VACATION = "vacation", "Vacation"
        SICK = "sick", "Sick"
        CONFERENCE = "conference", "Conference"
        PARENTAL = "parental", "Parental leave"
        MILITARY = "military", "Military"
        BEREAVEMENT = "bereavement", "Bereavement"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    start_date = models.DateField()
    end_date = models.DateField()
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="absence_end_not_before_start"
            ),
        ]
        indexes = [
            # Conflict detection and problem building ask "who is away between these dates".
            models.Index(
                fields=["person", "start_date", "end_date"], name="absence_person_dates_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The absence ends before it starts."})


class Certification(CodedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(max_length=100, help_text="e.g. ACLS, BLS, PALS, NRP.")
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="certification_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.person}"

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": "The certification expires before it was issued."})


class Procedure(CodedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="procedures")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="procedure_unique_name_per_program"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcedureCredential(CodedModel):
    class Level(models.TextChoices):
        SUPERVISED = "supervised", "Supervised"
        INDEPENDENT = "independent", "Independent"
        SUPERVISOR = "supervisor", "May supervise"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credentials")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="credentials")
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.INDEPENDENT)
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "procedure"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "procedure"], name="credential_one_per_person_procedure"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("granted_on")),
                name="credential_expires_after_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} · {self.person}"

    def clean(self) -> None:
        if self.granted_on and self.expires_on and self.expires_on <= self.granted_on:
            raise ValidationError({"expires_on": "The credential expires before it was granted."})
        if (
            self.person_id
            and self.procedure_id
            and self.person.program_id != self.procedure.program_id
        ):
            raise ValidationError({"procedure": "This procedure belongs to another program."})


class Notification(CodedModel):
    class Kind(models.TextChoices):
        INFO = "info", "Information"
        REQUEST = "request", "Request decided"
        SWAP = "swap", "Swap"
        SCHEDULE = "schedule", "Schedule published"
        CONFLICT = "conflict", "Conflict"

    class Event(models.TextChoices):
        SCHEDULE_PUBLISHED = "schedule_published", "Schedule published"
        ASSIGNMENT_CHANGED = "assignment_changed", "My assignment changed"
        SWAP_OFFERED = "swap_offered", "Swap offered to me"
        SWAP_ACCEPTED = "swap_accepted", "Swap accepted"
        SWAP_APPROVED = "swap_approved", "Swap approved"
        SWAP_REJECTED = "swap_rejected", "Swap rejected"
        SWAP_EXECUTED = "swap_executed", "Swap executed"
        SWAP_UNDONE = "swap_undone", "Swap undone"
        SWAP_WITHDRAWN = "swap_withdrawn", "Swap withdrawn"
        CONFLICT_RAISED = "conflict_raised", "Conflict on my shifts"
        REQUEST_DECIDED = "request_decided", "Absence or request decided"
        CERTIFICATION_EXPIRING = "certification_expiring", "Certification expiring"
        RUN_FINISHED = "run_finished", "Schedule run finished"
        RUN_FAILED = "run_failed", "Schedule run failed"
        MESSAGE = "message", "Message"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INFO)
    event = models.CharField(max_length=32, choices=Event.choices, default=Event.MESSAGE)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_site_path],
        help_text="A path inside this site, such as /requests/.",
    )
    context = models.JSONField(default=dict, blank=True, help_text="Details of the event.")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Links in notifications stay inside the site: no javascript:, no other host.
            models.CheckConstraint(
                condition=Q(url="")
                | (
                    Q(url__startswith="/")
                    & ~Q(url__startswith="//")
                    & ~Q(url__contains="\\")
                    & ~Q(url__contains=":")
                ),
                name="notification_url_is_site_path",
            ),
        ]
        indexes = [
            # The dashboard shows a user's unread notifications, newest first.
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    @property
    def link(self) -> str:
        """The URL to show: a path inside the site, or nothing."""
        return self.url if is_site_path(self.url) else ""

    def __str__(self) -> str:
        return self.title


class CalendarSubscription(CodedModel):
    """A calendar feed link. The token is shown once; only its SHA-256 hash is stored."""

    class Scope(models.TextChoices):
        PERSON = "person", "My schedule"
        ROTATION = "rotation", "A rotation"
        PROGRAM = "program", "Whole program"

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    owner = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.PERSON)
    rotation = models.ForeignKey(
        "rotations.Rotation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        max_length=8, editable=False, help_text="First characters, to tell links apart."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="rotation") | Q(rotation__isnull=False),
                name="subscription_rotation_scope_names_rotation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.get_scope_display()} · {self.token_hint}…"


# Delivery, preferences and invitations live beside these (people.models_delivery).
from people.models_delivery import (  # noqa: E402, F401
    Channel,
    Delivery,
    Invitation,
    NotificationPreference,
    ProgramWebhook,
)

# Dated requests (wishes and blocked dates) and standing preferences (people.models_preferences).
from people.models_preferences import (  # noqa: E402, F401
    BlockReason,
    PreferencePolicy,
    Request,
    StandingPreference,
)
from people.models_rules import ProgramRule  # noqa: E402, F401
