"""Serializers of program rules and standing preferences.

They check types only: what a rule or a preference may say is decided where the console and the
pages decide it (``ProgramRule.clean`` and its constraints, through
``people.services.program_rule_save``; ``people.services.standing_preference_create``), and
those refusals come back as field errors.
"""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import CodeField, Strict, StrictModel
from people.models import Person, Program, ProgramRule, StandingPreference
from people.models_preferences import Weekday
from rotations.models import ShiftType

# A plain integer in the schema (a nullable enum becomes a oneOf with a null enum).
WEEKDAY = ", ".join(f"{day.value} {day.label}" for day in Weekday) + "."


def _one_of(choices: type[ProgramRule.Measure] | type[ProgramRule.Period]) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


class ProgramRuleSerializer(StrictModel):
    program = CodeField("program", Program)
    person = CodeField(
        "person", Person, required=False, allow_null=True, help_text="This person only."
    )
    # Plain strings in the schema (a blank-or-enum field becomes a oneOf that generated clients
    # handle poorly); the model checks the values.
    measure = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text=f"Caps only, and then required: {_one_of(ProgramRule.Measure)}.",
    )
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=8,
        help_text=f"Caps only, and then required: {_one_of(ProgramRule.Period)}.",
    )
    description = serializers.CharField(
        source="describe",
        read_only=True,
        help_text='The rule in words, as the run page lists it under "constraints in force".',
    )

    class Meta:
        model = ProgramRule
        fields = [
            "code",
            "program",
            "kind",
            "measure",
            "period",
            "value",
            "applies_to",
            "pgy",
            "person",
            "hard",
            "weight",
            "note",
            "active",
            "description",
        ]
        read_only_fields = ["code"]


class StandingPreferenceSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person.code", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    shift_type = serializers.UUIDField(source="shift_type.code", read_only=True, allow_null=True)
    weekday = serializers.IntegerField(read_only=True, allow_null=True, help_text=WEEKDAY)
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = StandingPreference
        fields = [
            "code",
            "person",
            "person_name",
            "kind",
            "status",
            "shift_type",
            "weekday",
            "weight",
            "attending_weeks",
            "clinic_sessions",
            "note",
            "description",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class StandingPreferenceCreateSerializer(Strict):
    person = CodeField(
        "person", Person, help_text="Your own person in the program (its code is in `/me/`)."
    )
    kind = serializers.ChoiceField(
        choices=StandingPreference.Kind.choices,
        help_text="`prefer` or `avoid` a shift type and/or weekday; `target`: a faculty member's "
        "attending weeks and/or clinic sessions a year.",
    )
    shift_type = CodeField("shift_type", ShiftType, required=False, allow_null=True)
    weekday = serializers.IntegerField(required=False, allow_null=True, help_text=WEEKDAY)
    weight = serializers.IntegerField(
        required=False, help_text="Prefer and avoid: 1 (mild) to 10 (strong); 5 when left out."
    )
    attending_weeks = serializers.IntegerField(required=False, allow_null=True)
    clinic_sessions = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
