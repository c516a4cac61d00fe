"""In a real browser: a coordinator reads the program rules in the console and tightens a cap.

``SAVE_SCREENSHOTS=docs/screenshots`` also saves the console's rule list (program-rules.png).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD
from people.models import Person, Program, ProgramRule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SAVE_SCREENSHOTS", "")
Kind = ProgramRule.Kind


def _rules(program: Program, person: Person) -> ProgramRule:
    cap = ProgramRule.objects.create(
        program=program,
        kind=Kind.CAP,
        measure=ProgramRule.Measure.CALLS,
        period=ProgramRule.Period.BLOCK,
        value=6,
        applies_to=ProgramRule.Applies.RESIDENTS,
    )
    ProgramRule.objects.create(
        program=program,
        kind=Kind.CAP,
        measure=ProgramRule.Measure.SHIFTS,
        period=ProgramRule.Period.YEAR,
        value=240,
        pgy=1,
        applies_to=ProgramRule.Applies.RESIDENTS,
        hard=False,
        weight=20,
    )
    ProgramRule.objects.create(
        program=program,
        kind=Kind.CAP,
        measure=ProgramRule.Measure.NIGHTS,
        period=ProgramRule.Period.BLOCK,
        value=0,
        person=person,
        note="Night-float exemption while on light duty",
    )
    ProgramRule.objects.create(
        program=program,
        kind=Kind.CAP,
        measure=ProgramRule.Measure.WEEKENDS,
        period=ProgramRule.Period.BLOCK,
        value=2,
        applies_to=ProgramRule.Applies.RESIDENTS,
    )
    ProgramRule.objects.create(program=program, kind=Kind.CONSECUTIVE_DAYS, value=6)
    ProgramRule.objects.create(program=program, kind=Kind.MIN_REST, value=10)
    ProgramRule.objects.create(program=program, kind=Kind.CALL_PATTERN)
    ProgramRule.objects.create(program=program, kind=Kind.FREEZE, value=14)
    return cap


def test_the_coordinator_tightens_a_call_cap_in_the_console(
    page: Any, live_server: Any, program_a: Program, coordinator_a: Any, resident_a: Any
) -> None:
    cap = _rules(program_a, Person.objects.get(program=program_a, last_name="Resident"))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", coordinator_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/admin/people/programrule/")
    listing = page.locator("#result_list").inner_text()
    assert "at most 6 calls (in-house and at-home) per block for residents (hard)" in listing
    assert "weighted target, weight 20" in listing
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "program-rules.png"), full_page=True)
    page.goto(f"{base}/admin/people/programrule/{cap.pk}/change/")
    page.fill("#id_value", "4")
    page.click("input[name=_save]")
    page.wait_for_url(f"{base}/admin/people/programrule/")
    assert "at most 4 calls (in-house and at-home) per block for residents" in page.content()
    cap.refresh_from_db()
    assert cap.value == 4
