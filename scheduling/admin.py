"""Coordinator console: the annual rotation plan, the shift schedule and solver runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers  # noqa: F401  (admin.helpers.ACTION_CHECKBOX_NAME)
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from console.admin import (
    AUDIT_FIELDS,
    DateRangeFilter,
    ProgramScopedAdmin,
    ReadOnlyScopedAdmin,
    RelatedOnly,
    ScopedInline,
)
from lib.errors import ApplicationError
from lib.timezones import zone
from scheduling import edit_services, services
from scheduling.models import (
    Assignment,
    RotationAssignment,
    ScheduleRun,
    ScheduleRunProgress,
    State,
)

PERSON_SEARCH = ("person__first_name", "person__last_name")
SCHEDULE_READONLY = ("state", "source", "run")


class ScheduleRunProgressInline(ScopedInline, admin.TabularInline):
    model = ScheduleRunProgress
    read_only = True
    fields = ("elapsed_seconds", "phase", "objective", "bound", "recorded_at")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "progress"


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyScopedAdmin):
    """Runs are queued, cancelled, published and discarded only through the scheduling services."""

    list_display = (
        "created_at",
        "kind",
        "algorithm",
        "status",
        "period",
        "objective",
        "bound",
        "elapsed",
        "published_at",
        "requested_by",
        "program",
    )
    list_filter = ("status", "kind", "algorithm", ("program", RelatedOnly))
    list_select_related = ("program", "requested_by")
    search_fields = ("phase", "error")
    date_hierarchy = "created_at"
    inlines = (ScheduleRunProgressInline,)
    actions = ("publish_runs", "discard_runs", "cancel_runs")
    add_fields = (
        "program",
        "kind",
        "algorithm",
        "start_date",
        "end_date",
        "time_limit_seconds",
        "parameters",
    )
    fieldsets = (
        (None, {"fields": ("program", "kind", "algorithm", "status", "phase", "requested_by")}),
        ("Scope", {"fields": ("start_date", "end_date", "time_limit_seconds", "parameters")}),
        (
            "Result",
            {"fields": ("objective", "bound", "elapsed_seconds", "metrics", "violations", "error")},
        ),
        (
            "Timing",
            {
                "fields": (
                    "started_at",
                    "heartbeat_at",
                    "finished_at",
                    "cancel_requested",
                    "published_at",
                    "published_by",
                    "discarded_at",
                )
            },
        ),
        ("Record", {"fields": AUDIT_FIELDS}),
    )

    # Adding a run means asking for one: the form only collects the service's arguments.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj else ()

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return super().get_fieldsets(request, obj) if obj else [(None, {"fields": self.add_fields})]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        run = services.schedule_run_create(
            program=obj.program,
            start_date=obj.start_date,
            end_date=obj.end_date,
            actor=request.user,
            kind=obj.kind,
            algorithm=obj.algorithm,
            time_limit_seconds=obj.time_limit_seconds,
            parameters=obj.parameters,
            include_past=bool((obj.parameters or {}).get("include_past")),
        )
        obj.pk, obj.code, obj.status = run.pk, run.code, run.status

    def _each(
        self, request: HttpRequest, runs: QuerySet[ScheduleRun], verb: str, call: Any
    ) -> None:
        done = sum(
            self.call_service(request, partial(call, run=run, actor=request.user)) is not None
            for run in runs
        )
        if done:
            self.message_user(request, f"{verb} {done} run(s).", level=messages.SUCCESS)

    def _confirm(
        self, request: HttpRequest, runs: QuerySet[ScheduleRun], verb: str, action: str
    ) -> TemplateResponse:
        """Publishing and discarding ask first, showing each run's diff against the published
        schedule (as the run page does)."""
        rows = [(run, services.run_comparison(run)) for run in runs.order_by("start_date")]
        return TemplateResponse(
            request,
            "admin/scheduling/schedulerun/confirm_runs.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{verb.capitalize()} {len(rows)} run(s)?",
                "runs": rows,
                "verb": verb,
                "action": action,
                "needs_reason": any(run.needs_override for run, _ in rows),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Publish the selected drafts")
    def publish_runs(
        self, request: HttpRequest, queryset: QuerySet[ScheduleRun]
    ) -> TemplateResponse | None:
        if request.POST.get("confirmed") != "yes":
            return self._confirm(request, queryset, "publish", "publish_runs")
        reason = request.POST.get("override_reason", "")
        publish = partial(services.schedule_run_publish, override_reason=reason)
        self._each(request, queryset, "Published", publish)
        return None

    @admin.action(description="Discard the selected drafts")
    def discard_runs(
        self, request: HttpRequest, queryset: QuerySet[ScheduleRun]
    ) -> TemplateResponse | None:
        if request.POST.get("confirmed") != "yes":
            return self._confirm(request, queryset, "discard", "discard_runs")
        self._each(request, queryset, "Discarded", services.schedule_run_discard)
        return None

    @admin.action(description="Cancel the selected runs")
    def cancel_runs(self, request: HttpRequest, queryset: QuerySet[ScheduleRun]) -> None:
        self._each(request, queryset, "Cancelled", services.schedule_run_cancel)

    @admin.display(description="Period", ordering="start_date")
    def period(self, obj: ScheduleRun) -> str:
        return f"{obj.start_date:%d %b} – {obj.end_date:%d %b %Y}"

    @admin.display(description="Elapsed", ordering="elapsed_seconds")
    def elapsed(self, obj: ScheduleRun) -> str:
        return f"{obj.elapsed_seconds:.1f} s"


@admin.register(RotationAssignment)
class RotationAssignmentAdmin(ProgramScopedAdmin):
    list_display = (
        "person",
        "block",
        "rotation",
        "half",
        "state",
        "source",
        "locked",
        "program_name",
    )
    list_filter = (
        ("block__academic_year", RelatedOnly),
        ("block", RelatedOnly),
        ("rotation", RelatedOnly),
        "half",
        "state",
        "source",
        "locked",
        ("person__program", RelatedOnly),
    )
    list_select_related = ("person__program", "block", "rotation")
    search_fields = (*PERSON_SEARCH, "rotation__name", "rotation__abbreviation")
    autocomplete_fields = ("person", "block", "rotation")
    readonly_fields = (*SCHEDULE_READONLY, *AUDIT_FIELDS)

    @admin.display(description="Program", ordering="person__program__name")
    def program_name(self, obj: RotationAssignment) -> str:
        return str(obj.person.program)


class AssignmentForm(forms.ModelForm):
    """Materialises start and end in UTC from the shift type in the program's timezone."""

    # Not the model field's name: the form must not write the value itself; the admin hands it
    # to the service, which checks and audits it.
    call_back = forms.IntegerField(
        required=False,
        min_value=0,
        label="Call-back minutes",
        help_text="At-home call only: the time actually spent in the hospital, entered after "
        "the fact. Only this time counts toward the 80 hours.",
    )

    class Meta:
        model = Assignment
        fields = ("person", "shift_type", "date", "locked", "note")

    override_reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only needed when the shift breaks a hard rule: your written reason, kept on "
        "the shift and in the audit log.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call_back"].initial = self.instance.callback_minutes

    def moves(self) -> bool:
        """Whether the form changes who works which shift when (what the rules look at)."""
        return not self.instance.pk or bool(
            {"person", "shift_type", "date"} & set(self.changed_data)
        )

    def _precheck(self, person: Any, shift: Any, day: Any) -> None:
        # The same check the save runs (again, under the program's lock): refused here first
        # so the coordinator keeps the form and can add a reason.
        if self.instance.pk and self.instance.state == State.DRAFT:
            return
        original = self.instance if self.instance.pk else None
        remove = [(original.person, original.date, original.shift_type)] if original else []
        try:
            found = edit_services.edit_check(
                program=person.program, add=[(person, day, shift)], remove=remove
            )
        except ApplicationError as error:
            self.add_error(None, error.message)
            return
        hard = [row for row in found if row["severity"] in services.HARD_SEVERITIES]
        if hard and not (self.cleaned_data.get("override_reason") or "").strip():
            self.add_error(
                "override_reason",
                "This edit breaks hard rules: "
                + "; ".join(row["message"] for row in hard[:3])
                + ". Saving it needs a written override reason.",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        person, shift, day = (cleaned.get(k) for k in ("person", "shift_type", "date"))
        if person is None or shift is None or day is None:
            return cleaned
        if person.program_id != shift.program_id:
            self.add_error("shift_type", "This shift type belongs to another program.")
            return cleaned
        if self.moves():
            self._precheck(person, shift, day)
        local = datetime.combine(day, shift.start_time, tzinfo=zone(person.program))
        self.instance.starts_at = local.astimezone(UTC)
        self.instance.ends_at = self.instance.starts_at + timedelta(minutes=shift.duration_minutes)
        return cleaned


@admin.register(Assignment)
class AssignmentAdmin(ProgramScopedAdmin):
    form = AssignmentForm
    list_display = (
        "date",
        "person",
        "shift_type",
        "hours",
        "state",
        "source",
        "locked",
        "program_name",
    )
    list_filter = (
        ("date", DateRangeFilter),
        "shift_type__category",
        ("shift_type", RelatedOnly),
        "person__kind",
        "state",
        "source",
        "locked",
        ("person__program", RelatedOnly),
    )
    list_select_related = ("person__program", "shift_type")
    date_hierarchy = "date"
    search_fields = (*PERSON_SEARCH, "shift_type__name", "shift_type__abbreviation")
    autocomplete_fields = ("person", "shift_type")
    readonly_fields = ("starts_at", "ends_at", *SCHEDULE_READONLY, *AUDIT_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        # Autocomplete (swap requests) renders str(), which names the person and shift type.
        # The changelist skips list_select_related once a queryset has select_related, so this
        # names everything the list shows.
        return super().get_queryset(request).select_related("person__program", "shift_type")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the scheduling services: a new or moved shift is checked and audited like a
        grid edit; a change of lock or note alone is annotated."""
        if change and obj.state == State.DRAFT:
            super().save_model(request, obj, form, change)
        elif form.moves():
            original = Assignment.objects.get(pk=obj.pk) if change else None
            result = edit_services.schedule_edit(
                program=obj.person.program,
                actor=request.user,
                add=[(obj.person, obj.date, obj.shift_type)],
                remove=[original] if original else [],
                override_reason=form.cleaned_data.get("override_reason", ""),
                locked=obj.locked,
                note=obj.note,
            )
            row = result.added[0]
            obj.pk, obj.code, obj.override_reason = row.pk, row.code, row.override_reason
            obj._state.adding = False
            for warning in result.warnings:
                self.message_user(request, f"Warning: {warning['message']}", messages.WARNING)
        else:
            edit_services.assignment_annotate(
                assignment=obj, locked=obj.locked, note=obj.note, actor=request.user
            )
        minutes = form.cleaned_data.get("call_back")
        if change and "call_back" in form.changed_data and minutes is not None:
            # Through the service: it checks the shift is an at-home call and the bounds, and
            # audits who recorded the time.
            self.call_service(
                request,
                partial(
                    services.assignment_callback_record,
                    assignment=obj,
                    minutes=minutes,
                    actor=request.user,
                ),
                success=f"Recorded {minutes} call-back minutes.",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        edit_services.assignment_remove(assignment=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Assignment]) -> None:
        for row in queryset.select_related("person__program", "shift_type"):
            self.call_service(
                request,
                partial(edit_services.assignment_remove, assignment=row, actor=request.user),
            )

    @admin.display(description="Hours")
    def hours(self, obj: Assignment) -> str:
        tz = zone(obj.person.program)
        start, end = obj.starts_at.astimezone(tz), obj.ends_at.astimezone(tz)
        return f"{start:%H:%M}–{end:%H:%M}"

    @admin.display(description="Program", ordering="person__program__name")
    def program_name(self, obj: Assignment) -> str:
        return str(obj.person.program)
