"""A real HTTP receiver (stdlib http.server in a thread) that records what robots are sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.services import free_port


class Receiver:
    """Answers every POST with `reply` (JSON) and keeps (path, headers, body) in `received`;
    with `hold` set to an Event, a request is kept but not answered until the Event is set."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[tuple[str, dict, dict]] = []
        self.reply: dict = {"errcode": 0, "errmsg": "ok"}
        self.status = 200
        self.hold: threading.Event | None = None
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.received.append((self.path, dict(self.headers), body))
                if receiver.hold is not None:
                    receiver.hold.wait()
                reply = json.dumps(receiver.reply).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_args):
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="session")
def http_server() -> Iterator[Receiver]:
    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture
def http_receiver(http_server: Receiver) -> Receiver:
    """The session's receiver, emptied and answering OK for this test."""
    http_server.received.clear()
    http_server.reply, http_server.status = {"errcode": 0, "errmsg": "ok"}, 200
    http_server.hold = None
    return http_server
