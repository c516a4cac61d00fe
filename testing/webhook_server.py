"""A webhook receiver on 127.0.0.1 for tests: records JSON bodies, answers a chosen status."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class WebhookServer:
    url: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (longer than the timeout: a timeout)
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    state = WebhookServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.received.append(json.loads(self.rfile.read(length) or b"{}"))
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
