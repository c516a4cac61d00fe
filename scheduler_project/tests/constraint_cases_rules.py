"""Constraint cases for program rules and the chosen rule set (used by test_constraints.py)."""

from __future__ import annotations

from collections.abc import Callable

from people.models import ProgramRule
from testing import factories as f

Kind = ProgramRule.Kind


def _rule(**values: object) -> Callable[[], object]:
    def make() -> object:
        fields: dict[str, object] = {"kind": Kind.CONSECUTIVE_DAYS, "value": 6}
        fields.update(values)
        return ProgramRule.objects.create(program=f.ProgramFactory.create(), **fields)

    return make


RULE_CASES: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
    "program_rule_set_known": (
        lambda: f.ProgramFactory.create(acgme_rules_version="ACGME-CPR-2023"),
        lambda: f.ProgramFactory.create(acgme_rules_version="ACGME-1999"),
    ),
    "program_rule_cap_names_measure_and_period": (
        _rule(kind=Kind.CAP, measure="calls", period="block", value=4),
        _rule(kind=Kind.CAP, measure="calls", period="", value=4),
    ),
    "program_rule_pgy_in_range": (_rule(pgy=8), _rule(pgy=9)),
    "program_rule_rest_stricter_than_acgme": (
        _rule(kind=Kind.MIN_REST, value=10),
        _rule(kind=Kind.MIN_REST, value=8),
    ),
    "program_rule_days_positive": (_rule(value=1), _rule(value=0)),
    "program_rule_hard_only_kinds": (_rule(hard=True), _rule(hard=False)),
}
