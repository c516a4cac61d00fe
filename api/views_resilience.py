"""Resilience over the API: level, history, vulnerabilities, fallbacks and activating one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import CodeField, CodeValue, Strict
from api.viewsets import ApiView
from people.access import READ, WRITE, can
from people.models import Program
from resilience import fallbacks as fallback_services
from resilience import selectors
from resilience.models import Fallback, ResilienceSnapshot


class ProgramQuerySerializer(Strict):
    program = CodeField("program", Program)


class SnapshotSerializer(serializers.ModelSerializer[ResilienceSnapshot]):
    class Meta:
        model = ResilienceSnapshot
        fields = (
            "taken_at",
            "start_date",
            "end_date",
            "utilization",
            "defense_level",
            "n1_failures",
            "n2_failures",
            "details",
        )


class VulnerabilitySerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    names = serializers.ListField(child=serializers.CharField())
    outcome = serializers.CharField()
    moved_people = serializers.IntegerField()
    moved_shifts = serializers.IntegerField()
    shifts_lost = serializers.IntegerField()
    uncovered = serializers.ListField(child=serializers.CharField())
    shed = serializers.ListField(child=serializers.CharField())
    detail = serializers.CharField()


class FallbackSerializer(serializers.ModelSerializer[Fallback]):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Fallback
        fields = (
            "code",
            "scenario",
            "start_date",
            "end_date",
            "computed_at",
            "removed",
            "summary",
            "activated_at",
            "deactivated_at",
            "is_active",
        )


class ActivateSerializer(Strict):
    program = CodeField("program", Program)
    fallback = CodeValue(help_text="The fallback's code (from the fallbacks list).")
    confirm = serializers.BooleanField(default=False)


class _ProgramView(ApiView):
    # The program comes from the query string: an unknown or malformed one is a 400.
    validates_query = True
    resource = "resilience"

    def program(self, request: Request, action: str = READ) -> Program:
        source = request.query_params.dict() if action == READ else request.data
        query_class = ProgramQuerySerializer if action == READ else ActivateSerializer
        query = query_class(data=source, context={"request": request})
        query.is_valid(raise_exception=True)
        self.validated = query.validated_data
        program: Program = query.validated_data["program"]
        if not can(request.user, self.resource, action, program.pk):
            raise exceptions.PermissionDenied()
        return program


class LevelView(_ProgramView):
    """The newest defence level with the hours behind it (computed on first request)."""

    @extend_schema(parameters=[ProgramQuerySerializer], responses={200: SnapshotSerializer})
    def get(self, request: Request) -> Response:
        snapshot = selectors.latest_snapshot(self.program(request))
        return Response(SnapshotSerializer(snapshot).data)


class HistoryView(_ProgramView):
    """Snapshots, newest first (every 15 minutes by beat)."""

    @extend_schema(
        parameters=[ProgramQuerySerializer], responses={200: SnapshotSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        rows = selectors.history(self.program(request))
        return Response(SnapshotSerializer(rows, many=True).data)


class VulnerabilitiesView(_ProgramView):
    """The latest N-1 / N-2 study's scenarios, worst first, with their evidence."""

    @extend_schema(
        parameters=[ProgramQuerySerializer], responses={200: VulnerabilitySerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        rows = selectors.vulnerabilities(selectors.latest_study(self.program(request)))
        return Response(VulnerabilitySerializer(rows, many=True).data)


class FallbacksView(_ProgramView):
    """Fallback schedules computed for the program, newest first."""

    @extend_schema(
        parameters=[ProgramQuerySerializer], responses={200: FallbackSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        rows = selectors.fallbacks(self.program(request))
        return Response(FallbackSerializer(rows, many=True).data)


class ActivateView(_ProgramView):
    """Publish a fallback (a stale one needs ``confirm``; the 400 carries the diff)."""

    @extend_schema(request=ActivateSerializer, responses={200: FallbackSerializer})
    def post(self, request: Request) -> Response:
        program = self.program(request, WRITE)
        fallback = Fallback.objects.filter(program=program, code=self.validated["fallback"]).first()
        if fallback is None:
            raise exceptions.NotFound("No such fallback in this program.")
        fallback_services.fallback_activate(
            fallback=fallback, actor=request.user, confirm=self.validated["confirm"]
        )
        return Response(FallbackSerializer(fallback).data)
