"""A service the site depends on is down: say so with a 503, not a bare 500.

PostgreSQL restarting, or Redis (the broker, the API's throttle cache) stopping, raises a
connection error inside the view. Every write is one transaction (the services), which has
rolled back; the person is told the request did not go through, and to try again shortly
(``Retry-After``). Pages get a plain
page that needs neither the database nor the cache; the API gets its usual error shape. The fault
drill (``benchmarks/faults.py``) exercises both.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = 30
MESSAGE = (
    "A service the scheduler depends on is briefly unavailable. The request did not go "
    "through; please try again in a minute."
)


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGES):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE, "code": "service_unavailable"}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
