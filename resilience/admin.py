"""Coordinator console: coverage-risk snapshots (written by the resilience services)."""

from __future__ import annotations

from django.contrib import admin

from console.admin import DateRangeFilter, ReadOnlyScopedAdmin, RelatedOnly
from resilience.models import ResilienceSnapshot


@admin.register(ResilienceSnapshot)
class ResilienceSnapshotAdmin(ReadOnlyScopedAdmin):
    list_display = (
        "taken_at",
        "period",
        "utilization_percent",
        "defense_level",
        "n1_failures",
        "n2_failures",
        "program",
    )
    list_filter = ("defense_level", ("start_date", DateRangeFilter), ("program", RelatedOnly))
    list_select_related = ("program",)
    date_hierarchy = "taken_at"
    search_fields = ("program__name",)

    @admin.display(description="Period", ordering="start_date")
    def period(self, obj: ResilienceSnapshot) -> str:
        return f"{obj.start_date:%d %b} – {obj.end_date:%d %b %Y}"

    @admin.display(description="Utilisation", ordering="utilization")
    def utilization_percent(self, obj: ResilienceSnapshot) -> str:
        return f"{obj.utilization:.0%}"
