"""GET /api/v1/me/: who the caller is, their programs and roles, and their person in each."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.viewsets import ApiView
from people.models import Membership, Person


class MeUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    email = serializers.EmailField(allow_blank=True)
    is_administrator = serializers.BooleanField(
        source="is_superuser", help_text="Administrators may do everything in every program."
    )


class MePersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["code", "kind", "first_name", "last_name"]
        read_only_fields = fields


class MeMembershipSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.code", help_text="The program's code.")
    program_name = serializers.CharField(source="program.name")
    person = MePersonSerializer(
        allow_null=True, help_text="Your person record in this program (whose rows are yours)."
    )

    class Meta:
        model = Membership
        fields = ["code", "program", "program_name", "role", "person"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    user = MeUserSerializer()
    memberships = MeMembershipSerializer(many=True)


class MeView(ApiView):
    """The signed-in user, every program they belong to with their role, and their linked person
    (and its code) there: a resident's way to find their own rows."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        memberships = (
            Membership.objects.filter(user=request.user)
            .select_related("program", "person")
            .order_by("program__name")
        )
        data: dict[str, Any] = {"user": request.user, "memberships": memberships}
        return Response(MeSerializer(data).data)
