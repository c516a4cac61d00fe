"""Coordinator console: swap requests and the matcher's ranked candidates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from console.admin import (
    AUDIT_FIELDS,
    ProgramScopedAdmin,
    ReadOnlyScopedAdmin,
    RelatedOnly,
    ScopedInline,
)
from lib.errors import ApplicationError
from swaps import services
from swaps.models import SwapCandidate, SwapChainLink, SwapPolicy, SwapRequest

CONSOLE_REASON = "Decided in the coordinator console."


def _each(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[Any],
    act: Callable[..., Any],
    done: str,
) -> None:
    """Run one service per selected swap; each succeeds or is refused on its own."""
    ok = 0
    for swap in queryset.select_related("program"):
        try:
            act(swap=swap, actor=request.user)
        except ApplicationError as error:
            modeladmin.message_user(request, f"{swap}: {error.message}", level=messages.ERROR)
        else:
            ok += 1
    if ok:
        modeladmin.message_user(request, f"{ok} swap(s) {done}.", level=messages.SUCCESS)


@admin.action(description="Approve and execute the selected swaps")
def approve(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    def act(**kw: Any) -> Any:
        return services.swap_approve(reason=CONSOLE_REASON, **kw)

    _each(modeladmin, request, queryset, act, "approved and executed")


@admin.action(description="Execute the selected accepted swaps")
def execute(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _each(modeladmin, request, queryset, services.swap_execute, "executed")


@admin.action(description="Reject the selected swaps")
def reject(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    def act(**kw: Any) -> Any:
        return services.swap_reject(reason=CONSOLE_REASON, **kw)

    _each(modeladmin, request, queryset, act, "rejected")


@admin.action(description="Undo the selected executed swaps")
def undo(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    def act(**kw: Any) -> Any:
        return services.swap_undo(reason=CONSOLE_REASON, **kw)

    _each(modeladmin, request, queryset, act, "undone")


@admin.action(description="Rank candidates again for the selected open offers")
def rematch(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    def act(*, swap: SwapRequest, actor: Any) -> Any:
        return services.swap_match(swap=swap)

    _each(modeladmin, request, queryset, act, "ranked")


class SwapCandidateInline(ScopedInline, admin.TabularInline):
    model = SwapCandidate
    read_only = True
    fields = ("person", "assignment", "score", "factors")
    readonly_fields = fields
    show_change_link = False


class SwapChainLinkInline(ScopedInline, admin.TabularInline):
    """A swap chain's participants (answered on their swap pages, never here)."""

    model = SwapChainLink
    read_only = True
    fields = ("position", "person", "assignment", "accepted_at")
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
    autocomplete_fields = ("program", "requester", "assignment")
    readonly_fields = (
        "status",
        "kind",  # set by the service that opens or takes the offer
        "week_start",
        "counterpart",
        "counterpart_assignment",
        "accepted_at",
        "decided_by",
        "decided_at",
        "executed_at",
        "moves",
        "undone_at",
        "undo_reason",
        *AUDIT_FIELDS,
    )
    inlines = (SwapChainLinkInline, SwapCandidateInline)
    actions = (approve, execute, reject, undo, rematch)


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


@admin.register(SwapPolicy)
class SwapPolicyAdmin(ProgramScopedAdmin):
    list_display = ("program", "approval", "lock_days", "undo_hours", "week_carries_call")
    list_filter = ("approval", ("program", RelatedOnly))
    list_select_related = ("program",)
    search_fields = ("program__name",)
    autocomplete_fields = ("program",)
