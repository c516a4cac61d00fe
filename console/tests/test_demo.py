from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from console.demo import DEMO_PASSWORD, seed_demo
from people.models import AcademicYear, Membership, Person, Program
from rotations.models import CoverageRequirement, CurriculumRequirement, Rotation, ShiftType

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
