"""The OpenAPI contract: error responses, idempotency headers, one schema whatever the database.

``ApiSchema`` (the DRF schema class) adds to every operation the error statuses it can really
answer, all with the one error shape (``Error``), and on every creating POST the
``Idempotency-Key`` request header and the ``Idempotent-Replayed`` response header.

Django derives integer bounds and formats from the backend (a PositiveSmallIntegerField tops out
at 32767 on PostgreSQL and at 2**63-1 on SQLite), so without the post-processing hook the
committed schema would differ between a developer's SQLite and CI's PostgreSQL. Bounds that are
only storage limits are dropped; bounds the code sets on purpose (time limits, weights) stay.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER

ERRORS = {
    400: "Invalid input or a refused change; invalid fields are named in `details`.",
    401: "Not signed in, or the token is invalid or expired.",
    403: "Your role may not do this here.",
    404: "Missing, or not yours to see (alike).",
    409: "Conflicts with existing rows; `details.code` names the existing row when there is one.",
    413: "The request body is larger than the limit (5 MB).",
    415: "The request body's content type is not accepted (JSON; imports: multipart).",
    429: "Too many requests; retry after the `Retry-After` seconds.",
}


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    message = serializers.CharField(help_text="What went wrong, for a person to read.")
    details = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Invalid fields by name (each a list of messages), or other specifics.",
    )

    class Meta:
        ref_name = "Error"


class ApiSchema(AutoSchema):
    def _idempotent_create(self) -> bool:
        from api.viewsets import ScopedViewSet

        return (
            self.method == "POST"
            and getattr(self.view, "action", None) == "create"
            and getattr(self.view, "idempotent_create", isinstance(self.view, ScopedViewSet))
        )

    def get_description(self) -> str:
        """The view's or action's own docstring; never one inherited from the API's base classes."""
        from api.viewsets import ApiView, ScopedViewSet

        description = str(super().get_description())
        return "" if description in (get_doc(ScopedViewSet), get_doc(ApiView)) else description

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        from api.serializers import StrictMixin

        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if schema.get("description") == get_doc(StrictMixin):
            del schema["description"]  # how unknown fields are refused is said once, in the docs
        return schema

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if "{code}" in self.path:
            parameters.append(
                OpenApiParameter(
                    "code", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The row's code."
                )
            )
        if self._idempotent_create():
            parameters += [
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    str,
                    OpenApiParameter.HEADER,
                    description=(
                        "Send the same key again (same user, same body) to get the first answer "
                        "back instead of creating a second row; at most 255 characters."
                    ),
                ),
                OpenApiParameter(
                    REPLAYED_HEADER,
                    {"type": "string", "enum": ["true"]},
                    OpenApiParameter.HEADER,
                    response=[201, 202],
                    description="Present when this answer replays an earlier one (same key).",
                ),
            ]
        return parameters

    def error_statuses(self) -> list[int]:
        """The error statuses this operation can answer (see ``ERRORS``)."""
        from rest_framework_simplejwt.views import TokenViewBase

        from api.views_io import ExportView, ImportApplyView
        from api.viewsets import ScopedViewSet

        view, method = self.view, self.method
        action = getattr(view, "action", None)
        body = method in ("POST", "PUT", "PATCH")
        codes = {429}
        if body:
            codes |= {400, 413, 415}
        if isinstance(view, TokenViewBase):
            # Wrong credentials or token: 401; a locked account: 403 (login only).
            return sorted(codes | {401} | ({403} if "refresh" not in self.path else set()))
        codes |= {401, 403}
        if method == "DELETE":
            codes.add(400)  # a service may refuse the removal
        filtered = getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None)
        if method == "GET" and (
            (action == "list" and filtered)
            or isinstance(view, ExportView)
            or getattr(view, "validates_query", False)
        ):
            codes.add(400)
        if "{" in self.path or action == "list":
            codes.add(404)  # a missing row, or a page past the end
        if isinstance(view, ScopedViewSet) and action in (
            "create",
            "update",
            "partial_update",
            "destroy",
        ):
            codes.add(409)
        if isinstance(view, ImportApplyView):
            codes.add(409)
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self.error_statuses():
            if str(code) in responses:
                continue
            response = self._get_response_for_code(
                ErrorSerializer, str(code), ["application/json"], direction
            )
            response["description"] = ERRORS[code]
            responses[str(code)] = response
        return responses


STORAGE_LIMITS = {
    -(2**15),
    2**15 - 1,
    -(2**31),
    2**31 - 1,
    -(2**63),
    2**63 - 1,
}


def drop_backend_integer_limits(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    _walk(result)
    return result


def _walk(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for bound in ("minimum", "maximum"):
                if node.get(bound) in STORAGE_LIMITS:
                    del node[bound]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _walk(value)
    elif isinstance(node, list):
        for value in node:
            _walk(value)


class CheckedJWTScheme(SimpleJWTScheme):
    """The API's JWT authentication (simplejwt's, plus session and revocation checks)."""

    target_class = "api.tokens.CheckedJWTAuthentication"
    name = "jwtAuth"
