"""/api/v1/program-rules/ and /api/v1/preferences/: the program's rules and its people's standing
preferences, through the services the console and the pages use and the one access matrix.

- Program rules (resource ``program_rule``): coordinators and program admins read and write
  them, as in the console and on the run page's "constraints in force" (both managers' only).
  Writes go through ``people.services.program_rule_save``, whose model checks answer 400 by
  field. Rules are deactivated, never deleted, so the audit trail keeps what every run applied.
- Standing preferences (resource ``standing_preference``): a person states (``submit``) and
  cancels their own; managers read the program's and decide (approve or decline) the pending
  ones, as on the review page. The preference services keep every rule about them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters
from api import serializers as s
from api.exceptions import as_field_error
from api.serializers_rules import (
    ProgramRuleSerializer,
    StandingPreferenceCreateSerializer,
    StandingPreferenceSerializer,
)
from api.views import DecideMixin
from api.viewsets import ScopedViewSet, idempotent
from lib.errors import ApplicationError
from people import services as people_services
from people.access import DECIDE, SUBMIT
from people.models import ProgramRule, StandingPreference


class ProgramRuleViewSet(ScopedViewSet):
    """Program rules: caps, consecutive days, minimum rest, call patterns, the freeze horizon.
    Every run of the program applies the active ones."""

    resource, model, select = "program_rule", ProgramRule, ("program", "person")
    serializer_class = ProgramRuleSerializer
    filterset_class = filters.ProgramRuleFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        values = dict(serializer.validated_data)
        self.require_write(values)
        serializer.instance = people_services.program_rule_save(
            rule=ProgramRule(), values=values, actor=self.request.user
        )

    def perform_update(self, serializer: Any) -> None:
        values = dict(serializer.validated_data)
        self.require_write(values, serializer.instance)
        serializer.instance = people_services.program_rule_save(
            rule=serializer.instance, values=values, actor=self.request.user
        )

    @extend_schema(request=None, responses=ProgramRuleSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, code: str | None = None) -> Response:
        """Stop applying the rule from the next run. It stays listed, inactive, with its
        history; `PATCH` with `active: true` applies it again."""
        rule = people_services.program_rule_deactivate(rule=self.get_object(), actor=request.user)
        return Response(self.get_serializer(rule).data)


ACTIONS = {"create": SUBMIT, "cancel": SUBMIT, "decide": DECIDE}


@extend_schema_view(
    create=extend_schema(
        request=StandingPreferenceCreateSerializer,
        responses={201: StandingPreferenceSerializer},
        description="State a preference of your own. It is pending until a coordinator "
        "decides, or approved at once where the program's policy says so (`status`).",
    )
)
class StandingPreferenceViewSet(DecideMixin, ScopedViewSet):
    """Standing preferences: preferred and avoided shift types and weekdays, faculty yearly
    targets. Yours; coordinators see their program's."""

    resource, model, select = "standing_preference", StandingPreference, ("person", "shift_type")
    serializer_class = StandingPreferenceSerializer
    filterset_class = filters.StandingPreferenceFilter
    http_method_names = ["get", "post", "head", "options"]

    @property
    def matrix_action(self) -> str | None:
        return ACTIONS.get(getattr(self, "action", None) or "")

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-created_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return StandingPreferenceCreateSerializer
        return StandingPreferenceSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def handler() -> Response:
            form = StandingPreferenceCreateSerializer(
                data=request.data, context={"request": request}
            )
            form.is_valid(raise_exception=True)
            values = dict(form.validated_data)
            person = values.pop("person")
            self.require_write({"person": person}, action=SUBMIT)
            try:
                row = people_services.standing_preference_create(
                    person=person, actor=request.user, **values
                )
            except ApplicationError as error:
                raise as_field_error(error) from None
            output = StandingPreferenceSerializer(row, context={"request": request})
            return Response(output.data, status=status.HTTP_201_CREATED)

        return idempotent(request, handler)

    def decide_item(self, item: Any, *, approve: bool, actor: Any, note: str) -> Any:
        return people_services.standing_preference_decide(
            preference=item, approve=approve, actor=actor, note=note
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: StandingPreferenceSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, code: str | None = None) -> Response:
        """Approve or decline a pending preference; the person is notified. An approved yearly
        target becomes the person's target."""
        return self.decided(request)

    @extend_schema(request=None, responses={200: StandingPreferenceSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, code: str | None = None) -> Response:
        """Withdraw your own pending or approved preference. An approved yearly target stays
        until a new one replaces it (400)."""
        row = people_services.standing_preference_cancel(
            preference=self.get_object(), actor=request.user
        )
        return Response(self.get_serializer(row).data)
