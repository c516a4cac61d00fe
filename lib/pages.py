"""The one render helper for pages in the site's layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def render_page(
    request: HttpRequest,
    template: str,
    seat: Any,
    nav: str,
    *,
    fragment: str | None = None,
    **context: Any,
) -> HttpResponse:
    """Render ``template`` with the layout's context: the seat (program switcher, role
    navigation) and times in the program's timezone. An htmx request that is not a boosted
    navigation gets only ``fragment`` of the same template (one URL per page)."""
    htmx = getattr(request, "htmx", None)  # django-htmx middleware
    name = f"{template}#{fragment}" if fragment and htmx and not htmx.boosted else template
    with timezone.override(seat.program.timezone):
        return render(request, name, {"seat": seat, "program": seat.program, "nav": nav, **context})
