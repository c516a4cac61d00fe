"""/api/v1/conflicts/: the alert queue for integrators (list, detail with candidates, apply,
dismiss with a reason), through the same services and the same access matrix."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import MatrixPermission
from conflicts import selectors, services
from conflicts.models import ConflictAlert
from lib.errors import ApplicationError
from people import access


class AlertSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.code", read_only=True)
    person = serializers.UUIDField(source="person.code", read_only=True, allow_null=True)
    assignment = serializers.UUIDField(source="assignment.code", read_only=True, allow_null=True)
    people = serializers.SerializerMethodField()

    class Meta:
        model = ConflictAlert
        fields = [
            "code",
            "program",
            "kind",
            "rule",
            "severity",
            "status",
            "person",
            "people",
            "assignment",
            "start_date",
            "end_date",
            "message",
            "resolution",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_people(self, alert: ConflictAlert) -> list[str]:
        return [p["name"] for p in alert.details.get("people", [])]


class ScoreSerializer(serializers.Serializer):
    total = serializers.FloatField()
    feasibility = serializers.FloatField()
    disruption = serializers.FloatField()
    fairness = serializers.FloatField()
    workload = serializers.FloatField()
    confidence = serializers.FloatField()
    policy = serializers.FloatField()
    people_moved = serializers.IntegerField()
    shifts_moved = serializers.IntegerField()


class CandidateSerializer(serializers.Serializer):
    id = serializers.CharField()
    strategy = serializers.ChoiceField(choices=["swap", "reassign", "backup", "split", "resolve"])
    compliant = serializers.BooleanField()
    diff = serializers.ListField(child=serializers.CharField())
    score = ScoreSerializer()


class AlertDetailSerializer(serializers.Serializer):
    alert = AlertSerializer()
    candidates = CandidateSerializer(many=True, help_text="Managers only; best first.")
    candidates_problem = serializers.CharField(
        help_text="Why no candidates could be computed, or empty."
    )


class ApplySerializer(serializers.Serializer):
    candidate = serializers.CharField(help_text="The id of one of the alert's candidates.")


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


ACTIONS = {"apply": access.DECIDE, "dismiss": access.DECIDE}


class ConflictViewSet(viewsets.GenericViewSet):
    """Managers see their programs' alerts; residents and faculty the alerts about themselves."""

    resource = "conflict"
    serializer_class = AlertSerializer
    permission_classes = [MatrixPermission]
    lookup_field = "code"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @property
    def matrix_action(self) -> str:
        return ACTIONS.get(getattr(self, "action", "") or "", access.READ)

    def get_queryset(self) -> Any:
        rows = ConflictAlert.objects.select_related(*selectors.RELATED).order_by("start_date", "pk")
        status = self.request.query_params.get("status")
        if status in ConflictAlert.Status.values:
            rows = rows.filter(status=status)
        severity = self.request.query_params.get("severity")
        if severity in ConflictAlert.Severity.values:
            rows = rows.filter(severity=severity)
        return access.scope_queryset(self.request.user, rows)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AlertSerializer(page, many=True).data)

    @extend_schema(responses={200: AlertDetailSerializer})
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        alert = selectors.get_alert_for_user(request.user, code)
        candidates: list[dict[str, Any]] = []
        problem = ""
        manages = access.can(request.user, "conflict", access.DECIDE, alert.program_id)
        if manages and alert.status in selectors.OPEN:
            try:
                candidates = services.conflict_candidates(alert=alert)
            except ApplicationError as error:
                problem = error.message
        body = {"alert": alert, "candidates": candidates, "candidates_problem": problem}
        return Response(AlertDetailSerializer(body).data)

    @extend_schema(request=ApplySerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, code: str | None = None) -> Response:
        """Apply one candidate; a stale one is refused (400) and the candidates recomputed."""
        alert = selectors.get_alert_for_user(request.user, code, access.DECIDE)
        form = ApplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        alert = services.conflict_apply(
            alert=alert, candidate_id=form.validated_data["candidate"], actor=request.user
        )
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=DismissSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, code: str | None = None) -> Response:
        alert = selectors.get_alert_for_user(request.user, code, access.DECIDE)
        form = DismissSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        alert = services.conflict_dismiss(
            alert=alert, reason=form.validated_data["reason"], actor=request.user
        )
        return Response(AlertSerializer(alert).data)
