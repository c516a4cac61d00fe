"""Coordinator console: Pareto studies (written by analytics.services; opened on their page)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from analytics.models import ParetoStudy
from console.admin import DateRangeFilter, ReadOnlyScopedAdmin, RelatedOnly


@admin.register(ParetoStudy)
class ParetoStudyAdmin(ReadOnlyScopedAdmin):
    list_display = ("created_at", "period", "status", "progress", "front_size", "page", "program")
    list_filter = ("status", ("start_date", DateRangeFilter), ("program", RelatedOnly))
    list_select_related = ("program",)
    date_hierarchy = "created_at"
    search_fields = ("program__name",)
    exclude = ("points", "tasks")

    @admin.display(description="Period", ordering="start_date")
    def period(self, obj: ParetoStudy) -> str:
        return f"{obj.start_date:%d %b} – {obj.end_date:%d %b %Y}"

    @admin.display(description="Solves")
    def progress(self, obj: ParetoStudy) -> str:
        return f"{obj.done} / {obj.total}"

    @admin.display(description="Alternatives")
    def front_size(self, obj: ParetoStudy) -> int:
        return sum(1 for entry in obj.points.values() if entry.get("front"))

    @admin.display(description="Page")
    def page(self, obj: ParetoStudy) -> str:
        url = reverse("analytics:pareto-study", args=[obj.code])
        return format_html('<a href="{}?program={}">Compare and publish</a>', url, obj.program.code)
