"""The freeze horizon: a program rule (people.ProgramRule, kind freeze) that no schedule is
generated or edited on a day before today + N days (the program's today, past days included)
without a written override reason. ``schedule_run_create`` and ``edit_services.schedule_edit``
ask it, and a swap of a frozen shift needs a coordinator with a reason (``swaps.services``); the reason is kept on the run's parameters or the edited rows, so their audit entries
say why.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lib.errors import ApplicationError
from lib.timezones import local_today
from people.models import Program, ProgramRule


def frozen_before(program: Program, now: datetime | None = None) -> date | None:
    """The first day outside the freeze, or None when the program has no freeze rule
    (counted from the program's today at ``now``, the current instant by default)."""
    days = (
        ProgramRule.objects.filter(program=program, kind=ProgramRule.Kind.FREEZE, active=True)
        .order_by("-value")
        .values_list("value", flat=True)
        .first()
    )
    return local_today(program, now=now) + timedelta(days=days) if days else None


def refuse_frozen(program: Program, first_day: date, override_reason: str, what: str) -> bool:
    """Raise when ``first_day`` lies inside the freeze and no reason is given; True when the
    change is inside the freeze (and so needs its reason kept)."""
    until = frozen_before(program)
    if until is None or first_day >= until:
        return False
    if not override_reason.strip():
        raise ApplicationError(
            f"The schedule is frozen until {until - timedelta(days=1):%d %b %Y} (program rule): "
            f"{what} on {first_day:%d %b %Y} needs a written override reason.",
            details={"frozen_until": str(until - timedelta(days=1)), "needs_override": True},
        )
    return True
