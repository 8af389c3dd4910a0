"""A tarpit: a TCP listener on 127.0.0.1 that accepts connections and never says a word.

It stands for the worst kind of dead target (a hung daemon or a half-open firewall path):
the TCP handshake succeeds, so only a per-target deadline can end the wait.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Tarpit:
    host: str
    port: int


@pytest.fixture(scope="session")
def tarpit() -> Iterator[Tarpit]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)  # keep it open, read nothing, send nothing

    thread = threading.Thread(target=hold, daemon=True, name="tarpit")
    thread.start()
    try:
        yield Tarpit("127.0.0.1", listener.getsockname()[1])
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        listener.close()
        for conn in held:
            conn.close()
