"""What the schedule tells people, through people.notify: a published period (each person hears
what changed for them, and only people whose shifts changed), a hand edit of someone's shift,
and a run that finished or failed (the program's coordinators)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from people.models import Person
from people.notify import Event, managers_of, notify
from scheduling.models import ScheduleRun

MY_SCHEDULE = "/my/schedule/"
SHOWN = 3  # changes listed in a notice; the rest are counted
# Notices about one person's shifts stay off the program's shared webhook (people.delivery).
PERSONAL = {"personal": True}


def _line(sign: str, day: date, abbreviation: str) -> str:
    return f"{sign} {day:%a %d %b} {abbreviation}"


def schedule_published(
    run: ScheduleRun,
    added: Iterable[tuple[int, date, str]],
    removed: Iterable[tuple[int, date, str]],
) -> None:
    """Tell each person whose published shifts changed: counts and the first few changes.

    ``added`` and ``removed`` are (person id, date, shift abbreviation); a day with both is
    counted once, as changed."""
    gained: dict[int, dict[date, str]] = defaultdict(dict)
    lost: dict[int, dict[date, str]] = defaultdict(dict)
    for person_id, day, shift in added:
        gained[person_id][day] = shift
    for person_id, day, shift in removed:
        lost[person_id][day] = shift
    people = Person.objects.in_bulk(set(gained) | set(lost))
    period = f"{run.start_date:%d %b} – {run.end_date:%d %b %Y}"
    for person_id, person in people.items():
        mine_added, mine_removed = gained.get(person_id, {}), lost.get(person_id, {})
        changed = sorted(set(mine_added) & set(mine_removed))
        only_added = sorted(set(mine_added) - set(changed))
        only_removed = sorted(set(mine_removed) - set(changed))
        lines = [
            *(_line("~", d, f"{mine_removed[d]} → {mine_added[d]}") for d in changed),
            *(_line("+", d, mine_added[d]) for d in only_added),
            *(_line("−", d, mine_removed[d]) for d in only_removed),
        ]
        counts = {"added": len(only_added), "removed": len(only_removed), "changed": len(changed)}
        summary = ", ".join(f"{n} {word}" for word, n in counts.items() if n)
        more = len(lines) - SHOWN
        notify(
            [person],
            Event.SCHEDULE_PUBLISHED,
            program=run.program_id,
            title=f"Schedule published for {period}: {summary}",
            body="\n".join(lines[:SHOWN] + ([f"… and {more} more"] if more > 0 else [])),
            url=MY_SCHEDULE,
            context={"run": str(run.code), **counts, "changes": lines[:SHOWN], **PERSONAL},
        )
    if people:
        notify(
            managers_of(run.program_id),
            Event.SCHEDULE_PUBLISHED,
            program=run.program_id,
            title=f"Schedule published for {period}: {len(people)} people's shifts changed",
            url=f"/schedule/runs/{run.code}/",
            context={"run": str(run.code), "people": len(people)},
        )


def assignment_changed(person: Person, day: date, abbreviation: str, *, added: bool) -> None:
    """A coordinator added or removed one of the person's published shifts by hand."""
    verb = "added to" if added else "removed from"
    notify(
        [person],
        Event.ASSIGNMENT_CHANGED,
        program=person.program_id,
        title=f"{abbreviation} on {day:%a %d %b} was {verb} your schedule",
        url=MY_SCHEDULE,
        context={"date": day.isoformat(), "shift": abbreviation, "added": added, **PERSONAL},
    )


def run_finished(run: ScheduleRun, status: str, error: Any = "") -> None:
    """Tell the program's coordinators a run ended (succeeded, with violations, or failed)."""
    failed = status == ScheduleRun.Status.FAILED
    label = ScheduleRun.Status(status).label if status in ScheduleRun.Status.values else status
    notify(
        managers_of(run.program_id),
        Event.RUN_FAILED if failed else Event.RUN_FINISHED,
        program=run.program_id,
        title=f"Run for {run.start_date:%d %b} – {run.end_date:%d %b %Y}: {label.lower()}",
        body=str(error or "")[:500],
        url=f"/schedule/runs/{run.code}/",
        context={"run": str(run.code), "status": status},
    )
