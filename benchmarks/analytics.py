"""Analytics page latency: the fairness report of a 150-resident year and the heatmap pages.

Setup (a database of its own under var/bench-analytics, rebuilt each run): one program with 150
residents (PGY-1 to PGY-3) and 20 faculty, eight shift types (day, clinic, in-house call,
at-home call, night float, attending, transition, moonlighting) with coverage minimums, and a
published schedule over a whole past academic year (1 July 2025 - 30 June 2026, so "year to
date" is the whole year): each resident works on about 80 % of days, one shift a day drawn with
a fixed seed. The pages are requested in-process through Django's test client as the program's
coordinator (the page's whole server cost: queries, counting, SVG, template), after one warm-up.

  - fairness: GET /analytics/fairness/ (the whole year, every line and group);
  - fairness block: the same for one 4-week block;
  - workload heatmap: GET /analytics/heatmaps/workload/ (170 people x 53 weeks);
  - coverage heatmap: GET /analytics/heatmaps/coverage/?block=1 (8 shift types x 28 days) and the
    whole year (8 x 366 days);
  - duty calendar: GET /analytics/heatmaps/duty/ (one resident, the whole year).

The median CPU time of this process is printed beside the wall time: on a shared machine it
moves far less than the wall clock (on PostgreSQL the database server's share is not in it).

Usage: .venv/bin/python benchmarks/analytics.py [--repeat 15]
  (SQLite under var/bench-analytics, rebuilt each run), or on PostgreSQL (a database of its own;
  it is flushed first):
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE analytics_bench" postgres
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/analytics_bench \\
        .venv/bin/python benchmarks/analytics.py
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench-analytics"
ENV = {
    "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "VAR_DIR": str(VAR),
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "testserver,localhost",
}
for key, value in ENV.items():
    os.environ.setdefault(key, value)
shutil.rmtree(VAR, ignore_errors=True)
VAR.mkdir(parents=True)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from people.models import AcademicYear, Membership, Person, Program  # noqa: E402
from rotations.models import Block, CoverageRequirement, ShiftType  # noqa: E402
from scheduling.models import Assignment, State  # noqa: E402

START, END = date(2025, 7, 1), date(2026, 6, 30)
C = ShiftType.Category
SHIFTS = [  # (abbreviation, category, start hour, minutes, counts toward duty, weight)
    ("D", C.DAY, 7, 600, True, 10),
    ("K", C.CLINIC_HALF_DAY, 8, 240, True, 3),
    ("C", C.IN_HOUSE_CALL, 7, 1440, True, 1),
    ("H", C.AT_HOME_CALL, 17, 900, False, 1),
    ("N", C.NIGHT_FLOAT, 19, 720, True, 2),
    ("A", C.ATTENDING, 7, 600, True, 0),
    ("T", C.TRANSITION, 7, 120, True, 0),
    ("M", C.MOONLIGHTING, 18, 360, True, 0),
]


def build() -> Client:
    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":  # SQLite's file is new; another database is emptied
        call_command("flush", interactive=False, verbosity=0)
    program = Program.objects.create(name="Benchmark Internal Medicine", short_name="Bench IM")
    year = AcademicYear.objects.create(
        program=program, name="2025–2026", start_date=START, end_date=END
    )
    for n in range(13):
        first = START + timedelta(days=28 * n)
        Block.objects.create(
            academic_year=year, number=n + 1, start_date=first, end_date=first + timedelta(days=27)
        )
    shifts = []
    for abbreviation, category, hour, minutes, counts, _ in SHIFTS:
        st = ShiftType.objects.create(
            program=program,
            name=f"Shift {abbreviation}",
            abbreviation=abbreviation,
            category=category,
            start_time=datetime.min.time().replace(hour=hour),
            duration_minutes=minutes,
            counts_toward_duty=counts,
        )
        CoverageRequirement.objects.create(shift_type=st, minimum=4, target=4)
        shifts.append(st)
    residents = [
        Person(
            program=program,
            kind=Person.Kind.RESIDENT,
            first_name=f"R{i}",
            last_name=f"Resident{i:03}",
            training_start=date(2025 - i % 3, 7, 1),
        )
        for i in range(150)
    ]
    faculty = [
        Person(
            program=program,
            kind=Person.Kind.FACULTY,
            first_name=f"F{i}",
            last_name=f"Faculty{i:02}",
        )
        for i in range(20)
    ]
    people = Person.objects.bulk_create(residents + faculty)
    rng = random.Random(7)
    weights = [w for *_, w in SHIFTS]
    rows = []
    for person in people[:150]:
        day = START
        while day <= END:
            if rng.random() < 0.8:
                st = rng.choices(shifts, weights)[0]
                starts = datetime.combine(day, st.start_time, tzinfo=UTC)
                rows.append(
                    Assignment(
                        person=person,
                        shift_type=st,
                        date=day,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=st.duration_minutes),
                        state=State.PUBLISHED,
                        callback_minutes=60 if st.category == C.AT_HOME_CALL else None,
                    )
                )
            day += timedelta(days=1)
    Assignment.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them in production: without them the planner
        # expects one row and joins ~44 000 assignments by nested loops (fairness 600 ms, not 50).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = get_user_model().objects.create_user("bench_coord", password="x")
    Membership.objects.create(user=user, program=program, role=Membership.Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    print(f"setup: {len(people)} people, {len(rows)} published assignments")
    return client


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, float, int]:
    """Median and max wall time, median CPU time of this process (ms), and the page's size."""
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    timings, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(timings), max(timings), statistics.median(cpu), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    client = build()
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    pages = [
        ("fairness (year)", "/analytics/fairness/"),
        ("fairness (block 5)", "/analytics/fairness/?block=5"),
        ("workload heatmap (year)", "/analytics/heatmaps/workload/"),
        ("coverage heatmap (block 1)", "/analytics/heatmaps/coverage/?block=1"),
        ("coverage heatmap (year)", "/analytics/heatmaps/coverage/"),
        ("duty calendar (year)", "/analytics/heatmaps/duty/"),
    ]
    print(f"database: {connection.vendor}")
    print(f"{'page':30} {'median ms':>10} {'max ms':>9} {'CPU ms':>9} {'bytes':>9}")
    for name, url in pages:
        median, worst, cpu, size = measure(client, url, args.repeat)
        print(f"{name:30} {median:10.1f} {worst:9.1f} {cpu:9.1f} {size:9d}")
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
