"""The coordinator console: a Django admin site scoped to the programs a user manages.

Coordinators and program admins are not Django staff: the site admits active superusers and
anyone holding an admin or coordinator Membership, and every domain admin builds on
``ProgramScopedAdmin`` so rows, form choices, autocomplete results and object URLs stay inside the
user's programs. Model permissions are not used for domain models: the Membership role decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, TypeVar
from urllib.parse import unquote

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from conflicts import triggers
from lib.errors import ApplicationError
from people import access
from people.access import managed_program_ids, may_use_console
from people.models import Program

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Setup",
        (
            "people.program",
            "people.programrule",
            "people.academicyear",
            "rotations.block",
            "rotations.rotation",
            "rotations.curriculumrequirement",
            "rotations.shifttype",
            "rotations.coveragerequirement",
            "rotations.holiday",
            "people.procedure",
        ),
    ),
    (
        "People",
        (
            "people.person",
            "people.membership",
            "people.invitation",
            "people.absence",
            "people.request",
            "people.standingpreference",
            "people.preferencepolicy",
            "people.certification",
            "people.procedurecredential",
        ),
    ),
    (
        "Schedule",
        (
            "scheduling.rotationassignment",
            "scheduling.assignment",
            "scheduling.schedulerun",
            "analytics.paretostudy",
        ),
    ),
    (
        "Swaps & conflicts",
        (
            "swaps.swaprequest",
            "swaps.swapcandidate",
            "swaps.swappolicy",
            "conflicts.conflictalert",
            "conflicts.conflictpolicy",
            "conflicts.backupduty",
            "resilience.resiliencesnapshot",
            "people.notification",
            "people.delivery",
            "people.programwebhook",
            "people.notificationpreference",
            "people.calendarsubscription",
        ),
    ),
    ("Imports", ("api.importjob",)),
)


def user_choices_for(user: Any) -> QuerySet[Any]:
    """Users a coordinator may pick: members of their programs only (a user who belongs to no
    program yet is not theirs to see; the superuser links such accounts)."""
    User = get_user_model()
    ids = managed_program_ids(user)
    return User.objects.filter(memberships__program_id__in=list(ids)).distinct()


class ConsoleAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_coordinator": (
            "This console is for program coordinators and administrators. Your account has no "
            "coordinator role; use the schedule pages instead."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        # Skip AdminAuthenticationForm's is_staff check; keep AuthenticationForm's is_active one.
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_console(user):
            raise ValidationError(self.error_messages["not_coordinator"], code="not_coordinator")


class SchedulerAdminSite(admin.AdminSite):
    site_title = "Residency Scheduler"
    site_header = "Residency Scheduler — coordinator console"
    index_title = "Coordinator console"
    index_template = "admin/console_index.html"
    login_form = ConsoleAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_use_console(request.user)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        names = self._program_names(request)
        if names:
            context["site_header"] = f"{' · '.join(names)} — coordinator console"
            context["site_title"] = f"{names[0]} console" if len(names) == 1 else self.site_title
        context["console_programs"] = names
        return context

    def _program_names(self, request: HttpRequest) -> list[str]:
        user: Any = request.user
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return []
        names = getattr(user, "_console_program_names", None)
        if names is None:
            names = list(
                Program.objects.filter(pk__in=list(managed_program_ids(user)))
                .order_by("name")
                .values_list("name", flat=True)
            )
            user._console_program_names = names
        return names

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        if app_label:
            # App index pages (breadcrumbs link to them) keep Django's per-app listing.
            return super().get_app_list(request, app_label)
        apps = super().get_app_list(request)
        by_label = {
            f"{model['model']._meta.app_label}.{model['model']._meta.model_name}": model
            for app in apps
            for model in app["models"]
        }
        sections = []
        placed: set[str] = set()
        for title, labels in SECTIONS:
            models_ = [by_label[label] for label in labels if label in by_label]
            placed.update(labels)
            if models_:
                slug = title.lower().replace(" & ", "-").replace(" ", "-")
                sections.append(
                    {
                        "name": title,
                        "app_label": slug,
                        "app_url": None,
                        "has_module_perms": True,
                        "models": models_,
                    }
                )
        if getattr(request.user, "is_superuser", False):
            for app in apps:
                rest = [
                    model
                    for model in app["models"]
                    if f"{model['model']._meta.app_label}.{model['model']._meta.model_name}"
                    not in placed
                ]
                if rest:
                    sections.append({**app, "models": rest})
        return sections


class ScopedFormfieldsMixin:
    """Limits every foreign-key and many-to-many choice to the user's programs."""

    def _limit_choices(self, db_field: models.Field, request: HttpRequest, kwargs: dict) -> None:
        user: Any = request.user
        if user.is_superuser or "queryset" in kwargs:
            return
        related: Any = db_field.related_model
        if access.is_registered(related):
            kwargs["queryset"] = access.managed_queryset(user, related._default_manager.all())
        elif related is get_user_model():
            kwargs["queryset"] = user_choices_for(user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ProgramScopedAdmin(ScopedFormfieldsMixin, AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """Base for every domain admin: rows and permissions follow the user's manager roles, and
    the model's path to its program comes from the access module's registry."""

    show_auditlog_history_link = True
    list_per_page = 50

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        if not access.is_registered(model):
            raise ImproperlyConfigured(
                f"{model._meta.label} is not in people.access.RESOURCES; register it there."
            )
        self.program_path = access.program_path(model)
        super().__init__(model, admin_site)

    # Rows -----------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.managed_queryset(request.user, super().get_queryset(request))

    def annotate_counts(self, queryset: QuerySet[M], **counts: Any) -> QuerySet[M]:
        # Django drops Meta.ordering from GROUP BY queries; paginated lists and autocomplete
        # pages need a stable order.
        return queryset.annotate(**counts).order_by(*self.model._meta.ordering)

    def _single_program(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return not user.is_superuser and len(managed_program_ids(user)) == 1

    def _program_columns(self) -> set[str]:
        path = self.program_path
        return {"program", path, f"{path}__name", "program_name"} if path != "pk" else set()

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = list(super().get_list_display(request))
        if self._single_program(request):
            columns = [c for c in columns if c not in self._program_columns()]
        return columns

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = list(super().get_list_filter(request))
        if self._single_program(request):
            hidden = self._program_columns()
            filters = [f for f in filters if (f[0] if isinstance(f, tuple) else f) not in hidden]
        return filters

    # Permissions: the Membership role, not Django model permissions --------------------------

    def _manages(self, request: HttpRequest, obj: models.Model | None) -> bool:
        user: Any = request.user
        if user.is_superuser:
            return True
        if not access.manages_any_program(user):
            return False
        if obj is None:
            return True
        cached = getattr(obj, "_console_program_id", None)
        if cached is None:
            cached = access.program_id_of(obj)
            obj._console_program_id = cached  # type: ignore[attr-defined]
        return cached in managed_program_ids(user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.manages_any_program(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request, None)

    # History: django-auditlog, scoped like everything else ----------------------------------

    def auditlog_history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # The mixin would fail on a missing object; out of scope and missing answer alike.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such object in your programs.")
        return super().auditlog_history_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """The change form's History button opens the audit log, which records every write."""
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such object in your programs.")
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_auditlog",
            args=[object_id],
        )
        return HttpResponseRedirect(url)

    # Rows outside the schedule that decide conflicts: detection follows their change ---------

    def _before(self, obj: Any) -> Any:
        """The row as stored, before the form's values are saved (watched models only)."""
        if obj.pk is None or not triggers.watches(type(obj)):
            return None
        return type(obj)._default_manager.filter(pk=obj.pk).first()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = self._before(obj) if change else None
        super().save_model(request, obj, form, change)
        triggers.row_changed(before, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        triggers.row_changed(obj, None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        rows = list(queryset) if triggers.watches(queryset.model) else []
        super().delete_queryset(request, queryset)
        for row in rows:
            triggers.row_changed(row, None)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (a person's credentials, a shift type's coverage) are watched too."""
        if not triggers.watches(formset.model):
            super().save_formset(request, form, formset, change)
            return
        pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        stored = {row.pk: row for row in formset.model._default_manager.filter(pk__in=pks)}
        # Deleted instances lose their pk: remember each form's stored row by the instance.
        before = {id(f.instance): stored.get(f.instance.pk) for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        for row in formset.new_objects:
            triggers.row_changed(None, row)
        for row, _ in formset.changed_objects:
            triggers.row_changed(before.get(id(row)), row)
        for row in formset.deleted_objects:
            triggers.row_changed(before.get(id(row)) or row, None)

    # ApplicationError from services becomes an admin message --------------------------------

    def call_service(
        self, request: HttpRequest, service: Callable[[], T], *, success: str | None = None
    ) -> T | None:
        """Run one service call; report its refusal as an error message instead of a 500."""
        try:
            result = service()
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return None
        if success:
            self.message_user(request, success, level=messages.SUCCESS)
        return result

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        try:
            return super().response_action(request, queryset)
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyScopedAdmin(ProgramScopedAdmin):
    """Rows written only by services (runs, snapshots, matcher output): no add, no edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Deleting stays possible (a failed run, a stale snapshot) and lets cascades through.


# A person's name and email, for the search box of any admin of rows that belong to a person.
PERSON_SEARCH = ("person__first_name", "person__last_name", "person__email")


class PersonScopedAdmin(ProgramScopedAdmin):
    """Rows that belong to one person (absences, requests, credentials): listed with the
    person's program, searched by the person, and the person picked by autocomplete."""

    list_select_related: ClassVar[bool | tuple[str, ...]] = ("person__program",)
    search_fields: ClassVar[tuple[str, ...]] = PERSON_SEARCH
    autocomplete_fields: ClassVar[tuple[str, ...]] = ("person",)

    @admin.display(description="Program", ordering="person__program__name")
    def program_name(self, obj: Any) -> str:
        return str(obj.person.program)


class ScopedInline(ScopedFormfieldsMixin):
    """Mixin for inlines: the parent admin scopes the parent row; this scopes the choices."""

    read_only = False
    extra = 0
    show_change_link = True

    def _manages(self, request: HttpRequest, parent: Any) -> bool:
        user: Any = request.user
        if user.is_superuser:
            return True
        if not access.manages_any_program(user):
            return False
        if parent is None or not access.is_registered(type(parent)):
            return True
        # The parent admin already refuses other programs' rows; checked again to be sure.
        return access.program_id_of(parent) in managed_program_ids(user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._manages(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.read_only and self._manages(request, obj)


class DateRangeFilter(admin.FieldListFilter):
    """From/to date inputs for one date field (``<field>__gte`` and ``<field>__lte``)."""

    template = "admin/filter_date_range.html"

    def __init__(
        self,
        field: Any,
        request: HttpRequest,
        params: dict,
        model: Any,
        model_admin: Any,
        field_path: str,
    ) -> None:
        self.lookup_since = f"{field_path}__gte"
        self.lookup_upto = f"{field_path}__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{getattr(field, 'verbose_name', field_path)} (range)"

    def expected_parameters(self) -> list[str | None]:
        return [self.lookup_since, self.lookup_upto]

    def choices(self, changelist: Any) -> Iterator[Any]:
        def first(key: str) -> Any:
            value = self.used_parameters.get(key)
            return value[-1] if isinstance(value, list) and value else (value or "")

        yield {
            "since_name": self.lookup_since,
            "upto_name": self.lookup_upto,
            "since": first(self.lookup_since),
            "upto": first(self.lookup_upto),
            "hidden": [
                (key, value)
                for key, values in changelist.params.items()
                if key not in self.expected_parameters()
                for value in (values if isinstance(values, list) else [values])
            ],
            "reset_query_string": changelist.get_query_string(remove=self.expected_parameters()),
            "selected": bool(self.used_parameters),
        }


class RelatedOnly(admin.RelatedOnlyFieldListFilter):
    """Related choices present in the user's rows, labelled without a query per choice."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        present = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        related = field.remote_field.model
        choices = related._default_manager.filter(pk__in=present)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            choices = choices.order_by(*ordering)
        # Labels are str(); the related admin's list_select_related names what str() reads.
        joins = getattr(model_admin.admin_site._registry.get(related), "list_select_related", ())
        if isinstance(joins, list | tuple) and joins:
            choices = choices.select_related(*joins)
        return [(choice.pk, str(choice)) for choice in choices]


class WeekdaysField(forms.TypedMultipleChoiceField):
    """A Monday=1 … Sunday=64 bit mask shown as seven checkboxes."""

    NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(
            choices=[(str(1 << day), name) for day, name in enumerate(self.NAMES)],
            coerce=int,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return [str(1 << day) for day in range(7) if value & (1 << day)]
        return value

    def clean(self, value: Any) -> int:
        return sum(super().clean(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(self.prepare_value(initial), data)

    @classmethod
    def describe(cls, mask: int) -> str:
        if mask == 0b1111111:
            return "Every day"
        if mask == 0b0011111:
            return "Weekdays"
        if mask == 0b1100000:
            return "Weekends"
        return " ".join(name for day, name in enumerate(cls.NAMES) if mask & (1 << day))


AUDIT_FIELDS = ("code", "created_at", "updated_at")
