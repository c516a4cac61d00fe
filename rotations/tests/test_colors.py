"""Colours reach style= attributes, so only #rrggbb is accepted: in forms, the API and the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from rotations.models import validate_color


@pytest.mark.parametrize("value", ["#3b6ea8", "#FFFFFF"])
def test_it_accepts_a_hex_colour(value: str) -> None:
    validate_color(value)


@pytest.mark.parametrize("value", ["red", "#fff", "#12345g", "#123456;", "#1234567", ""])
def test_it_refuses_anything_else(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_color(value)


@pytest.mark.django_db
def test_it_refuses_a_style_injection_through_the_api(coordinator_a: Any, world: Any) -> None:
    from rotations.models import ShiftType

    api = APIClient()
    api.force_authenticate(coordinator_a)
    shift = world.a[ShiftType]
    response = api.patch(
        f"/api/v1/shift-types/{shift.code}/", {"color": "red;background:url(x)"}, format="json"
    )
    assert response.status_code == 400
    shift.refresh_from_db()
    assert shift.color.startswith("#")
