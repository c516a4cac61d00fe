"""API collections: one viewset per resource, all scoped and checked by the permission matrix."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters, services
from api import serializers as s
from api.permissions import WRITE, MatrixPermission, can, scope_queryset, seats
from api.serializers_runs import RunCreateSerializer, RunDetailSerializer, RunSerializer
from api.viewsets import UUID_REGEX, ApiView, ScopedViewSet, check_body_size, idempotent
from people.models import Absence, CalendarSubscription, Membership, Person, Program
from people.models import Request as Req
from rotations.models import (
    AcademicYear,
    Block,
    CoverageRequirement,
    CurriculumRequirement,
    Rotation,
    ShiftType,
)
from scheduling import services as scheduling
from scheduling.models import Assignment, RotationAssignment, ScheduleRun


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs you belong to (all of them for administrators)."""

    resource = "program"
    serializer_class = s.ProgramSerializer
    permission_classes = [MatrixPermission]
    lookup_field = "code"
    lookup_value_regex = UUID_REGEX

    def get_queryset(self) -> QuerySet[Program]:
        return scope_queryset(self.request.user, "program", Program.objects.all())


class PersonViewSet(ScopedViewSet):
    resource, model, select = "person", Person, ("program",)
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter


class MembershipViewSet(ScopedViewSet):
    resource, model, select = "membership", Membership, ("program", "user", "person")
    serializer_class = s.MembershipSerializer
    filterset_fields = ["role"]


class AbsenceViewSet(ScopedViewSet):
    resource, model, select = "absence", Absence, ("person",)
    serializer_class = s.AbsenceSerializer
    filterset_class = filters.AbsenceFilter


class RequestViewSet(ScopedViewSet):
    """Preferences and requests; residents and faculty write their own."""

    resource, model, select = "request", Req, ("person", "shift_type")
    serializer_class = s.RequestSerializer
    filterset_class = filters.RequestFilter


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


@extend_schema_view(create=extend_schema(request=s.AssignmentCreateSerializer))
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
            assignment = scheduling.assignment_add(
                person=data["person"],
                day=data["date"],
                shift_type=data["shift_type"],
                locked=data["locked"],
                actor=request.user,
            )
            output = s.AssignmentSerializer(assignment, context={"request": request})
            return Response(output.data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    def perform_destroy(self, instance: Assignment) -> None:
        scheduling.assignment_remove(assignment=instance, actor=self.request.user)


class RunPublishSerializer(s.Strict):
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_view(
    create=extend_schema(
        request=RunCreateSerializer,
        responses={202: RunSerializer},
        description="Queue a solver run; answers 202 with its URL. Honours Idempotency-Key.",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Send the same key again to get the first answer back.",
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
            )
            output = RunSerializer(run, context={"request": request}).data
            return self.accepted(output, output["url"])

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
            seat = seats(request.user).get(data["program"].pk)
            if seat is None or seat.person_id is None:
                raise exceptions.ValidationError(
                    {"program": ["You have no person record in this program."]}
                )
            owner = Person.objects.get(pk=seat.person_id)
            if not can(request.user, self.resource, WRITE, owner.program_id, owner_id=owner.pk):
                raise exceptions.PermissionDenied()
            subscription, token = services.calendar_subscription_create(
                owner=owner,
                scope=data["scope"],
                rotation=data.get("rotation"),
                label=data["label"],
                actor=request.user,
            )
            subscription.token = token  # type: ignore[attr-defined]
            output = s.SubscriptionSerializer(subscription, context={"request": request})
            return Response(output.data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    def perform_destroy(self, instance: CalendarSubscription) -> None:
        services.calendar_subscription_revoke(subscription=instance, actor=self.request.user)


class ValidationView(ApiView):
    """Check a proposed change against the rules; nothing is saved."""

    resource = "validation"

    @extend_schema(
        request=s.ValidationRequestSerializer,
        responses={200: s.ValidationResultSerializer, 400: OpenApiResponse(description="Invalid")},
    )
    def post(self, request: Request) -> Response:
        check_body_size(request)
        form = s.ValidationRequestSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        data = form.validated_data
        person = data["person"]
        if not can(request.user, self.resource, WRITE, person.program_id):
            raise exceptions.PermissionDenied()
        violations = scheduling.assignment_change_preview(
            person=person,
            day=data["date"],
            shift_type=data["shift_type"],
            add=data["change"] == "add",
        )
        return Response({"violations": violations, "saved": False})
