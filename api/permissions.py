"""The DRF adapter of the access module: each view names a resource; the matrix decides.

Who may do what is decided in ``people.access`` (the matrix, the registry, the grants); this
module only turns a request into the question it asks there.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from people import access

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class MatrixPermission(BasePermission):
    """Lets a request through when the user's roles allow the view's resource and action at all;
    row-level checks (which program, whose row) follow in ``has_object_permission``."""

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return access.can_any(request.user, view.resource, action_of(request, view))

    def has_object_permission(self, request: Request, view: Any, obj: Model) -> bool:
        return access.can(
            request.user,
            view.resource,
            action_of(request, view),
            access.program_id_of(obj),
            owner_id=access.owner_id_of(obj),
        )


def action_of(request: Request, view: Any) -> str:
    override = getattr(view, "matrix_action", None)
    if override:
        return str(override)
    return access.READ if request.method in SAFE_METHODS else access.WRITE
