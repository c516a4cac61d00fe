"""A coordinator's user pickers list only their programs' members, never every account."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_offers_a_coordinator_only_members_of_their_programs(
    client: Client, coordinator_a: Any, resident_a: Any, coordinator_b: Any
) -> None:
    loner = get_user_model().objects.create_user(username="loner", password="x" * 12)
    client.force_login(coordinator_a)
    form = client.get("/admin/people/membership/add/").context["adminform"].form
    offered = set(form.fields["user"].queryset)
    assert resident_a in offered
    assert loner not in offered and coordinator_b not in offered
