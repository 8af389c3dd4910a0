"""Hostile targets on 127.0.0.1: the ways a broken or malicious device misbehaves, each on its
own real socket, so tests can show that `inspect run` survives them (one clean UNKNOWN each,
within the deadline, memory bounded, no traceback, the other targets unharmed).

SSH (TCP): a slow banner (one byte a second), garbage after a valid banner, and a real SSH
server (paramiko's ServerInterface, any login accepted) whose exec answers without end or
drops the TCP connection in mid-answer. The tarpit (accepts, never speaks) is tarpit.py.
CLI: the same server with a shell that prints a prompt, echoes commands and answers them
from a script (recorded device output); a command not in the script gets the mode's
misbehaviour (endless output or a drop in mid-answer).
SNMP (UDP): an agent that never answers, one that answers every request with garbage, and
one whose tables never end.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import paramiko
import pytest

PASSWORD_ENV = "OPSINSPECT_TEST_HOSTILE_PASSWORD"
USERNAME = "hostile"
PROMPT = b"hostile#"
SSH_MODES = ("slow_banner", "garbage", "endless", "disconnect")
CLI_MODES = ("endless", "disconnect", "scripted")
_LINE = b"x" * 1023 + b"\n"
_CHUNK = _LINE * 32  # 32 KiB: one full SSH packet per send


class _Listener:
    """Accepts TCP connections and hands each to `serve` in its own daemon thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self._serve = serve
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name=f"hostile-{self.port}").start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)
            threading.Thread(target=self._guarded, args=(conn,), daemon=True).start()

    def _guarded(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError, EOFError, paramiko.SSHException):
            self._serve(conn)

    def close(self) -> None:
        self._stop.set()
        self.socket.close()
        for conn in self._held:
            with contextlib.suppress(OSError):
                conn.close()


def slow_banner(conn: socket.socket) -> None:
    """Starts an SSH banner and never finishes it: each byte keeps the connection alive."""
    for byte in b"SSH-2.0-OpenSSH_9.6 " * 1000:
        conn.sendall(bytes([byte]))
        threading.Event().wait(1.0)


def garbage(conn: socket.socket) -> None:
    """A valid banner, then random bytes where the key exchange should be, without end."""
    noise = random.Random(1)
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    while True:
        conn.sendall(noise.randbytes(4096))


def endless(channel: paramiko.Channel) -> None:
    while True:
        channel.sendall(_CHUNK)


def disconnect(channel: paramiko.Channel) -> None:
    """Some of an answer, then the TCP connection dropped without an SSH goodbye."""
    channel.sendall(_CHUNK * 4)
    sock = channel.get_transport().sock
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class _AnyLogin(paramiko.ServerInterface):
    def __init__(self) -> None:
        self.requested = threading.Event()
        self.shell = False

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        return paramiko.AUTH_SUCCESSFUL

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.requested.set()
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        self.shell = True
        self.requested.set()
        return True


def ssh_server(
    host_key: paramiko.PKey, answer: Callable[[paramiko.Channel], None], script: Mapping
) -> Callable[[socket.socket], None]:
    """A real SSH server side: an exec gets `answer`, a shell the scripted CLI."""

    def serve(conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(host_key)
        login = _AnyLogin()
        try:
            transport.start_server(server=login)
            channel = transport.accept(timeout=30)
            if channel is None or not login.requested.wait(30):
                return
            if login.shell:
                cli_shell(channel, script, answer)
            else:
                answer(channel)
        finally:
            transport.close()

    return serve


def cli_shell(
    channel: paramiko.Channel, script: Mapping[str, bytes], otherwise: Callable
) -> None:
    """A prompt; each command echoed, then its scripted answer and the prompt again. A `show`
    or `display` command not in the script gets `otherwise` (the mode's misbehaviour)."""
    channel.sendall(b"\r\n" + PROMPT)
    pending = b""
    while data := channel.recv(1024):
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            command = line.strip().decode(errors="replace")
            channel.sendall(line.strip() + b"\r\n")
            if command in script:
                channel.sendall(script[command].replace(b"\n", b"\r\n") + b"\r\n" + PROMPT)
            elif command.startswith(("show", "display")):
                otherwise(channel)
            else:
                channel.sendall(PROMPT)


def unreadable(channel: paramiko.Channel) -> None:
    channel.sendall(b"nothing a parser expects\r\n" + PROMPT)


def no_answer(_request: bytes) -> bytes | None:
    return None


_NOISE = random.Random(2)


def noise(_request: bytes) -> bytes | None:
    return _NOISE.randbytes(_NOISE.randint(1, 1400))


def endless_walk(request: bytes) -> bytes | None:
    """An SNMP v2c agent whose every column goes on for ever: each GETBULK gets the rows
    after the asked ones, as many as fit in a datagram; a GET gets a string for each OID."""
    from pyasn1.codec.ber import decoder, encoder
    from pysnmp.proto import api

    v2c = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    message, _ = decoder.decode(request, asn1Spec=v2c.Message())
    asked_pdu = v2c.apiMessage.get_pdu(message)
    response = v2c.apiMessage.get_response(message)
    asked = [tuple(oid) for oid, _ in v2c.apiPDU.get_varbinds(asked_pdu)]
    if asked_pdu.isSameTypeWith(v2c.GetBulkRequestPDU()):
        reps = int(v2c.apiBulkPDU.get_max_repetitions(asked_pdu))
        size = max(16, 40000 // max(1, reps * len(asked)))
        rows = [
            (_after(oid, step), v2c.OctetString(b"x" * size))
            for step in range(1, reps + 1)
            for oid in asked
        ]
    else:
        rows = [(oid, v2c.OctetString(b"hostile")) for oid in asked]
    v2c.apiPDU.set_varbinds(v2c.apiMessage.get_pdu(response), rows)
    return encoder.encode(response)


def _after(oid: tuple[int, ...], step: int) -> tuple[int, ...]:
    """Row `step` after `oid`: a column's first rows under its root (11 sub-ids at most in
    what the collector walks), then ever higher row indexes."""
    return (*oid, step) if len(oid) <= 11 else (*oid[:-1], oid[-1] + step)


def _udp_agent(answer: Callable[[bytes], bytes | None]) -> tuple[socket.socket, threading.Event]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                request, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(Exception):  # a request it cannot read: no answer
                reply = answer(request)
                if reply is not None:
                    sock.sendto(reply, peer)

    threading.Thread(target=loop, daemon=True, name="hostile-snmp").start()
    return sock, stop


@dataclass
class Hostile:
    """Ports of every hostile mode, and what an inventory needs to log in to the SSH ones."""

    known_hosts: Path
    ssh: dict[str, int] = field(default_factory=dict)
    cli: dict[str, int] = field(default_factory=dict)
    snmp: dict[str, int] = field(default_factory=dict)

    def ssh_section(self, mode: str) -> dict:
        return {**self._login(), "port": self.ssh[mode], "use_agent": False}

    def cli_section(self, mode: str) -> dict:
        return {**self._login(), "port": self.cli[mode], "timeout": 5}

    def _login(self) -> dict:
        return {
            "username": USERNAME,
            "password": f"env:{PASSWORD_ENV}",
            "known_hosts": str(self.known_hosts),
        }


def recorded(platform: str, command: str) -> bytes:
    """A recorded device answer from tests/fixtures/cli (the first file for the command)."""
    folder = Path(__file__).parents[1] / "fixtures" / "cli" / platform / command.replace(" ", "_")
    return sorted(folder.glob("*.raw"))[0].read_bytes().rstrip(b"\n")


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    host_key = paramiko.ECDSAKey.generate()
    workdir = tmp_path_factory.mktemp("hostile")
    servers = Hostile(known_hosts=workdir / "known_hosts")
    # a Cisco that answers all but `show processes cpu` as recorded, and that one unreadably
    script = {
        c: recorded("cisco_ios", c)
        for c in ("show version", "show interfaces", "show processes memory sorted")
    }
    listeners = [
        ("ssh", "slow_banner", _Listener(slow_banner)),
        ("ssh", "garbage", _Listener(garbage)),
        ("ssh", "endless", _Listener(ssh_server(host_key, endless, {}))),
        ("ssh", "disconnect", _Listener(ssh_server(host_key, disconnect, {}))),
        ("cli", "endless", _Listener(ssh_server(host_key, endless, {}))),
        ("cli", "disconnect", _Listener(ssh_server(host_key, disconnect, script))),
        ("cli", "scripted", _Listener(ssh_server(host_key, unreadable, script))),
    ]
    lines = []
    for kind, mode, listener in listeners:
        getattr(servers, kind)[mode] = listener.port
        lines.append(f"[127.0.0.1]:{listener.port} {host_key.get_name()} {host_key.get_base64()}")
    servers.known_hosts.write_text("\n".join(lines) + "\n")
    udp = {
        "silent": _udp_agent(no_answer),
        "garbage": _udp_agent(noise),
        "endless": _udp_agent(endless_walk),
    }
    servers.snmp = {mode: sock.getsockname()[1] for mode, (sock, _) in udp.items()}
    try:
        yield servers
    finally:
        for _, _, listener in listeners:
            listener.close()
        for sock, stop in udp.values():
            stop.set()
            sock.close()
