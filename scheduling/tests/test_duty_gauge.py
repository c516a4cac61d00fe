"""The dashboard's duty gauge measures against the limit the engine applies, not a fixed 80."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lib.timezones import zone
from scheduling.selectors.personal import duty_summary
from scheduling.tests.pages_cast import Cast, build_cast, person_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(resident_a: Any, faculty_a: Any) -> Cast:
    return build_cast(person_of(resident_a).program, person_of(resident_a), person_of(faculty_a))


def _limit(cast: Cast, day: date | None = None) -> float:
    tz = zone(cast.program)
    return duty_summary(cast.resident, cast.program, day or cast.today, tz).average.limit


def test_it_uses_the_acgme_limit_by_default(cast: Cast) -> None:
    assert _limit(cast) == 80


def test_it_uses_a_stricter_program_limit(cast: Cast) -> None:
    cast.program.rule_overrides = {"max_weekly_hours": 72}
    cast.program.save(update_fields=["rule_overrides"])
    assert _limit(cast) == 72


def test_it_uses_the_rotation_exception_on_a_window_the_block_covers(cast: Cast) -> None:
    cast.rotation.weekly_hours_limit = 88
    cast.rotation.save(update_fields=["weekly_hours_limit"])
    assert _limit(cast, cast.block.end_date) == 88  # the 28 days are the block's own


def test_it_keeps_the_stricter_limit_on_a_window_reaching_past_the_block(cast: Cast) -> None:
    cast.rotation.weekly_hours_limit = 88
    cast.rotation.save(update_fields=["weekly_hours_limit"])
    assert _limit(cast, cast.block.start_date) == 80  # 27 of the 28 days precede the block
