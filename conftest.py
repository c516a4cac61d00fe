"""The shared cast for tests: two programs, their coordinators, a superuser, faculty, residents.

``program_a`` (Family Medicine) and ``program_b`` (Internal Medicine) each get a coordinator;
program A also has a faculty member and a resident who log in. ``world`` adds one row of every
console model to each program, so scoping tests can look for program B leaking into A's view.
"""

from __future__ import annotations

import os
import socket

import django

# Engine tests may run with `-p no:django` (no database); the cast below still imports models.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "scheduler_project.settings"
    django.setup()

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client

from analytics.models import ParetoStudy
from api.models import ImportJob, ImportRecord
from conflicts.models import BackupDuty, ConflictAlert, ConflictPolicy
from people import access
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Certification,
    Channel,
    Delivery,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    Person,
    PreferencePolicy,
    Procedure,
    ProcedureCredential,
    Program,
    ProgramRule,
    ProgramWebhook,
    Request,
    StandingPreference,
)
from resilience.models import ContingencyStudy, Fallback, ResilienceSettings, ResilienceSnapshot
from rotations.models import (
    Block,
    CoverageRequirement,
    CurriculumRequirement,
    Holiday,
    Rotation,
    ShiftType,
)
from scheduling.models import Assignment, RotationAssignment, ScheduleRun, ScheduleRunProgress
from swaps.models import (
    SwapCandidate,
    SwapChainDecline,
    SwapChainLink,
    SwapPolicy,
    SwapRequest,
)

pytest_plugins = ["testing.pytest_browser"]

PASSWORD = "cast-pass-2026"
# Every test runs at this instant unless it asks for another: a Wednesday, 10:00 in New York, in
# the middle of the cast's academic year and of a block, away from DST changes and month ends.
PINNED_NOW = datetime(2026, 10, 14, 14, 0, tzinfo=UTC)
# The world's academic year is the pinned instant's (tests name its dates literally: 2026-07-01).
YEAR_START, YEAR_END = date(2026, 7, 1), date(2027, 6, 30)
assert YEAR_START <= PINNED_NOW.date() <= YEAR_END
# Instants where calendar code has edges, for the tests that care about the calendar: mark them
# ``@calendar_instants``. All are 10:00 in New York (the cast's timezone). The DST ones are the eves
# of the changes (1 Nov 2026, 14 Mar 2027), so the cast's 24-hour call "today" runs over the change
# and lasts 25 or 23 hours on the wall clock; the days after are in every page's week and month.
CALENDAR_INSTANTS = [
    pytest.param(datetime(2026, 7, 29, 14, 0, tzinfo=UTC), id="block-2-starts"),
    pytest.param(datetime(2026, 7, 1, 14, 0, tzinfo=UTC), id="academic-year-starts"),
    pytest.param(datetime(2026, 10, 31, 14, 0, tzinfo=UTC), id="dst-ends-overnight"),
    pytest.param(datetime(2027, 3, 13, 15, 0, tzinfo=UTC), id="dst-begins-overnight"),
    pytest.param(datetime(2028, 2, 29, 15, 0, tzinfo=UTC), id="leap-day"),
]
calendar_instants = pytest.mark.parametrize("pinned_now", CALENDAR_INSTANTS)


@pytest.fixture
def pinned_now() -> datetime:
    """The instant the clock is pinned at; a test overrides it by parametrising this name."""
    return PINNED_NOW


@pytest.fixture(autouse=True)
def _pinned_clock(pinned_now: datetime) -> Iterator[time_machine.Traveller]:
    """No test sees the real date: the clock starts at ``pinned_now`` for every test.

    It travels with ``tick=True``: time still passes from the pinned instant, so timeouts, polling
    and elapsed-time measurements behave as usual (``time.monotonic`` is never moved at all).
    time-machine patches the whole process, so the live server's threads see the same clock.
    Processes a test starts do not: the Celery worker is started through a bootstrap that travels
    to this process's current (pinned) time (scheduling/tests/conftest.py), and Chromium's own clock
    never matters because pages are rendered by the server and Django's cookies carry ``Max-Age``,
    which the browser counts from receipt, not from the server's ``Expires`` date.
    """
    with time_machine.travel(pinned_now, tick=True) as traveller:
        yield traveller


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Tests reach only 127.0.0.1: any other host name fails to resolve, as it would offline.

    The cast's webhooks (``https://hooks.example.org/...``) are delivered by tests that run the
    notification tasks; without this they tried a DNS lookup. Everything goes through
    ``getaddrinfo`` (urllib, smtplib, database and broker clients), so one guard covers them."""
    real = socket.getaddrinfo

    def loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name and name not in LOOPBACK and not str(name).startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach only 127.0.0.1, not {name}")
        return real(host, *args, **kwargs)

    socket.getaddrinfo = loopback
    try:
        yield
    finally:
        socket.getaddrinfo = real


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher costs about a second per user on a busy CI core.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )


def make_member(program: Program, username: str, role: str, person: Person | None = None) -> Any:
    user = make_user(username)
    Membership.objects.create(user=user, program=program, role=role, person=person)
    return user


@pytest.fixture
def program_a(db: None) -> Program:
    return Program.objects.create(name="Family Medicine Residency", short_name="Family Medicine")


@pytest.fixture
def program_b(db: None) -> Program:
    return Program.objects.create(name="Internal Medicine Residency", short_name="Internal Med")


@pytest.fixture
def coordinator_a(program_a: Program) -> Any:
    return make_member(program_a, "coord_a", Membership.Role.COORDINATOR)


@pytest.fixture
def coordinator_b(program_b: Program) -> Any:
    return make_member(program_b, "coord_b", Membership.Role.COORDINATOR)


@pytest.fixture
def superuser(db: None) -> Any:
    return get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password=PASSWORD
    )


@pytest.fixture
def faculty_a(program_a: Program) -> Any:
    person = Person.objects.create(
        program=program_a, kind=Person.Kind.FACULTY, first_name="Fay", last_name="Faculty"
    )
    return make_member(program_a, "faculty_a", Membership.Role.FACULTY, person)


@pytest.fixture
def resident_a(program_a: Program) -> Any:
    person = Person.objects.create(
        program=program_a,
        kind=Person.Kind.RESIDENT,
        first_name="Rey",
        last_name="Resident",
        training_start=date(2025, 7, 1),
    )
    return make_member(program_a, "resident_a", Membership.Role.RESIDENT, person)


@pytest.fixture
def coordinator_client(coordinator_a: Any) -> Client:
    client = Client()
    client.force_login(coordinator_a)
    return client


@pytest.fixture
def superuser_client(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def build_program_rows(program: Program, tag: str) -> dict[type[models.Model], Any]:
    """One row of every console model in ``program``, all linked together."""
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=YEAR_START, end_date=YEAR_END
    )
    block = Block.objects.create(
        academic_year=year, number=1, start_date=YEAR_START, end_date=date(2026, 7, 28)
    )
    rotation = Rotation.objects.create(
        program=program, name=f"Wards {tag}", abbreviation="W", kind=Rotation.Kind.INPATIENT
    )
    shift = ShiftType.objects.create(
        program=program,
        name=f"Day {tag}",
        abbreviation="D",
        category=ShiftType.Category.DAY,
        start_time=time(7),
        duration_minutes=12 * 60,
    )
    procedure = Procedure.objects.create(program=program, name=f"Central line {tag}")
    resident = Person.objects.create(
        program=program,
        kind=Person.Kind.RESIDENT,
        first_name=f"Resident{tag}",
        last_name=f"Res{tag}",
        training_start=date(2025, 7, 1),
    )
    faculty = Person.objects.create(
        program=program, kind=Person.Kind.FACULTY, first_name=f"Faculty{tag}", last_name=f"Fac{tag}"
    )
    member = make_user(f"member_{tag}")
    run = ScheduleRun.objects.create(
        program=program, start_date=YEAR_START, end_date=date(2026, 7, 28)
    )
    assignment = Assignment.objects.create(
        person=resident,
        shift_type=shift,
        date=YEAR_START,
        starts_at=utc(YEAR_START, 11),
        ends_at=utc(YEAR_START, 23),
    )
    other = Assignment.objects.create(
        person=faculty,
        shift_type=shift,
        date=date(2026, 7, 2),
        starts_at=utc(date(2026, 7, 2), 11),
        ends_at=utc(date(2026, 7, 2), 23),
    )
    swap = SwapRequest.objects.create(program=program, requester=resident, assignment=assignment)
    absence = Absence.objects.create(
        person=resident,
        kind=Absence.Kind.VACATION,
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 5),
    )
    rows: list[models.Model] = [
        program,
        year,
        block,
        rotation,
        CurriculumRequirement.objects.create(rotation=rotation, pgy=1, min_blocks=1),
        shift,
        CoverageRequirement.objects.create(shift_type=shift, rotation=rotation),
        Holiday.objects.create(program=program, date=date(2026, 12, 25), name=f"Christmas {tag}"),
        ProgramRule.objects.create(
            program=program,
            kind=ProgramRule.Kind.CAP,
            measure=ProgramRule.Measure.CALLS,
            period=ProgramRule.Period.BLOCK,
            value=8,
        ),
        procedure,
        resident,
        Membership.objects.create(
            user=member, program=program, role=Membership.Role.RESIDENT, person=resident
        ),
        absence,
        Request.objects.create(
            person=resident,
            kind=Request.Kind.PREFER_OFF,
            start_date=date(2026, 8, 1),
            end_date=date(2026, 8, 2),
        ),
        StandingPreference.objects.create(
            person=faculty, kind=StandingPreference.Kind.AVOID, shift_type=shift, weight=3
        ),
        PreferencePolicy.objects.create(program=program),
        Certification.objects.create(person=resident, name="ACLS", issued_on=date(2025, 1, 1)),
        ProcedureCredential.objects.create(
            person=resident, procedure=procedure, granted_on=date(2025, 1, 1)
        ),
        notice := Notification.objects.create(
            recipient=member, program=program, title=f"Hello {tag}"
        ),
        Delivery.objects.create(notification=notice, channel=Channel.EMAIL),
        NotificationPreference.objects.create(user=member, program=program),
        ProgramWebhook.objects.create(program=program, url=f"https://hooks.example.org/{tag}"),
        Invitation.objects.create(
            program=program,
            email=f"new-{tag}@example.org",
            role=Membership.Role.RESIDENT,
            token_hash=tag * 63 + "i",
            expires_at=PINNED_NOW,
        ),
        CalendarSubscription.objects.create(
            program=program, owner=resident, token_hash=tag * 64, token_hint=tag * 4
        ),
        run,
        ScheduleRunProgress.objects.create(run=run, elapsed_seconds=1.0, objective=3.0),
        RotationAssignment.objects.create(person=resident, block=block, rotation=rotation),
        assignment,
        swap,
        SwapCandidate.objects.create(swap=swap, person=faculty, assignment=other, score=0.8),
        SwapChainLink.objects.create(swap=swap, position=0, person=resident, assignment=assignment),
        SwapChainDecline.objects.create(
            program=program, key=f"{resident.pk}:{assignment.pk}", swap=swap, declined_by=resident
        ),
        SwapPolicy.objects.create(program=program),
        ConflictAlert.objects.create(
            program=program,
            kind=ConflictAlert.Kind.ABSENCE,
            severity=ConflictAlert.Severity.HIGH,
            person=resident,
            absence=absence,
            start_date=date(2026, 12, 1),
            end_date=date(2026, 12, 5),
            message=f"{resident} is away over a shift",
        ),
        ConflictPolicy.objects.create(program=program),
        BackupDuty.objects.create(person=resident, date=date(2026, 12, 2)),
        ResilienceSnapshot.objects.create(
            program=program,
            start_date=YEAR_START,
            end_date=date(2026, 7, 28),
            utilization=0.7,
            defense_level=ResilienceSnapshot.DefenseLevel.GREEN,
        ),
        ResilienceSettings.objects.create(program=program),
        ContingencyStudy.objects.create(
            program=program, start_date=YEAR_START, end_date=date(2026, 7, 28)
        ),
        Fallback.objects.create(
            program=program,
            scenario=Fallback.Scenario.LOSE_ONE_FACULTY,
            start_date=YEAR_START,
            end_date=date(2026, 7, 28),
        ),
        ParetoStudy.objects.create(
            program=program, start_date=YEAR_START, end_date=date(2026, 7, 28)
        ),
        ImportRecord.objects.create(
            program=program, kind=ImportRecord.Kind.PEOPLE, filename=f"people-{tag}.csv"
        ),
        ImportJob.objects.create(
            program=program,
            kind=ImportRecord.Kind.PEOPLE,
            filename=f"people-{tag}.csv",
            status=ImportJob.Status.PREVIEWED,
            content=b"kind,first_name,last_name\nfaculty,Imported,Person\n",
        ),
    ]
    return {type(row): row for row in rows}


def in_program(queryset: Any, program_id: int) -> Any:
    """The rows of ``queryset`` that belong to one program, by the access module's registry."""
    return queryset.filter(**{f"{access.program_path(queryset.model)}__in": [program_id]})


@dataclass
class World:
    # Values are typed Any: each is an instance of its key, which a dict type cannot say.
    a: dict[type[models.Model], Any] = field(default_factory=dict)
    b: dict[type[models.Model], Any] = field(default_factory=dict)


@pytest.fixture
def world(program_a: Program, program_b: Program) -> World:
    return World(a=build_program_rows(program_a, "a"), b=build_program_rows(program_b, "b"))


class ConsoleChecks:
    """Checks the coordinator console makes for any registered model (see <app>/tests/test_admin)."""

    def __init__(self, world: World, coordinator: Any, other_coordinator: Any, root: Any) -> None:
        self.world, self.user, self.other_coordinator = world, coordinator, other_coordinator
        self.coordinator, self.superuser = Client(), Client()
        self.coordinator.force_login(coordinator)
        self.superuser.force_login(root)

    def can_add(self, model: type[models.Model]) -> bool:
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.user = self.user
        return bool(self.model_admin(model).has_add_permission(request))

    @staticmethod
    def url(model: type[models.Model], view: str, *args: Any) -> str:
        from django.urls import reverse

        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)

    @staticmethod
    def model_admin(model: type[models.Model]) -> Any:
        from django.contrib import admin

        return admin.site._registry[model]

    def changelist_pks(self, client: Client, model: type[models.Model]) -> set[Any]:
        response = client.get(self.url(model, "changelist"))
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    def assert_changelist_scoped(self, model: type[models.Model]) -> None:
        pks = self.changelist_pks(self.coordinator, model)
        assert self.world.a[model].pk in pks
        assert self.world.b[model].pk not in pks

    def assert_superuser_sees_all(self, model: type[models.Model]) -> None:
        pks = self.changelist_pks(self.superuser, model)
        assert {self.world.a[model].pk, self.world.b[model].pk} <= pks

    def form_page(self, model: type[models.Model]) -> Any:
        if self.can_add(model):
            return self.coordinator.get(self.url(model, "add"))
        return self.coordinator.get(self.url(model, "change", self.world.a[model].pk))

    def assert_choices_scoped(self, model: type[models.Model]) -> int:
        """Every model choice on the form and its inlines excludes program B; returns the count."""
        from django.forms import ModelChoiceField, ModelMultipleChoiceField

        response = self.form_page(model)
        assert response.status_code == 200
        forms_ = [response.context["adminform"].form]
        forms_ += [
            inline.formset.empty_form for inline in response.context["inline_admin_formsets"]
        ]
        program_b = self.world.b[Program]
        checked = 0
        for form in forms_:
            for name, form_field in form.fields.items():
                # An inline row's hidden primary key is matched against the parent's rows only.
                if name == form._meta.model._meta.pk.name:
                    continue
                if not isinstance(form_field, ModelChoiceField | ModelMultipleChoiceField):
                    continue
                queryset = form_field.queryset
                assert queryset is not None
                if access.is_registered(queryset.model):
                    assert not in_program(queryset, program_b.pk).exists()
                elif queryset.model is get_user_model():
                    assert not queryset.filter(pk=self.other_coordinator.pk).exists()
                checked += 1
        return checked + self.assert_autocomplete_scoped(model)

    def assert_autocomplete_scoped(self, model: type[models.Model]) -> int:
        """Every autocomplete field of the model's admin answers without program B rows."""
        from django.test import RequestFactory
        from django.urls import reverse

        request = RequestFactory().get("/")
        request.user = self.user
        fields = self.model_admin(model).get_autocomplete_fields(request)
        for name in fields:
            remote = model._meta.get_field(name).related_model
            assert isinstance(remote, type) and issubclass(remote, models.Model), name
            response = self.coordinator.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": name,
                    "term": "",
                },
            )
            assert response.status_code == 200
            shown = {result["id"] for result in response.json()["results"]}
            in_b = in_program(remote._default_manager.all(), self.world.b[Program].pk)
            assert shown, name  # program A has a row of every model
            assert not shown & {str(pk) for pk in in_b.values_list("pk", flat=True)}, name
        return len(fields)

    def assert_b_object_refused(self, model: type[models.Model]) -> None:
        pk = self.world.b[model].pk
        assert self.coordinator.get(self.url(model, "change", pk)).status_code == 302
        assert self.coordinator.get(self.url(model, "delete", pk)).status_code in (302, 403)
        assert self.coordinator.get(self.url(model, "auditlog", pk)).status_code == 404
        assert self.coordinator.get(self.url(model, "history", pk)).status_code == 404

    def assert_pages_render(self, model: type[models.Model]) -> None:
        pk = self.world.a[model].pk
        can_add = self.can_add(model)
        assert self.coordinator.get(self.url(model, "changelist")).status_code == 200
        assert self.coordinator.get(self.url(model, "add")).status_code == (200 if can_add else 403)
        assert self.coordinator.get(self.url(model, "change", pk)).status_code == 200
        assert self.coordinator.get(self.url(model, "auditlog", pk)).status_code == 200

    def assert_changelist_queries_constant(self, model: type[models.Model]) -> None:
        """A second program's rows add no queries: the list has no per-row lookups."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        program_c = Program.objects.create(name="Paediatrics Residency", short_name="Paeds")
        Membership.objects.create(
            user=self.user, program=program_c, role=Membership.Role.COORDINATOR
        )
        url = self.url(model, "changelist")
        self.coordinator.get(url)  # warm per-process caches (content types)
        with CaptureQueriesContext(connection) as one_program:
            assert self.coordinator.get(url).status_code == 200
        rows_c = build_program_rows(program_c, "c")
        with CaptureQueriesContext(connection) as two_programs:
            response = self.coordinator.get(url)
        assert rows_c[model].pk in {row.pk for row in response.context["cl"].result_list}
        assert len(two_programs) == len(one_program), [q["sql"] for q in two_programs]


@pytest.fixture
def console(world: World, coordinator_a: Any, coordinator_b: Any, superuser: Any) -> ConsoleChecks:
    return ConsoleChecks(world, coordinator_a, coordinator_b, superuser)
