"""Coordinator console: the conflict alert queue."""

from __future__ import annotations

from django.contrib import admin

from conflicts.models import ConflictAlert
from console.admin import AUDIT_FIELDS, DateRangeFilter, ProgramScopedAdmin, RelatedOnly


@admin.register(ConflictAlert)
class ConflictAlertAdmin(ProgramScopedAdmin):
    list_display = (
        "start_date",
        "end_date",
        "severity",
        "kind",
        "status",
        "person",
        "summary",
        "program",
    )
    list_filter = (
        "status",
        "severity",
        "kind",
        ("start_date", DateRangeFilter),
        ("program", RelatedOnly),
    )
    list_select_related = ("program", "person")
    date_hierarchy = "start_date"
    search_fields = ("message", "person__first_name", "person__last_name")
    autocomplete_fields = ("program", "person", "assignment", "absence")
    # Resolution is recorded by the resolution services, not typed in.
    readonly_fields = ("resolution", "resolved_by", "resolved_at", *AUDIT_FIELDS)

    @admin.display(description="Message")
    def summary(self, obj: ConflictAlert) -> str:
        return obj.message if len(obj.message) <= 80 else f"{obj.message[:79]}…"
