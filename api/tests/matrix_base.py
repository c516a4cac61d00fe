"""The parts of the role matrix (api/tests/matrix.py) its route modules share: the roles, the
expected statuses, the route shape and the world's rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROLES = ("anonymous", "resident", "faculty", "other coordinator", "coordinator", "admin")


def statuses(text: str) -> dict[str, int]:
    return dict(zip(ROLES, (int(part) for part in text.split()), strict=True))


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # as documented: {code} stands for a row's code
    expected: dict[str, int]
    target: Callable[[Any], Any] | None = None  # the row {code} names
    body: Callable[[Any], dict[str, Any]] | None = None
    query: Callable[[Any], dict[str, str]] | None = None
    multipart: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.pattern}"


def a(world: Any, model: type[Any]) -> Any:
    return world.a[model]


def code(row: Any) -> str:
    return str(row.code)


READ_LIST = statuses("401 200 200 200 200 200")
READ_ROW = statuses("401 200 200 404 200 200")
MANAGE_LIST = statuses("401 403 403 200 200 200")
MANAGE_ROW = statuses("401 403 403 404 200 200")
CREATE = statuses("401 403 403 400 201 201")
UPDATE = statuses("401 403 403 404 200 200")
DELETE = statuses("401 403 403 404 204 204")
DECIDE = statuses("401 403 403 404 200 200")
OWN_ROW = statuses("401 404 404 404 200 200")  # a row owned by someone else in program A
