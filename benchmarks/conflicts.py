"""Conflicts: detection over 90 days of a 60-resident program, and candidates for one sick day.

Builds a synthetic program (60 residents on one rotation, 90 days from 1 March 2027 of 12 h ward
days five days in seven and one 24 h in-house call a night) in the database DATABASE_URL names
(flushed first), then measures, ``--repeat`` times each:
  - detect: ``conflicts.services.conflicts_detect`` over the 90 days (the engine's validator over
    the period with its history, the credential, near-limit and workload detectors, and keeping
    the alerts in step);
  - candidates: a fresh approved sick day over one resident's ward day, detection of that day,
    then ``conflicts.services.conflict_candidates`` (all five strategies, the CP-SAT re-solve
    included, every candidate validated on the whole window). OR-Tools is imported before the
    timings (once per process; its time is printed).

With ``--demo`` the candidates are measured on the demo program instead (``console.demo``:
24 residents and 12 faculty, 20 shift types, its rotation plan and the block holding today
generated and published by the solver first, about a minute): a sick day over a resident's
published ward day (WD) in that block, ``--repeat`` different ones. Detection is measured on the
synthetic program only.

Usage (a database of its own; it is flushed first):
    DATABASE_URL=sqlite:////tmp/conflicts_bench.sqlite3 .venv/bin/python benchmarks/conflicts.py
    DATABASE_URL=sqlite:////tmp/conflicts_demo.sqlite3 .venv/bin/python benchmarks/conflicts.py \
        --demo
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
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

from conflicts import services  # noqa: E402
from conflicts.models import ConflictAlert  # noqa: E402
from people.models import Absence, AcademicYear, Membership, Person, Program  # noqa: E402
from rotations.models import Block, CoverageRequirement, Rotation, ShiftType  # noqa: E402
from scheduling import problem as problems  # noqa: E402
from scheduling.engine.solvers import get_solver  # noqa: E402
from scheduling.models import Assignment, RotationAssignment, State  # noqa: E402

RESIDENTS, DAYS = 60, 90
START = date(2027, 3, 1)


def build() -> tuple[Program, list[Person], object]:
    program = Program.objects.create(name="Benchmark Program")
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )
    rotation = Rotation.objects.create(
        program=program, name="Wards", abbreviation="W", kind="inpatient"
    )
    blocks = [
        Block.objects.create(
            academic_year=year,
            number=9 + n,
            start_date=START + timedelta(days=28 * n),
            end_date=START + timedelta(days=28 * n + 27),
        )
        for n in range(-(-DAYS // 28))
    ]
    wd = ShiftType.objects.create(
        program=program, name="Ward day", abbreviation="WD", category="day",
        start_time=clock(7), duration_minutes=720,
    )  # fmt: skip
    call = ShiftType.objects.create(
        program=program, name="Call", abbreviation="CALL", category="in_house_call",
        start_time=clock(7), duration_minutes=1440,
    )  # fmt: skip
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
        RotationAssignment(person=p, block=b, rotation=rotation) for p in people for b in blocks
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
    Assignment.objects.bulk_create(rows, batch_size=1000)
    coordinator = get_user_model().objects.create_user(username="bench-coordinator")
    Membership.objects.create(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    return program, people, coordinator


def sick_day_candidates(rows: list[Assignment]) -> list[float]:
    """For each row: its owner falls sick that day; detection of the day, then the candidates."""
    candidates = []
    for row in rows:
        Absence.objects.create(
            person=row.person,
            kind="sick",
            start_date=row.date,
            end_date=row.date,
            status=Absence.Status.APPROVED,
        )
        began = time.perf_counter()
        program = row.person.program
        services.conflicts_detect(program=program, start=row.date, end=row.date)
        alert = ConflictAlert.objects.get(assignment=row, status="open")
        found = services.conflict_candidates(alert=alert)
        candidates.append(time.perf_counter() - began)
        kinds = sorted({c["strategy"] for c in found})
        compliant = sum(1 for c in found if c["compliant"])
        print(
            f"sick day {row}: {len(found)} candidates, {compliant} compliant "
            f"({', '.join(kinds)}) in {candidates[-1]:.3f} s"
        )
    return candidates


def demo_rows(repeat: int) -> list[Assignment]:
    from console.demo import seed_demo

    began = time.perf_counter()
    program, _, _ = seed_demo(schedule=True)
    print(f"demo program seeded and scheduled in {time.perf_counter() - began:.1f} s")
    wards = (
        Assignment.objects.filter(
            person__program=program, person__kind="resident", shift_type__abbreviation="WD"
        )
        .select_related("person__program", "shift_type")
        .order_by("date", "person_id")
    )
    rows = list(wards)
    step = max(1, len(rows) // (repeat + 1))
    return rows[step : step * (repeat + 1) : step][:repeat]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--demo", action="store_true", help="candidates on the demo program")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    # OR-Tools loads once per process, on the first re-solve a worker makes: reported on its
    # own, not charged to the first sick day.
    began = time.perf_counter()
    get_solver("cpsat")
    print(f"solver import (once per process): {time.perf_counter() - began:.3f} s")
    if args.demo:
        candidates = sick_day_candidates(demo_rows(args.repeat))
        print(f"database: {connection.vendor}; the demo program")
        print(
            f"candidates median {statistics.median(candidates):.3f} s "
            f"(min {min(candidates):.3f}, max {max(candidates):.3f})"
        )
        return
    program, _, _ = build()
    end = START + timedelta(days=DAYS - 1)
    detects = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        counts = services.conflicts_detect(program=program, start=START, end=end)
        detects.append(time.perf_counter() - began)
        print(f"detect 90 days: {counts} in {detects[-1]:.3f} s")
    wards = (
        Assignment.objects.filter(person__program=program, shift_type__abbreviation="WD")
        .filter(date__gte=START + timedelta(days=14))
        .order_by("date", "person_id")
    )
    candidates = sick_day_candidates(
        list(wards.select_related("person__program", "shift_type")[: args.repeat * 97 : 97])
    )
    print(
        f"database: {connection.vendor}; {RESIDENTS} residents x {DAYS} days, "
        f"{Assignment.objects.filter(person__program=program).count()} published shifts"
    )
    for name, values in (("detect", detects), ("candidates", candidates)):
        print(
            f"{name} median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )


if __name__ == "__main__":
    main()
