"""Workload weights are a program setting, checked when saved in the console."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from people.models import Program


@pytest.mark.parametrize(
    "field, value",
    [
        ("workload_weights", {"calls": -1}),
        ("workload_weights", {"pages": 2}),
        ("workload_weights", {"calls": "two"}),
        ("workload_weights", []),
    ],
)
def test_it_refuses_bad_settings(program_a: Program, field: str, value: object) -> None:
    setattr(program_a, field, value)
    with pytest.raises(ValidationError) as raised:
        program_a.clean()
    assert field in raised.value.message_dict


def test_it_accepts_weights(program_a: Program) -> None:
    program_a.workload_weights = {"calls": 2.5, "hours": 0}
    program_a.clean()
