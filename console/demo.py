"""The demo program: a realistic family-medicine residency a newcomer can explore at once.

Riverside Family Medicine: 24 residents (8 per PGY 1-3), 12 faculty (a program director and an
adjunct among them), the 2026-2027 academic year in 13 four-week blocks, 13 rotations with
curricula per PGY, timed shift types (ward days, 24-hour in-house call with a handoff, night
float, clinic half-days with precepting, attending weeks, at-home call, and a day shift for every
other rotation), coverage with supervision, the US federal holidays (clinic and outpatient
sessions stop on them), credentials, absences and requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from auditlog.context import set_actor
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lib.errors import ApplicationError
from people.models import (
    Absence,
    AcademicYear,
    Certification,
    Membership,
    Person,
    Procedure,
    ProcedureCredential,
    Program,
    Request,
)
from rotations import services as rotation_services
from rotations.models import (
    CoverageRequirement,
    CurriculumRequirement,
    Holiday,
    Rotation,
    ShiftType,
)
from scheduling.models import ScheduleRun

DEMO_PROGRAM = "Riverside Family Medicine Residency"
DEMO_PASSWORD = "riverside-demo-2026"
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000
EVERY_DAY = 0b1111111
SUN_TO_THU = 0b1001111
# Clinic, precepting and outpatient (elective) sessions stop on holidays; wards and call run.
STOP_ON_HOLIDAYS = frozenset({"CAM", "CPM", "PAM", "PPM", "CCL", "GERD", "BHD", "SMC", "ELD"})
# US federal holidays of the 2026-27 academic year, on their observed dates.
US_FEDERAL_HOLIDAYS = (
    (date(2026, 7, 3), "Independence Day (observed)"),
    (date(2026, 9, 7), "Labor Day"),
    (date(2026, 10, 12), "Columbus Day"),
    (date(2026, 11, 11), "Veterans Day"),
    (date(2026, 11, 26), "Thanksgiving Day"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 1, 18), "Martin Luther King Jr. Day"),
    (date(2027, 2, 15), "Washington's Birthday"),
    (date(2027, 5, 31), "Memorial Day"),
    (date(2027, 6, 18), "Juneteenth (observed)"),
)

RESIDENT_NAMES = [
    ("Amara", "Okafor"),
    ("Ben", "Whitaker"),
    ("Chloe", "Nguyen"),
    ("Diego", "Ramirez"),
    ("Elena", "Petrova"),
    ("Farid", "Haddad"),
    ("Grace", "Kim"),
    ("Hugo", "Lindqvist"),
    ("Isla", "MacLeod"),
    ("Jamal", "Carter"),
    ("Keiko", "Tanaka"),
    ("Liam", "O'Brien"),
    ("Maya", "Patel"),
    ("Noah", "Schwartz"),
    ("Olivia", "Moreau"),
    ("Pedro", "Alves"),
    ("Quinn", "Harper"),
    ("Rania", "Aziz"),
    ("Samuel", "Adeyemi"),
    ("Tara", "Singh"),
    ("Umar", "Farouk"),
    ("Vera", "Novak"),
    ("Wes", "Duncan"),
    ("Yara", "Costa"),
]
FACULTY_NAMES = [
    ("Helen", "Brooks"),
    ("Marcus", "Reid"),
    ("Sofia", "Esposito"),
    ("David", "Chen"),
    ("Rachel", "Goldberg"),
    ("Thomas", "Mensah"),
    ("Priya", "Raman"),
    ("Anders", "Berg"),
    ("Lucia", "Ferreira"),
    ("Kwame", "Boateng"),
    ("Nadia", "Karimi"),
    ("Owen", "Gallagher"),
]

# (name, abbreviation, kind, colour, min, max per block, leave, heavy, splittable)
ROTATIONS = [
    ("Inpatient Medicine", "IM", Rotation.Kind.INPATIENT, "#3b6ea8", 4, 6, False, True, False),
    ("Night Float", "NF", Rotation.Kind.NIGHT_FLOAT, "#29335c", 2, 2, False, True, False),
    ("Intensive Care", "ICU", Rotation.Kind.ICU, "#b33a3a", 1, 2, False, True, False),
    ("Obstetrics", "OB", Rotation.Kind.OBSTETRICS, "#c2569b", 1, 3, False, False, False),
    (
        "Inpatient Paediatrics",
        "PEDS",
        Rotation.Kind.PEDIATRICS,
        "#e08e2b",
        1,
        3,
        False,
        False,
        False,
    ),
    ("Emergency Medicine", "ED", Rotation.Kind.EMERGENCY, "#d1495b", 1, 2, False, False, False),
    ("Family Medicine Clinic", "FMC", Rotation.Kind.CLINIC, "#2a9d8f", 2, 6, True, False, True),
    ("Community Medicine", "COM", Rotation.Kind.CLINIC, "#57a773", 0, 3, True, False, True),
    ("Geriatrics", "GER", Rotation.Kind.OTHER, "#8d6a9f", 0, 2, True, False, False),
    ("General Surgery", "SURG", Rotation.Kind.OTHER, "#6b4226", 0, 2, False, False, False),
    ("Behavioural Health", "BH", Rotation.Kind.OTHER, "#577590", 0, 2, True, False, False),
    ("Sports Medicine", "SPORT", Rotation.Kind.ELECTIVE, "#90be6d", 0, 2, True, False, True),
    ("Elective", "ELEC", Rotation.Kind.ELECTIVE, "#a5a58d", 0, 6, True, False, True),
]

# PGY -> {rotation abbreviation: (min blocks, max blocks)}; minimums sum to at most 13.
CURRICULUM = {
    1: {
        "IM": (3, 4),
        "NF": (1, 1),
        "OB": (2, 2),
        "PEDS": (2, 2),
        "ED": (1, 1),
        "FMC": (1, 2),
        "SURG": (1, 1),
        "ICU": (0, 1),
        "ELEC": (0, 1),
    },
    2: {
        "IM": (2, 3),
        "NF": (1, 2),
        "ICU": (1, 2),
        "OB": (1, 1),
        "PEDS": (1, 1),
        "ED": (1, 1),
        "FMC": (2, 3),
        "GER": (1, 1),
        "BH": (1, 1),
        "ELEC": (0, 2),
    },
    3: {
        "IM": (2, 2),
        "NF": (1, 1),
        "ICU": (0, 1),
        "FMC": (3, 4),
        "COM": (1, 2),
        "SPORT": (1, 1),
        "ELEC": (2, 4),
        "BH": (0, 1),
    },
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    person: str


def demo_program() -> Program | None:
    return Program.objects.filter(name=DEMO_PROGRAM).first()


def seed_demo(
    *, schedule: bool = False, time_limit: int = 20, look_ahead: bool = False
) -> tuple[Program, list[DemoLogin], bool]:
    """Build the demo program once; later calls change nothing. Returns (program, logins, created).

    With ``schedule``, also generate and publish the year's rotation plan and the schedule of
    the block holding today (or the first block), through the same services a coordinator uses.
    With ``look_ahead`` too, queue the first N-1/N-2 study and fallbacks for the workers (the
    ``seed_demo`` command does, so the resilience dashboard of ``make run`` fills in by itself).
    """
    existing = demo_program()
    if existing is not None:
        return existing, _logins(existing), False
    with transaction.atomic(), set_actor(None):
        program = _build()
    if schedule:
        generate_demo_schedule(program, time_limit=time_limit)
        from resilience import services as resilience

        # The resilience dashboard opens on a computed level (issue 18).
        start, end = resilience.coming_period()
        resilience.snapshot_take(program=program, start=start, end=end)
        if look_ahead:
            resilience.resilience_prime(program=program)
    return program, _logins(program), True


def generate_demo_schedule(
    program: Program, *, time_limit: int = 20, blocks: bool = True
) -> list[ScheduleRun]:
    """Plan the year, publish it, then schedule and publish one block. Runs in-process.

    Without ``blocks``, only the year's rotation plan (a shift schedule needs one published).
    """
    from scheduling import services

    year = AcademicYear.objects.get(program=program)
    periods = [(ScheduleRun.Kind.ROTATION_PLAN, year.start_date, year.end_date)]
    if blocks:
        all_blocks = list(year.blocks.order_by("number"))
        today = timezone.localdate()
        block = next((b for b in all_blocks if b.start_date <= today <= b.end_date), all_blocks[0])
        periods.append((ScheduleRun.Kind.SCHEDULE, block.start_date, block.end_date))
    runs = []
    for kind, start, end in periods:
        # A busy machine may run out of time: once more with three times as long.
        for limit in (time_limit, 3 * time_limit):
            run = services.schedule_run_create(
                program=program,
                start_date=start,
                end_date=end,
                actor=None,
                kind=kind,
                # The shift schedule starts from the greedy's (hybrid, the default).
                algorithm=ScheduleRun.DEFAULT_ALGORITHM
                if kind == ScheduleRun.Kind.SCHEDULE
                else ScheduleRun.Algorithm.CPSAT,
                time_limit_seconds=limit,
                enqueue=False,
            )
            services.schedule_run_execute(run_id=run.pk)
            run.refresh_from_db()
            if run.status == ScheduleRun.Status.SUCCEEDED:  # hard violations fail the demo too
                break
        else:
            what = run.get_kind_display().lower()
            raise ApplicationError(
                f"The demo {what} failed: {run.error or run.get_status_display()}"
            )
        runs.append(services.schedule_run_publish(run=run, actor=None))
    return runs


def _logins(program: Program) -> list[DemoLogin]:
    logins = []
    for membership in Membership.objects.filter(program=program).select_related("user", "person"):
        logins.append(
            DemoLogin(
                role=membership.get_role_display(),
                username=membership.user.get_username(),
                password=DEMO_PASSWORD,
                person=str(membership.person) if membership.person else "-",
            )
        )
    return sorted(logins, key=lambda login: login.username)


def _build() -> Program:
    program = Program.objects.create(
        name=DEMO_PROGRAM, short_name="Riverside FM", timezone="America/New_York"
    )
    year = AcademicYear.objects.create(
        program=program, name="2026–2027", start_date=date(2026, 7, 1), end_date=date(2027, 6, 30)
    )
    rotation_services.academic_year_create_blocks(
        academic_year=year,
        pattern=rotation_services.BlockPattern.FOUR_WEEKS,
        weekday=None,
        actor=None,
    )
    _holidays(program, year)
    rotations = _rotations(program)
    shifts = _shift_types(program)
    _coverage(shifts, rotations)
    residents = _residents(program)
    faculty = _faculty(program)
    _credentials(program, residents, faculty)
    _absences_and_requests(residents, faculty, shifts)
    _users(program, residents, faculty)
    return program


def _rotations(program: Program) -> dict[str, Rotation]:
    rotations = {}
    for name, abbr, kind, colour, low, high, leave, heavy, split in ROTATIONS:
        rotations[abbr] = Rotation.objects.create(
            program=program,
            name=name,
            abbreviation=abbr,
            kind=kind,
            color=colour,
            min_residents=low,
            max_residents=high,
            leave_eligible=leave,
            heavy=heavy,
            splittable=split,
            location="Riverside General" if kind != Rotation.Kind.CLINIC else "Riverside FMC",
        )
    for pgy, needs in CURRICULUM.items():
        for abbr, (low, high) in needs.items():
            CurriculumRequirement.objects.create(
                rotation=rotations[abbr], pgy=pgy, min_blocks=low, max_blocks=high
            )
    return rotations


def _shift_types(program: Program) -> dict[str, ShiftType]:
    specs = [
        ("Ward day", "WD", ShiftType.Category.DAY, time(7), 12 * 60, True, "#3b6ea8"),
        (
            "In-house call",
            "CALL",
            ShiftType.Category.IN_HOUSE_CALL,
            time(7),
            24 * 60,
            True,
            "#b33a3a",
        ),
        (
            "Post-call handoff",
            "PC",
            ShiftType.Category.TRANSITION,
            time(7),
            4 * 60,
            True,
            "#e9c46a",
        ),
        ("Night float", "NF", ShiftType.Category.NIGHT_FLOAT, time(19), 12 * 60, True, "#29335c"),
        ("Clinic AM", "CAM", ShiftType.Category.CLINIC_HALF_DAY, time(8), 4 * 60, True, "#2a9d8f"),
        ("Clinic PM", "CPM", ShiftType.Category.CLINIC_HALF_DAY, time(13), 4 * 60, True, "#57a773"),
        ("Precepting AM", "PAM", ShiftType.Category.ATTENDING, time(8), 4 * 60, True, "#264653"),
        ("Precepting PM", "PPM", ShiftType.Category.ATTENDING, time(13), 4 * 60, True, "#264653"),
        ("Ward attending", "ATT", ShiftType.Category.ATTENDING, time(7), 10 * 60, True, "#1d3557"),
        (
            "At-home call",
            "HOME",
            ShiftType.Category.AT_HOME_CALL,
            time(17),
            14 * 60,
            False,
            "#6d597a",
        ),
        # One day shift per rotation that has no other (issue 11, item 4): every resident on
        # any rotation has a timed schedule.
        ("ICU day", "ICUD", ShiftType.Category.DAY, time(6, 30), 12 * 60, True, "#b33a3a"),
        ("Labour & delivery", "LD", ShiftType.Category.DAY, time(7), 12 * 60, True, "#c2569b"),
        ("Paediatric ward", "PW", ShiftType.Category.DAY, time(7), 11 * 60, True, "#e08e2b"),
        ("Emergency shift", "EDS", ShiftType.Category.DAY, time(8), 10 * 60, True, "#d1495b"),
        ("Surgery day", "OR", ShiftType.Category.DAY, time(6), 11 * 60, True, "#6b4226"),
        # Outpatient rotations (one shift type each: the engine takes one demand per day and type)
        ("Community clinic", "CCL", ShiftType.Category.DAY, time(8), 9 * 60, True, "#57a773"),
        ("Geriatrics day", "GERD", ShiftType.Category.DAY, time(8), 9 * 60, True, "#8d6a9f"),
        ("Behavioural health", "BHD", ShiftType.Category.DAY, time(8), 9 * 60, True, "#577590"),
        ("Sports medicine", "SMC", ShiftType.Category.DAY, time(8), 9 * 60, True, "#90be6d"),
        ("Elective day", "ELD", ShiftType.Category.DAY, time(8), 9 * 60, True, "#a5a58d"),
    ]
    return {
        abbr: ShiftType.objects.create(
            program=program,
            name=name,
            abbreviation=abbr,
            category=category,
            start_time=start,
            duration_minutes=minutes,
            counts_toward_duty=counts,
            color=colour,
            runs_on_holidays=abbr not in STOP_ON_HOLIDAYS,
        )
        for name, abbr, category, start, minutes, counts, colour in specs
    }


def _holidays(program: Program, year: AcademicYear) -> None:
    """The US federal holidays of the academic year (observed dates)."""
    for day, name in US_FEDERAL_HOLIDAYS:
        if year.start_date <= day <= year.end_date:
            Holiday.objects.create(program=program, date=day, name=name)


def _coverage(shifts: dict[str, ShiftType], rotations: dict[str, Rotation]) -> None:
    resident, faculty = CoverageRequirement.Kinds.RESIDENT, CoverageRequirement.Kinds.FACULTY
    rows = [
        # shift, rotation, kind, pgy_min, days, min, target, max, supervised by
        ("WD", "IM", resident, None, EVERY_DAY, 3, 4, 6, "ATT"),
        # A strong target, not a hard minimum: the 07:00 call on the night clocks go back lasts
        # 25 real hours, over the ACGME 24-hour limit, so that night is left to night float.
        ("CALL", None, resident, 2, EVERY_DAY, 0, 1, 1, None),
        ("NF", "NF", resident, None, SUN_TO_THU, 1, 2, 2, None),
        ("CAM", "FMC", resident, None, WEEKDAYS, 2, 3, 6, "PAM"),
        ("CPM", "FMC", resident, None, WEEKDAYS, 2, 3, 6, "PPM"),
        ("ATT", None, faculty, None, EVERY_DAY, 1, 1, 2, None),
        ("PAM", None, faculty, None, WEEKDAYS, 1, 1, 2, None),
        ("PPM", None, faculty, None, WEEKDAYS, 1, 1, 2, None),
        ("HOME", None, faculty, None, EVERY_DAY, 1, 1, 1, None),
        # Every other rotation's day shift on weekdays: as many as are on the rotation, as a
        # target, never a hard minimum.
        ("ICUD", "ICU", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("LD", "OB", resident, None, WEEKDAYS, 0, 3, 3, None),
        ("PW", "PEDS", resident, None, WEEKDAYS, 0, 3, 3, None),
        ("EDS", "ED", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("OR", "SURG", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("CCL", "COM", resident, None, WEEKDAYS, 0, 3, 3, None),
        ("GERD", "GER", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("BHD", "BH", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("SMC", "SPORT", resident, None, WEEKDAYS, 0, 2, 2, None),
        ("ELD", "ELEC", resident, None, WEEKDAYS, 0, 6, 6, None),
    ]
    for shift, rotation, kind, pgy_min, days, low, target, high, supervisor in rows:
        CoverageRequirement.objects.create(
            shift_type=shifts[shift],
            rotation=rotations[rotation] if rotation else None,
            person_kind=kind,
            pgy_min=pgy_min,
            weekdays=days,
            minimum=low,
            target=target,
            maximum=high,
            needs_supervision=supervisor is not None,
            supervisor_shift_type=shifts[supervisor] if supervisor else None,
        )


def _residents(program: Program) -> list[Person]:
    residents = []
    for index, (first, last) in enumerate(RESIDENT_NAMES):
        pgy = index // 8 + 1
        residents.append(
            Person.objects.create(
                program=program,
                kind=Person.Kind.RESIDENT,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower().replace(chr(39), '')}@riverside.example",
                phone=f"555-01{index:02d}",
                training_start=date(2026 - (pgy - 1), 7, 1),
            )
        )
    return residents


def _faculty(program: Program) -> list[Person]:
    faculty = []
    for index, (first, last) in enumerate(FACULTY_NAMES):
        faculty.append(
            Person.objects.create(
                program=program,
                kind=Person.Kind.FACULTY,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@riverside.example",
                phone=f"555-02{index:02d}",
                is_program_director=index == 0,
                is_adjunct=index == len(FACULTY_NAMES) - 1,
                # Ward-attending weeks a year (a yearly ceiling of 7 days a week): 6 for each
                # full-time attending, 2 for the adjunct, 11 x 42 + 14 = 476 days. With 5 weeks
                # (399 days) the year was infeasible: the ward's supervision ratios and the
                # residents' ACGME free days force a second attending on at least 40 days, so
                # every compliant year needs at least 405 (scheduling/engine/cpsat/ceilings.py;
                # docs/benchmarks.md, issue 20). Six for everyone: the target is in whole weeks,
                # and a year built window by window needs a margin (with 3 of them at 6 weeks,
                # 420 days, the windows ran out in June).
                attending_weeks_target=2 if index == len(FACULTY_NAMES) - 1 else 6,
            )
        )
    return faculty


def _credentials(program: Program, residents: list[Person], faculty: list[Person]) -> None:
    deliveries = Procedure.objects.create(program=program, name="Vaginal delivery")
    procedures = [deliveries] + [
        Procedure.objects.create(program=program, name=name)
        for name in ("Central line placement", "Colposcopy", "Joint injection")
    ]
    issued = date(2025, 6, 1)
    for person in residents + faculty:
        for name in ("BLS", "ACLS"):
            Certification.objects.create(
                person=person, name=name, issued_on=issued, expires_on=issued + timedelta(days=730)
            )
    for person in faculty:
        for procedure in procedures:
            ProcedureCredential.objects.create(
                person=person,
                procedure=procedure,
                level=ProcedureCredential.Level.SUPERVISOR,
                granted_on=date(2020, 1, 1),
            )
    for person in residents[8:]:  # PGY-2 and PGY-3 may deliver without direct supervision
        ProcedureCredential.objects.create(
            person=person,
            procedure=deliveries,
            level=ProcedureCredential.Level.INDEPENDENT,
            granted_on=date(2026, 6, 15),
        )


def _absences_and_requests(
    residents: list[Person], faculty: list[Person], shifts: dict[str, ShiftType]
) -> None:
    approved, requested = Absence.Status.APPROVED, Absence.Status.REQUESTED
    absences = [
        (residents[2], Absence.Kind.VACATION, date(2026, 12, 21), date(2026, 12, 27), approved),
        (residents[9], Absence.Kind.CONFERENCE, date(2027, 1, 14), date(2027, 1, 17), approved),
        (residents[17], Absence.Kind.VACATION, date(2027, 3, 8), date(2027, 3, 14), requested),
        (residents[20], Absence.Kind.PARENTAL, date(2027, 2, 1), date(2027, 3, 28), approved),
        (faculty[3], Absence.Kind.CONFERENCE, date(2026, 12, 3), date(2026, 12, 5), approved),
        (faculty[6], Absence.Kind.VACATION, date(2026, 12, 24), date(2027, 1, 1), approved),
    ]
    for person, kind, start, end, status in absences:
        Absence.objects.create(
            person=person, kind=kind, start_date=start, end_date=end, status=status
        )
    wishes = [
        (residents[0], Request.Kind.PREFER_OFF, date(2026, 12, 24), date(2026, 12, 25), None, 8),
        (
            residents[5],
            Request.Kind.PREFER_OFF,
            date(2026, 12, 31),
            date(2027, 1, 1),
            shifts["CALL"],
            5,
        ),
        (
            residents[12],
            Request.Kind.PREFER_ON,
            date(2026, 12, 12),
            date(2026, 12, 13),
            shifts["CALL"],
            3,
        ),
        (
            faculty[1],
            Request.Kind.PREFER_OFF,
            date(2026, 12, 19),
            date(2026, 12, 20),
            shifts["HOME"],
            6,
        ),
    ]
    for person, wish, start, end, shift, weight in wishes:
        Request.objects.create(
            person=person,
            kind=wish,
            start_date=start,
            end_date=end,
            shift_type=shift,
            weight=weight,
            status=Request.Status.APPROVED,
        )


def _users(program: Program, residents: list[Person], faculty: list[Person]) -> None:
    User = get_user_model()
    accounts = [
        ("admin", "Program", "Admin", Membership.Role.ADMIN, None, True),
        ("coordinator", "Casey", "Morgan", Membership.Role.COORDINATOR, None, False),
        (
            "faculty",
            faculty[0].first_name,
            faculty[0].last_name,
            Membership.Role.FACULTY,
            faculty[0],
            False,
        ),
        (
            "resident",
            residents[0].first_name,
            residents[0].last_name,
            Membership.Role.RESIDENT,
            residents[0],
            False,
        ),
    ]
    for username, first, last, role, person, superuser in accounts:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@riverside.example",
            is_superuser=superuser,
            is_staff=superuser,
        )
        Membership.objects.create(user=user, program=program, role=role, person=person)
