from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from console.demo import DEMO_PASSWORD, seed_demo
from people.models import AcademicYear, Membership, Person, Program
from rotations.models import CoverageRequirement, CurriculumRequirement, Rotation, ShiftType
from rotations.selectors import holidays_for

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Program,
            Person,
            Membership,
            Rotation,
            ShiftType,
            CoverageRequirement,
            CurriculumRequirement,
        )
    }


def test_it_builds_the_family_medicine_program() -> None:
    program, _, created = seed_demo()
    assert created
    year = AcademicYear.objects.get(program=program)
    residents = Person.objects.filter(program=program, kind=Person.Kind.RESIDENT)
    assert sorted(person.pgy_in(year) or 0 for person in residents) == [1] * 8 + [2] * 8 + [3] * 8
    assert Person.objects.filter(program=program, kind=Person.Kind.FACULTY).count() == 12
    assert Person.objects.filter(program=program, is_program_director=True).count() == 1
    assert Person.objects.filter(program=program, is_adjunct=True).count() == 1
    assert year.blocks.count() == 13
    assert Rotation.objects.filter(program=program, leave_eligible=True).exists()
    assert CoverageRequirement.objects.filter(
        shift_type__program=program, needs_supervision=True
    ).exists()


def test_it_gives_every_rotation_a_timed_shift_type() -> None:
    """Whatever rotation a demo resident is on, the schedule gives her shifts (issue 11, item 4)."""
    program, _, _ = seed_demo()
    covered = set(
        CoverageRequirement.objects.filter(shift_type__program=program).values_list(
            "rotation__abbreviation", flat=True
        )
    )
    rotations = set(Rotation.objects.filter(program=program).values_list("abbreviation", flat=True))
    assert rotations <= covered
    # The engine takes one demand per day and shift type: no type serves two rotations' rows.
    per_type = CoverageRequirement.objects.filter(
        shift_type__program=program, rotation__isnull=False
    ).values_list("shift_type_id", flat=True)
    assert len(per_type) == len(set(per_type))


def test_it_seeds_the_federal_holidays_and_stops_clinic_on_them() -> None:
    program, _, _ = seed_demo()
    year = AcademicYear.objects.get(program=program)
    holidays = holidays_for(program, year.start_date, year.end_date)
    assert holidays[date(2026, 12, 25)] == "Christmas Day"
    assert holidays[date(2027, 1, 1)] == "New Year's Day"
    assert len(holidays) == 11
    stops = ShiftType.objects.filter(program=program, runs_on_holidays=False)
    assert {"CAM", "CPM", "PAM", "PPM"} <= set(stops.values_list("abbreviation", flat=True))
    assert ShiftType.objects.get(program=program, abbreviation="CALL").runs_on_holidays


def test_it_keeps_every_curriculum_within_thirteen_blocks() -> None:
    program, _, _ = seed_demo()
    for pgy in (1, 2, 3):
        required = sum(
            CurriculumRequirement.objects.filter(rotation__program=program, pgy=pgy).values_list(
                "min_blocks", flat=True
            )
        )
        assert 0 < required <= 13


def test_it_is_idempotent() -> None:
    seed_demo()
    before = _counts()
    _, _, created = seed_demo()
    assert not created
    assert _counts() == before


def test_it_prints_a_working_login_for_each_role() -> None:
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--no-schedule", stdout=out)
    printed = out.getvalue()
    for role in Membership.Role:
        assert role.label in printed
    for username in ("admin", "coordinator", "faculty", "resident"):
        assert username in printed
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)


@pytest.mark.parametrize(
    ("args", "port", "url"),
    [
        ([], "8123", "http://127.0.0.1:8123/accounts/login/"),
        (["--url", "http://10.0.0.5:9000/"], "8123", "http://10.0.0.5:9000/accounts/login/"),
    ],
)
def test_it_prints_the_real_login_page(
    monkeypatch: pytest.MonkeyPatch, args: list[str], port: str, url: str
) -> None:
    monkeypatch.setenv("PORT", port)
    out = StringIO()
    call_command("seed_demo", "--no-schedule", *args, stdout=out)
    assert f"log in at {url}" in out.getvalue()
    assert "/admin/" not in out.getvalue() and ":8000" not in out.getvalue()


def test_it_leaves_a_database_with_other_programs_alone() -> None:
    Program.objects.create(name="Someone else's program")
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--no-schedule", stdout=out)
    assert "not added" in out.getvalue()
    assert Program.objects.count() == 1
