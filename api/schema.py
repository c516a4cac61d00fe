"""OpenAPI post-processing: one schema whatever the database.

Django derives integer bounds and formats from the backend (a PositiveSmallIntegerField tops out
at 32767 on PostgreSQL and at 2**63-1 on SQLite), so without this the committed schema would
differ between a developer's SQLite and CI's PostgreSQL. Bounds that are only storage limits are
dropped; bounds the code sets on purpose (time limits, weights) stay.
"""

from __future__ import annotations

from typing import Any

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
