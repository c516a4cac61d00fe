"""Explicit serializers. Rows are named by their public ``code``; references accept only rows the
caller may see, so a reference into another program reads as "does not exist"."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lib.params import MAX_DATE, MIN_DATE, in_range
from people.access import scope_queryset
from people.models import (
    Absence,
    AcademicYear,
    BlockReason,
    CalendarSubscription,
    Membership,
    Person,
    Program,
    Request,
)
from rotations.models import Block, CoverageRequirement, CurriculumRequirement, Rotation, ShiftType
from scheduling.models import Assignment, RotationAssignment


class StrictMixin:
    """Rejects fields the serializer does not know, naming each one."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(set(data.keys()) - known)
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class BoundedDateField(serializers.DateField):
    """A date within the range the product supports (lib.params), so an extreme date is a 400
    and never an overflow in a calendar computation."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if not in_range(parsed):
            raise serializers.ValidationError(
                f"Give a date between {MIN_DATE:%Y-%m-%d} and {MAX_DATE:%Y-%m-%d}."
            )
        return parsed


class Strict(StrictMixin, serializers.Serializer):
    pass


class StrictModel(StrictMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: BoundedDateField,
    }


@extend_schema_field({"type": "string", "format": "uuid"})
class CodeField(serializers.SlugRelatedField):
    """A reference by public code, limited to the rows the caller may read."""

    def __init__(self, resource: str, model: type[Any], **kwargs: Any) -> None:
        self.resource = resource
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        queryset = super().get_queryset()
        user = getattr(request, "user", None)
        return scope_queryset(user, queryset, resource=self.resource)

    def to_internal_value(self, data: Any) -> Any:
        try:
            uuid.UUID(str(data))
        except ValueError:
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj: Any) -> Any:
        return str(obj.code)


class CodeValue(serializers.UUIDField):
    """A public code in a body, for rows the view looks up itself: only a UUID string is read.
    DRF's own UUIDField turns a number into a UUID (``UUID(int=7)``), so a database id would be
    looked up as a code instead of refused (STYLE rule 6)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str | uuid.UUID):
            self.fail("invalid")
        return super().to_internal_value(data)


def same_program(values: dict[str, Any], program: Program, *names: str) -> None:
    """Every referenced row must belong to ``program``: out-of-program references are 400s."""
    errors = {}
    for name in names:
        row = values.get(name)
        if row is None:
            continue
        row_program = getattr(row, "program_id", None)
        if row_program is None and hasattr(row, "person"):
            row_program = row.person.program_id
        if row_program != program.pk:
            errors[name] = ["This belongs to another program."]
    if errors:
        raise serializers.ValidationError(errors)


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 64,
        "description": "An IANA time zone name (the tz database), e.g. `America/New_York`.",
        "example": "America/New_York",
    }
)
class TimeZoneField(serializers.CharField):
    """A time zone as its IANA name: a string in the schema, checked against the tz database."""

    default_error_messages = {"unknown": "Not an IANA time zone name (e.g. America/New_York)."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in available_timezones():
            self.fail("unknown")
        return value


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "description": "A local time of day (the program's time zone), `HH:MM` or `HH:MM:SS`.",
        "example": "07:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time without offset. OpenAPI's ``time`` format (RFC 3339) demands an offset,
    which a shift's start in the program's own time zone does not have."""


class ProgramSerializer(serializers.ModelSerializer):
    timezone = TimeZoneField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "code",
            "name",
            "short_name",
            "timezone",
            "acgme_rules_version",
            "supervision_ratios",
            "max_consecutive_night_float",
        ]
        read_only_fields = fields


class PersonSerializer(StrictModel):
    program = CodeField("program", Program)

    class Meta:
        model = Person
        fields = [
            "code",
            "program",
            "kind",
            "first_name",
            "last_name",
            "email",
            "phone",
            "training_start",
            "is_program_director",
            "is_adjunct",
            "adjunct_takes_call",
            "attending_weeks_target",
            "clinic_sessions_target",
            "active",
        ]
        read_only_fields = ["code"]


class MembershipSerializer(StrictModel):
    program = CodeField("program", Program)
    user = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )
    person = CodeField("person", Person, required=False, allow_null=True)

    class Meta:
        model = Membership
        fields = ["code", "program", "user", "role", "person"]
        read_only_fields = ["code"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        program = attrs.get("program") or getattr(self.instance, "program", None)
        if program is not None:
            same_program(attrs, program, "person")
        return attrs


class AbsenceSerializer(StrictModel):
    person = CodeField("person", Person)

    class Meta:
        model = Absence
        fields = ["code", "person", "kind", "status", "start_date", "end_date", "note"]
        # Status changes only through the decide action, which records who decided and tells
        # the person.
        read_only_fields = ["code", "status"]


class RequestSerializer(StrictModel):
    person = CodeField("person", Person)
    shift_type = CodeField("shift_type", ShiftType, required=False, allow_null=True)
    # A plain string in the schema (a blank-or-enum field becomes a oneOf that generated
    # clients handle poorly); request_create checks the value.
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text="Blocked dates only, and then required: " + ", ".join(BlockReason.values) + ".",
    )

    class Meta:
        model = Request
        fields = [
            "code",
            "person",
            "kind",
            "status",
            "start_date",
            "end_date",
            "shift_type",
            "weight",
            "reason",
            "note",
        ]
        read_only_fields = ["code", "status"]
        # The rules about the values (dates in an academic year, no overlap, a reason for
        # blocked dates only, the shift type's program) are people.services.request_create's.


class RotationSerializer(StrictModel):
    program = CodeField("program", Program)

    class Meta:
        model = Rotation
        fields = [
            "code",
            "program",
            "name",
            "abbreviation",
            "kind",
            "color",
            "location",
            "pgy_min",
            "pgy_max",
            "min_residents",
            "max_residents",
            "leave_eligible",
            "heavy",
            "splittable",
            "weekly_hours_limit",
            "active",
        ]
        read_only_fields = ["code"]


class ShiftTypeSerializer(StrictModel):
    program = CodeField("program", Program)
    start_time = LocalTimeField()

    class Meta:
        model = ShiftType
        fields = [
            "code",
            "program",
            "name",
            "abbreviation",
            "category",
            "start_time",
            "duration_minutes",
            "counts_toward_duty",
            "runs_on_holidays",
            "color",
            "active",
        ]
        read_only_fields = ["code"]


class CoverageSerializer(StrictModel):
    shift_type = CodeField("shift_type", ShiftType)
    rotation = CodeField("rotation", Rotation, required=False, allow_null=True)
    supervisor_shift_type = CodeField("shift_type", ShiftType, required=False, allow_null=True)

    class Meta:
        model = CoverageRequirement
        fields = [
            "code",
            "shift_type",
            "rotation",
            "person_kind",
            "pgy_min",
            "pgy_max",
            "weekdays",
            "minimum",
            "target",
            "maximum",
            "under_weight",
            "over_weight",
            "needs_supervision",
            "supervisor_shift_type",
        ]
        read_only_fields = ["code"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        shift = attrs.get("shift_type") or getattr(self.instance, "shift_type", None)
        if shift is not None:
            same_program(attrs, shift.program, "rotation", "supervisor_shift_type")
        return attrs


class CurriculumSerializer(StrictModel):
    rotation = CodeField("rotation", Rotation)

    class Meta:
        model = CurriculumRequirement
        fields = ["code", "rotation", "pgy", "min_blocks", "max_blocks"]
        read_only_fields = ["code"]


class AcademicYearSerializer(StrictModel):
    program = CodeField("program", Program)

    class Meta:
        model = AcademicYear
        fields = ["code", "program", "name", "start_date", "end_date"]
        read_only_fields = ["code"]


class BlockSerializer(StrictModel):
    academic_year = CodeField("academic_year", AcademicYear)

    class Meta:
        model = Block
        fields = ["code", "academic_year", "number", "start_date", "end_date"]
        read_only_fields = ["code"]


class RotationAssignmentSerializer(StrictModel):
    person = CodeField("person", Person)
    block = CodeField("block", Block)
    rotation = CodeField("rotation", Rotation)
    run = serializers.SerializerMethodField()

    class Meta:
        model = RotationAssignment
        fields = ["code", "person", "block", "rotation", "half", "state", "source", "locked", "run"]
        read_only_fields = ["code", "state", "source", "run"]

    def get_run(self, obj: RotationAssignment) -> str | None:
        return str(obj.run.code) if obj.run is not None else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        person = attrs.get("person") or getattr(self.instance, "person", None)
        if person is not None:
            same_program(attrs, person.program, "rotation")
            block = attrs.get("block")
            if block is not None and block.academic_year.program_id != person.program_id:
                raise serializers.ValidationError({"block": ["This belongs to another program."]})
        return attrs


class AssignmentSerializer(serializers.ModelSerializer):
    person = CodeField("person", Person)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    shift_type = CodeField("shift_type", ShiftType)
    shift = serializers.CharField(source="shift_type.abbreviation", read_only=True)
    run = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "code",
            "person",
            "person_name",
            "shift_type",
            "shift",
            "date",
            "starts_at",
            "ends_at",
            "state",
            "source",
            "locked",
            "run",
            "note",
            "override_reason",
        ]
        read_only_fields = fields

    def get_run(self, obj: Assignment) -> str | None:
        return str(obj.run.code) if obj.run is not None else None


class AssignmentCreateSerializer(Strict):
    person = CodeField("person", Person)
    shift_type = CodeField("shift_type", ShiftType)
    date = BoundedDateField()
    locked = serializers.BooleanField(default=False)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Needed when the shift breaks a hard rule (the answer is 400 with the "
        "violations otherwise); kept on the assignment and in its audit entry.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        same_program(attrs, attrs["person"].program, "shift_type")
        return attrs


class DecisionSerializer(Strict):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class AbsenceDecisionSerializer(DecisionSerializer):
    resolve = serializers.BooleanField(
        default=False,
        help_text="With approve: take the person's overlapping published shifts off (audited) "
        "and start a minimal-change re-solve of those days (GET overlaps/ lists them first).",
    )


class OverlapSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    date = serializers.DateField()
    shift = serializers.CharField(source="shift_type.abbreviation")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    locked = serializers.BooleanField()


class ValidationRequestSerializer(Strict):
    person = CodeField("person", Person)
    shift_type = CodeField("shift_type", ShiftType)
    date = BoundedDateField()
    change = serializers.ChoiceField(choices=["add", "remove"])

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        same_program(attrs, attrs["person"].program, "shift_type")
        return attrs


class ViolationSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    person = serializers.CharField()
    shift = serializers.CharField()
    date = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    measured = serializers.FloatField(allow_null=True)
    limit = serializers.FloatField(allow_null=True)


class ValidationResultSerializer(serializers.Serializer):
    violations = ViolationSerializer(many=True)
    saved = serializers.BooleanField()


class SubscriptionSerializer(StrictModel):
    rotation = CodeField("rotation", Rotation, required=False, allow_null=True)
    program = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = CalendarSubscription
        fields = [
            "code",
            "program",
            "scope",
            "rotation",
            "label",
            "token_hint",
            "token",
            "revoked_at",
            "last_used_at",
            "created_at",
        ]
        read_only_fields = [
            "code",
            "program",
            "token_hint",
            "token",
            "revoked_at",
            "last_used_at",
            "created_at",
        ]

    def get_program(self, obj: CalendarSubscription) -> str:
        return str(obj.program.code)

    def get_token(self, obj: CalendarSubscription) -> str | None:
        """The secret, present only in the answer to the request that created it."""
        return getattr(obj, "token", None)
