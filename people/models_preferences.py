"""What people ask of the schedule: dated requests (wishes and blocked dates), standing
preferences (preferred and avoided shift types and weekdays, faculty workload targets), and each
program's policy for them.

A *blocked date* is a ``Request`` of kind ``BLOCKED``: a dated "do not schedule me", with a
reason category. It shares the request's life (pending, approved, denied, cancelled), review
queue, decision service and notification; the translator (scheduling/problem_preferences.py)
makes an approved one hard unavailability or a heavy weighted wish, as the program's
``PreferencePolicy`` says. It is not an ``Absence``: it is no leave (the 80-hour average and
conflict detection ignore it) and no one need cover for it; it only keeps the generator away.

Imported at the end of ``people.models`` so Django sees these models as the people app's; they
name the models there by string, so this module imports nothing back from it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel

WEIGHT_MIN, WEIGHT_MAX = 1, 10
WEEKS_PER_YEAR = 52
CLINIC_SESSIONS_PER_YEAR = 2 * 7 * WEEKS_PER_YEAR  # two half-days a day, every day


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BlockReason(models.TextChoices):
    CONFERENCE = "conference", "Conference or meeting"
    TEACHING = "teaching", "Teaching or course"
    RESEARCH = "research", "Research or academic time"
    PERSONAL = "personal", "Personal"
    FAMILY = "family", "Family"
    RELIGIOUS = "religious", "Religious observance"
    HEALTH = "health", "Health appointment"
    OTHER = "other", "Other"


class PreferenceStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    CANCELLED = "cancelled", "Cancelled"


class Request(CodedModel):
    """A dated wish: prefer to work, or not to work, a date range (optionally one shift type);
    or a blocked date range (with a reason) the generator must keep free."""

    class Kind(models.TextChoices):
        PREFER_ON = "prefer_on", "Prefer to work"
        PREFER_OFF = "prefer_off", "Prefer not to work"
        BLOCKED = "blocked", "Blocked (do not schedule)"

    Status = PreferenceStatus

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=PreferenceStatus.choices, default=PreferenceStatus.PENDING
    )
    start_date = models.DateField()
    end_date = models.DateField()
    shift_type = models.ForeignKey(
        "rotations.ShiftType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    weight = models.PositiveSmallIntegerField(default=1, help_text="1 (mild) to 10 (strong).")
    reason = models.CharField(
        max_length=16,
        choices=BlockReason.choices,
        blank=True,
        help_text="Blocked dates only: why (the program's policy may weigh reasons differently).",
    )
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="request_end_not_before_start"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10), name="request_weight_1_to_10"
            ),
            # A blocked date says why; a wish has no reason category.
            models.CheckConstraint(
                condition=(Q(kind="blocked") & ~Q(reason="")) | (~Q(kind="blocked") & Q(reason="")),
                name="request_reason_iff_blocked",
            ),
        ]
        indexes = [
            # The translator and the honour figures ask for a program's approved requests by date.
            models.Index(
                fields=["person", "status", "start_date"], name="request_person_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The request ends before it starts."})
        problem = self.reason_problem(self.kind, self.reason)
        if problem:
            raise ValidationError({"reason": problem})

    @classmethod
    def reason_problem(cls, kind: str, reason: str) -> str:
        """What is wrong with ``reason`` for a request of ``kind`` ("" when nothing): blocked
        dates say why, a wish carries no reason (``request_reason_iff_blocked`` in the database).
        The console (``clean``) and ``people.services.request_create`` both ask here."""
        if kind == cls.Kind.BLOCKED and not reason:
            return "Say why these dates are blocked."
        if kind != cls.Kind.BLOCKED and reason:
            return "Only blocked dates carry a reason."
        return ""


class StandingPreference(CodedModel):
    """A preference that holds on every matching day, not on dates: preferred or avoided shift
    types and weekdays (weighted), or a faculty member's yearly workload targets.

    PREFER and AVOID name a shift type, a weekday, or both ("avoid night float on Fridays").
    TARGET names attending weeks and/or clinic sessions a year; once approved it becomes the
    person's ``attending_weeks_target`` / ``clinic_sessions_target`` (the one stored target)."""

    class Kind(models.TextChoices):
        PREFER = "prefer", "Prefer"
        AVOID = "avoid", "Avoid"
        TARGET = "target", "Yearly target"

    Status = PreferenceStatus

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="standing_preferences"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=PreferenceStatus.choices, default=PreferenceStatus.PENDING
    )
    shift_type = models.ForeignKey(
        "rotations.ShiftType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    weight = models.PositiveSmallIntegerField(default=5, help_text="1 (mild) to 10 (strong).")
    attending_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Attending weeks a year (faculty)."
    )
    clinic_sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Clinic half-days a year (faculty)."
    )
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person", "kind", "weekday"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=WEIGHT_MIN, weight__lte=WEIGHT_MAX),
                name="standing_preference_weight_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=0, weekday__lte=6),
                name="standing_preference_weekday_0_to_6",
            ),
            # Prefer and avoid name what (a shift type, a weekday or both) and no target; a
            # target names a yearly figure and nothing else.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["prefer", "avoid"])
                    & (Q(shift_type__isnull=False) | Q(weekday__isnull=False))
                    & Q(attending_weeks__isnull=True, clinic_sessions__isnull=True)
                )
                | (
                    Q(kind="target", shift_type__isnull=True, weekday__isnull=True)
                    & (Q(attending_weeks__isnull=False) | Q(clinic_sessions__isnull=False))
                ),
                name="standing_preference_fields_match_kind",
            ),
            models.CheckConstraint(
                condition=Q(attending_weeks__isnull=True) | Q(attending_weeks__lte=WEEKS_PER_YEAR),
                name="standing_preference_attending_weeks_in_year",
            ),
            models.CheckConstraint(
                condition=Q(clinic_sessions__isnull=True)
                | Q(clinic_sessions__lte=CLINIC_SESSIONS_PER_YEAR),
                name="standing_preference_clinic_sessions_in_year",
            ),
        ]
        indexes = [
            # The translator reads a program's approved preferences; the review list its pending.
            models.Index(fields=["person", "status"], name="standing_pref_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.describe()}"

    def describe(self) -> str:
        """In words, e.g. "Avoid Night float on Fridays" or "8 attending weeks a year"."""
        if self.kind == self.Kind.TARGET:
            parts = []
            if self.attending_weeks is not None:
                parts.append(f"{self.attending_weeks} attending weeks")
            if self.clinic_sessions is not None:
                parts.append(f"{self.clinic_sessions} clinic sessions")
            return " and ".join(parts) + " a year"
        what = "working" if self.shift_type is None else self.shift_type.name
        when = f" on {Weekday(self.weekday).label}s" if self.weekday is not None else ""
        return f"{self.get_kind_display()} {what}{when}"

    def clean(self) -> None:
        if self.kind in (self.Kind.PREFER, self.Kind.AVOID):
            if self.shift_type_id is None and self.weekday is None:
                raise ValidationError("Name a shift type, a weekday, or both.")
        elif self.kind == self.Kind.TARGET and (
            self.attending_weeks is None and self.clinic_sessions is None
        ):
            raise ValidationError("Give attending weeks, clinic sessions, or both.")


class PreferencePolicy(CodedModel):
    """A program's rules for its people's preferences; a program without a row gets these
    defaults (every preference reviewed, blocked dates hard)."""

    class Review(models.TextChoices):
        ALL = "all", "The coordinator reviews every preference"
        BLOCKED = "blocked", "The coordinator reviews blocked dates and targets only"
        NONE = "none", "Preferences apply at once"

    class Blocked(models.TextChoices):
        HARD = "hard", "Hard: never scheduled on a blocked date"
        WEIGHTED = "weighted", "Weighted: avoided at the weight below"
        BY_REASON = "by_reason", "Hard for conferences, teaching and religious observance only"

    program = models.OneToOneField(
        "people.Program", on_delete=models.CASCADE, related_name="preference_policy"
    )
    review = models.CharField(max_length=8, choices=Review.choices, default=Review.ALL)
    blocked_dates = models.CharField(max_length=10, choices=Blocked.choices, default=Blocked.HARD)
    blocked_weight = models.PositiveSmallIntegerField(
        default=50,
        help_text="The penalty of one shift on a blocked date that is not hard (a strong wish "
        "weighs 10; a missing person on a demand's target typically 100).",
    )

    # Reasons that stay hard under BY_REASON: commitments made elsewhere that cannot move.
    HARD_REASONS = frozenset({BlockReason.CONFERENCE, BlockReason.TEACHING, BlockReason.RELIGIOUS})

    class Meta:
        verbose_name_plural = "preference policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(blocked_weight__gte=1, blocked_weight__lte=1000),
                name="preference_policy_blocked_weight_1_to_1000",
            ),
        ]

    def __str__(self) -> str:
        return f"Preference policy · {self.program}"

    def needs_review(self, *, blocked_or_target: bool) -> bool:
        if self.review == self.Review.ALL:
            return True
        return self.review == self.Review.BLOCKED and blocked_or_target

    def blocked_is_hard(self, reason: str) -> bool:
        if self.blocked_dates == self.Blocked.HARD:
            return True
        return self.blocked_dates == self.Blocked.BY_REASON and reason in self.HARD_REASONS
