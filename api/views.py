"""API collections: one viewset per resource, all scoped and checked by the permission matrix."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import filters
from api import serializers as s
from api.exceptions import as_field_error
from api.permissions import MatrixPermission
from api.serializers_runs import RunCreateSerializer, RunDetailSerializer, RunSerializer
from api.viewsets import UUID_REGEX, ApiView, ScopedViewSet, check_body_size, idempotent
from lib.errors import ApplicationError
from people import accounts
from people import services as people_services
from people.access import DECIDE, WRITE, can, grants, is_admin, managed_program_ids, scope_queryset
from people.models import Absence, AcademicYear, CalendarSubscription, Membership, Person, Program
from people.models import Request as Req
from rotations.models import Block, CoverageRequirement, CurriculumRequirement, Rotation, ShiftType
from scheduling import edit_services
from scheduling import services as scheduling
from scheduling.models import Assignment, RotationAssignment, ScheduleRun
from scheduling.selectors import shifts as shift_selectors


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs you belong to (all of them for administrators)."""

    resource = "program"
    serializer_class = s.ProgramSerializer
    permission_classes = [MatrixPermission]
    lookup_field = "code"
    lookup_value_regex = UUID_REGEX

    def get_queryset(self) -> QuerySet[Program]:
        return scope_queryset(self.request.user, Program.objects.all())


class PersonViewSet(ScopedViewSet):
    resource, model, select = "person", Person, ("program",)
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter


class MembershipViewSet(ScopedViewSet):
    """Seats in a program. As in the console, nobody grants a role above their own (400 on
    ``role``) or changes or removes a seat above their own (403): ``people.accounts`` decides."""

    resource, model, select = "membership", Membership, ("program", "user", "person")
    serializer_class = s.MembershipSerializer
    filterset_fields = ["role"]

    def within_rank(self, membership: Membership) -> None:
        if not accounts.within_rank(self.request.user, membership):
            raise exceptions.PermissionDenied("This seat holds a role above your own.")

    def create_row(self, values: dict[str, Any]) -> Model:
        accounts.check_grant(self.request.user, values["program"].pk, values["role"])
        return super().create_row(values)

    def perform_update(self, serializer: Any) -> None:
        seat = serializer.instance
        self.within_rank(seat)
        data = serializer.validated_data
        program, role = data.get("program", seat.program), data.get("role", seat.role)
        try:
            accounts.check_grant(self.request.user, program.pk, role)
        except ApplicationError as error:
            raise as_field_error(error) from None
        super().perform_update(serializer)

    def perform_destroy(self, instance: Membership) -> None:
        self.within_rank(instance)
        super().perform_destroy(instance)


class DecideMixin:
    """``POST …/{code}/decide/``: approve or deny through the people service, which records the
    decider and notifies the person (the status field itself is read-only)."""

    @property
    def matrix_action(self) -> str | None:
        return DECIDE if getattr(self, "action", None) == "decide" else None

    def decide_item(self, item: Any, *, approve: bool, actor: Any, note: str) -> Any:
        raise NotImplementedError

    def decided(self, request: Request) -> Response:
        form = s.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        viewset: Any = self  # mixed into a ScopedViewSet, which finds and checks the row
        item = self.decide_item(
            viewset.get_object(),
            approve=form.validated_data["approve"],
            actor=request.user,
            note=form.validated_data["note"],
        )
        return Response(viewset.get_serializer(item).data)


@extend_schema_view(
    create=extend_schema(
        description="Ask for time off for a person (`requested` until a coordinator decides). "
        "The dates lie in one of the program's academic years and overlap none of the person's "
        "requested or approved absences (400 naming the field otherwise)."
    ),
    destroy=extend_schema(
        description="Cancel the absence: it stays listed as `cancelled` (with its history) and "
        "no longer takes the person off the schedule. Only a requested or approved absence "
        "can be cancelled (400)."
    ),
)
class AbsenceViewSet(DecideMixin, ScopedViewSet):
    """Absences, written through the same services as the requests pages: created as requested,
    decided, cancelled (no PATCH: cancel and ask again). The same person, kind and dates twice
    (unless denied or cancelled) is a 409."""

    resource, model, select = "absence", Absence, ("person",)
    serializer_class = s.AbsenceSerializer
    filterset_class = filters.AbsenceFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create_row(self, values: dict[str, Any]) -> Absence:
        return people_services.absence_request_create(actor=self.request.user, **values)

    def perform_destroy(self, instance: Absence) -> None:
        people_services.absence_cancel(absence=instance, actor=self.request.user)

    def duplicate_of(self, values: dict[str, Any]) -> Absence | None:
        return (
            Absence.objects.filter(
                person=values["person"],
                kind=values["kind"],
                start_date=values["start_date"],
                end_date=values["end_date"],
            )
            .exclude(status__in=[Absence.Status.DENIED, Absence.Status.CANCELLED])
            .first()
        )

    @property
    def matrix_action(self) -> str | None:
        return DECIDE if getattr(self, "action", None) in ("decide", "overlaps") else None

    @extend_schema(responses={200: s.OverlapSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def overlaps(self, request: Request, code: str | None = None) -> Response:
        """The published shifts of the person inside the absence's dates: what approving it
        leaves double-booked (ask before deciding)."""
        rows = shift_selectors.absence_overlaps(self.get_object())
        return Response(s.OverlapSerializer(rows, many=True).data)

    @extend_schema(request=s.AbsenceDecisionSerializer, responses={200: s.AbsenceSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, code: str | None = None) -> Response:
        """Approve or deny; ``resolve`` with approve also takes the overlapping shifts off and
        starts a minimal-change re-solve of their days."""
        form = s.AbsenceDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["resolve"] and not data["approve"]:
            raise exceptions.ValidationError({"resolve": ["Only an approval resolves."]})
        if data["resolve"]:
            item = edit_services.absence_approve_and_resolve(
                absence=self.get_object(), actor=request.user, note=data["note"]
            ).absence
        else:
            item = people_services.absence_decide(
                absence=self.get_object(),
                approve=data["approve"],
                actor=request.user,
                note=data["note"],
            )
        return Response(self.get_serializer(item).data)


@extend_schema_view(
    create=extend_schema(
        description="A dated wish (`prefer_on`, `prefer_off`) or blocked dates (`blocked`, with "
        "a `reason`). It is `pending` until a coordinator decides, or `approved` at once where "
        "the program's preference policy says so. The dates lie in one of the program's "
        "academic years and overlap none of the person's pending or approved requests (a wish "
        "about one shift type clashes only with whole-day ones and that shift's); refusals are "
        "400s naming the field."
    ),
    destroy=extend_schema(
        description="Cancel the request: it stays listed as `cancelled` and the scheduler no "
        "longer honours it. Only a pending or approved request can be cancelled (400)."
    ),
)
class RequestViewSet(DecideMixin, ScopedViewSet):
    """Dated wishes and blocked dates, written through the same services as the requests and
    preferences pages: created, decided, cancelled (no PATCH: cancel and ask again). Residents
    and faculty write their own. The same person, kind, dates and shift twice (unless denied or
    cancelled) is a 409."""

    resource, model, select = "request", Req, ("person", "shift_type")
    serializer_class = s.RequestSerializer
    filterset_class = filters.RequestFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create_row(self, values: dict[str, Any]) -> Req:
        return people_services.request_create(actor=self.request.user, **values)

    def perform_destroy(self, instance: Req) -> None:
        people_services.request_cancel(request=instance, actor=self.request.user)

    def duplicate_of(self, values: dict[str, Any]) -> Req | None:
        return (
            Req.objects.filter(
                person=values["person"],
                kind=values["kind"],
                start_date=values["start_date"],
                end_date=values["end_date"],
                shift_type=values.get("shift_type"),
            )
            .exclude(status__in=[Req.Status.DENIED, Req.Status.CANCELLED])
            .first()
        )

    def decide_item(self, item: Any, *, approve: bool, actor: Any, note: str) -> Any:
        return people_services.request_decide(request=item, approve=approve, actor=actor, note=note)

    @extend_schema(request=s.DecisionSerializer, responses={200: s.RequestSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, code: str | None = None) -> Response:
        return self.decided(request)


class RotationViewSet(ScopedViewSet):
    resource, model, select = "rotation", Rotation, ("program",)
    serializer_class = s.RotationSerializer
    filterset_fields = ["kind", "active"]


class ShiftTypeViewSet(ScopedViewSet):
    resource, model, select = "shift_type", ShiftType, ("program",)
    serializer_class = s.ShiftTypeSerializer
    filterset_fields = ["category", "active"]


class CoverageViewSet(ScopedViewSet):
    resource, model = "coverage", CoverageRequirement
    select = ("shift_type", "rotation", "supervisor_shift_type")
    serializer_class = s.CoverageSerializer


class CurriculumViewSet(ScopedViewSet):
    resource, model, select = "curriculum", CurriculumRequirement, ("rotation",)
    serializer_class = s.CurriculumSerializer
    filterset_fields = ["pgy"]


class AcademicYearViewSet(ScopedViewSet):
    resource, model, select = "academic_year", AcademicYear, ("program",)
    serializer_class = s.AcademicYearSerializer


class BlockViewSet(ScopedViewSet):
    resource, model, select = "block", Block, ("academic_year",)
    serializer_class = s.BlockSerializer


class RotationAssignmentViewSet(ScopedViewSet):
    """The annual plan: resident x block -> rotation."""

    resource, model = "rotation_assignment", RotationAssignment
    select = ("person", "block", "rotation", "run")
    serializer_class = s.RotationAssignmentSerializer
    filterset_class = filters.RotationAssignmentFilter


@extend_schema_view(
    create=extend_schema(
        request=s.AssignmentCreateSerializer, responses={201: s.AssignmentSerializer}
    )
)
class AssignmentViewSet(ScopedViewSet):
    """The schedule. Faculty and residents see published rows; coordinators see drafts too."""

    resource, model, select = "assignment", Assignment, ("person", "shift_type", "run")
    serializer_class = s.AssignmentSerializer
    filterset_class = filters.AssignmentFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return s.AssignmentCreateSerializer if self.action == "create" else s.AssignmentSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def handler() -> Response:
            form = s.AssignmentCreateSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            data = form.validated_data
            self.require_write({"person": data["person"]})
            assignment = edit_services.assignment_add(
                person=data["person"],
                day=data["date"],
                shift_type=data["shift_type"],
                locked=data["locked"],
                actor=request.user,
                override_reason=data["override_reason"],
            )
            output = s.AssignmentSerializer(assignment, context={"request": request})
            return Response(output.data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    def perform_destroy(self, instance: Assignment) -> None:
        # DELETE has no body: a removal that breaks a hard rule takes ?override_reason=.
        edit_services.assignment_remove(
            assignment=instance,
            actor=self.request.user,
            override_reason=self.request.query_params.get("override_reason", ""),
        )


class RunPublishSerializer(s.Strict):
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_view(
    create=extend_schema(
        request=RunCreateSerializer,
        responses={202: RunSerializer},
        description="Queue a solver run; answers 202 with its URL (also in `Location`).",
        parameters=[
            OpenApiParameter(
                "Location",
                {"type": "string", "format": "uri"},
                OpenApiParameter.HEADER,
                response=[202],
                description="The run's URL: poll it until the run leaves queued and running.",
            )
        ],
    ),
    retrieve=extend_schema(responses=RunDetailSerializer),
)
class RunViewSet(ScopedViewSet):
    """Solver runs: start one, watch its progress, cancel, publish or discard its draft."""

    resource, model, select = "run", ScheduleRun, ("program",)
    serializer_class = RunSerializer
    filterset_class = filters.RunFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ScheduleRun]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related(Prefetch("progress"))
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return RunCreateSerializer
        return RunDetailSerializer if self.action == "retrieve" else RunSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def handler() -> Response:
            form = RunCreateSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            data = form.validated_data
            self.require_write({"program": data["program"]})
            run = scheduling.schedule_run_create(
                program=data["program"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                kind=data["kind"],
                algorithm=data["algorithm"],
                time_limit_seconds=data["time_limit_seconds"],
                parameters=form.parameters(),
                actor=request.user,
                include_past=data["include_past"],
                override_reason=data.get("override_reason", ""),
            )
            output = RunSerializer(run, context={"request": request}).data
            location = reverse("api:run-detail", kwargs={"code": run.code}, request=request)
            return self.accepted(output, location)

        return idempotent(request, handler)

    def _decide(self, request: Request, service: Any) -> Response:
        run = service(run=self.get_object(), actor=request.user)
        run.refresh_from_db()
        return Response(RunSerializer(run, context={"request": request}).data)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, code: str | None = None) -> Response:
        """Cancel a queued run at once, or ask a running solver to stop (within seconds)."""
        return self._decide(request, scheduling.schedule_run_cancel)

    @extend_schema(request=RunPublishSerializer, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, code: str | None = None) -> Response:
        """Replace the published schedule of the run's period by its draft. A run that
        succeeded with violations needs ``override_reason`` (kept on the run, audited)."""
        body = RunPublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("override_reason", "")

        def publish(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
            return scheduling.schedule_run_publish(run=run, actor=actor, override_reason=reason)

        return self._decide(request, publish)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, code: str | None = None) -> Response:
        return self._decide(request, scheduling.schedule_run_discard)


class SubscriptionCreateSerializer(s.Strict):
    program = s.CodeField("program", Program)
    scope = serializers.ChoiceField(
        choices=CalendarSubscription.Scope.choices, default=CalendarSubscription.Scope.PERSON
    )
    rotation = s.CodeField("rotation", Rotation, required=False, allow_null=True)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


@extend_schema_view(
    create=extend_schema(
        request=SubscriptionCreateSerializer, responses={201: s.SubscriptionSerializer}
    ),
    destroy=extend_schema(description="Revoke the link; the feed stops answering."),
)
class SubscriptionViewSet(ScopedViewSet):
    """Your own calendar feed links. The token is shown once, in the answer that creates it."""

    resource, model, select = "subscription", CalendarSubscription, ("program", "rotation")
    serializer_class = s.SubscriptionSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return SubscriptionCreateSerializer
        return s.SubscriptionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def handler() -> Response:
            form = SubscriptionCreateSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            data = form.validated_data
            seat = grants(request.user).get(data["program"].pk)
            if seat is None or seat.person_id is None:
                raise exceptions.ValidationError(
                    {"program": ["You have no person record in this program."]}
                )
            owner = Person.objects.get(pk=seat.person_id)
            if not can(request.user, self.resource, WRITE, owner.program_id, owner_id=owner.pk):
                raise exceptions.PermissionDenied()
            subscription, token = people_services.subscription_create(
                owner=owner,
                scope=data["scope"],
                rotation=data.get("rotation"),
                label=data["label"],
                manager=owner.program_id in managed_program_ids(request.user)
                or is_admin(request.user),
                actor=request.user,
            )
            subscription.token = token  # type: ignore[attr-defined]
            output = s.SubscriptionSerializer(subscription, context={"request": request})
            return Response(output.data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    def perform_destroy(self, instance: CalendarSubscription) -> None:
        people_services.subscription_revoke(subscription=instance, actor=self.request.user)


class ValidationView(ApiView):
    """Check a proposed change against the rules; nothing is saved."""

    resource = "validation"

    @extend_schema(
        request=s.ValidationRequestSerializer,
        responses={200: s.ValidationResultSerializer},
    )
    def post(self, request: Request) -> Response:
        check_body_size(request)
        form = s.ValidationRequestSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        person = data["person"]
        if not can(request.user, self.resource, WRITE, person.program_id):
            raise exceptions.PermissionDenied()
        violations = edit_services.assignment_change_preview(
            person=person,
            day=data["date"],
            shift_type=data["shift_type"],
            add=data["change"] == "add",
        )
        return Response({"violations": violations, "saved": False})
