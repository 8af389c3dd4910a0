"""SSH collector: one connection and one exec of a sh script per Linux host (paramiko).

The transport lives here; what the script prints is turned into Samples by the pure
collectors.linux_parsers, so a host inspected over SSH yields the local collector's metrics.
Every failure leaves as a CollectError whose reason the runner reports (and may retry).
"""

from __future__ import annotations

import getpass
import logging
import os
import socket
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import linux_parsers, linux_script, ssh_hostkeys
from collectors.local import CPU_INTERVAL
from collectors.notes import noted
from collectors.ssh_paramiko import paramiko
from core import secrets
from core.errors import CollectError, UserError
from core.inventory_spec import SshSpec, parse_jump_host
from core.model import HOST, Sample, Target
from core.session import Session

# paramiko logs handshake failures at ERROR; we report them as findings, not stderr noise
logging.getLogger("paramiko").addHandler(logging.NullHandler())

# the script comes on stdin, so any login shell (bash, csh, fish) can start it; exec saves a fork
REMOTE_COMMAND = "exec sh -s"
READ_SIZE = 1 << 16
HEARD_SIZE = 64  # first bytes of the server's answer kept to recognise a non-SSH service


class SshCollector:
    name: ClassVar[str] = "ssh"
    family: ClassVar[str] = HOST

    def collect(self, target: Target, session: Session) -> list[Sample]:
        spec = SshSpec.model_construct(**dict(target.ssh or {}))  # validated by the inventory
        at = datetime.now(UTC)
        interval = min(CPU_INTERVAL, session.remaining() / 4)
        output = run_script(target, spec, linux_script.build(session.profile, interval), session)
        return list(noted(linux_parsers.parse(output, target.name, at, session.profile), session))


@dataclass(frozen=True)
class Endpoint:
    address: str
    port: int
    username: str

    def __str__(self) -> str:
        return f"{self.username}@{ssh_hostkeys.host_name(self.address, self.port)}"


def endpoint(target: Target, spec: SshSpec) -> Endpoint:
    port = spec.port if "port" in spec.model_fields_set else (target.port or spec.port)
    return Endpoint(target.address, port, spec.username or getpass.getuser())


def run_script(target: Target, spec: SshSpec, script: str, session: Session) -> str:
    """Connect (through the jump host if any), run the script, return its stdout."""
    where = endpoint(target, spec)
    with ExitStack() as cleanup:
        tunnel = None
        if spec.jump_host:
            user, host, port = parse_jump_host(spec.jump_host)
            jump = Endpoint(host, port, user or where.username)
            jump_client = connect(jump, spec, session)
            cleanup.callback(jump_client.close)
            tunnel = open_tunnel(jump_client, jump, where, spec, session)
        client = connect(where, spec, session, sock=tunnel)
        cleanup.callback(client.close)
        return execute(client, where, script, session)


def _attempt_timeout(spec: SshSpec, session: Session) -> float:
    return max(0.1, min(spec.timeout, session.remaining()))


class Recording(socket.socket):
    """A TCP socket that keeps the first bytes the server sent: when the SSH handshake fails,
    they tell a service that is not SSH from a server that closed the connection at once."""

    heard = b""

    def recv(self, size: int, flags: int = 0) -> bytes:
        data = super().recv(size, flags)
        if len(self.heard) < HEARD_SIZE:
            self.heard += data[: HEARD_SIZE - len(self.heard)]
        return data


def tcp_connect(where: Endpoint, timeout: float) -> Recording:
    target = f"{where.address}:{where.port}"
    try:
        plain = socket.create_connection((where.address, where.port), timeout=timeout)
        sock = Recording(plain.family, plain.type, plain.proto, fileno=plain.detach())
        sock.settimeout(timeout)
        return sock
    except ConnectionRefusedError:
        reason, message, transient = "refused", f"{target} refused the connection", True
    except TimeoutError:
        reason, message, transient = (
            "unreachable",
            f"no TCP answer from {target} within {timeout:g} s",
            False,
        )
    except socket.gaierror as exc:
        reason, message, transient = "unreachable", f"cannot resolve {where.address}: {exc}", False
    except OSError as exc:
        reason, message, transient = (
            "unreachable",
            f"cannot connect to {target}: {exc.strerror or exc}",
            False,
        )
    raise CollectError(reason, message, transient=transient)


def _transport(sock: Any, **kwargs: Any) -> paramiko.Transport:
    """AES-GCM first: with CTR+HMAC, paramiko checks every packet's MAC in a pure-Python loop
    (about a fifth of the client's CPU in a fleet run); GCM authenticates in C."""
    transport = paramiko.Transport(sock, **kwargs)
    options = transport.get_security_options()
    options.ciphers = sorted(options.ciphers, key=lambda name: "-gcm@" not in name)
    return transport


def connect(
    where: Endpoint, spec: SshSpec, session: Session, sock: Any = None
) -> paramiko.SSHClient:
    """An authenticated client, or a CollectError saying why not (never a secret)."""
    timeout = _attempt_timeout(spec, session)
    if sock is None:
        sock = tcp_connect(where, timeout)
    try:
        client = ssh_hostkeys.trusting_client(spec, where.address, where.port)
    except CollectError:
        sock.close()
        raise
    started = time.monotonic()
    try:
        client.connect(
            where.address,
            where.port,
            username=where.username,
            sock=sock,
            timeout=timeout,
            banner_timeout=timeout * 0.95,  # so a silent server reads as "no SSH banner"
            auth_timeout=timeout,
            channel_timeout=timeout,
            allow_agent=spec.use_agent,
            look_for_keys=not (spec.key_file or spec.password),
            transport_factory=_transport,
            **credentials(spec),
        )
        return client
    except BaseException as exc:
        client.close()
        sock.close()
        heard = getattr(sock, "heard", b"SSH-")  # a jump host's channel records nothing
        failure = handshake_error(exc, where, spec, time.monotonic() - started, timeout, heard)
        if failure is None:
            raise  # not a failure of the target: the runner reports it as an internal error
        raise failure from None


def handshake_error(
    exc: BaseException,
    where: Endpoint,
    spec: SshSpec,
    elapsed: float,
    timeout: float,
    heard: bytes,
) -> CollectError | None:
    """What the failed handshake means for the user; None for an error that is not the
    target's doing (a defect here or in paramiko)."""
    if isinstance(exc, paramiko.BadHostKeyException):
        return CollectError("host key changed", ssh_hostkeys.changed_message(exc))
    if isinstance(exc, paramiko.AuthenticationException):
        return CollectError("auth failed", f"{where} rejected {_auth_methods(spec)}")
    if not isinstance(exc, paramiko.SSHException | EOFError | OSError):
        return None
    if heard and not heard.startswith(b"SSH-") and "banner" in str(exc):
        return CollectError("unexpected answer", f"{where} answered, but not as an SSH server")
    if elapsed >= timeout * 0.9:
        stage = "no SSH banner" if "banner" in str(exc) else "the SSH handshake did not finish"
        return CollectError(
            "timeout",
            f"{where} accepted the connection but {stage} within {timeout:.1f} s",
            transient=True,
        )
    if "banner" in str(exc) or isinstance(exc, EOFError | ConnectionResetError):
        return CollectError(
            "connection lost",
            f"{where} closed the connection during the SSH handshake",
            transient=True,
        )
    return CollectError("protocol error", f"SSH handshake with {where} failed: {exc}")


def _auth_methods(spec: SshSpec) -> str:
    methods = []
    if spec.key_file:
        methods.append(f"key {spec.key_file}")
    if spec.password:
        methods.append(f"password {spec.password}")
    if spec.use_agent and os.environ.get("SSH_AUTH_SOCK"):
        methods.append("ssh-agent keys")
    if not (spec.key_file or spec.password):
        methods.append("default keys in ~/.ssh")
    return "the " + ", ".join(methods)


def credentials(spec: SshSpec) -> dict[str, Any]:
    """Secrets resolved now, at use, from their references."""
    try:
        found: dict[str, Any] = {}
        if spec.password:
            found["password"] = secrets.resolve(spec.password)
        if spec.key_file:
            found["pkey"] = load_key(spec.key_file, spec.passphrase)
        return found
    except UserError as exc:
        raise CollectError("auth failed", str(exc)) from None


_KEYS: dict[tuple[str, float, str | None], paramiko.PKey] = {}
_KEYS_LOCK = threading.Lock()


def load_key(path: str, passphrase_ref: str | None) -> paramiko.PKey:
    """Parsed once per process (decrypting a key costs ~0.1 s of bcrypt rounds)."""
    file = os.path.expanduser(path)
    try:
        cache_key = (file, os.stat(file).st_mtime, passphrase_ref)
    except OSError as exc:
        raise CollectError("auth failed", f"key file {path}: {exc.strerror}") from None
    with _KEYS_LOCK:
        if cache_key in _KEYS:
            return _KEYS[cache_key]
        passphrase = secrets.resolve(passphrase_ref).encode() if passphrase_ref else None
        try:
            key = paramiko.PKey.from_path(file, passphrase)
        except (paramiko.PasswordRequiredException, TypeError):
            # paramiko's own formats say PasswordRequired; cryptography's (OpenSSH keys, the
            # ssh-keygen default) raise TypeError "Key is password-protected"
            if passphrase is not None:
                raise
            raise CollectError(
                "encrypted key", f"key file {path} needs a passphrase and none is set"
            ) from None
        except (paramiko.SSHException, ValueError, OSError) as exc:
            raise CollectError("auth failed", f"cannot load key file {path}: {exc}") from None
        _KEYS[cache_key] = key
        return key


def open_tunnel(
    jump: paramiko.SSHClient, via: Endpoint, to: Endpoint, spec: SshSpec, session: Session
) -> paramiko.Channel:
    """A direct-tcpip channel through the jump host: `ssh -J` without a local port."""
    try:
        return jump.get_transport().open_channel(
            "direct-tcpip",
            (to.address, to.port),
            ("127.0.0.1", 0),
            timeout=_attempt_timeout(spec, session),
        )
    except paramiko.ChannelException as exc:
        raise CollectError(
            "unreachable", f"jump host {via} could not connect to {to.address}:{to.port}: {exc}"
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError("timeout", f"jump host {via} did not open a channel: {exc}") from None


def execute(client: paramiko.SSHClient, where: Endpoint, script: str, session: Session) -> str:
    try:
        channel = client.get_transport().open_session(timeout=max(0.1, session.remaining()))
        channel.settimeout(max(0.1, session.remaining()))
        channel.exec_command(REMOTE_COMMAND)
        channel.sendall(script.encode())
        channel.shutdown_write()
        chunks = []
        while data := channel.recv(READ_SIZE):
            chunks.append(data)
            channel.settimeout(max(0.1, session.remaining()))
        status = channel.recv_exit_status()
    except TimeoutError:
        raise CollectError("timeout", f"{where}: the inspection did not finish in time") from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError("connection lost", f"{where}: the session broke off: {exc}") from None
    output = b"".join(chunks).decode("utf-8", "replace")
    if status != 0 or f"{linux_script.MARK}end" not in output:
        problem = _first_line(channel) or f"exit status {status}"
        raise CollectError(
            "command refused", f"{where}: `{REMOTE_COMMAND}` did not run the script: {problem}"
        )
    return output


def _first_line(channel: paramiko.Channel) -> str:
    if not channel.recv_stderr_ready():
        return ""
    return channel.recv_stderr(READ_SIZE).decode("utf-8", "replace").strip().split("\n")[0]
