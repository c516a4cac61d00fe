"""The layout's notification badge: unread count and the newest unread title, in the current
program, read lazily (only pages that render the header query it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Window
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from people import selectors


def notifications(request: HttpRequest) -> dict[str, Any]:
    def unread() -> dict[str, Any]:
        seat = getattr(request, "_access_seat", None)  # set by @page for the request's program
        if seat is None or not request.user.is_authenticated:
            return {"count": 0, "latest": None}
        # One query: the newest unread row carries the count of all of them.
        rows = selectors.notifications_for(seat).filter(read_at__isnull=True)
        latest = rows.annotate(unread=Window(Count("pk"))).order_by("-created_at").first()
        return {"count": latest.unread if latest else 0, "latest": latest}

    return {"unread": SimpleLazyObject(unread)}
