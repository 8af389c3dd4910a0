"""SSH collector: one connection and one exec of a sh script per Linux host (paramiko).

The transport lives here; what the script prints is turned into Samples by the pure
collectors.linux_parsers, so a host inspected over SSH yields the local collector's metrics.
Every failure leaves as a CollectError whose reason the runner reports (and may retry).
"""

from __future__ import annotations

import functools
import getpass
import os
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from collectors import linux_parsers, linux_script, ssh_hostkeys, ssh_plugins, ssh_wire
from collectors.host_probes import probe_samples
from collectors.local import CPU_INTERVAL
from collectors.notes import noted
from collectors.plugins import plugin_samples
from collectors.session import Session
from collectors.ssh_paramiko import paramiko
from core.errors import CollectError, UserError
from core.model import HOST, Sample, SshSettings, Target
from core.phrases import Phrase, phrase
from settings import secrets
from settings.target_spec import parse_jump_host

# the script comes on stdin, so any login shell (bash, csh, fish) can start it; exec saves a fork
REMOTE_COMMAND = "exec sh -s"
READ_SIZE = 1 << 16


class SshCollector:
    name: ClassVar[str] = "ssh"
    family: ClassVar[str] = HOST

    def collect(self, target: Target, session: Session) -> list[Sample]:
        spec = target.ssh or SshSettings()
        at = datetime.now(UTC)
        interval = min(CPU_INTERVAL, session.remaining() / 4)
        rules = session.profile.plugins
        plugins: list[Sample] = []

        def sample(metric: str, value: float, unit: str, **labels: str) -> Sample:
            return Sample(target.name, metric, float(value), unit, at, labels)

        def then(client: paramiko.SSHClient) -> None:
            """Plugins and probes over the connection the script used."""
            runner = ssh_plugins.runner(client)
            plugins.extend(plugin_samples(sample, rules, session, runner))
            plugins.extend(probe_samples(sample, session, runner, at))

        script = linux_script.build(session.profile, interval)
        output = run_script(target, spec, script, session, then=then)
        parsed = noted(linux_parsers.parse(output, target.name, at, session.profile), session)
        return [*parsed, *plugins]


@dataclass(frozen=True)
class Endpoint:
    address: str
    port: int
    username: str

    def __str__(self) -> str:
        return f"{self.username}@{ssh_hostkeys.host_name(self.address, self.port)}"


def endpoint(target: Target, spec: SshSettings) -> Endpoint:
    return Endpoint(target.address, spec.port, spec.username or getpass.getuser())


def run_script(
    target: Target,
    spec: SshSettings,
    script: str,
    session: Session,
    then: Callable[[paramiko.SSHClient], None] | None = None,
) -> str:
    """Connect (through the jump host if any), run the script, return its stdout; `then`
    gets the connection before it closes (the profile's monitoring plugins)."""
    where = endpoint(target, spec)
    jump = None
    if spec.jump_host:
        user, host, port = parse_jump_host(spec.jump_host)
        jump = Endpoint(host, port, user or where.username)
    first = jump or where
    # the one socket to the network: the target's bytes pass it, tunnelled or not
    wire = ssh_wire.tcp_connect(target, first.address, first.port, _attempt_timeout(spec, session))
    try:
        with ExitStack() as cleanup:
            cleanup.callback(wire.close)
            sock: Any = wire
            if jump is not None:
                jump_client = connect(jump, spec, session, wire)
                cleanup.callback(jump_client.close)
                sock = open_tunnel(jump_client, jump, where, spec, session)
            client = connect(where, spec, session, sock)
            cleanup.callback(client.close)
            output = execute(client, where, script, session)
            if then is not None:
                then(client)
            return output
    except CollectError:
        if wire.exceeded:
            raise CollectError.too_large(str(where), target.answer_limit_mb) from None
        raise


def _attempt_timeout(spec: SshSettings, session: Session) -> float:
    return max(0.1, min(spec.timeout, session.remaining()))


def _transport(sock: Any, **kwargs: Any) -> paramiko.Transport:
    """AES-GCM first: with CTR+HMAC, paramiko checks every packet's MAC in a pure-Python loop
    (about a fifth of the client's CPU in a fleet run); GCM authenticates in C."""
    transport = paramiko.Transport(sock, **kwargs)
    options = transport.get_security_options()
    options.ciphers = sorted(options.ciphers, key=lambda name: "-gcm@" not in name)
    return transport


def connect(where: Endpoint, spec: SshSettings, session: Session, sock: Any) -> paramiko.SSHClient:
    """An authenticated client over `sock` (a capped TCP socket or a jump host's tunnel), or
    a CollectError saying why not (never a secret)."""
    timeout = _attempt_timeout(spec, session)
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
    spec: SshSettings,
    elapsed: float,
    timeout: float,
    heard: bytes,
) -> CollectError | None:
    """What the failed handshake means for the user; None for an error that is not the
    target's doing (a defect here or in paramiko)."""
    if isinstance(exc, paramiko.BadHostKeyException):
        return CollectError("host key changed", ssh_hostkeys.changed_message(exc))
    if isinstance(exc, paramiko.AuthenticationException):
        return CollectError(
            "auth failed", phrase("{where} rejected {methods}", where=str(where),
                                  methods=_auth_methods(spec))
        )
    if not isinstance(exc, paramiko.SSHException | EOFError | OSError):
        return None
    if heard and not heard.startswith(b"SSH-") and "banner" in str(exc):
        return CollectError(
            "unexpected answer",
            phrase("{where} answered, but not as an SSH server", where=str(where)),
        )
    if elapsed >= timeout * 0.9:
        message = (
            phrase("{where} accepted the connection but sent no SSH banner within {seconds} s",
                   where=str(where), seconds=f"{timeout:.1f}")
            if "banner" in str(exc)
            else phrase(
                "{where} accepted the connection but the SSH handshake did not finish within "
                "{seconds} s", where=str(where), seconds=f"{timeout:.1f}")
        )
        return CollectError("timeout", message, transient=True)
    if "banner" in str(exc) or isinstance(exc, EOFError | ConnectionResetError):
        return CollectError(
            "connection lost",
            phrase("{where} closed the connection during the SSH handshake", where=str(where)),
            transient=True,
        )
    return CollectError(
        "protocol error",
        phrase("SSH handshake with {where} failed: {error}", where=str(where), error=str(exc)),
    )


def _auth_methods(spec: SshSettings) -> Phrase:
    methods: list[Phrase] = []
    if spec.key_file:
        methods.append(phrase("the key {path}", path=spec.key_file))
    if spec.password:
        methods.append(phrase("the password {reference}", reference=spec.password))
    if spec.use_agent and os.environ.get("SSH_AUTH_SOCK"):
        methods.append(phrase("the ssh-agent keys"))
    if not (spec.key_file or spec.password):
        methods.append(phrase("the default keys in ~/.ssh"))
    return functools.reduce(lambda said, more: phrase("{said}, {more}", said=said, more=more),
                            methods)


def credentials(spec: SshSettings) -> dict[str, Any]:
    """Secrets resolved now, at use, from their references."""
    try:
        found: dict[str, Any] = {}
        if spec.password:
            found["password"] = secrets.resolve(spec.password)
        if spec.key_file:
            found["pkey"] = load_key(spec.key_file, spec.passphrase)
        return found
    except UserError as exc:
        raise CollectError("auth failed", exc.message) from None


_KEYS: dict[tuple[str, float, str | None], paramiko.PKey] = {}
_KEYS_LOCK = threading.Lock()


def load_key(path: str, passphrase_ref: str | None) -> paramiko.PKey:
    """Parsed once per process (decrypting a key costs ~0.1 s of bcrypt rounds)."""
    file = os.path.expanduser(path)
    try:
        cache_key = (file, os.stat(file).st_mtime, passphrase_ref)
    except OSError as exc:
        raise CollectError(
            "auth failed", phrase("key file {path}: {error}", path=str(path), error=exc.strerror)
        ) from None
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
                "encrypted key",
                phrase("key file {path} needs a passphrase and none is set", path=str(path)),
            ) from None
        except (paramiko.SSHException, ValueError, OSError) as exc:
            raise CollectError(
                "auth failed",
                phrase("cannot load key file {path}: {error}", path=str(path), error=str(exc)),
            ) from None
        _KEYS[cache_key] = key
        return key


def open_tunnel(
    jump: paramiko.SSHClient, via: Endpoint, to: Endpoint, spec: SshSettings, session: Session
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
            "unreachable",
            phrase("jump host {via} could not connect to {to}: {error}", via=str(via),
                   to=f"{to.address}:{to.port}", error=str(exc)),
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError(
            "timeout",
            phrase("jump host {via} did not open a channel: {error}", via=str(via), error=str(exc)),
        ) from None


def execute(client: paramiko.SSHClient, where: Endpoint, script: str, session: Session) -> str:
    try:
        channel = client.get_transport().open_session(timeout=max(0.1, session.remaining()))
        channel.settimeout(max(0.1, session.remaining()))
        channel.exec_command(REMOTE_COMMAND)
        channel.sendall(script.encode())
        channel.shutdown_write()
        received = bytearray()  # bounded: the socket under it reads no more than the cap
        while data := channel.recv(READ_SIZE):
            received += data
            if session.remaining() <= 0:  # a trickle that never ends is a timeout too
                raise TimeoutError
            channel.settimeout(session.remaining())
        status = channel.recv_exit_status()
    except TimeoutError:
        raise CollectError(
            "timeout", phrase("{where}: the inspection did not finish in time", where=str(where))
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError(
            "connection lost",
            phrase("{where}: the session broke off: {error}", where=str(where), error=str(exc)),
        ) from None
    if status == -1 and not channel.get_transport().is_active():
        raise CollectError(
            "connection lost",
            phrase("{where}: the connection dropped in mid-answer", where=str(where)),
            transient=True,
        )
    output = received.decode("utf-8", "replace")
    if status != 0 or f"{linux_script.MARK}end" not in output:
        problem = _first_line(channel) or f"exit status {status}"
        raise CollectError(
            "command refused",
            phrase("{where}: `{command}` did not run the script: {problem}", where=str(where),
                   command=REMOTE_COMMAND, problem=problem),
        )
    return output


def _first_line(channel: paramiko.Channel) -> str:
    if not channel.recv_stderr_ready():
        return ""
    return channel.recv_stderr(READ_SIZE).decode("utf-8", "replace").strip().split("\n")[0]
