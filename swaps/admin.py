"""Coordinator console: swap requests and the matcher's ranked candidates."""

from __future__ import annotations

from django.contrib import admin

from console.admin import (
    AUDIT_FIELDS,
    ProgramScopedAdmin,
    ReadOnlyScopedAdmin,
    RelatedOnly,
    ScopedInline,
)
from swaps.models import SwapCandidate, SwapRequest


class SwapCandidateInline(ScopedInline, admin.TabularInline):
    model = SwapCandidate
    read_only = True
    fields = ("person", "assignment", "score", "factors")
    readonly_fields = fields
    show_change_link = False


@admin.register(SwapRequest)
class SwapRequestAdmin(ProgramScopedAdmin):
    """Status moves only through the swap services (validation, locking, execution)."""

    list_display = (
        "created_at",
        "kind",
        "status",
        "requester",
        "assignment",
        "counterpart",
        "counterpart_assignment",
        "program",
    )
    list_filter = ("status", "kind", ("program", RelatedOnly))
    list_select_related = (
        "program",
        "requester",
        "counterpart",
        "assignment__person",
        "assignment__shift_type",
        "counterpart_assignment__person",
        "counterpart_assignment__shift_type",
    )
    date_hierarchy = "created_at"
    search_fields = (
        "requester__first_name",
        "requester__last_name",
        "counterpart__first_name",
        "counterpart__last_name",
        "reason",
    )
    autocomplete_fields = (
        "program",
        "requester",
        "assignment",
        "counterpart",
        "counterpart_assignment",
    )
    readonly_fields = ("status", "decided_by", "decided_at", "executed_at", *AUDIT_FIELDS)
    inlines = (SwapCandidateInline,)


@admin.register(SwapCandidate)
class SwapCandidateAdmin(ReadOnlyScopedAdmin):
    list_display = ("swap", "person", "assignment", "score")
    list_filter = (("swap__program", RelatedOnly),)
    list_select_related = (
        "swap__requester",
        "person",
        "assignment__person",
        "assignment__shift_type",
    )
    search_fields = (
        "person__first_name",
        "person__last_name",
        "swap__requester__first_name",
        "swap__requester__last_name",
    )
    show_auditlog_history_link = True
