"""Web latency: a year-long personal calendar feed and a month calendar page, through gunicorn.

Setup (a database of its own under var/bench-web): the demo program with its published rotation
plan and current block; the block's published shifts are then repeated over every other block of
the year (same weekday pattern, times rebuilt in the program's timezone), so every person has a
year of published shifts (the demo resident: about 250 events). Then gunicorn with 2 workers
serves the app (DEBUG off, as in production) and this script measures, sequentially over one
keep-alive connection:

  - feed: GET /feeds/<token>.ics (warm: per-process caches filled by the warm-up requests);
  - feed 304: the same with If-None-Match (what calendar apps send on every refresh);
  - month page: GET /my/schedule/?view=month, logged in as the demo resident;
  - month fragment: the same as an htmx request (the page's #schedule fragment);
and, in-process with the caches disabled, the cold cost of building the feed from scratch.

Usage: .venv/bin/python benchmarks/web.py [--requests 100]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = {
    "DJANGO_SETTINGS_MODULE": "scheduler_project.settings",
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "VAR_DIR": str(ROOT / "var" / "bench-web"),
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
}
for key, value in ENV.items():
    os.environ.setdefault(key, value)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from console.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from lib.timezones import zone  # noqa: E402
from people import services as people_services  # noqa: E402
from people.models import Membership  # noqa: E402
from rotations.models import Block  # noqa: E402
from scheduling.models import Assignment, State  # noqa: E402

PORT = 8891


def fill_year() -> int:
    """Repeat the published block over the year's other blocks; returns the rows added."""
    program, _, _ = seed_demo(schedule=True)
    if Assignment.objects.filter(person__program=program, state=State.PUBLISHED).count() > 5000:
        return 0
    tz = zone(program)
    blocks = list(Block.objects.filter(academic_year__program=program).order_by("number"))
    rows = list(
        Assignment.objects.filter(person__program=program, state=State.PUBLISHED).select_related(
            "shift_type"
        )
    )
    source = next(b for b in blocks if b.start_date <= rows[0].date <= b.end_date)
    added = []
    for block in blocks:
        if block.pk == source.pk:
            continue
        shift_days = (block.start_date - source.start_date).days
        for row in rows:
            day = row.date + timedelta(days=shift_days)
            if day > block.end_date:
                continue
            starts = datetime.combine(day, row.shift_type.start_time, tzinfo=tz)
            added.append(
                Assignment(
                    person_id=row.person_id,
                    shift_type=row.shift_type,
                    date=day,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=row.shift_type.duration_minutes),
                    state=State.PUBLISHED,
                )
            )
    Assignment.objects.bulk_create(added, batch_size=2000)
    return len(added)


def resident_token() -> tuple[str, int]:
    membership = Membership.objects.select_related("person").get(user__username="resident")
    assert membership.person is not None, "the demo resident login is linked to a person"
    _, token = people_services.subscription_create(owner=membership.person, actor=None)
    events = Assignment.objects.filter(person=membership.person, state=State.PUBLISHED).count()
    return token, events


def cold_feed_ms(token: str, repeat: int = 5) -> float:
    from django.core.cache import cache
    from django.utils import timezone

    from scheduling.selectors import feeds as feed_reads
    from scheduling.views import feeds

    subscription = feed_reads.get_subscription_for_token(token)
    timings = []
    for _ in range(repeat):
        cache.clear()
        feeds.vtimezone.cache_clear()
        began = time.perf_counter()
        rows = feed_reads.feed_assignments(subscription, timezone.now().date())
        feed_reads.feed_version(rows, subscription)
        feeds.build_feed(subscription, rows)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


class Browser:
    """One keep-alive connection with a cookie jar: enough to log in and fetch pages."""

    def __init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        sent = {"Host": f"127.0.0.1:{PORT}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def login(self, username: str, password: str) -> None:
        _, page, _ = self.request("GET", "/accounts/login/")
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf, "no CSRF token on the login page"
        form = f"csrfmiddlewaretoken={csrf.group(1).decode()}&username={username}&password={password}&next=/"
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{PORT}/accounts/login/",
            },
        )
        assert status == 302, f"login failed ({status})"


def timed(
    browser: Browser, path: str, count: int, headers: dict[str, str] | None = None
) -> tuple[list[float], int]:
    timings, status = [], 0
    for _ in range(count):
        began = time.perf_counter()
        status, _, _ = browser.request("GET", path, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
    return timings, status


def summary(name: str, timings: list[float], status: int) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"| {name} | {status} | {len(timings)} | {statistics.median(timings):.1f} | {p95:.1f} | {ordered[0]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    added = fill_year()
    token, events = resident_token()
    print(f"year filled (+{added} rows); the resident's feed holds {events} events")
    cold = cold_feed_ms(token)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "scheduler_project.wsgi:application",
            "--workers=2",
            f"--bind=127.0.0.1:{PORT}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        browser, calendar_app = Browser(), Browser()  # calendar apps send no cookies
        feed = f"/feeds/{token}.ics"
        month = "/my/schedule/?view=month"
        browser.login("resident", DEMO_PASSWORD)
        for _ in range(10):  # both workers: fill per-process caches and open database connections
            _, _, headers = calendar_app.request("GET", feed)
            browser.request("GET", month)
        etag = headers["etag"]
        rows = [
            summary(f"feed (a year, {events} events)", *timed(calendar_app, feed, args.requests)),
            summary(
                "feed, If-None-Match → 304",
                *timed(calendar_app, feed, args.requests, {"If-None-Match": etag}),
            ),
            summary("month page (full)", *timed(browser, month, args.requests)),
            summary(
                "month page (htmx fragment)",
                *timed(browser, month, args.requests, {"HX-Request": "true"}),
            ),
        ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print("| request | status | n | median ms | p95 ms | min ms |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nfeed built from scratch in-process (caches cleared): median {cold:.1f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
