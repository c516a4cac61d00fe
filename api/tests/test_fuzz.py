"""Property-based run (schemathesis) against the committed schema: no input gets a 5xx, and no
answer contradicts the schema (status declared, content type, headers, body shape).

Bounded to fit CI: a few derandomised examples per operation, as the administrator (who may
reach every operation), against the app in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.tokens import login_token

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"

schema = schemathesis.openapi.from_dict(yaml.safe_load(SCHEMA.read_text()))
schema.app = get_wsgi_application()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # The WSGI handler closes the connection after each request, as in production; the test's
    # transaction lives on that connection (Django's test client does the same disconnect).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(world: Any, superuser: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {login_token(superuser).access_token}"}


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    # Generated examples only: the explicit phase adds schemathesis' boundary-coverage cases,
    # hundreds per operation, which would not fit CI.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_as_the_schema_says(case: Any, bearer: dict[str, str]) -> None:
    response = case.call(headers=bearer)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
