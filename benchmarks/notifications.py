"""Notifications: publishing a 60-resident block, and a worker delivering 1,000 emails.

Builds a program of 60 residents with accounts (one 12 h day shift each weekday of a 4-week
block, published), then a draft that moves every other resident's shifts, and measures:
  - publish: the coordinator's POST to /schedule/runs/<code>/publish/ through the test client
    (the publish, the per-person "what changed for me" notices and the Delivery rows; the
    emails themselves are only queued: Celery is not eager here);
  - deliver: ``people.delivery.send`` (the Celery task's body) for 1,000 queued email
    deliveries to the locmem backend, one after another as one worker would.

Usage (a throwaway SQLite database under a temporary VAR_DIR; migrations run first):
    .venv/bin/python benchmarks/notifications.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_project.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="notify-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from people import delivery  # noqa: E402
from people.models import Channel, Delivery, Membership, Notification, Person, Program  # noqa: E402
from rotations.models import ShiftType  # noqa: E402
from scheduling.models import Assignment, ScheduleRun, State  # noqa: E402

RESIDENTS, DAYS, START = 60, 28, date(2027, 3, 1)


def build(tag: str) -> tuple[Program, list[Person], ShiftType, ShiftType, object]:
    program = Program.objects.create(name=f"Benchmark {tag}", short_name=f"B{tag}")
    users = get_user_model()
    coordinator = users.objects.create_user(f"coord{tag}", f"coord{tag}@example.org", "x")
    Membership.objects.create(user=coordinator, program=program, role=Membership.Role.COORDINATOR)
    day = ShiftType.objects.create(
        program=program, name="Day", abbreviation="D", start_time=clock(7), duration_minutes=720
    )
    late = ShiftType.objects.create(
        program=program, name="Late", abbreviation="L", start_time=clock(11), duration_minutes=720
    )
    people = []
    for i in range(RESIDENTS):
        person = Person.objects.create(
            program=program,
            kind=Person.Kind.RESIDENT,
            first_name=f"R{i}",
            last_name=tag,
            training_start=date(2026, 7, 1),
        )
        user = users.objects.create_user(f"r{i}{tag}", f"r{i}{tag}@example.org", "x")
        Membership.objects.create(
            user=user, program=program, role=Membership.Role.RESIDENT, person=person
        )
        people.append(person)
    return program, people, day, late, coordinator


def rows(people: list[Person], shift_of: object, state: str, run: object = None) -> None:
    Assignment.objects.bulk_create(
        Assignment(
            person=person,
            shift_type=shift_of(i, d),
            date=START + timedelta(days=d),  # type: ignore[operator]
            starts_at=datetime.combine(START + timedelta(days=d), clock(12), tzinfo=UTC),
            ends_at=datetime.combine(START + timedelta(days=d), clock(23), tzinfo=UTC),
            state=state,
            run=run,
        )
        for i, person in enumerate(people)
        for d in range(DAYS)
        if (START + timedelta(days=d)).weekday() < 5
    )


def publish_once(tag: str) -> tuple[float, int]:
    program, people, day, late, coordinator = build(tag)
    rows(people, lambda i, d: day, State.PUBLISHED)
    run = ScheduleRun.objects.create(
        program=program,
        start_date=START,
        end_date=START + timedelta(days=DAYS - 1),
        status=ScheduleRun.Status.SUCCEEDED,
    )
    # Every other resident moves to the late shift on Mondays: 30 people's shifts change.
    rows(people, lambda i, d: late if i % 2 and d % 7 == 0 else day, State.DRAFT, run)
    client = Client()
    client.force_login(coordinator)
    began = time.perf_counter()
    answer = client.post(f"/schedule/runs/{run.code}/publish/")
    elapsed = time.perf_counter() - began
    assert answer.status_code in (200, 302), answer.status_code
    told = Notification.objects.filter(program=program, event="schedule_published").count()
    return elapsed, told


def deliver_thousand(program: Program) -> float:
    user_ids = list(Membership.objects.filter(program=program).values_list("user_id", flat=True))
    notices = Notification.objects.bulk_create(
        Notification(recipient_id=user_ids[i % len(user_ids)], program=program, title=f"N{i}")
        for i in range(1000)
    )
    ids = [
        row.pk
        for row in Delivery.objects.bulk_create(
            Delivery(notification=n, channel=Channel.EMAIL) for n in notices
        )
    ]
    mail.outbox = []
    began = time.perf_counter()
    for delivery_id in ids:
        delivery.send(delivery_id)
    elapsed = time.perf_counter() - began
    assert len(mail.outbox) == 1000
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    setup_test_environment()  # locmem outbox; ALLOWED_HOSTS for the test client
    publishes, sends = [], []
    for n in range(args.repeat):
        elapsed, told = publish_once(str(n))
        publishes.append(elapsed)
        print(f"publish {n}: {elapsed:.3f} s, {told} people told")
        program = Program.objects.get(short_name=f"B{n}")
        sends.append(deliver_thousand(program))
        print(f"deliver {n}: 1000 emails in {sends[-1]:.2f} s")
    print(f"median publish request {statistics.median(publishes):.3f} s")
    print(f"median 1,000 email deliveries {statistics.median(sends):.2f} s")
    print("load average:", Path("/proc/loadavg").read_text().strip())


if __name__ == "__main__":
    main()
