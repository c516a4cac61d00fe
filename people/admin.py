"""Coordinator console: programs, people, roles, credentials, program rules, notifications and
feeds. Absences, requests and preferences are in people.admin_requests; invitations and account
links in people.admin_accounts; deliveries, webhooks and notification settings in
people.admin_notify."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from django.contrib import admin
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from console.admin import (
    AUDIT_FIELDS,
    PERSON_SEARCH,
    PersonScopedAdmin,
    ProgramScopedAdmin,
    RelatedOnly,
    ScopedInline,
)
from people import accounts, admin_accounts
from people import services as people_services
from people.access import managed_program_ids
from people.admin_requests import AbsenceForm, AbsenceFormSet
from people.models import (
    Absence,
    AcademicYear,
    CalendarSubscription,
    Certification,
    Membership,
    Notification,
    Person,
    Procedure,
    ProcedureCredential,
    Program,
    ProgramRule,
    pgy_from_training_start,
)

EXPIRY_WARNING_DAYS = 60


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def current_years(request: HttpRequest) -> QuerySet[AcademicYear]:
    today = timezone.localdate()
    years = AcademicYear.objects.filter(start_date__lte=today, end_date__gte=today)
    user: Any = request.user
    if not user.is_superuser:
        years = years.filter(program_id__in=list(managed_program_ids(user)))
    return years


class CurrentPgyFilter(admin.SimpleListFilter):
    title = "PGY (current year)"
    parameter_name = "pgy"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(level), f"PGY-{level}") for level in range(1, 8)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Person]) -> QuerySet[Person]:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        level = int(value)
        # PGY = whole years of training completed by the year's start, plus one, so PGY n
        # means a training start in (start - n years, start - (n-1) years]; overrides win.
        match = Q(pk__in=[])
        for year in current_years(request):
            by_start = Q(training_start__gt=_years_before(year.start_date, level))
            if level > 1:
                by_start &= Q(training_start__lte=_years_before(year.start_date, level - 1))
            match |= Q(program_id=year.program_id) & (
                Q(pgy_override=level, pgy_override_year_id=year.pk)
                | (~Q(pgy_override_year_id=year.pk) & by_start)
            )
        return queryset.filter(match, kind=Person.Kind.RESIDENT)


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("expired", "Expired"),
            ("soon", f"Expires within {EXPIRY_WARNING_DAYS} days"),
            ("valid", "Valid"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        if self.value() == "soon":
            return queryset.filter(expires_on__gte=today, expires_on__lte=soon)
        if self.value() == "valid":
            return queryset.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        return queryset


def expiry_status(expires_on: date | None) -> str:
    if expires_on is None:
        return "No expiry"
    today = timezone.localdate()
    if expires_on < today:
        return "Expired"
    if expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return "Expires soon"
    return "Valid"


# Inlines ---------------------------------------------------------------------------------------


class MembershipInline(ScopedInline, admin.TabularInline):
    """Roles at a glance. Choosing users and people per row would cost queries and long selects
    per member, so memberships are added, relinked and given roles on the Membership page."""

    model = Membership
    fields = ("user", "role", "person")
    # Roles change on the Membership page, which offers only roles up to the coordinator's own.
    readonly_fields = ("user", "role", "person")
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "person")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AbsenceInline(ScopedInline, admin.TabularInline):
    """A person's absences: added through the service and checked like the absence admin's
    form; a status picked here goes through the decide and cancel services."""

    model = Absence
    form = AbsenceForm
    formset = AbsenceFormSet
    fields = ("kind", "status", "start_date", "end_date", "note")
    ordering = ("-start_date",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})


class CertificationInline(ScopedInline, admin.TabularInline):
    model = Certification
    fields = ("name", "issued_on", "expires_on")


class ProcedureCredentialInline(ScopedInline, admin.TabularInline):
    model = ProcedureCredential
    fields = ("procedure", "level", "granted_on", "expires_on")
    autocomplete_fields = ("procedure",)


# Admins ----------------------------------------------------------------------------------------


@admin.register(Program)
class ProgramAdmin(ProgramScopedAdmin):
    list_display = ("name", "short_name", "timezone", "acgme_rules_version", "people_count")
    search_fields = ("name", "short_name")
    readonly_fields = AUDIT_FIELDS
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        return self.annotate_counts(
            super().get_queryset(request), _people=Count("people", distinct=True)
        )

    @admin.display(description="People", ordering="_people")
    def people_count(self, obj: Program) -> int:
        return obj._people  # type: ignore[attr-defined]

    # Programs are created and removed by a superuser; coordinators edit their own.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


@admin.register(Person)
class PersonAdmin(ProgramScopedAdmin):
    list_display = ("name", "kind", "pgy", "program", "email", "is_program_director", "active")
    list_display_links = ("name",)
    list_filter = (
        ("program", RelatedOnly),
        "kind",
        CurrentPgyFilter,
        "active",
        "is_program_director",
        "is_adjunct",
    )
    list_select_related = ("program",)
    search_fields = ("first_name", "last_name", "email")
    autocomplete_fields = ("program", "pgy_override_year")
    readonly_fields = AUDIT_FIELDS
    fieldsets = (
        (None, {"fields": ("program", "kind", "first_name", "last_name", "email", "phone")}),
        ("Training", {"fields": ("training_start", "pgy_override", "pgy_override_year")}),
        (
            "Faculty",
            {
                "fields": (
                    "is_program_director",
                    "is_adjunct",
                    "adjunct_takes_call",
                    "attending_weeks_target",
                    "clinic_sessions_target",
                )
            },
        ),
        (None, {"fields": ("active", *AUDIT_FIELDS)}),
    )
    inlines = (AbsenceInline, CertificationInline, ProcedureCredentialInline)
    actions = (admin_accounts.link_account,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        # The current academic year of each person's program, for the PGY column in one query.
        today = timezone.localdate()
        current = AcademicYear.objects.filter(
            program=OuterRef("program"), start_date__lte=today, end_date__gte=today
        ).order_by("-start_date")
        return (
            super()
            .get_queryset(request)
            .annotate(
                _year_id=Subquery(current.values("pk")[:1]),
                _year_start=Subquery(current.values("start_date")[:1]),
            )
        )

    @admin.display(description="Name", ordering="last_name")
    def name(self, obj: Person) -> str:
        return f"{obj.last_name}, {obj.first_name}"

    @admin.display(description="PGY")
    def pgy(self, obj: Person) -> str:
        year_start = getattr(obj, "_year_start", None)
        if obj.kind != Person.Kind.RESIDENT or obj.training_start is None or year_start is None:
            return "—"
        if obj.pgy_override is not None and obj.pgy_override_year_id == obj._year_id:  # type: ignore[attr-defined]
            return f"PGY-{obj.pgy_override}"
        return f"PGY-{pgy_from_training_start(obj.training_start, year_start)}"


@admin.register(Membership)
class MembershipAdmin(ProgramScopedAdmin):
    list_display = ("user", "role", "program", "person")
    list_filter = ("role", ("program", RelatedOnly))
    list_select_related = ("user", "program", "person")
    search_fields = ("user__username", "user__email", "person__first_name", "person__last_name")
    autocomplete_fields = ("program", "person")
    readonly_fields = AUDIT_FIELDS
    actions = ("deactivate_accounts",)

    # No role above one's own: offered, saved, or even edited (people.accounts decides).
    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = [("", "---------"), *accounts.grantable_roles(request.user)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or accounts.within_rank(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or accounts.within_rank(request.user, obj))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        accounts.check_grant(request.user, obj.program_id, obj.role)
        # Linking an account to a person here: the rule of the person's "link" action.
        linking = not change or bool({"user", "person"} & set(form.changed_data))
        if obj.person_id is not None and linking:
            accounts.check_link(request.user, obj.user, obj.person)
        super().save_model(request, obj, form, change)

    @admin.action(description="Deactivate the selected accounts (sessions, API tokens, calendars)")
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user"):
            self.call_service(
                request,
                partial(accounts.account_deactivate, user=membership.user, actor=request.user),
                success=f"{membership.user} can no longer sign in or use API tokens or calendars.",
            )


@admin.register(Certification)
class CertificationAdmin(PersonScopedAdmin):
    list_display = ("person", "name", "issued_on", "expires_on", "expiry", "program_name")
    list_filter = (ExpiryFilter, "name", ("person__program", RelatedOnly))
    search_fields = ("name", *PERSON_SEARCH)
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Status", ordering="expires_on")
    def expiry(self, obj: Certification) -> str:
        return expiry_status(obj.expires_on)


@admin.register(Procedure)
class ProcedureAdmin(ProgramScopedAdmin):
    list_display = ("name", "program", "credential_count")
    list_filter = (("program", RelatedOnly),)
    list_select_related = ("program",)
    search_fields = ("name", "description")
    autocomplete_fields = ("program",)
    readonly_fields = AUDIT_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        return self.annotate_counts(
            super().get_queryset(request), _credentials=Count("credentials")
        )

    @admin.display(description="Credentialed people", ordering="_credentials")
    def credential_count(self, obj: Procedure) -> int:
        return obj._credentials  # type: ignore[attr-defined]


@admin.register(ProcedureCredential)
class ProcedureCredentialAdmin(PersonScopedAdmin):
    list_display = (
        "person",
        "procedure",
        "level",
        "granted_on",
        "expires_on",
        "expiry",
        "program_name",
    )
    list_filter = (
        "level",
        ExpiryFilter,
        ("procedure", RelatedOnly),
        ("person__program", RelatedOnly),
    )
    list_select_related = ("person__program", "procedure")
    search_fields = ("procedure__name", *PERSON_SEARCH)
    autocomplete_fields = ("person", "procedure")
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Status", ordering="expires_on")
    def expiry(self, obj: ProcedureCredential) -> str:
        return expiry_status(obj.expires_on)


@admin.register(ProgramRule)
class ProgramRuleAdmin(ProgramScopedAdmin):
    """Program rules (people/models_rules.py): every run applies the active ones, and the run
    page lists them under "constraints in force"."""

    list_display = ("rule", "kind", "hard", "active", "program")
    list_filter = ("kind", "hard", "active", ("program", RelatedOnly))
    list_select_related = ("program", "person")
    search_fields = ("note", "person__first_name", "person__last_name")
    autocomplete_fields = ("program", "person")
    readonly_fields = AUDIT_FIELDS
    fieldsets = (
        (None, {"fields": ("program", "kind", "active", "note")}),
        ("Rule", {"fields": ("measure", "period", "value", "hard", "weight")}),
        (
            "Applies to",
            {
                "fields": ("applies_to", "pgy", "person"),
                "description": "Leave these for everyone; caps and consecutive days may name a "
                "kind, a PGY level or one person.",
            },
        ),
        ("Record", {"fields": AUDIT_FIELDS}),
    )

    @admin.display(description="Rule")
    def rule(self, obj: ProgramRule) -> str:
        return obj.describe().removeprefix("Program rule: ")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The one write path of a rule, shared with the API; the form has set obj's fields.
        changed = {name: getattr(obj, name) for name in form.changed_data} if change else None
        people_services.program_rule_save(rule=obj, actor=request.user, values=changed)


@admin.register(Notification)
class NotificationAdmin(ProgramScopedAdmin):
    list_display = ("title", "recipient", "kind", "program", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), ("program", RelatedOnly))
    list_select_related = ("recipient", "program")
    search_fields = ("title", "body", "recipient__username", "recipient__email")
    autocomplete_fields = ("program",)
    date_hierarchy = "created_at"
    readonly_fields = ("read_at", *AUDIT_FIELDS)


@admin.register(CalendarSubscription)
class CalendarSubscriptionAdmin(ProgramScopedAdmin):
    list_display = (
        "owner",
        "scope",
        "rotation",
        "label",
        "token_hint",
        "program",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter), ("program", RelatedOnly))
    list_select_related = ("owner", "rotation", "program")
    search_fields = ("label", "token_hint", "owner__first_name", "owner__last_name")
    readonly_fields = (
        "program",
        "owner",
        "scope",
        "rotation",
        "token_hint",
        "last_used_at",
        *AUDIT_FIELDS,
    )

    # A feed link is issued by a service that shows its token once; the console can relabel and
    # revoke links, not mint them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


from people import admin_notify, admin_requests  # noqa: E402, F401  (they register admins)
