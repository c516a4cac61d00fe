"""Secrets that travel in URLs never reach a log: the calendar feed token is replaced by ``…``.

``RedactSecrets`` is a logging filter on the project's handler (runserver's request lines,
``django.request`` warnings for unknown tokens, anything else); ``RedactingGunicornLogger`` does
the same for gunicorn's access log, which does not go through Django's logging.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

FEED_TOKEN = re.compile(r"(/feeds/)[^/\s?\"']+(\.ics)")


def redact(text: str) -> str:
    return FEED_TOKEN.sub(r"\1…\2", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if getattr(record, "request", None) is not None:
            record.request = None  # the request's repr carries its path
        return True


class RedactingGunicornLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        values = super().atoms(resp, req, environ, request_time)
        # The request line, the path and every "{name}e" environ atom may carry the path.
        return {k: redact(v) if isinstance(v, str) else v for k, v in values.items()}
