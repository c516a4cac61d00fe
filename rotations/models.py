"""The blocks of an academic year, rotations, curricula, timed shift types and coverage."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from lib.models import CodedModel
from people.models import PGY_MAX, PGY_MIN, AcademicYear, Program

MAX_SHIFT_MINUTES = 28 * 60  # 24 hours of duty plus 4 hours of transition (ACGME VI.F)
ALL_WEEKDAYS = 0b1111111
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"  # a colour reaches style= attributes: nothing else


def validate_color(value: str) -> None:
    if not re.fullmatch(COLOR_PATTERN, value or ""):
        raise ValidationError("Give a colour as #rrggbb, for example #3b6ea8.")


class Block(CodedModel):
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="blocks")
    number = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["academic_year", "number"]
        # The non-overlap rule ("block_no_overlap_within_year") needs another row, so it is an
        # exclusion constraint on PostgreSQL and a trigger on SQLite (migration 0002).
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="block_end_not_before_start"
            ),
            models.UniqueConstraint(
                fields=["academic_year", "number"], name="block_unique_number_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"Block {self.number} ({self.start_date:%d %b}–{self.end_date:%d %b %Y})"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def midpoint(self) -> date:
        """First day of the second half of a split block (the first half gets an odd day)."""
        return self.start_date + timedelta(days=(self.days + 1) // 2)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The block ends before it starts."})
        year = self.academic_year if self.academic_year_id else None
        if year is None or not (self.start_date and self.end_date):
            return
        if self.start_date < year.start_date or self.end_date > year.end_date:
            raise ValidationError("The block must lie within its academic year.")
        overlapping = (
            Block.objects.filter(
                academic_year=year, start_date__lte=self.end_date, end_date__gte=self.start_date
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError({"start_date": f"This block overlaps {overlapping}."})


class Rotation(CodedModel):
    class Kind(models.TextChoices):
        INPATIENT = "inpatient", "Inpatient wards"
        ICU = "icu", "Intensive care"
        NIGHT_FLOAT = "night_float", "Night float"
        EMERGENCY = "emergency", "Emergency"
        OBSTETRICS = "obstetrics", "Obstetrics"
        PEDIATRICS = "pediatrics", "Paediatrics"
        CLINIC = "clinic", "Clinic"
        ELECTIVE = "elective", "Elective"
        OTHER = "other", "Other"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(max_length=120)
    abbreviation = models.CharField(max_length=12)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    color = models.CharField(max_length=7, default="#4a6fa5", validators=[validate_color])
    location = models.CharField(max_length=120, blank=True)
    pgy_min = models.PositiveSmallIntegerField(default=PGY_MIN)
    pgy_max = models.PositiveSmallIntegerField(default=PGY_MAX)
    min_residents = models.PositiveSmallIntegerField(default=0, help_text="Per block.")
    max_residents = models.PositiveSmallIntegerField(default=10, help_text="Per block.")
    leave_eligible = models.BooleanField(
        default=False, help_text="Vacation may be taken during it."
    )
    heavy = models.BooleanField(default=False, help_text="Counts toward heavy-rotation fairness.")
    splittable = models.BooleanField(default=False, help_text="May fill half a block.")
    weekly_hours_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Review-committee exception up to 88 h/week; blank means 80.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(color__regex=COLOR_PATTERN), name="rotation_color_is_hex"
            ),
            models.UniqueConstraint(
                fields=["program", "abbreviation"], name="rotation_unique_abbreviation"
            ),
            models.CheckConstraint(
                condition=Q(min_residents__lte=F("max_residents")),
                name="rotation_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(pgy_min__gte=PGY_MIN, pgy_max__lte=PGY_MAX, pgy_min__lte=F("pgy_max")),
                name="rotation_pgy_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours_limit__isnull=True)
                | Q(weekly_hours_limit__gte=1, weekly_hours_limit__lte=88),
                name="rotation_hours_exception_at_most_88",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if (
            self.min_residents is not None
            and self.max_residents is not None
            and self.min_residents > self.max_residents
        ):
            errors["min_residents"] = "The minimum is above the maximum."
        if self.pgy_min is not None and self.pgy_max is not None:
            if not (PGY_MIN <= self.pgy_min <= PGY_MAX and PGY_MIN <= self.pgy_max <= PGY_MAX):
                errors["pgy_max"] = f"PGY levels run from {PGY_MIN} to {PGY_MAX}."
            elif self.pgy_min > self.pgy_max:
                errors["pgy_min"] = "The lowest PGY level is above the highest."
        if self.weekly_hours_limit is not None and self.weekly_hours_limit > 88:
            errors["weekly_hours_limit"] = "ACGME allows rotation exceptions up to 88 hours."
        if errors:
            raise ValidationError(errors)


class CurriculumRequirement(CodedModel):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="requirements")
    pgy = models.PositiveSmallIntegerField()
    min_blocks = models.PositiveSmallIntegerField(default=0)
    max_blocks = models.PositiveSmallIntegerField(default=13)

    class Meta:
        ordering = ["rotation", "pgy"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "pgy"], name="curriculum_one_per_rotation_pgy"
            ),
            models.CheckConstraint(
                condition=Q(pgy__gte=PGY_MIN, pgy__lte=PGY_MAX), name="curriculum_pgy_in_range"
            ),
            models.CheckConstraint(
                condition=Q(min_blocks__lte=F("max_blocks")), name="curriculum_min_not_above_max"
            ),
        ]

    def __str__(self) -> str:
        return f"PGY-{self.pgy} {self.rotation}: {self.min_blocks}–{self.max_blocks} blocks"

    def clean(self) -> None:
        if self.pgy is not None and not PGY_MIN <= self.pgy <= PGY_MAX:
            raise ValidationError({"pgy": f"PGY must be between {PGY_MIN} and {PGY_MAX}."})
        if (
            self.min_blocks is not None
            and self.max_blocks is not None
            and self.min_blocks > self.max_blocks
        ):
            raise ValidationError({"min_blocks": "The minimum is above the maximum."})


class Holiday(CodedModel):
    """A day the program observes (the holiday calendar): clinic and elective shift types that do
    not run on holidays get no demand that day (``scheduling.problem``); fairness counts read the
    same days through ``rotations.selectors.holidays_for``."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["program", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "date"], name="holiday_unique_per_program_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %b %Y})"


class ShiftType(CodedModel):
    class Category(models.TextChoices):
        DAY = "day", "Day"
        CLINIC_HALF_DAY = "clinic", "Clinic half-day"
        IN_HOUSE_CALL = "in_house_call", "In-house call"
        AT_HOME_CALL = "at_home_call", "At-home call"
        NIGHT_FLOAT = "night_float", "Night float"
        ATTENDING = "attending", "Attending / supervision"
        TRANSITION = "transition", "Transition"
        MOONLIGHTING = "moonlighting", "Moonlighting"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="shift_types")
    name = models.CharField(max_length=120)
    abbreviation = models.CharField(max_length=12)
    category = models.CharField(max_length=16, choices=Category.choices)
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField()
    counts_toward_duty = models.BooleanField(default=True)
    runs_on_holidays = models.BooleanField(
        default=True,
        help_text="Untick for clinic and elective sessions: on the program's holidays the "
        "scheduler then asks for nobody on this shift.",
    )
    required_certification = models.CharField(
        max_length=100,
        blank=True,
        help_text="A certification (e.g. ACLS) everyone on this shift must hold on the day: from "
        "its expiry date the holder is no longer eligible.",
    )
    color = models.CharField(max_length=7, default="#6c8ebf", validators=[validate_color])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["start_time", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(color__regex=COLOR_PATTERN), name="shift_type_color_is_hex"
            ),
            models.UniqueConstraint(
                fields=["program", "abbreviation"], name="shift_type_unique_abbreviation"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_SHIFT_MINUTES),
                name="shift_type_duration_1_to_28h",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"

    def clean(self) -> None:
        if (
            self.duration_minutes is not None
            and not 1 <= self.duration_minutes <= MAX_SHIFT_MINUTES
        ):
            raise ValidationError(
                {"duration_minutes": "A shift lasts between 1 minute and 28 hours."}
            )


class SacrificeCategory(models.TextChoices):
    """What a demand protects; a re-solve that cannot cover everything sheds the program's
    least protected categories first (resilience settings order them)."""

    PATIENT_SAFETY = "patient_safety", "Patient safety"
    ACGME_REQUIRED = "acgme_required", "ACGME-required"
    CONTINUITY = "continuity", "Continuity of care"
    CORE_EDUCATION = "core_education", "Core education"
    RESEARCH = "research", "Research"
    ADMINISTRATION = "administration", "Administration"
    OPTIONAL_EDUCATION = "optional_education", "Optional education"


class CoverageRequirement(CodedModel):
    """How many people of which kind a shift type needs on which weekdays."""

    class Kinds(models.TextChoices):
        RESIDENT = "resident", "Residents"
        FACULTY = "faculty", "Faculty"
        ANY = "any", "Anyone"

    shift_type = models.ForeignKey(ShiftType, on_delete=models.CASCADE, related_name="coverage")
    rotation = models.ForeignKey(
        Rotation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coverage",
        help_text="The rotation whose residents supply this shift; blank means anyone eligible.",
    )
    person_kind = models.CharField(max_length=16, choices=Kinds.choices, default=Kinds.RESIDENT)
    pgy_min = models.PositiveSmallIntegerField(null=True, blank=True)
    pgy_max = models.PositiveSmallIntegerField(null=True, blank=True)
    procedure = models.ForeignKey(
        "people.Procedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="People covering it must hold this credential.",
    )
    weekdays = models.PositiveSmallIntegerField(
        default=ALL_WEEKDAYS, help_text="Bit mask: Monday = 1, Tuesday = 2, … Sunday = 64."
    )
    minimum = models.PositiveSmallIntegerField(default=1)
    target = models.PositiveSmallIntegerField(default=1)
    maximum = models.PositiveSmallIntegerField(null=True, blank=True)
    under_weight = models.PositiveIntegerField(default=100)
    over_weight = models.PositiveIntegerField(default=10)
    needs_supervision = models.BooleanField(default=False)
    sacrifice_category = models.CharField(
        max_length=24,
        choices=SacrificeCategory.choices,
        default=SacrificeCategory.PATIENT_SAFETY,
        help_text="What this coverage protects: the last categories in the program's order are "
        "shed first when a contingency re-solve cannot cover everything.",
    )
    supervisor_shift_type = models.ForeignKey(
        ShiftType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_coverage",
    )

    class Meta:
        ordering = ["shift_type", "rotation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__lte=F("target")), name="coverage_minimum_not_above_target"
            ),
            models.CheckConstraint(
                condition=Q(maximum__isnull=True) | Q(target__lte=F("maximum")),
                name="coverage_target_not_above_maximum",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=ALL_WEEKDAYS),
                name="coverage_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=Q(pgy_min__isnull=True) | Q(pgy_min__gte=PGY_MIN, pgy_min__lte=PGY_MAX),
                name="coverage_pgy_min_in_range",
            ),
            models.CheckConstraint(
                condition=Q(pgy_max__isnull=True) | Q(pgy_max__gte=PGY_MIN, pgy_max__lte=PGY_MAX),
                name="coverage_pgy_max_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(needs_supervision=True) | Q(supervisor_shift_type__isnull=False),
                name="coverage_supervision_names_shift",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shift_type}: {self.minimum}–{self.maximum if self.maximum is not None else '∞'} {self.get_person_kind_display().lower()}"

    def applies_on(self, weekday: int) -> bool:
        return bool(self.weekdays & (1 << weekday))

    def clean(self) -> None:
        errors = {}
        if self.minimum is not None and self.target is not None and self.minimum > self.target:
            errors["minimum"] = "The minimum is above the target."
        if self.maximum is not None:
            if self.minimum is not None and self.minimum > self.maximum:
                errors["maximum"] = "The minimum is above the maximum."
            elif self.target is not None and self.target > self.maximum:
                errors["maximum"] = "The target is above the maximum."
        for field in ("pgy_min", "pgy_max"):
            value = getattr(self, field)
            if value is not None and not PGY_MIN <= value <= PGY_MAX:
                errors[field] = f"PGY must be between {PGY_MIN} and {PGY_MAX}."
        if self.needs_supervision and self.supervisor_shift_type_id is None:
            errors["supervisor_shift_type"] = "Name the faculty shift that supervises it."
        if self.weekdays is not None and not 1 <= self.weekdays <= ALL_WEEKDAYS:
            errors["weekdays"] = "Choose at least one weekday."
        if self.person_kind == self.Kinds.FACULTY and (self.pgy_min or self.pgy_max):
            errors["pgy_min"] = "PGY levels apply to residents only."
        if errors:
            raise ValidationError(errors)
