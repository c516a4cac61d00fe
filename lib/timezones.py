"""A program's local time: its zone, today's date there and midnight of a day there.

Datetimes are stored in UTC; pages, calendar feeds and exports apply the program's timezone at
the edge with these helpers. Anything with a ``timezone`` attribute naming an IANA zone will do
(a Program), so ``lib`` needs no app's models.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class Zoned(Protocol):
    @property
    def timezone(self) -> str: ...


def zone(program: Zoned) -> ZoneInfo:
    return ZoneInfo(program.timezone)


def local_today(program: Zoned, *, now: datetime | None = None) -> date:
    """The date on the program's wall clock (``now`` defaults to the current instant)."""
    return (now or timezone.now()).astimezone(zone(program)).date()


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)
