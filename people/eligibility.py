"""Who holds which procedure credential and certification on which day: the one reading.

A credential or certification is valid from its grant (issue) date up to, not including, its
expiry date: on the expiry date it no longer counts. Credential levels: ``supervised`` admits the
holder to a shift needing the procedure only beside someone who holds it ``independent`` or
``supervisor`` (the engine's "lead", scheduling/engine/model.py); certifications have no levels.

The engine translator (scheduling/problem.py) and conflict detection (conflicts/detection.py)
both read this index; neither keeps its own copy of the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from people.models import Certification, ProcedureCredential, Program

Level = ProcedureCredential.Level
# Weakest first: the best valid grant of a name decides the level on a day.
LEVEL_ORDER = {Level.SUPERVISED: 0, Level.INDEPENDENT: 1, Level.SUPERVISOR: 2}
CERTIFIED = Level.INDEPENDENT  # a valid certification counts as held fully


def valid_on(first: date, expires_on: date | None, day: date) -> bool:
    """Valid on ``day``: granted by then and not yet expired (the expiry date itself is out)."""
    return first <= day and (expires_on is None or day < expires_on)


@dataclass(frozen=True)
class Grant:
    """One credential (procedure name, level) or certification (name) over its validity."""

    name: str
    level: str
    first: date
    expires_on: date | None = None
    certification: bool = False

    def valid_on(self, day: date) -> bool:
        return valid_on(self.first, self.expires_on, day)


class EligibilityIndex:
    """Per person: their grants; answers per day which names they hold, and at which level."""

    def __init__(self, grants: dict[int, list[Grant]]) -> None:
        self.grants = grants

    def level_on(self, person_id: int, name: str, day: date) -> str | None:
        """The best level of ``name`` the person holds on ``day``, or None."""
        best: str | None = None
        for grant in self.grants.get(person_id, ()):
            if grant.name == name and grant.valid_on(day):
                if best is None or LEVEL_ORDER[Level(grant.level)] > LEVEL_ORDER[Level(best)]:
                    best = grant.level
        return best

    def holds_on(self, person_id: int, names: Iterable[str], day: date) -> bool:
        """Every name valid on ``day`` at some level (supervised included)."""
        return all(self.level_on(person_id, name, day) is not None for name in names)

    def missing_on(self, person_id: int, names: Iterable[str], day: date) -> list[str]:
        return sorted(name for name in names if self.level_on(person_id, name, day) is None)

    def skills(self, person_id: int, days: list[date]) -> tuple[frozenset[str], frozenset[str]]:
        """Names held fully on some day of ``days``, and names held only at a supervised level
        (the engine Person's ``skills`` and ``supervised_skills``)."""
        full: set[str] = set()
        supervised: set[str] = set()
        first, last = days[0], days[-1]
        for grant in self.grants.get(person_id, ()):
            if grant.first > last or (grant.expires_on is not None and grant.expires_on <= first):
                continue
            if grant.level == Level.SUPERVISED:
                supervised.add(grant.name)
            else:
                full.add(grant.name)
        return frozenset(full), frozenset(supervised - full)


def eligibility_index(program: Program, start: date, end: date) -> EligibilityIndex:
    """Credentials and certifications of the program's people that meet ``start``..``end``
    (two queries)."""
    grants: dict[int, list[Grant]] = defaultdict(list)
    credentials = ProcedureCredential.objects.filter(
        person__program=program, granted_on__lte=end
    ).values_list("person_id", "procedure__name", "level", "granted_on", "expires_on")
    for person_id, name, level, first, expires_on in credentials:
        if expires_on is None or expires_on > start:
            grants[person_id].append(Grant(name, level, first, expires_on))
    certifications = Certification.objects.filter(
        person__program=program, issued_on__lte=end
    ).values_list("person_id", "name", "issued_on", "expires_on")
    for person_id, name, first, expires_on in certifications:
        if expires_on is None or expires_on > start:
            grants[person_id].append(Grant(name, CERTIFIED, first, expires_on, True))
    return EligibilityIndex(dict(grants))
