"""Program rules a coordinator sets in the console: caps, consecutive days, rest, call patterns
and the freeze horizon (docs/rules.md, "Program rules").

Imported at the end of ``people.models`` so Django sees the model as the people app's; it names
the models there by string, so this module imports nothing back from it. The engine reading of
each rule is scheduling/problem_rules.py; what each rule means on the run page is its
``describe``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from lib.models import CodedModel

PGY_MIN, PGY_MAX = 1, 8
ACGME_MIN_REST_HOURS = 8  # a program's minimum rest must be stricter than this


class ProgramRule(CodedModel):
    class Kind(models.TextChoices):
        CAP = "cap", "Cap on shifts"
        CONSECUTIVE_DAYS = "consecutive_days", "Most consecutive working days"
        MIN_REST = "min_rest", "Minimum hours off between shifts"
        CALL_PATTERN = "call_pattern", "A week's Friday and Saturday call go together"
        FREEZE = "freeze", "Freeze horizon (days)"

    class Measure(models.TextChoices):
        SHIFTS = "shifts", "Shifts of any kind"
        CALLS = "calls", "Calls (in-house and at-home)"
        NIGHTS = "nights", "Night-float shifts"
        WEEKENDS = "weekends", "Weekends worked"

    class Period(models.TextChoices):
        BLOCK = "block", "per block"
        YEAR = "year", "per academic year"

    class Applies(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        RESIDENTS = "resident", "Residents"
        FACULTY = "faculty", "Faculty"

    # Kinds that apply to the whole program (no person, PGY or kind) and that are hard only.
    PROGRAM_WIDE = frozenset({Kind.MIN_REST, Kind.CALL_PATTERN, Kind.FREEZE})
    HARD_ONLY = frozenset({Kind.CONSECUTIVE_DAYS, Kind.CALL_PATTERN, Kind.FREEZE})

    program = models.ForeignKey("people.Program", on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    measure = models.CharField(max_length=10, choices=Measure.choices, blank=True)
    period = models.CharField(max_length=8, choices=Period.choices, blank=True)
    value = models.PositiveSmallIntegerField(
        default=0,
        help_text="The cap, the number of days, or the hours of rest (unused for call patterns).",
    )
    applies_to = models.CharField(max_length=10, choices=Applies.choices, default=Applies.EVERYONE)
    pgy = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Residents of this PGY level only."
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="program_rules",
        help_text="This person only.",
    )
    hard = models.BooleanField(
        default=True,
        help_text="Hard: no schedule breaks it. Untick for a weighted target: the solver may "
        "miss it and the run reports each miss as a warning.",
    )
    weight = models.PositiveIntegerField(default=10, help_text="Weight of a weighted target.")
    note = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "kind", "measure", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="cap") | (~Q(measure="") & ~Q(period="")),
                name="program_rule_cap_names_measure_and_period",
            ),
            models.CheckConstraint(
                condition=Q(pgy__isnull=True) | Q(pgy__gte=PGY_MIN, pgy__lte=PGY_MAX),
                name="program_rule_pgy_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="min_rest") | Q(value__gt=ACGME_MIN_REST_HOURS, value__lte=24),
                name="program_rule_rest_stricter_than_acgme",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["consecutive_days", "freeze"]) | Q(value__gte=1),
                name="program_rule_days_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["consecutive_days", "call_pattern", "freeze"])
                | Q(hard=True),
                name="program_rule_hard_only_kinds",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def who(self) -> str:
        if self.person_id is not None:
            return str(self.person)
        if self.pgy is not None:
            return f"PGY-{self.pgy} residents"
        return self.get_applies_to_display().lower() if self.applies_to else "everyone"

    def describe(self) -> str:
        """One line, as the run page's "constraints in force" shows it."""
        how = "hard" if self.hard else f"weighted target, weight {self.weight}"
        if self.kind == self.Kind.CAP:
            what = (
                f"at most {self.value} {self.get_measure_display().lower()} "
                f"{self.get_period_display()} for {self.who()}"
            )
        elif self.kind == self.Kind.CONSECUTIVE_DAYS:
            what = f"at most {self.value} consecutive working days for {self.who()}"
        elif self.kind == self.Kind.MIN_REST:
            what = f"at least {self.value} h off between shifts (ACGME: 8 h)"
        elif self.kind == self.Kind.CALL_PATTERN:
            what = "a week's Friday and Saturday call go to the same person"
        else:
            what = f"no generation or edit within {self.value} days without an override reason"
        return f"Program rule: {what} ({how})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == self.Kind.CAP and (not self.measure or not self.period):
            errors["measure"] = "A cap names what it counts and over which period."
        if self.kind != self.Kind.CAP and (self.measure or self.period):
            errors["measure"] = "Only caps count a measure over a period."
        if self.kind in self.PROGRAM_WIDE and (
            self.person_id or self.pgy or self.applies_to != self.Applies.EVERYONE
        ):
            errors["applies_to"] = "This rule applies to the whole program."
        if not self.hard and (self.kind in self.HARD_ONLY or self.measure == self.Measure.WEEKENDS):
            errors["hard"] = "The scheduler applies this rule as a hard rule only."
        if self.kind == self.Kind.MIN_REST and not ACGME_MIN_REST_HOURS < self.value <= 24:
            errors["value"] = "Give more than ACGME's 8 hours, at most 24."
        if self.kind in (self.Kind.CONSECUTIVE_DAYS, self.Kind.FREEZE) and self.value < 1:
            errors["value"] = "Give at least one day."
        if self.pgy is not None and self.applies_to == self.Applies.FACULTY:
            errors["pgy"] = "PGY levels apply to residents only."
        person = self.person if self.person_id else None
        if person is not None and self.program_id and person.program_id != self.program_id:
            errors["person"] = "This person belongs to another program."
        if errors:
            raise ValidationError(errors)
