"""Is a swap safe? The engine's validator on the whole affected window, before and after.

A swap moves published rows from one owner to another. ``Window`` builds the engine problem once
for the dates around the moved shifts (27 days either side, as every edit preview does, so the
rolling 28-day ACGME windows and the rest rules see their full history), validates the published
schedule as it is, and then judges any number of prospective moves against that baseline: a move
is refused when the schedule after it has a hard violation (critical or high: ACGME, eligibility
by kind, PGY, credential and rotation, availability, coverage, overlap) that the schedule before
it did not have. Violations are compared by rule, person, shift, day and window, so a violation
that already existed does not block an unrelated swap, and the result is never worse on hard rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from people.models import Person, Program
from scheduling import problem as problems
from scheduling.engine import model as m
from scheduling.engine.validator import (
    HARD,
    OVERLAP,
    assignment_violations,
    related_cells,
    validate,
    violations_of,
)
from scheduling.models import Assignment
from scheduling.services import violation_row

HISTORY_DAYS = 27
Cell = tuple[int, str]


@dataclass(frozen=True)
class Move:
    """One published row and the person who would own it after the swap."""

    assignment: Assignment
    to_person: Person


def _key(violation: m.Violation) -> tuple[Any, ...]:
    return (
        violation.rule,
        violation.person,
        violation.shift,
        violation.day,
        violation.start,
        violation.end,
    )


class Window:
    """The published schedule around some dates, built once and judged against many moves.

    The baseline is the validator's result on the schedule as it is. A move changes only the
    shifts of the people it moves between, so only their per-person rules (and the
    schedule-wide ones) are re-checked, before and after: the others' results cannot change.
    With ``full`` the baseline covers everyone at once; otherwise it is computed for what each
    judgement touches, one person and one set of cells at a time (the baseline of several people
    and cells is the union of theirs), so many candidates judged on one window validate the
    people they share once: the owner of a vacated shift, its cell.
    """

    def __init__(
        self, program: Program, days: Iterable[date], *, margin: int = 0, full: bool = False
    ) -> None:
        days = sorted(days)
        first_year_start, _ = problems.academic_year_bounds(program, days[0])
        _, last_year_end = problems.academic_year_bounds(program, days[-1])
        reach = HISTORY_DAYS + margin
        self.start = max(days[0] - timedelta(days=reach), first_year_start)
        self.end = min(days[-1] + timedelta(days=reach), last_year_end)
        self.built = problems.build_problem(program, self.start, self.end)
        self.current = problems.published_engine_assignments(self.built, self.start, self.end)
        self._by_person: dict[str, set[m.Assignment]] = defaultdict(set)
        self._by_cell: dict[tuple[int, str], set[m.Assignment]] = defaultdict(set)
        for row in self.current:
            self._by_person[row.person].add(row)
            self._by_cell[(row.day, row.shift)].add(row)
        self._full: set[tuple[Any, ...]] | None = None
        self._partial: dict[tuple[frozenset[str], frozenset[Cell]], set[tuple[Any, ...]]] = {}
        if full:
            self._full = {_key(v) for v in validate(self.built.problem, self.current).hard}

    def _scoped(self, people: set[str], cells: set[Cell]) -> set[m.Assignment]:
        """Every current assignment of these people and cells (what the check reads)."""
        rows: set[m.Assignment] = set()
        for person in people:
            rows |= self._by_person.get(person, set())
        for cell in cells:
            rows |= self._by_cell.get(cell, set())
        return rows

    def _hard(self, rows: set[m.Assignment], people: set[str], cells: set[Cell]) -> list[Any]:
        found = violations_of(self.built.problem, rows, people=people, cells=cells)
        return [v for v in found if v.severity in HARD]

    def _before(self, people: set[str], cells: set[Cell]) -> set[tuple[Any, ...]]:
        if self._full is not None:
            return self._full
        # The validator's per-person rules read one person's rows, its cell rules the cells'
        # rows, and the eligibility and availability checks each row alone: the parts add up.
        found = set(self._part(frozenset(), frozenset(cells)))
        for person in people:
            found |= self._part(frozenset({person}), frozenset())
        return found

    def _part(self, people: frozenset[str], cells: frozenset[Cell]) -> set[tuple[Any, ...]]:
        key = (people, cells)
        if key not in self._partial:
            rows = self._scoped(set(people), set(cells))
            self._partial[key] = {_key(v) for v in self._hard(rows, set(people), set(cells))}
        return self._partial[key]

    def _engine(self, person: Person, row: Assignment) -> m.Assignment:
        return problems.engine_assignment(self.built, person, row.date, row.shift_type, self.start)

    def new_hard(self, moves: Sequence[Move], *, first: bool = False) -> list[m.Violation]:
        """Hard violations the moves would add (empty: the swap is compliant); with ``first``,
        a taker already working the shift, or not eligible or available for it, is reported
        alone, without validating the window (a verdict, not the full list)."""
        olds = [self._engine(move.assignment.person, move.assignment) for move in moves]
        news = [self._engine(move.to_person, move.assignment) for move in moves]
        return self.judge(olds, news, first=first)

    def judge(
        self,
        removed: Iterable[m.Assignment],
        added: Iterable[m.Assignment],
        *,
        first: bool = False,
    ) -> list[m.Violation]:
        """Hard violations that taking ``removed`` away and adding ``added`` would add, judged on
        the people and cells they touch against the window's one baseline (``first``: see
        ``new_hard``)."""
        olds, news = list(removed), list(added)
        people = {a.person for a in olds} | {a.person for a in news}
        cells = related_cells(self.built.problem, {(a.day, a.shift) for a in olds + news})
        after = self._scoped(people, cells)
        after.difference_update(olds)
        doubled = []
        for new in news:
            if new in after:
                # The engine's assignments are a set: a second copy of a shift the taker already
                # works would vanish in it, so the clash is named here.
                doubled.append(
                    m.Violation(
                        rule=OVERLAP,
                        severity=m.Severity.CRITICAL,
                        message=f"{new.person} already works {new.shift} on day {new.day}",
                        person=new.person,
                        day=new.day,
                        shift=new.shift,
                    )
                )
            after.add(new)
        if first:
            # The rules a new assignment answers alone (eligibility, availability): a taker
            # who fails them is refused without validating anyone's whole window. None of them
            # can be in the baseline: the taker did not work that shift before.
            alone = self.refused_alone(news)
            if doubled or alone:
                return doubled + alone
        before = self._before(people, cells)
        return doubled + [v for v in self._hard(after, people, cells) if _key(v) not in before]

    def refused_alone(self, added: Iterable[m.Assignment]) -> list[m.Violation]:
        """The hard rules each new assignment breaks on its own (eligibility, availability)."""
        found = assignment_violations(self.built.problem, added)
        return [v for v in found if v.severity in HARD]

    def describe(self, violation: m.Violation) -> str:
        """One line naming the rule, the person, the dates and measured vs limit."""
        row = violation_row(violation, self.built)
        when = row["date"] or (
            f"{row['start'][:10]}–{row['end'][:10]}" if row["start"] else "the period"
        )
        text = f"{row['rule']}: {row['person'] or 'coverage'}, {when}"
        if row["measured"] is not None and row["limit"] is not None:
            text += f" ({row['measured']:g} against a limit of {row['limit']:g})"
        return f"{text}. {row['message']}"


def window_for(program: Program, moves: Sequence[Move]) -> Window:
    return Window(program, [move.assignment.date for move in moves])


def refusals(program: Program, moves: Sequence[Move]) -> list[str]:
    """Why the moves may not execute: one line per new hard violation (empty: compliant)."""
    window = window_for(program, moves)
    return [window.describe(v) for v in window.new_hard(moves)]


def span(moves: Sequence[Move]) -> tuple[date, date]:
    """The first and last day the moves touch."""
    days = [move.assignment.date for move in moves]
    return min(days), max(days)


def stamps(moves: Sequence[Move]) -> list[dict[str, Any]]:
    """The record of planned moves: each row's owner before and after, and its stamp."""
    return [
        {
            "assignment": move.assignment.pk,
            "from": move.assignment.person_id,
            "to": move.to_person.pk,
            "stamp": move.assignment.updated_at.isoformat(),
            "source": move.assignment.source,
        }
        for move in moves
    ]


def stamps_after(moves: Sequence[Move], planned: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The record of executed moves: the stamps after, the owners and sources before."""
    return [
        {
            "assignment": move.assignment.pk,
            "from": planned[move.assignment.pk]["from"],
            "to": move.to_person.pk,
            "stamp": move.assignment.updated_at.isoformat(),
            "source": planned[move.assignment.pk]["source"],
        }
        for move in moves
    ]
