"""Analytics pages: ``fairness`` (the report), ``heatmaps`` (SVG pictures), ``exports`` (CSV
and Excel of each) and ``pareto`` (alternatives a coordinator can compare and publish)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from analytics.selectors.period import Period, period_for
from lib.timezones import local_today
from people.access import Seat


def period_of(request: HttpRequest, seat: Seat) -> Period | None:
    """The period the query asks for (``?year=<code>&block=<number>``), else the year to date."""
    return period_for(
        seat.program,
        today=local_today(seat.program),
        year=request.GET.get("year"),
        block=request.GET.get("block"),
    )


def picture(markup: str) -> Any:
    """SVG from ``analytics.svg`` for a template: every text in it is escaped there."""
    return mark_safe(markup)
