"""Load test: 100 concurrent users for 60 s against gunicorn + PostgreSQL + Redis (127.0.0.1).

Setup: a database of its own (``bench_load`` on the local PostgreSQL, dropped and created anew),
the demo program with its published plan and current block, one login per person of the demo
(password: the demo's), and a calendar link each. Then gunicorn (as gunicorn.conf.py sets it), one
Celery worker on Redis, and locust headless (benchmarks/locustfile.py): 99 % people reading the
dashboard, my schedule, the manifest, their feed and the API; one coordinator generating a
one-week draft (greedy) and publishing it once a minute.

Prints one row per request kind (count, failures, median and p95 in ms) and the CPU seconds each
party used during the test, which names the bottleneck.

Needs the benchmark extras: ``.venv/bin/pip install -r requirements-bench.txt``.
Usage: .venv/bin/python benchmarks/load.py [--users 100] [--seconds 60] [--ramp 25]
(the users arrive over --ramp seconds, signing in as they come, then all of them run for --seconds;
every request of both phases is counted)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = "bench_load"
PORT = 8893
ENV = {
    "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "VAR_DIR": str(ROOT / "var" / "bench-load"),
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
BIN = ROOT / ".venv" / "bin"


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DATABASE}")


def prepare() -> tuple[list[list[str]], str, str, str]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from console.demo import DEMO_PASSWORD, seed_demo
    from people import services as people_services
    from people.models import Membership, Person
    from rotations.models import Block

    call_command("migrate", verbosity=0)
    program, _, _ = seed_demo(schedule=True, time_limit=60)
    role = {Person.Kind.RESIDENT: Membership.Role.RESIDENT, Person.Kind.FACULTY: "faculty"}
    for person in Person.objects.filter(program=program, memberships__isnull=True):
        user = get_user_model().objects.create_user(
            username=f"person{person.pk}", password=DEMO_PASSWORD
        )
        Membership.objects.create(
            user=user, program=program, role=role.get(person.kind, "faculty"), person=person
        )
    accounts = []
    for membership in Membership.objects.filter(program=program, person__isnull=False):
        _, token = people_services.subscription_create(owner=membership.person, actor=None)
        accounts.append([membership.user.username, token])
    today = timezone.localdate()
    block = Block.objects.get(
        academic_year__program=program, start_date__lte=today, end_date__gte=today
    )
    start = max(block.start_date, today)
    end = min(block.end_date, start + timedelta(days=6))
    return accounts, DEMO_PASSWORD, str(program.code), f"{start},{end}"


def wait_until_up(process: subprocess.Popen[bytes]) -> None:
    import urllib.request

    for _ in range(120):
        if process.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /health")


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    import psutil

    totals = {}
    for name, roots in pids.items():
        seconds = 0.0
        for pid in roots:
            try:
                root = psutil.Process(pid)
                for proc in [root, *root.children(recursive=True)]:
                    times = proc.cpu_times()
                    seconds += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        totals[name] = seconds
    return totals


def postgres_pids() -> list[int]:
    import psutil

    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]


def percentile(times: dict[str, int], share: float) -> float:
    """The response time (ms) below which ``share`` of the requests finished."""
    ordered = sorted((float(ms), count) for ms, count in times.items())
    wanted = share * sum(count for _, count in ordered)
    seen = 0
    for ms, count in ordered:
        seen += count
        if seen >= wanted:
            return ms
    return ordered[-1][0] if ordered else 0.0


def report(path: Path) -> None:
    print("| request | count | failures | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for entry in sorted(json.loads(path.read_text()), key=lambda e: e["name"]):
        times = entry["response_times"]
        print(
            f"| {entry['method']} {entry['name']} | {entry['num_requests']} | "
            f"{entry['num_failures']} | {percentile(times, 0.5):.0f} | "
            f"{percentile(times, 0.95):.0f} | {entry['max_response_time']:.0f} |"
        )


def failures(path: Path) -> None:
    """What the users saw when a request failed (locust's failure table: request, error, count)."""
    import csv

    if not path.exists():
        return
    with path.open() as rows:
        found = list(csv.DictReader(rows))
    if not found:
        print("failures: none")
        return
    print("| failed request | error | occurrences |")
    print("|---|---|---|")
    for row in found:
        print(f"| {row['Method']} {row['Name']} | {row['Error']} | {row['Occurrences']} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--ramp",
        type=int,
        default=25,
        help="seconds over which the users arrive (and sign in) before the measured --seconds",
    )
    args = parser.parse_args()
    fresh_database()
    accounts, password, program, week = prepare()
    var = Path(ENV["VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "scheduler_project.wsgi:application",  # gunicorn.conf.py, as in production
            f"--bind=127.0.0.1:{PORT}",
            "--access-logfile=/dev/null",
            "--log-level=warning",
        ],
        cwd=ROOT,
    )
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "scheduler_project",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
    )
    try:
        wait_until_up(web)
        pids = {"gunicorn": [web.pid], "celery worker": [worker.pid], "postgres": postgres_pids()}
        before = cpu_seconds(pids)
        load_before = Path("/proc/loadavg").read_text().split()[:3]
        env = {
            **os.environ,
            "LOAD_ACCOUNTS": json.dumps(accounts),
            "LOAD_PASSWORD": password,
            "LOAD_PROGRAM": program,
            "LOAD_WEEK": week,
        }
        stats = var / "stats.json"
        began = time.monotonic()
        locust = subprocess.Popen(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={args.users / max(args.ramp, 1):.2f}",
                f"--run-time={args.seconds + args.ramp}s",
                f"--host=http://127.0.0.1:{PORT}",
                f"--json-file={stats.with_suffix('')}",
                f"--csv={var / 'locust'}",
                "--stop-timeout=15",
                "--only-summary",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
        )
        locust.wait()
        # locust has been waited for, the servers have not: the children's usage is locust's.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - began
        after = cpu_seconds(pids)
        print(f"load average before: {' '.join(load_before)}; {args.users} users for {wall:.0f} s")
        report(stats)
        failures(var / "locust_failures.csv")
        print("| process | CPU seconds | share of 2 cores |")
        print("|---|---|---|")
        used_by = {name: after[name] - before[name] for name in pids}
        used_by["locust (the load generator)"] = usage.ru_utime + usage.ru_stime
        for name, used in used_by.items():
            print(f"| {name} | {used:.1f} | {used / (2 * wall):.0%} |")
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
