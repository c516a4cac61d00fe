"""The console saves program rules through the one write path the API uses
(``people.services.program_rule_save``)."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from people import services as people_services
from people.models import Program, ProgramRule

pytestmark = pytest.mark.django_db


def _form(program: Program, **values: Any) -> dict[str, Any]:
    return {
        "program": program.pk,
        "kind": "consecutive_days",
        "active": "on",
        "note": "",
        "measure": "",
        "period": "",
        "value": 6,
        "hard": "on",
        "weight": 10,
        "applies_to": "everyone",
        "pgy": "",
        "person": "",
        "_save": "Save",
        **values,
    }


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record each call of the service (and still make it)."""
    calls: list[dict[str, Any]] = []
    real = people_services.program_rule_save

    def spy(**kwargs: Any) -> ProgramRule:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(people_services, "program_rule_save", spy)
    return calls


def test_the_console_saves_a_rule_through_the_service(
    coordinator_client: Client,
    coordinator_a: Any,
    program_a: Program,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _spy(monkeypatch)
    response = coordinator_client.post(reverse("admin:people_programrule_add"), _form(program_a))
    assert response.status_code == 302
    rule = ProgramRule.objects.get(program=program_a)
    assert (rule.kind, rule.value) == (ProgramRule.Kind.CONSECUTIVE_DAYS, 6)
    assert [call["rule"].pk for call in calls] == [rule.pk]
    assert calls[0]["actor"] == coordinator_a
    assert LogEntry.objects.get_for_object(rule).get().actor == coordinator_a


def test_the_console_changes_only_the_fields_the_form_changed(
    coordinator_client: Client, coordinator_a: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = world.a[ProgramRule]  # at most 8 calls per block
    calls = _spy(monkeypatch)
    form = _form(rule.program, kind="cap", measure="calls", period="block", value=4, weight=10)
    response = coordinator_client.post(
        reverse("admin:people_programrule_change", args=[rule.pk]), form
    )
    assert response.status_code == 302
    assert calls[0]["values"] == {"value": 4}
    rule.refresh_from_db()
    assert rule.value == 4
    assert LogEntry.objects.get_for_object(rule).latest("timestamp").actor == coordinator_a
