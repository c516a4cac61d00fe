"""The base of every API view: matrix permissions, program scoping, size cap, idempotent POSTs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import services
from api.exceptions import Duplicate, PayloadTooLarge, as_field_error
from api.headers import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from api.permissions import MatrixPermission
from lib.errors import ApplicationError
from people.access import RESOURCES, WRITE, can, scope_queryset

UUID_REGEX = "[0-9a-fA-F-]{36}"


def check_body_size(request: Request) -> None:
    """413 before reading a byte of an oversized body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError("Content-Length is not a number.") from None
    if length > settings.API_MAX_UPLOAD_BYTES:
        limit = settings.API_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise PayloadTooLarge(f"The request body is larger than {limit} MB.")


def idempotent(request: Request, handler: Callable[[], Response]) -> Response:
    """Replay the stored answer when a POST repeats its Idempotency-Key (per user).

    The same key with a different body is refused (422), so a client bug cannot silently get the
    answer to another request. Only successful answers are stored: a refused request may be
    corrected and sent again under the same key.
    """
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 255:
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["At most 255 characters."]})
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    fingerprint = services.request_fingerprint(request.method or "", request.path, body.encode())
    stored = services.idempotency_key_find(user=request.user, key=key)
    if stored is None:
        response = handler()
        if 200 <= response.status_code < 300:
            data = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            stored = services.idempotency_key_store(
                user=request.user,
                key=key,
                method=request.method or "",
                path=request.path,
                fingerprint=fingerprint,
                status_code=response.status_code,
                body=data,
                location=response.get("Location", ""),
            )
            if stored is not None:
                return response
            stored = services.idempotency_key_find(user=request.user, key=key)
        if stored is None:
            return response
    if stored.fingerprint != fingerprint:
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: ["This key was already used for a different request."]}
        )
    headers = {REPLAYED_HEADER: "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.body, status=stored.status_code, headers=headers)


class ApiView(APIView):
    """A plain endpoint (not a collection) with the same doors as the viewsets."""

    resource = ""
    permission_classes = [MatrixPermission]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_body_size(request)
        super().initial(request, *args, **kwargs)


class ScopedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A program-scoped collection. Reads see what the matrix grants; writes are checked against
    the program (and owner) of the row as it will be, and go through services."""

    resource = ""
    model: type[Model]
    select: tuple[str, ...] = ()
    permission_classes = [MatrixPermission]
    lookup_field = "code"
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_body_size(request)
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.model._default_manager.select_related(*self.select)
        return scope_queryset(self.request.user, queryset, resource=self.resource)

    # Writes ---------------------------------------------------------------------------------

    def program_and_owner(self, values: dict[str, Any], instance: Any = None) -> tuple[int, Any]:
        """The program (and owner) a row will have once ``values`` are applied."""
        where = RESOURCES[self.resource]
        first, *rest = where.program_path.split("__")
        value: Any = values.get(first, getattr(instance, first, None) if instance else None)
        for part in rest:
            value = getattr(value, part)
        owner = None
        if where.owner_path:
            owner_row = values.get(where.owner_path) or getattr(instance, where.owner_path, None)
            owner = getattr(owner_row, "pk", None)
        return int(value.pk), owner

    def require_write(
        self, values: dict[str, Any], instance: Any = None, action: str = WRITE
    ) -> None:
        program_id, owner = self.program_and_owner(values, instance)
        if not can(self.request.user, self.resource, action, program_id, owner_id=owner):
            raise exceptions.PermissionDenied("Your role may not change this program's rows.")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent(
            request, lambda: super(ScopedViewSet, self).create(request, *args, **kwargs)
        )

    def duplicate_of(self, values: dict[str, Any]) -> Model | None:
        """The existing row a create would repeat (409), for resources that refuse repeats."""
        return None

    def create_row(self, values: dict[str, Any]) -> Model:
        """Save a new row. Plain rows go through ``record_create``; a collection whose rows have
        a service of their own (with rules beyond the model's) overrides this to call it."""
        return services.record_create(model=self.model, values=values, actor=self.request.user)

    def perform_create(self, serializer: Any) -> None:
        values = dict(serializer.validated_data)
        self.require_write(values)
        existing = self.duplicate_of(values)
        if existing is not None:
            raise Duplicate(f"This {self.model._meta.verbose_name} already exists.", existing)
        try:
            serializer.instance = self.create_row(values)
        except ApplicationError as error:
            raise as_field_error(error) from None

    def perform_update(self, serializer: Any) -> None:
        values = dict(serializer.validated_data)
        self.require_write(values, serializer.instance)
        serializer.instance = services.record_update(
            instance=serializer.instance, values=values, actor=self.request.user
        )

    def perform_destroy(self, instance: Any) -> None:
        services.record_delete(instance=instance, actor=self.request.user)

    def accepted(self, data: Any, location: str) -> Response:
        """202 with the new resource's URL in ``Location``.

        WSGI servers take header values of type ``str`` only (wsgiref, which ``runserver`` uses,
        refuses subclasses such as DRF's ``Hyperlink`` with a 500), so the URL is made a plain
        string here whatever the caller passes.
        """
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": str(location)})
