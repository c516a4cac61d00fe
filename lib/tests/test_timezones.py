"""A program's local time, table-driven and without the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from lib.timezones import local_midnight, local_today, zone


@dataclass(frozen=True)
class Place:
    timezone: str


@pytest.mark.parametrize(
    ("name", "now", "expected"),
    [
        # 03:30 UTC is still the previous evening in New York (EDT, UTC-4).
        ("America/New_York", datetime(2026, 9, 2, 3, 30, tzinfo=UTC), date(2026, 9, 1)),
        ("America/New_York", datetime(2026, 9, 2, 4, 0, tzinfo=UTC), date(2026, 9, 2)),
        # 23:30 UTC is already tomorrow in Auckland (NZST, UTC+12).
        ("Pacific/Auckland", datetime(2026, 7, 1, 23, 30, tzinfo=UTC), date(2026, 7, 2)),
        ("UTC", datetime(2026, 12, 31, 23, 59, tzinfo=UTC), date(2026, 12, 31)),
    ],
)
def test_it_gives_the_date_on_the_programs_wall_clock(
    name: str, now: datetime, expected: date
) -> None:
    assert local_today(Place(name), now=now) == expected


def test_it_uses_the_current_instant_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "lib.timezones.timezone.now", lambda: datetime(2026, 9, 2, 3, 30, tzinfo=UTC)
    )
    assert local_today(Place("America/New_York")) == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("name", "day", "utc"),
    [
        ("America/New_York", date(2026, 1, 15), datetime(2026, 1, 15, 5, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 7, 15), datetime(2026, 7, 15, 4, 0, tzinfo=UTC)),
        # Clocks go back at 02:00 on 1 Nov 2026; midnight that day is still EDT.
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
    ],
)
def test_it_places_local_midnight_at_the_right_instant(name: str, day: date, utc: datetime) -> None:
    assert local_midnight(day, zone(Place(name))) == utc


def test_it_makes_the_day_of_a_clock_change_a_wall_clock_day() -> None:
    tz = zone(Place("America/New_York"))
    # Compared in UTC: Python subtracts datetimes of one tzinfo by their wall clocks.
    begins, ends = (local_midnight(date(2026, 11, d), tz).astimezone(UTC) for d in (1, 2))
    assert ends - begins == timedelta(hours=25)


def test_it_rejects_an_unknown_zone() -> None:
    with pytest.raises(KeyError):
        zone(Place("Mars/Olympus_Mons"))
