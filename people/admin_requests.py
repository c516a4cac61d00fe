"""The console's part for what people ask for: absences, dated requests and standing
preferences (each approved or denied through people.services, an absence over published shifts
first confirmed) and the program's preference policy. Imported by people.admin, which Django's
admin discovers."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from console.admin import (
    AUDIT_FIELDS,
    DateRangeFilter,
    PersonScopedAdmin,
    ProgramScopedAdmin,
    RelatedOnly,
)
from lib.errors import ApplicationError
from people import request_checks
from people import services as people_services
from people.models import Absence, PreferencePolicy, Request, StandingPreference
from scheduling import edit_services
from scheduling.selectors import shifts as shift_selectors


def _decide_each(
    model_admin: Any,
    request: HttpRequest,
    rows: QuerySet[Any],
    decide: Any,
    name: str,
    approve: bool,
) -> None:
    """Decide each row through the service; refusals (already decided) become messages."""
    done = sum(
        model_admin.call_service(
            request, partial(decide, **{name: row}, approve=approve, actor=request.user)
        )
        is not None
        for row in rows
    )
    if done:
        verb = "Approved" if approve else "Denied"
        model_admin.message_user(request, f"{verb} {done} {name}(s); the requesters were notified.")


# Adding and editing rows: the services' rules, refusals beside the field they name -----------


class CheckedForm(forms.ModelForm):
    """A console form for a row people.services writes: ``clean`` applies the service's rule
    (``check``) to a new row, and to a stored one when a field the rule reads changes. A new row
    is then saved by the service itself (the admin's ``save_model``); the status never changes
    here, only through the approve and deny actions (the decide services)."""

    checked: tuple[str, ...] = ()

    def check(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stored = self.instance.pk is not None
        if self.errors or (stored and not set(self.checked) & set(self.changed_data)):
            return data
        values = {name: data.get(name, getattr(self.instance, name, None)) for name in self.checked}
        if values.get("person") is None:
            return data
        try:
            self.check(values)
        except ApplicationError as error:
            name = error.details.get("field")
            self.add_error(name if name in self.fields else None, error.message)
        return data


class AbsenceForm(CheckedForm):
    checked = ("person", "start_date", "end_date")

    def check(self, data: dict[str, Any]) -> None:
        stored = self.instance if self.instance.pk is not None else None
        request_checks.absence_request_check(**data, absence=stored)


class RequestForm(CheckedForm):
    checked = ("person", "kind", "start_date", "end_date", "shift_type", "weight", "reason")

    def check(self, data: dict[str, Any]) -> None:
        stored = self.instance if self.instance.pk is not None else None
        request_checks.request_check(**data, request=stored)


def absence_create(form: forms.ModelForm, actor: Any) -> Absence:
    """A console-added absence, through the service (requested, audited under ``actor``); the
    form's instance takes the saved row's identity so the admin's redirect and log follow it."""
    row = form.instance
    created = people_services.absence_request_create(
        person=row.person,
        kind=row.kind,
        start_date=row.start_date,
        end_date=row.end_date,
        note=row.note,
        actor=actor,
    )
    row.pk, row.code, row.status = created.pk, created.code, created.status
    row._state.adding = False
    return created


class AbsenceFormSet(forms.BaseInlineFormSet):
    """The absences on a person's page: new ones through the service, status changes through
    the decide and cancel services, under ``actor`` (bound per request by the inline)."""

    actor: Any = None

    def save_new(self, form: Any, commit: bool = True) -> Absence:
        setattr(form.instance, self.fk.name, self.instance)
        wanted = form.instance.status
        absence_create(form, self.actor)
        people_services.absence_status_set(absence=form.instance, status=wanted, actor=self.actor)
        return form.instance

    def save_existing(self, form: Any, obj: Any, commit: bool = True) -> Absence:
        wanted = obj.status
        obj.status = form.initial.get("status", wanted)  # the other fields first, as they were
        super().save_existing(form, obj, commit)
        people_services.absence_status_set(absence=obj, status=wanted, actor=self.actor)
        return obj


@admin.register(Absence)
class AbsenceAdmin(PersonScopedAdmin):
    form = AbsenceForm
    list_display = ("person", "kind", "status", "start_date", "end_date", "days", "program_name")
    list_filter = (
        "status",
        "kind",
        ("person__program", RelatedOnly),
        ("start_date", DateRangeFilter),
    )
    date_hierarchy = "start_date"
    readonly_fields = ("status", "decided_by", "decided_at", *AUDIT_FIELDS)
    actions = ("approve", "deny")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:  # the form re-checked the changed fields; detection follows (super)
            super().save_model(request, obj, form, change)
        else:
            absence_create(form, request.user)

    @admin.display(description="Days")
    def days(self, obj: Absence) -> int:
        return (obj.end_date - obj.start_date).days + 1

    @admin.action(description="Approve the selected absences")
    def approve(self, request: HttpRequest, queryset: QuerySet[Absence]) -> HttpResponse | None:
        """Absences over published shifts first list them (the confirmation step), then are
        approved alone or approved and resolved (shifts off, minimal-change re-solve)."""
        choice = request.POST.get("overlaps")
        if choice is None:
            overlaps = [
                (absence, shift_selectors.absence_overlaps(absence))
                for absence in queryset.filter(status=Absence.Status.REQUESTED)
            ]
            overlaps = [(absence, rows) for absence, rows in overlaps if rows]
            if overlaps:
                context = {
                    **self.admin_site.each_context(request),
                    "title": "Approve absences over published shifts?",
                    "overlaps": overlaps,
                    "queryset": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                }
                return TemplateResponse(
                    request, "admin/people/absence/approve_overlaps.html", context
                )
        if choice == "resolve":
            done = sum(
                self.call_service(
                    request,
                    partial(
                        edit_services.absence_approve_and_resolve,
                        absence=absence,
                        actor=request.user,
                    ),
                )
                is not None
                for absence in queryset
            )
            if done:
                self.message_user(
                    request,
                    f"Approved {done} absence(s), took their shifts off and started a "
                    "minimal-change re-solve of those days; review and publish its draft.",
                )
            return None
        _decide_each(self, request, queryset, people_services.absence_decide, "absence", True)
        return None

    @admin.action(description="Deny the selected absences")
    def deny(self, request: HttpRequest, queryset: QuerySet[Absence]) -> None:
        _decide_each(self, request, queryset, people_services.absence_decide, "absence", False)


@admin.register(Request)
class RequestAdmin(PersonScopedAdmin):
    form = RequestForm
    list_display = (
        "person",
        "kind",
        "status",
        "start_date",
        "end_date",
        "shift_type",
        "weight",
        "reason",
        "program_name",
    )
    list_filter = (
        "status",
        "kind",
        "reason",
        ("person__program", RelatedOnly),
        ("start_date", DateRangeFilter),
    )
    list_select_related = ("person__program", "shift_type")
    date_hierarchy = "start_date"
    autocomplete_fields = ("person", "shift_type")
    readonly_fields = ("status", "decided_by", "decided_at", *AUDIT_FIELDS)
    actions = ("approve", "deny")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:  # the form re-checked the changed fields
            super().save_model(request, obj, form, change)
            return
        created = people_services.request_create(
            person=obj.person,
            kind=obj.kind,
            start_date=obj.start_date,
            end_date=obj.end_date,
            shift_type=obj.shift_type,
            weight=obj.weight,
            reason=obj.reason,
            note=obj.note,
            actor=request.user,
        )  # pending or approved as the program's preference policy says
        obj.pk, obj.code, obj.status = created.pk, created.code, created.status
        obj.decided_at = created.decided_at
        obj._state.adding = False

    @admin.action(description="Approve the selected requests")
    def approve(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        _decide_each(self, request, queryset, people_services.request_decide, "request", True)

    @admin.action(description="Deny the selected requests")
    def deny(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        _decide_each(self, request, queryset, people_services.request_decide, "request", False)


@admin.register(StandingPreference)
class StandingPreferenceAdmin(PersonScopedAdmin):
    list_display = (
        "person",
        "kind",
        "shift_type",
        "weekday",
        "weight",
        "attending_weeks",
        "clinic_sessions",
        "status",
        "program_name",
    )
    list_filter = ("status", "kind", ("person__program", RelatedOnly))
    list_select_related = ("person__program", "shift_type")
    autocomplete_fields = ("person", "shift_type")
    readonly_fields = ("status", "decided_by", "decided_at", *AUDIT_FIELDS)
    actions = ("approve", "deny")

    @admin.action(description="Approve the selected preferences")
    def approve(self, request: HttpRequest, queryset: QuerySet[StandingPreference]) -> None:
        _decide_each(
            self, request, queryset, people_services.standing_preference_decide, "preference", True
        )

    @admin.action(description="Deny the selected preferences")
    def deny(self, request: HttpRequest, queryset: QuerySet[StandingPreference]) -> None:
        _decide_each(
            self, request, queryset, people_services.standing_preference_decide, "preference", False
        )


@admin.register(PreferencePolicy)
class PreferencePolicyAdmin(ProgramScopedAdmin):
    list_display = ("program", "review", "blocked_dates", "blocked_weight")
    list_filter = ("review", "blocked_dates", ("program", RelatedOnly))
    list_select_related = ("program",)
    search_fields = ("program__name",)
    autocomplete_fields = ("program",)
