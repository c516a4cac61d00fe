"""The layout's context on every page, error pages included: the seat (when the view gave none)
and ``doors``, which the navigation asks which pages the seat may open (``people.access``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from people.access import Doors


def doors(request: HttpRequest) -> dict[str, Any]:
    found = Doors(request)
    # A view's own ``seat`` wins (context processors sit under the view's context); error pages
    # (403, 404) get the user's current one, read only if the template asks.
    return {"doors": found, "seat": SimpleLazyObject(found.seat)}
