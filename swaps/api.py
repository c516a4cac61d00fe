"""/api/v1/swaps/: the marketplace flows for integrators (offer, eligible, respond, withdraw,
approve, reject, execute, undo; swap chains: chains, accept_chain, decline_chain), through the
same services and the same access matrix."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import MatrixPermission
from api.viewsets import idempotent
from lib.errors import ApplicationError
from people import access
from people.models import Person
from scheduling.models import Assignment
from swaps import chains, matcher, selectors, services
from swaps.models import SwapChainLink, SwapRequest


class ShiftSerializer(serializers.ModelSerializer):
    shift_type = serializers.CharField(source="shift_type.abbreviation")
    person = serializers.UUIDField(source="person.code")

    class Meta:
        model = Assignment
        fields = ["code", "date", "shift_type", "starts_at", "ends_at", "person"]
        read_only_fields = fields


class ChainLinkSerializer(serializers.ModelSerializer):
    person = serializers.UUIDField(source="person.code", read_only=True)
    assignment = ShiftSerializer(read_only=True)

    class Meta:
        model = SwapChainLink
        fields = ["position", "person", "assignment", "accepted_at"]
        read_only_fields = fields


class SwapSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.code", read_only=True)
    requester = serializers.UUIDField(source="requester.code", read_only=True)
    counterpart = serializers.UUIDField(source="counterpart.code", read_only=True, allow_null=True)
    assignment = ShiftSerializer(read_only=True)
    counterpart_assignment = ShiftSerializer(read_only=True, allow_null=True)
    chain = ChainLinkSerializer(
        source="links",
        many=True,
        read_only=True,
        help_text="A swap chain's participants in order: each gives their shift to the next, "
        "the last to the first (empty for a pair).",
    )

    class Meta:
        model = SwapRequest
        fields = [
            "code",
            "program",
            "kind",
            "status",
            "requester",
            "assignment",
            "counterpart",
            "counterpart_assignment",
            "week_start",
            "chain",
            "note",
            "wants",
            "reason",
            "accepted_at",
            "executed_at",
            "undone_at",
            "undo_reason",
            "created_at",
        ]
        read_only_fields = fields


class EligibleSerializer(serializers.Serializer):
    swap = SwapSerializer()
    compliant = serializers.BooleanField()
    violation = serializers.CharField(help_text="The first rule taking it would break, or empty.")


class ProposedLinkSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    assignment = serializers.UUIDField(help_text="The shift this person gives to the next.")


class ProposedChainSerializer(serializers.Serializer):
    candidate = serializers.UUIDField(help_text="Name it to accept or decline the chain.")
    swap = SwapSerializer()
    score = serializers.FloatField()
    explanation = serializers.CharField()
    links = ProposedLinkSerializer(many=True)


class ChainAnswerSerializer(serializers.Serializer):
    candidate = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="On an open offer: the proposed chain (from chains/) answered.",
    )


class OfferSerializer(serializers.Serializer):
    assignment = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Code of one of my published future shifts.",
    )
    week = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Instead of a shift: any day of a week whose published shifts I offer whole "
        "(the Friday and Saturday call moves with it where the program's policy says so).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    wants = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["assignment"] is None) == (attrs["week"] is None):
            raise serializers.ValidationError("Name either a shift (assignment) or a week.")
        return attrs


class RespondSerializer(serializers.Serializer):
    assignment = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="My shift given back; none: give-away.",
    )
    week = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A week on offer: any day of my week given back (default: the same week).",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


ACTIONS = {
    "create": access.SUBMIT,
    "respond": access.SUBMIT,
    "accept_chain": access.SUBMIT,
    "decline_chain": access.SUBMIT,
    "withdraw": access.SUBMIT,
    "undo": access.SUBMIT,
    "approve": access.DECIDE,
    "reject": access.DECIDE,
    "execute": access.DECIDE,
}


class SwapViewSet(viewsets.GenericViewSet):
    """Rows are found among those the user may see (404 alike for missing and not yours); the
    services refuse what the rules forbid (400 with the reason)."""

    resource = "swap"
    serializer_class = SwapSerializer
    permission_classes = [MatrixPermission]
    lookup_field = "code"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @property
    def matrix_action(self) -> str:
        return ACTIONS.get(getattr(self, "action", "") or "", access.READ)

    def get_queryset(self) -> Any:
        rows = (
            SwapRequest.objects.select_related(*selectors.RELATED)
            .prefetch_related("links__person", "links__assignment__shift_type")
            .order_by("-created_at")
        )
        return access.scope_queryset(self.request.user, rows)

    def _row(self, code: Any, action_name: str = access.READ) -> SwapRequest:
        return selectors.get_swap_for_user(self.request.user, code, action_name)

    def _person(self, program_id: int) -> Person:
        grant = access.grants(self.request.user).get(program_id)
        if grant is None or grant.person_id is None:
            raise Http404("Your account is not linked to a person in this program.")
        return Person.objects.select_related("program").get(pk=grant.person_id)

    def _shift(self, code: Any) -> Assignment:
        rows = Assignment.objects.select_related("person__program", "shift_type")
        return access.get_for_user(self.request.user, rows, code, what="shift")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SwapSerializer(page, many=True).data)

    def retrieve(self, request: Request, code: str | None = None) -> Response:
        return Response(SwapSerializer(self._row(code)).data)

    idempotent_create = True  # an offer sent twice with one Idempotency-Key is made once

    @extend_schema(request=OfferSerializer, responses={201: SwapSerializer})
    def create(self, request: Request) -> Response:
        return idempotent(request, lambda: self._offer(request))

    def _offer(self, request: Request) -> Response:
        form = OfferSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data["week"] is not None:
            swap = services.swap_week_offer_create(
                week=data["week"],
                person=self._my_person(),
                actor=request.user,
                note=data["note"],
                wants=data["wants"],
            )
            return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)
        try:
            shift = self._shift(data["assignment"])
        except Http404:  # a field that names nothing of yours is bad input, not a missing page
            raise serializers.ValidationError({"assignment": ["No such shift."]}) from None
        swap = services.swap_offer_create(
            assignment=shift,
            person=self._person(shift.person.program_id),
            actor=request.user,
            note=data["note"],
            wants=data["wants"],
        )
        return Response(SwapSerializer(swap).data, status=status.HTTP_201_CREATED)

    def _my_person(self) -> Person:
        """The one person the user is in their programs (a week names no program)."""
        linked = [g.person_id for g in access.grants(self.request.user).values() if g.person_id]
        if len(linked) != 1:
            raise ApplicationError(
                "Offer a week from an account linked to exactly one person of a program."
            )
        return Person.objects.select_related("program").get(pk=linked[0])

    @extend_schema(responses={200: EligibleSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def eligible(self, request: Request) -> Response:
        """Open offers in my programs I could take, each with its compliance verdict."""
        found = []
        for program_id, grant in access.grants(request.user).items():
            if grant.person_id is None:
                continue
            person = self._person(program_id)
            offers = selectors.open_offers(person.program, viewer=person)
            try:
                verdicts = matcher.compliant_for(person, offers)
            except ApplicationError as error:
                verdicts = {offer.pk: error.message for offer in offers}
            found += [
                {
                    "swap": offer,
                    "compliant": not verdicts[offer.pk],
                    "violation": verdicts[offer.pk],
                }
                for offer in offers
            ]
        return Response(EligibleSerializer(found, many=True).data)

    @extend_schema(request=RespondSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, code: str | None = None) -> Response:
        swap = self._row(code)
        form = RespondSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        given = form.validated_data["assignment"]
        swap = services.swap_respond(
            swap=swap,
            person=self._person(swap.program_id),
            actor=request.user,
            assignment=self._shift(given) if given else None,
            week=form.validated_data["week"],
        )
        return Response(SwapSerializer(swap).data)

    @extend_schema(responses={200: ProposedChainSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def chains(self, request: Request) -> Response:
        """Swap chains the matcher proposes to me on open offers (no pair worked for them)."""
        found = []
        for program_id, grant in access.grants(request.user).items():
            if grant.person_id is None:
                continue
            for candidate, _ in selectors.chains_for(self._person(program_id))["proposed"]:
                links = candidate.factors["chain"]
                people = Person.objects.in_bulk([link["person"] for link in links])
                rows = Assignment.objects.in_bulk([link["assignment"] for link in links])
                found.append(
                    {
                        "candidate": candidate.code,
                        "swap": candidate.swap,
                        "score": candidate.score,
                        "explanation": candidate.factors.get("explanation", ""),
                        "links": [
                            {
                                "person": people[link["person"]].code,
                                "assignment": rows[link["assignment"]].code,
                            }
                            for link in links
                            if link["person"] in people and link["assignment"] in rows
                        ],
                    }
                )
        return Response(ProposedChainSerializer(found, many=True).data)

    def _chain_answer(self, request: Request, code: Any, answer: Any) -> Response:
        swap = self._row(code)
        person = self._person(swap.program_id)
        form = ChainAnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        candidate = selectors.chain_candidate(swap, form.validated_data["candidate"])
        swap = answer(swap=swap, person=person, actor=request.user, candidate=candidate)
        return Response(SwapSerializer(swap).data)

    @extend_schema(request=ChainAnswerSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def accept_chain(self, request: Request, code: str | None = None) -> Response:
        """Accept a swap chain I am in; when everyone has, it executes (auto-approval) or waits
        for a coordinator's approve/execute like a pair."""
        return self._chain_answer(request, code, chains.swap_chain_accept)

    @extend_schema(request=ChainAnswerSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def decline_chain(self, request: Request, code: str | None = None) -> Response:
        """Decline a swap chain I am in: the offer is open again, and the chain is never
        proposed again."""
        return self._chain_answer(request, code, chains.swap_chain_decline)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, code: str | None = None) -> Response:
        swap = services.swap_withdraw(swap=self._row(code, access.SUBMIT), actor=request.user)
        return Response(SwapSerializer(swap).data)

    def _decided(self, request: Request, code: Any, decide: Any) -> Response:
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        swap = decide(
            swap=self._row(code, access.DECIDE), actor=request.user, **form.validated_data
        )
        return Response(SwapSerializer(swap).data)

    @extend_schema(request=ReasonSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, code: str | None = None) -> Response:
        return self._decided(request, code, services.swap_approve)

    @extend_schema(request=ReasonSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, code: str | None = None) -> Response:
        return self._decided(request, code, services.swap_reject)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, code: str | None = None) -> Response:
        swap = services.swap_execute(swap=self._row(code, access.DECIDE), actor=request.user)
        return Response(SwapSerializer(swap).data)

    @extend_schema(request=ReasonSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, code: str | None = None) -> Response:
        """By a coordinator or either party, within the program's undo window."""
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        swap = services.swap_undo(
            swap=self._row(code), actor=request.user, reason=form.validated_data["reason"]
        )
        return Response(SwapSerializer(swap).data)
