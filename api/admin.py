"""Coordinator console: import jobs, the page where an import's state shows (read only; a
previewed job may be applied from the list)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api import import_jobs
from api.models import ImportJob
from console.admin import AUDIT_FIELDS, ReadOnlyScopedAdmin, RelatedOnly


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyScopedAdmin):
    """Jobs are created by the API's import endpoints and run by a worker."""

    list_display = (
        "created_at",
        "kind",
        "mode",
        "status",
        "percent",
        "rows_read",
        "filename",
        "actor",
        "program",
    )
    list_filter = ("status", "kind", "mode", ("program", RelatedOnly))
    list_select_related = ("program", "actor")
    search_fields = ("filename",)
    date_hierarchy = "created_at"
    actions = ("apply_jobs",)
    fieldsets = (
        (None, {"fields": ("program", "academic_year", "kind", "mode", "status", "actor")}),
        ("File", {"fields": ("filename", "size", "rows_read", "progress")}),
        ("Result", {"fields": ("counts", "errors", "result")}),
        ("Timing", {"fields": ("started_at", "finished_at")}),
        ("Record", {"fields": AUDIT_FIELDS}),
    )
    readonly_fields = (
        "program",
        "academic_year",
        "kind",
        "mode",
        "status",
        "actor",
        "filename",
        "size",
        "rows_read",
        "progress",
        "counts",
        "errors",
        "result",
        "started_at",
        "finished_at",
        *AUDIT_FIELDS,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).defer("content")  # the file stays in the database

    @admin.display(description="Progress", ordering="progress")
    def percent(self, job: ImportJob) -> str:
        return f"{job.progress} %"

    @admin.action(description="Apply the selected previewed jobs")
    def apply_jobs(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        done = sum(
            self.call_service(
                request, partial(import_jobs.import_job_apply, job=job, actor=request.user)
            )
            is not None
            for job in queryset
        )
        if done:
            self.message_user(request, f"Queued {done} job(s) to apply.", level=messages.SUCCESS)
