"""Coordinator console: academic years and blocks, rotations, curricula, shift types, coverage."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from console.admin import (
    AUDIT_FIELDS,
    ProgramScopedAdmin,
    RelatedOnly,
    ScopedInline,
    WeekdaysField,
)
from people.models import AcademicYear
from rotations import services
from rotations.models import (
    ALL_WEEKDAYS,
    Block,
    CoverageRequirement,
    CurriculumRequirement,
    Holiday,
    Rotation,
    ShiftType,
)
from scheduling.admin_actions import (
    generate_rotation_plan,
    generate_schedule,
    generate_schedule_including_past,
    validate_schedule,
)

WEEKDAY_CHOICES = [
    (str(day), name)
    for day, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
]


class CreateBlocksForm(forms.Form):
    pattern = forms.ChoiceField(
        choices=services.BlockPattern.choices,
        initial=services.BlockPattern.FOUR_WEEKS,
        widget=forms.RadioSelect,
    )
    weekday = forms.TypedChoiceField(
        choices=[("", "The year's first day"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Four-week blocks start on the first such weekday on or after the year starts.",
    )


class CoverageRequirementForm(forms.ModelForm):
    weekdays = WeekdaysField(initial=ALL_WEEKDAYS)

    class Meta:
        model = CoverageRequirement
        fields = "__all__"  # noqa: DJ007 - the admin chooses its fields


# Inlines ---------------------------------------------------------------------------------------


class BlockInline(ScopedInline, admin.TabularInline):
    model = Block
    fields = ("number", "start_date", "end_date")
    ordering = ("number",)


class CurriculumRequirementInline(ScopedInline, admin.TabularInline):
    model = CurriculumRequirement
    fields = ("pgy", "min_blocks", "max_blocks")
    ordering = ("pgy",)


class CoverageRequirementInline(ScopedInline, admin.StackedInline):
    model = CoverageRequirement
    form = CoverageRequirementForm
    fk_name = "shift_type"
    autocomplete_fields = ("rotation", "procedure", "supervisor_shift_type")
    fieldsets = (
        (None, {"fields": (("person_kind", "rotation"), "weekdays")}),
        ("How many", {"fields": (("minimum", "target", "maximum"), ("pgy_min", "pgy_max"))}),
        (
            "Rules",
            {"fields": ("procedure", ("needs_supervision", "supervisor_shift_type"))},
        ),
        (
            "Solver weights",
            {"fields": (("under_weight", "over_weight"),), "classes": ("collapse",)},
        ),
    )


# Admins ----------------------------------------------------------------------------------------


@admin.register(AcademicYear)
class AcademicYearAdmin(ProgramScopedAdmin):
    list_display = ("name", "program", "start_date", "end_date", "block_count")
    list_filter = (("program", RelatedOnly),)
    list_select_related = ("program",)
    search_fields = ("name", "program__name")
    autocomplete_fields = ("program",)
    readonly_fields = AUDIT_FIELDS
    inlines = (BlockInline,)
    actions = ("create_blocks", generate_rotation_plan)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AcademicYear]:
        return self.annotate_counts(super().get_queryset(request), _blocks=Count("blocks"))

    @admin.display(description="Blocks", ordering="_blocks")
    def block_count(self, obj: AcademicYear) -> int:
        return obj._blocks  # type: ignore[attr-defined]

    @admin.action(description="Create blocks…", permissions=["change"])
    def create_blocks(
        self, request: HttpRequest, queryset: QuerySet[AcademicYear]
    ) -> HttpResponse | None:
        form = CreateBlocksForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for year in queryset:
                blocks = self.call_service(
                    request,
                    partial(
                        services.academic_year_create_blocks,
                        academic_year=year,
                        pattern=form.cleaned_data["pattern"],
                        weekday=form.cleaned_data["weekday"],
                        actor=request.user,
                    ),
                )
                if blocks is not None:
                    self.message_user(
                        request,
                        f"{year}: created {len(blocks)} blocks, {blocks[0].start_date:%d %b %Y}"
                        f" – {blocks[-1].end_date:%d %b %Y}.",
                        level=messages.SUCCESS,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Create blocks",
            "opts": self.model._meta,
            "years": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/people/academicyear/create_blocks.html", context)


@admin.register(Block)
class BlockAdmin(ProgramScopedAdmin):
    list_display = ("__str__", "number", "academic_year", "start_date", "end_date", "days")
    list_filter = (("academic_year", RelatedOnly), ("academic_year__program", RelatedOnly))
    list_select_related = ("academic_year__program",)
    search_fields = ("academic_year__name", "academic_year__program__name")
    autocomplete_fields = ("academic_year",)
    readonly_fields = AUDIT_FIELDS
    ordering = ("-academic_year__start_date", "number")
    actions = (generate_schedule, generate_schedule_including_past, validate_schedule)

    @admin.display(description="Days")
    def days(self, obj: Block) -> int:
        return obj.days


@admin.register(Rotation)
class RotationAdmin(ProgramScopedAdmin):
    list_display = (
        "name",
        "abbreviation",
        "kind",
        "pgy_range",
        "residents_per_block",
        "leave_eligible",
        "heavy",
        "active",
        "program",
    )
    list_filter = ("kind", "active", "leave_eligible", "heavy", ("program", RelatedOnly))
    list_select_related = ("program",)
    search_fields = ("name", "abbreviation", "location")
    autocomplete_fields = ("program",)
    readonly_fields = AUDIT_FIELDS
    inlines = (CurriculumRequirementInline,)

    @admin.display(description="PGY", ordering="pgy_min")
    def pgy_range(self, obj: Rotation) -> str:
        return f"{obj.pgy_min}–{obj.pgy_max}" if obj.pgy_min != obj.pgy_max else str(obj.pgy_min)

    @admin.display(description="Residents / block")
    def residents_per_block(self, obj: Rotation) -> str:
        return f"{obj.min_residents}–{obj.max_residents}"


@admin.register(CurriculumRequirement)
class CurriculumRequirementAdmin(ProgramScopedAdmin):
    list_display = ("rotation", "pgy", "min_blocks", "max_blocks", "program_name")
    list_filter = ("pgy", ("rotation", RelatedOnly), ("rotation__program", RelatedOnly))
    list_select_related = ("rotation__program",)
    search_fields = ("rotation__name", "rotation__abbreviation")
    autocomplete_fields = ("rotation",)
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Program", ordering="rotation__program__name")
    def program_name(self, obj: CurriculumRequirement) -> str:
        return str(obj.rotation.program)


@admin.register(Holiday)
class HolidayAdmin(ProgramScopedAdmin):
    """The program's holiday calendar: clinic and elective shift types that do not run on
    holidays get no demand on these days."""

    list_display = ("date", "name", "weekday", "program")
    list_filter = (("program", RelatedOnly),)
    list_select_related = ("program",)
    search_fields = ("name",)
    date_hierarchy = "date"
    autocomplete_fields = ("program",)
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Weekday", ordering="date")
    def weekday(self, obj: Holiday) -> str:
        return f"{obj.date:%A}"


@admin.register(ShiftType)
class ShiftTypeAdmin(ProgramScopedAdmin):
    list_display = (
        "name",
        "abbreviation",
        "category",
        "start_time",
        "hours",
        "counts_toward_duty",
        "runs_on_holidays",
        "coverage_count",
        "active",
        "program",
    )
    list_filter = (
        "category",
        "active",
        "counts_toward_duty",
        "runs_on_holidays",
        ("program", RelatedOnly),
    )
    list_select_related = ("program",)
    search_fields = ("name", "abbreviation")
    autocomplete_fields = ("program",)
    readonly_fields = AUDIT_FIELDS
    inlines = (CoverageRequirementInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShiftType]:
        return self.annotate_counts(super().get_queryset(request), _coverage=Count("coverage"))

    @admin.display(description="Hours", ordering="duration_minutes")
    def hours(self, obj: ShiftType) -> str:
        return f"{obj.duration_minutes / 60:g}"

    @admin.display(description="Coverage rules", ordering="_coverage")
    def coverage_count(self, obj: ShiftType) -> int:
        return obj._coverage  # type: ignore[attr-defined]


@admin.register(CoverageRequirement)
class CoverageRequirementAdmin(ProgramScopedAdmin):
    form = CoverageRequirementForm
    list_display = (
        "shift_type",
        "rotation",
        "person_kind",
        "days",
        "minimum",
        "target",
        "maximum",
        "needs_supervision",
        "program_name",
    )
    list_filter = (
        "person_kind",
        "needs_supervision",
        ("shift_type", RelatedOnly),
        ("rotation", RelatedOnly),
        ("shift_type__program", RelatedOnly),
    )
    list_select_related = ("shift_type__program", "rotation")
    search_fields = ("shift_type__name", "shift_type__abbreviation", "rotation__name")
    autocomplete_fields = ("shift_type", "rotation", "procedure", "supervisor_shift_type")
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Days")
    def days(self, obj: CoverageRequirement) -> str:
        return WeekdaysField.describe(obj.weekdays)

    @admin.display(description="Program", ordering="shift_type__program__name")
    def program_name(self, obj: CoverageRequirement) -> str:
        return str(obj.shift_type.program)
