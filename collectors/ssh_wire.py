"""The TCP connection under every SSH session to a target (SSH collector, network CLI): our
own, so refused, unreachable and a port that answers but is no SSH server are told apart the
same way for both.

Everything a target sends passes through this one socket, so this is where what it sends is
capped: a target that answers without end (or floods the handshake, or ignores the SSH flow
control window) is cut off at its `answer_limit_mb`, and the memory of a run stays bounded
by workers x cap whatever the devices send. Both transports read `exceeded` after a failure
and report it as the one reason "answer too large" (CollectError.too_large).
"""

from __future__ import annotations

import contextlib
import socket

from core.errors import CollectError
from core.model import Target
from core.phrases import phrase

MIB = 1 << 20
HEARD_SIZE = 64  # first bytes of the server's answer kept to recognise a non-SSH service


class CappedSocket(socket.socket):
    """A connected TCP socket that reads as closed once more than `limit` bytes came in, and
    keeps the first bytes the server sent: when a handshake fails, they tell a service that
    is not SSH from a server that closed the connection at once."""

    def __init__(self, connected: socket.socket, limit: int) -> None:
        timeout = connected.gettimeout()
        super().__init__(connected.family, connected.type, connected.proto, connected.detach())
        self.settimeout(timeout)
        self.limit = limit
        self.received = 0
        self.heard = b""

    @property
    def exceeded(self) -> bool:
        return self.received > self.limit

    def recv(self, size: int, flags: int = 0) -> bytes:
        if self.exceeded:
            return b""
        data = super().recv(size, flags)
        self.received += len(data)
        if len(self.heard) < HEARD_SIZE:
            self.heard += data[: HEARD_SIZE - len(self.heard)]
        if self.exceeded:
            with contextlib.suppress(OSError):  # the peer may have gone already
                self.shutdown(socket.SHUT_RDWR)  # it learns at once; paramiko reads an EOF
            return b""
        return data


def tcp_connect(target: Target, address: str, port: int, timeout: float) -> CappedSocket:
    """A connection capped at the target's answer limit, or a CollectError saying why not."""
    where = f"{address}:{port}"
    try:
        connected = socket.create_connection((address, port), timeout=timeout)
        return CappedSocket(connected, int(target.answer_limit_mb * MIB))
    except ConnectionRefusedError:
        reason, message, transient = (
            "refused",
            phrase("{where} refused the connection", where=where),
            True,
        )
    except TimeoutError:
        reason, message, transient = (
            "unreachable",
            phrase("no TCP answer from {where} within {seconds} s", where=where,
                   seconds=f"{timeout:g}"),
            False,
        )
    except socket.gaierror as exc:
        reason, message, transient = (
            "unreachable",
            phrase("cannot resolve {address}: {error}", address=address, error=str(exc)),
            False,
        )
    except OSError as exc:
        reason, message, transient = (
            "unreachable",
            phrase("cannot connect to {where}: {error}", where=where,
                   error=str(exc.strerror or exc)),
            False,
        )
    raise CollectError(reason, message, transient=transient)
