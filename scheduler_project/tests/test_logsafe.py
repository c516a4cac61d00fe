"""Calendar feed tokens never reach a log line: Django's handler and gunicorn's access log."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from scheduler_project.logsafe import RedactingGunicornLogger, RedactSecrets

SECRET = "s3cr3t-feed-token-abcdefghijklmnop"


@pytest.mark.django_db
def test_it_keeps_an_unknown_feed_token_out_of_the_log(client: Client) -> None:
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        assert client.get(f"/feeds/{SECRET}.ics").status_code == 404
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    written = stream.getvalue()
    assert "/feeds/….ics" in written
    assert SECRET not in written


def test_it_keeps_feed_tokens_out_of_gunicorns_access_log() -> None:
    logger = RedactingGunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feeds/{SECRET}.ics",
        "PATH_INFO": f"/feeds/{SECRET}.ics",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    assert atoms["r"] == "GET /feeds/….ics HTTP/1.1"
    assert SECRET not in " ".join(str(v) for v in atoms.values())
