"""The console's part for what people ask for: absences, dated requests and standing
preferences (each approved or denied through people.services, an absence over published shifts
first confirmed) and the program's preference policy. Imported by people.admin, which Django's
admin discovers."""

from __future__ import annotations

from functools import partial
from typing import Any

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


@admin.register(Absence)
class AbsenceAdmin(PersonScopedAdmin):
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
