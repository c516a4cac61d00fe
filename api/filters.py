"""Query filters for list endpoints (django-filter); rows are named by public code."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from people.models import Absence, Person, ProgramRule, Request, StandingPreference
from scheduling.models import Assignment, RotationAssignment, ScheduleRun, State


class ProgramCodeFilter(filters.FilterSet):
    program = filters.UUIDFilter(field_name="program__code")


class PersonFilter(ProgramCodeFilter):
    class Meta:
        model = Person
        fields = ["program", "kind", "active"]


class AbsenceFilter(filters.FilterSet):
    person = filters.UUIDFilter(field_name="person__code")
    program = filters.UUIDFilter(field_name="person__program__code")
    start_after = filters.DateFilter(field_name="end_date", lookup_expr="gte")
    end_before = filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Absence
        fields = ["person", "program", "kind", "status"]


class RequestFilter(AbsenceFilter):
    class Meta:
        model = Request
        fields = ["person", "program", "kind", "status"]


class StandingPreferenceFilter(filters.FilterSet):
    person = filters.UUIDFilter(field_name="person__code")
    program = filters.UUIDFilter(field_name="person__program__code")

    class Meta:
        model = StandingPreference
        fields = ["person", "program", "kind", "status"]


class ProgramRuleFilter(ProgramCodeFilter):
    person = filters.UUIDFilter(field_name="person__code")

    class Meta:
        model = ProgramRule
        fields = ["program", "kind", "person", "active"]


class AssignmentFilter(filters.FilterSet):
    program = filters.UUIDFilter(field_name="person__program__code")
    person = filters.UUIDFilter(field_name="person__code")
    shift_type = filters.UUIDFilter(field_name="shift_type__code")
    run = filters.UUIDFilter(field_name="run__code")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    state = filters.ChoiceFilter(choices=State.choices)
    rotation = filters.UUIDFilter(method="filter_rotation", label="Rotation code")

    class Meta:
        model = Assignment
        fields = ["program", "person", "shift_type", "run", "state"]

    @extend_schema_field(OpenApiTypes.UUID)
    def filter_rotation(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        """Assignments of people who were on the rotation (published plan) on that date."""
        on_rotation = RotationAssignment.objects.filter(
            person=OuterRef("person"),
            rotation__code=value,
            state=State.PUBLISHED,
            block__start_date__lte=OuterRef("date"),
            block__end_date__gte=OuterRef("date"),
        )
        return queryset.filter(Exists(on_rotation))


class RotationAssignmentFilter(filters.FilterSet):
    program = filters.UUIDFilter(field_name="person__program__code")
    person = filters.UUIDFilter(field_name="person__code")
    block = filters.UUIDFilter(field_name="block__code")
    rotation = filters.UUIDFilter(field_name="rotation__code")
    academic_year = filters.UUIDFilter(field_name="block__academic_year__code")
    state = filters.ChoiceFilter(choices=State.choices)

    class Meta:
        model = RotationAssignment
        fields = ["program", "person", "block", "rotation", "state"]


class RunFilter(ProgramCodeFilter):
    class Meta:
        model = ScheduleRun
        fields = ["program", "status", "kind"]
