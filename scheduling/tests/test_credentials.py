"""Credentials that mean something: levels decide who covers a demand, certifications expire on
their expiry date, and the precheck names a day nobody can cover (people/eligibility.py is the
one reading, used by the translator and by conflict detection)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conflicts.detection import detect
from people.eligibility import eligibility_index
from people.models import Certification, Procedure, ProcedureCredential
from rotations.models import CoverageRequirement
from scheduling.tests.builders import END, START, SmallProgram, small_program
from scheduling.tests.rules_helpers import precheck, solve
from testing import factories as f

pytestmark = pytest.mark.django_db

Level = ProcedureCredential.Level
EXPIRY = date(2026, 7, 4)  # a Saturday inside the week START..END


def _needs_line(world: SmallProgram) -> Procedure:
    line = Procedure.objects.create(program=world.program, name="Central line")
    CoverageRequirement.objects.filter(shift_type=world.shift).update(procedure=line)
    return line


def _credential(world: SmallProgram, index: int, level: str, line: Procedure) -> None:
    ProcedureCredential.objects.create(
        person=world.residents[index], procedure=line, level=level, granted_on=date(2026, 1, 1)
    )


def _needs_acls(world: SmallProgram) -> None:
    world.shift.required_certification = "ACLS"
    world.shift.save(update_fields=["required_certification"])


def _acls(world: SmallProgram, index: int, expires_on: date | None = None) -> None:
    Certification.objects.create(
        person=world.residents[index],
        name="ACLS",
        issued_on=date(2025, 1, 1),
        expires_on=expires_on,
    )


def test_it_does_not_let_a_supervised_holder_cover_a_demand_alone() -> None:
    world = small_program()
    line = _needs_line(world)
    _credential(world, 0, Level.SUPERVISED, line)
    assert any(
        "no one holds Central line independently on Wed 1 July 2026 for WD" in cause
        for cause in precheck(world.program)
    )


def test_it_puts_a_supervised_holder_only_beside_an_independent_one() -> None:
    world = small_program()
    line = _needs_line(world)
    _credential(world, 0, Level.SUPERVISED, line)
    _credential(world, 1, Level.INDEPENDENT, line)
    solved = solve(world.program)
    assert solved.report.is_valid
    lead_days = set(solved.days_of(world.residents[1], "WD"))
    assert lead_days == {START + timedelta(days=n) for n in range(7)}  # the only lead: every day
    assert set(solved.days_of(world.residents[0], "WD")) <= lead_days
    assert solved.days_of(world.residents[2], "WD") == []  # no credential: never eligible


def test_it_removes_eligibility_from_the_certifications_expiry_date() -> None:
    world = small_program()
    _needs_acls(world)
    _acls(world, 0, expires_on=EXPIRY)
    _acls(world, 1)
    solved = solve(world.program)
    assert solved.report.is_valid
    assert all(day < EXPIRY for day in solved.days_of(world.residents[0], "WD"))
    assert solved.days_of(world.residents[1], "WD")[-1] == END


def test_it_counts_a_certification_until_the_day_before_it_expires() -> None:
    world = small_program()
    _acls(world, 0, expires_on=EXPIRY)
    index = eligibility_index(world.program, START, END)
    person = world.residents[0].pk
    assert index.holds_on(person, ["ACLS"], EXPIRY - timedelta(days=1))
    assert not index.holds_on(person, ["ACLS"], EXPIRY)


def test_it_names_the_day_no_one_holds_a_valid_certification() -> None:
    world = small_program()
    _needs_acls(world)
    _acls(world, 0, expires_on=EXPIRY)
    causes = precheck(world.program)
    assert "no one with a valid ACLS on Sat 4 July 2026 for WD (it needs at least 1)" in causes


def test_it_counts_a_credential_expiring_mid_period_until_its_expiry() -> None:
    # The old reading wanted the credential valid through the whole period: nobody qualified.
    world = small_program()
    line = _needs_line(world)
    ProcedureCredential.objects.create(
        person=world.residents[0], procedure=line, granted_on=date(2026, 1, 1), expires_on=EXPIRY
    )
    _credential(world, 1, Level.INDEPENDENT, line)
    solved = solve(world.program)
    assert solved.report.is_valid
    assert all(day < EXPIRY for day in solved.days_of(world.residents[0], "WD"))


def test_it_detects_a_published_shift_worked_after_the_certification_expired() -> None:
    world = small_program()
    _needs_acls(world)
    _acls(world, 0, expires_on=EXPIRY)
    f.AssignmentFactory.create(person=world.residents[0], shift_type=world.shift, date=EXPIRY)
    findings = [x for x in detect(world.program, EXPIRY, EXPIRY) if x.rule == "credential.missing"]
    assert [x.message for x in findings] == [
        f"{world.residents[0].full_name} works WD on Sat 04 Jul 2026 without a valid ACLS"
    ]
