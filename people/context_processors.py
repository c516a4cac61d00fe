"""The layout's context on every page, error pages included: the seat (when the view gave none),
``doors``, which the navigation asks which pages the seat may open (``people.access``), and the
notification badge (unread count and the newest unread title in the current program). Each is
read lazily: only pages that render the header query them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Window
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from people import selectors
from people.access import Doors


def doors(request: HttpRequest) -> dict[str, Any]:
    found = Doors(request)
    # A view's own ``seat`` wins (context processors sit under the view's context); error pages
    # (403, 404) get the user's current one, read only if the template asks.
    return {"doors": found, "seat": SimpleLazyObject(found.seat)}


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
