"""Swaps: ranking the candidates of one offer, and executing an accepted swap.

Builds a synthetic program (60 residents on one rotation, a 4-week block of 12 h ward days,
five days in seven each, and one 24 h in-house call a night) in the database DATABASE_URL names,
then measures, over ``--repeat`` fresh offers:
  - rank: ``swaps.matcher.rank`` for one offered ward day (validation of the whole window
    included: every ranked candidate is checked by the engine's validator);
  - chains: ``swaps.cycles.propose`` for the same offer (the three-person chain search the
    matcher falls back to when no pair works; run here even though pairs work, so it measures
    the bounded search's full cost: CHAIN_ROWS² pre-scored, up to MAX_JUDGED validated);
  - execute: ``swaps.services.swap_execute`` of the best-ranked accepted swap (row locks, validation of
    the affected window, the owner change and the audit entries).

Usage (a PostgreSQL database of its own; it is flushed first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/swaps_bench .venv/bin/python benchmarks/swap_market.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from people.models import Membership, Person, Program  # noqa: E402
from rotations.models import (  # noqa: E402
    AcademicYear,
    Block,
    CoverageRequirement,
    Rotation,
    ShiftType,
)
from scheduling import problem as problems  # noqa: E402
from scheduling.models import Assignment, RotationAssignment, State  # noqa: E402
from swaps import cycles, matcher, services  # noqa: E402

RESIDENTS, DAYS = 60, 28
START = date(2027, 3, 1)
NOW = datetime(2027, 2, 20, 12, tzinfo=UTC)


def build() -> tuple[Program, list[Person], object]:
    program = Program.objects.create(name="Benchmark Program")
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )
    block = Block.objects.create(
        academic_year=year, number=9, start_date=START, end_date=START + timedelta(days=DAYS - 1)
    )
    rotation = Rotation.objects.create(
        program=program, name="Wards", abbreviation="W", kind="inpatient"
    )
    wd = ShiftType.objects.create(
        program=program,
        name="Ward day",
        abbreviation="WD",
        category="day",
        start_time=clock(7),
        duration_minutes=720,
    )
    call = ShiftType.objects.create(
        program=program,
        name="Call",
        abbreviation="CALL",
        category="in_house_call",
        start_time=clock(7),
        duration_minutes=1440,
    )
    CoverageRequirement.objects.create(
        shift_type=wd, rotation=rotation, minimum=30, target=43, maximum=50
    )
    CoverageRequirement.objects.create(
        shift_type=call, rotation=rotation, minimum=1, target=1, maximum=1
    )
    people = Person.objects.bulk_create(
        Person(
            program=program,
            kind="resident",
            first_name=f"R{i:02d}",
            last_name="Bench",
            training_start=date(2024, 7, 1),
        )
        for i in range(RESIDENTS)
    )
    RotationAssignment.objects.bulk_create(
        RotationAssignment(person=p, block=block, rotation=rotation) for p in people
    )
    rows = []
    for d in range(DAYS):
        day = START + timedelta(days=d)
        caller = (-d) % 7 + 7 * (d % 8)  # off that day and the next
        for i, person in enumerate(people):
            shift = call if i == caller else (wd if (i + d) % 7 not in (0, 1) else None)
            if shift is None:
                continue
            begins, ends = problems.shift_interval(program.timezone, shift, day)
            rows.append(
                Assignment(
                    person=person,
                    shift_type=shift,
                    date=day,
                    starts_at=begins,
                    ends_at=ends,
                    state=State.PUBLISHED,
                )
            )
    Assignment.objects.bulk_create(rows)
    coordinator = get_user_model().objects.create_user(username="bench-coordinator")
    Membership.objects.create(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    return program, people, coordinator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    program, _, coordinator = build()
    policy = services.policy_for(program)
    ranks, executes, rank_cpu, execute_cpu, searches = [], [], [], [], []
    offered = (
        Assignment.objects.filter(
            person__program=program,
            shift_type__abbreviation="WD",
            date__gte=START + timedelta(days=7),
        )
        .select_related("person", "shift_type")
        .order_by("date", "person_id")
    )
    for row in list(offered[: args.repeat * 7 : 7]):
        swap = services.swap_offer_create(
            assignment=row, person=row.person, actor=coordinator, reason="benchmark", now=NOW
        )
        began, cpu = time.perf_counter(), time.process_time()
        matches = matcher.rank(swap, policy=policy, now=NOW)
        ranks.append(time.perf_counter() - began)
        rank_cpu.append(time.process_time() - cpu)
        began = time.perf_counter()
        chains = cycles.propose(swap, policy=policy, now=NOW)
        searches.append(time.perf_counter() - began)
        best = matches[0]
        services.swap_respond(
            swap=swap, person=best.person, assignment=best.assignment, actor=coordinator, now=NOW
        )
        began, cpu = time.perf_counter(), time.process_time()
        services.swap_execute(swap=swap, actor=coordinator, now=NOW)
        executes.append(time.perf_counter() - began)
        execute_cpu.append(time.process_time() - cpu)
        print(
            f"offer {row}: {len(matches)} ranked in {ranks[-1]:.3f} s, {len(chains)} chains in "
            f"{searches[-1]:.3f} s, executed in "
            f"{executes[-1] * 1000:.0f} ms"
        )
    print(
        f"database: {connection.vendor}; {RESIDENTS} residents x {DAYS} days, "
        f"{Assignment.objects.filter(person__program=program).count()} published shifts"
    )
    print(
        f"rank median {statistics.median(ranks):.3f} s (min {min(ranks):.3f}, max {max(ranks):.3f})"
    )
    print(f"chain search median {statistics.median(searches):.3f} s (max {max(searches):.3f})")
    print(
        f"execute median {statistics.median(executes) * 1000:.0f} ms "
        f"(min {min(executes) * 1000:.0f}, max {max(executes) * 1000:.0f})"
    )
    # CPU time of this process only (PostgreSQL's share is not in it): less bent by a busy machine.
    print(
        f"CPU time of this process: rank median {statistics.median(rank_cpu):.3f} s, "
        f"execute median {statistics.median(execute_cpu) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
