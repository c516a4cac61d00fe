"""One error shape for the whole API: {"message": str, "details": {...}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lib.errors import ApplicationError


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class Duplicate(Conflict):
    """A create that repeats an existing row: 409 naming the existing row's code."""

    default_code = "duplicate"

    def __init__(self, message: str, existing: Any) -> None:
        super().__init__(message)
        self.extra = {"code": str(existing.code)}


MESSAGES = {
    exceptions.ValidationError: "The request has invalid fields.",
    exceptions.ParseError: "The request body could not be parsed.",
}


def as_field_error(error: ApplicationError) -> Exception:
    """A service's refusal of one field of the body (``details={"field": name}``) as that field's
    error, the shape the API gives any invalid field; any other refusal stays as it is."""
    name = error.details.get("field")
    if isinstance(name, str) and set(error.details) == {"field"}:
        return exceptions.ValidationError({name: [error.message]})
    return error


def _details(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": _flatten(detail)}
    return {}


def _flatten(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _flatten(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_flatten(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _django_validation(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            {"message": exc.message, "details": _flatten(exc.details)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation(exc)
    elif isinstance(exc, ProtectedError):
        exc = Conflict("Other rows still refer to this one; remove them first.")
    elif isinstance(exc, IntegrityError):
        exc = Conflict("This would duplicate or break an existing row.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    detail = exc.detail
    if type(exc) in MESSAGES:
        message = MESSAGES[type(exc)]
        if isinstance(exc, exceptions.ParseError):
            message = f"{message} {detail}"
    elif isinstance(detail, str):
        message = str(detail)
    elif isinstance(detail, dict) and isinstance(detail.get("detail"), str):
        message = str(detail["detail"])
    else:
        message = "The request was refused."
    details = _details(detail) if isinstance(exc, exceptions.ValidationError) else {}
    details.update(getattr(exc, "extra", {}))
    response.data = {"message": message, "details": details}
    return response
