"""Fault drill: kill the worker mid-run, restart PostgreSQL during a publish, stop Redis during
page loads. For each: what the user saw, and whether anything was left half-written.

Runs against the real services on 127.0.0.1 (a database of its own, ``bench_faults``; Redis
database 8) with gunicorn and one Celery worker, as in production. It restarts PostgreSQL and
stops Redis on this machine: run it when nothing else (a test suite, CI) uses them. Root is
needed for ``pg_ctlcluster``. Takes about five minutes (a dead worker is noticed after
``STALE_AFTER``, two minutes without a heartbeat).

Usage: .venv/bin/python benchmarks/faults.py
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = "bench_faults"
PORT = 8894
BASE = f"http://127.0.0.1:{PORT}"
ENV = {
    "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "REDIS_URL": "redis://127.0.0.1:6379/8",
    "VAR_DIR": str(ROOT / "var" / "bench-faults"),
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
BIN = ROOT / ".venv" / "bin"
CLUSTER = sorted(os.listdir("/etc/postgresql"))[-1]
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]


def say(line: str) -> None:
    print(line, flush=True)


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DATABASE}")


def prepare() -> tuple[str, str, str, str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from console.demo import seed_demo
    from rotations.models import Block

    call_command("migrate", verbosity=0)
    program, _, _ = seed_demo(schedule=True, time_limit=60)
    today = timezone.localdate()
    block = Block.objects.get(
        academic_year__program=program, start_date__lte=today, end_date__gte=today
    )
    return str(program.code), str(block.start_date), str(block.end_date), str(program.pk)


def published_fingerprint(program_pk: str, start: str, end: str) -> tuple[int, str]:
    """How many published rows the period holds, and a hash of exactly which."""
    from django.db import connection

    connection.close()  # a fresh connection: the database may have restarted
    from scheduling.models import Assignment, State

    rows = sorted(
        Assignment.objects.filter(
            person__program_id=program_pk, state=State.PUBLISHED, date__range=(start, end)
        ).values_list("person_id", "date", "shift_type_id")
    )
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


class Servers:
    def __init__(self) -> None:
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "scheduler_project.wsgi:application",  # gunicorn.conf.py, as in production
                f"--bind=127.0.0.1:{PORT}",
                "--access-logfile=/dev/null",
                "--log-level=warning",
            ],
            cwd=ROOT,
        )
        import requests

        for _ in range(120):
            try:
                requests.get(f"{BASE}/health", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not start")

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "scheduler_project", "worker", "--concurrency=1"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed with its pool children
        )

    def kill_worker(self) -> None:
        assert self.worker is not None
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def session() -> Any:
    import re

    import requests

    browser = requests.Session()
    page = browser.get(f"{BASE}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    from console.demo import DEMO_PASSWORD

    done = browser.post(
        f"{BASE}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": "coordinator",
            "password": DEMO_PASSWORD,
        },
        allow_redirects=False,
        timeout=60,
    )
    assert done.status_code == 302, done.status_code
    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    return browser


def shown(response: Any) -> str:
    kind = response.headers.get("Content-Type", "")
    if "json" in kind:
        return f"{response.status_code} {response.text[:160]}"
    return f"{response.status_code} ({kind.split(';')[0]}, {len(response.content)} bytes)"


def run_until(browser: Any, code: str, done: set[str], limit: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while True:
        run: dict[str, Any] = browser.get(f"{BASE}/api/v1/runs/{code}/", timeout=30).json()
        if run["status"] in done or time.monotonic() > deadline:
            return run
        time.sleep(2)


def worker_killed(servers: Servers, browser: Any, program: str, period: tuple[str, str]) -> None:
    say("\n## 1. The only worker is killed in the middle of a run")
    before = published_fingerprint(*PERIOD)
    run = browser.post(
        f"{BASE}/api/v1/runs/",
        json={
            "program": program,
            "kind": "schedule",
            "algorithm": "cpsat",
            "start_date": period[0],
            "end_date": period[1],
            "time_limit_seconds": 120,
            "include_past": True,  # the block holding today began before today
        },
        timeout=30,
    ).json()
    if "code" not in run:
        raise SystemExit(f"the run was refused: {run}")
    code = run["code"]
    run = run_until(browser, code, {"running"}, 60)
    time.sleep(5)
    servers.kill_worker()
    killed = time.monotonic()
    say(f"- killed the worker (SIGKILL, whole process group) while the run was {run['status']}")
    seen = ""
    while time.monotonic() - killed < 240:
        page = browser.get(f"{BASE}/schedule/runs/{code}/", timeout=30)  # the page reaps
        run = browser.get(f"{BASE}/api/v1/runs/{code}/", timeout=30).json()
        if run["status"] != seen:
            seen = run["status"]
            say(
                f"- after {time.monotonic() - killed:.0f} s the run page answers "
                f"{page.status_code} and the run is {seen!r}: {run.get('error') or ''}"
            )
        if seen in ("failed", "succeeded", "with_violations"):
            break
        time.sleep(5)
    from scheduling.models import Assignment, State

    drafts = Assignment.objects.filter(run__code=code, state=State.DRAFT).count()
    after = published_fingerprint(*PERIOD)
    say(
        f"- draft rows left by the dead run: {drafts}; published schedule unchanged: {before == after}"
    )
    servers.start_worker()
    time.sleep(15)
    run = browser.get(f"{BASE}/api/v1/runs/{code}/", timeout=30).json()
    say(f"- a new worker started: the run is still {run['status']!r} (no second claim)")


def postgres_restart(browser: Any, program: str, period: tuple[str, str]) -> None:
    say("\n## 2. PostgreSQL restarts while a publish is being written")
    run = browser.post(
        f"{BASE}/api/v1/runs/",
        json={
            "program": program,
            "kind": "schedule",
            "algorithm": "greedy",
            "start_date": period[0],
            "end_date": period[1],
            "time_limit_seconds": 60,
            "include_past": True,
        },
        timeout=30,
    ).json()
    if "code" not in run:
        raise SystemExit(f"the run was refused: {run}")
    run = run_until(browser, run["code"], {"succeeded", "with_violations", "failed"}, 120)
    say(f"- a greedy draft of the block is {run['status']!r}")
    before = published_fingerprint(*PERIOD)
    outcome: dict[str, Any] = {}

    def publish() -> None:
        try:
            response = browser.post(
                f"{BASE}/api/v1/runs/{run['code']}/publish/",
                json={"override_reason": "Fault drill"},
                timeout=120,
            )
            outcome["seen"] = shown(response)
        except Exception as error:  # the user's connection itself broke
            outcome["seen"] = f"connection error: {error.__class__.__name__}"

    thread = threading.Thread(target=publish)
    thread.start()
    time.sleep(0.3)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", "restart", "-m", "fast"],
        check=True,
    )
    thread.join()
    say(f"- the coordinator's publish request answered: {outcome['seen']}")
    after = published_fingerprint(*PERIOD)
    state = browser.get(f"{BASE}/api/v1/runs/{run['code']}/", timeout=30).json()
    say(f"- afterwards the run is {state['status']!r} (published at {state.get('published_at')})")
    drafts = published_fingerprint_of_run(run["code"])
    verdict = (
        "the old schedule, untouched"
        if after == before
        else "exactly the draft"
        if after == drafts
        else "NEITHER: half-written"
    )
    say(f"- the period now holds {after[0]} published rows: {verdict}")
    first = browser.get(f"{BASE}/", timeout=30)
    say(f"- the first page load after the restart: {shown(first)}")


def published_fingerprint_of_run(code: str) -> tuple[int, str]:
    from scheduling.models import Assignment

    rows = sorted(
        Assignment.objects.filter(run__code=code).values_list("person_id", "date", "shift_type_id")
    )
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def redis_stopped(browser: Any, program: str, period: tuple[str, str]) -> None:
    say("\n## 3. Redis stops while people load pages")
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"])
    time.sleep(1)
    for name, path in (
        ("dashboard", "/"),
        ("my schedule", "/my/schedule/"),
        ("manifest", "/manifest/"),
        ("API runs", "/api/v1/runs/"),
        ("readiness", "/health/ready"),
    ):
        try:
            response = browser.get(f"{BASE}{path}", timeout=60)
            say(f"- {name}: {shown(response)}")
        except Exception as error:
            say(f"- {name}: connection error {error.__class__.__name__}")
    response = browser.post(
        f"{BASE}/api/v1/runs/",
        json={
            "program": program,
            "kind": "schedule",
            "algorithm": "greedy",
            "start_date": period[0],
            "end_date": period[1],
        },
        timeout=60,
    )
    say(f"- generate (needs the broker): {shown(response)}")
    from scheduling.models import ScheduleRun

    say(
        f"- runs stuck 'queued' in the database: {ScheduleRun.objects.filter(status='queued').count()}"
    )
    subprocess.run(REDIS_START, check=True)
    time.sleep(1)
    say(f"- Redis back: readiness {shown(browser.get(f'{BASE}/health/ready', timeout=30))}")


PERIOD: tuple[str, str, str] = ("", "", "")


def main() -> None:
    global PERIOD
    fresh_database()
    program, start, end, program_pk = prepare()
    PERIOD = (program_pk, start, end)
    load = Path("/proc/loadavg").read_text().split()[:3]
    say(
        f"# Fault drill, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {' '.join(load)}"
    )
    servers = Servers()
    servers.start_web()
    servers.start_worker()
    try:
        browser = session()
        worker_killed(servers, browser, program, (start, end))
        postgres_restart(browser, program, (start, end))
        redis_stopped(browser, program, (start, end))
    finally:
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode:
            subprocess.run(REDIS_START)
        servers.stop()


if __name__ == "__main__":
    main()
