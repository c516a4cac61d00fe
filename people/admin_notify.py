"""The console's part for notification channels: deliveries (with failures), program webhooks,
and people's preferences. Imported by people.admin, which Django's admin discovers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from console.admin import AUDIT_FIELDS, ProgramScopedAdmin, ReadOnlyScopedAdmin, RelatedOnly
from people import delivery
from people.models import Channel, Delivery, NotificationPreference, ProgramWebhook


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyScopedAdmin):
    """Every email and webhook post with its status: a failing webhook shows here, with why."""

    list_display = ("notification", "recipient", "channel", "status", "attempts", "last_error")
    list_filter = ("status", "channel", ("notification__program", RelatedOnly))
    list_select_related = ("notification__recipient", "notification__program")
    search_fields = ("notification__title", "last_error", "notification__recipient__email")
    date_hierarchy = "created_at"
    actions = ("send_again",)

    @admin.display(description="Recipient")
    def recipient(self, obj: Delivery) -> Any:
        return obj.notification.recipient

    @admin.action(description="Send the selected failed deliveries again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        failed = list(queryset.filter(status=Delivery.Status.FAILED).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=failed).update(status=Delivery.Status.QUEUED)
        delivery.enqueue(failed)
        self.message_user(request, f"{len(failed)} delivery(ies) queued again.")


@admin.register(ProgramWebhook)
class ProgramWebhookAdmin(ProgramScopedAdmin):
    list_display = ("program", "url", "is_active", "last_status")
    list_filter = ("is_active",)
    list_select_related = ("program",)
    readonly_fields = AUDIT_FIELDS

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramWebhook]:
        last = Delivery.objects.filter(
            notification__program_id=OuterRef("program_id"), channel=Channel.WEBHOOK
        ).order_by("-created_at")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_state=Subquery(last.values("status")[:1]),
                last_error=Subquery(last.values("last_error")[:1]),
            )
        )

    @admin.display(description="Last post")
    def last_status(self, obj: Any) -> str:
        if obj.last_state is None:
            return "—"
        return obj.last_state + (f": {obj.last_error}" if obj.last_error else "")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ProgramScopedAdmin):
    list_display = ("user", "program", "digest", "muted_email", "last_digest_at")
    list_filter = ("digest",)
    list_select_related = ("user", "program")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("last_digest_at", *AUDIT_FIELDS)
