"""One default algorithm everywhere, the one docs/benchmarks-hybrid.md measured best."""

from __future__ import annotations

import inspect

from api.serializers_runs import RunCreateSerializer
from scheduling import services
from scheduling.forms import GenerateForm
from scheduling.models import ScheduleRun


def test_it_defaults_every_door_to_the_hybrid() -> None:
    assert ScheduleRun.DEFAULT_ALGORITHM == ScheduleRun.Algorithm.HYBRID
    assert ScheduleRun._meta.get_field("algorithm").default == ScheduleRun.DEFAULT_ALGORITHM
    assert GenerateForm.base_fields["algorithm"].initial == ScheduleRun.DEFAULT_ALGORITHM
    assert RunCreateSerializer().fields["algorithm"].default == ScheduleRun.DEFAULT_ALGORITHM
    default = inspect.signature(services.schedule_run_create).parameters["algorithm"].default
    assert default == ScheduleRun.DEFAULT_ALGORITHM
