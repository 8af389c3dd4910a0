"""One netmiko session to a network device, opened from the target's `cli:` settings.

Kept apart from what is collected so that config backup opens devices the same way.
Every failure to connect becomes a CollectError whose reason the runner reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import CollectError, UserError
from core.model import CliSettings, Target
from core.phrases import Phrase, phrase, verbatim
from settings import secrets

if TYPE_CHECKING:
    from netmiko import BaseConnection


def settings(target: Target) -> CliSettings:
    """The `cli:` section with its defaults, built at load (references are resolved, and may
    fail, only at use)."""
    if target.cli is None:
        raise UserError(
            phrase("target {target}: no `cli:` section to connect with", target=target.name)
        )
    return target.cli


def connect_params(target: Target, timeout: float) -> dict[str, Any]:
    """ConnectHandler keyword arguments; secrets are resolved here, at use, and nowhere kept."""
    cli = settings(target)
    params: dict[str, Any] = {
        "device_type": target.platform,
        "host": target.address,
        "port": cli.port,
        "username": cli.username or "",
        "conn_timeout": timeout,
        "auth_timeout": timeout,
        "banner_timeout": timeout,
        "allow_agent": False,
        "fast_cli": cli.fast_cli,
    }
    if cli.password:
        params["password"] = secrets.resolve(cli.password)
    if cli.secret:
        params["secret"] = secrets.resolve(cli.secret)
    if cli.key_file:
        params.update(use_keys=True, key_file=str(Path(cli.key_file).expanduser()))
    return params


@contextmanager
def cli_session(target: Target, timeout: float | None = None) -> Iterator[BaseConnection]:
    """A logged-in session (enable mode when a `secret` is set), closed on exit.

    Connecting and logging in wait at most the `cli.timeout` setting, and never longer
    than `timeout` (what is left of the caller's deadline) when that is given. The session
    runs over our own TCP connection, as for SSH targets (collectors.ssh_wire): refused,
    unreachable and a port that is no SSH server are told apart the same way, and what the
    device sends is capped at its answer limit.
    """
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException, ReadException

    from collectors import ssh_hostkeys, ssh_wire
    from collectors.ssh_paramiko import paramiko

    configured = settings(target).timeout
    seconds = max(1.0, configured if timeout is None else min(configured, timeout))
    params = connect_params(target, seconds)
    where = f"{target.address}:{params['port']}"
    wire = ssh_wire.tcp_connect(target, target.address, params["port"], seconds)
    try:
        connection = ConnectHandler(**params, sock=wire, auto_connect=False)
    except BaseException:
        wire.close()
        raise
    # netmiko would accept any host key: the same trust as SSH targets (strict or tofu)
    connection._build_ssh_client = lambda: ssh_hostkeys.trusting_client(
        settings(target), target.address, params["port"], connection._get_ssh_client_instance()
    )
    try:
        connection._open()  # how netmiko's own dispatcher connects an auto_connect=False session
    except BaseException as exc:
        connection.disconnect()
        wire.close()
        if wire.exceeded:
            raise CollectError.too_large(where, target.answer_limit_mb) from None
        if isinstance(exc, NetmikoAuthenticationException):
            raise CollectError(
                "auth failed",
                phrase("{where}: the device refused user {user}", where=where,
                       user=repr(params["username"])),
            ) from None
        if isinstance(exc, paramiko.SSHException | ReadException | OSError | EOFError):
            reason, what = _why(exc, wire.heard)
            raise CollectError(reason, phrase("{where}: {what}", where=where, what=what)) from None
        raise  # a CollectError from the host key policy, or an interrupt
    try:
        if "secret" in params:
            _enable(connection, where)
        yield connection
    except BaseException as exc:
        if wire.exceeded:
            raise CollectError.too_large(where, target.answer_limit_mb) from None
        lost = _lost(exc, where, connection)
        if lost is None:
            raise
        raise lost from None
    finally:
        connection.disconnect()
        wire.close()


def _lost(exc: BaseException, where: str, connection: BaseConnection) -> CollectError | None:
    """What a failure in the middle of a session means, if it is the device's doing."""
    from netmiko.exceptions import ReadException, ReadTimeout

    if isinstance(exc, ReadTimeout) and connection.remote_conn.get_transport().is_active():
        return CollectError(
            "timeout", phrase("{where}: a command got no full answer in time", where=where)
        )
    if isinstance(exc, ReadTimeout):  # netmiko does not notice a drop: it waits for the prompt
        return CollectError(
            "connection lost", phrase("{where}: the connection dropped in mid-answer", where=where)
        )
    if isinstance(exc, ReadException | OSError | EOFError):  # "Channel stream closed"
        return CollectError(
            "connection lost",
            phrase("{where}: the session broke off ({error})", where=where, error=str(exc)),
        )
    return None


def _enable(connection: BaseConnection, where: str) -> None:
    try:
        connection.enable()
    except ValueError:  # netmiko's way of saying the enable secret was refused
        raise CollectError(
            "auth failed", phrase("{where}: the enable secret was refused", where=where)
        ) from None


def _why(exc: BaseException, heard: bytes) -> tuple[str, Phrase]:
    """netmiko reports dropped, garbled and silent alike; the cause underneath and the first
    bytes the device sent tell them apart (refused and unresolvable addresses fail before,
    in ssh_wire.tcp_connect)."""
    from collectors import ssh_hostkeys

    cause = exc.__context__ or exc
    if isinstance(cause, ssh_hostkeys.paramiko.BadHostKeyException):
        return "host key changed", ssh_hostkeys.changed_message(cause)
    banner = "banner" in str(cause)
    if banner and heard and not heard.startswith(b"SSH-"):
        return "unexpected answer", phrase("the port answered, but not as an SSH server")
    # netmiko wraps paramiko's error, which wraps the socket's: a timeout may be two down
    chain = [exc, *_contexts(exc)]
    if any(isinstance(e, TimeoutError) for e in chain) or "timed out" in str(exc).lower():
        return "timeout", phrase("no answer in time")
    if banner or isinstance(cause, EOFError | ConnectionResetError):
        return "connection lost", phrase(
            "the device closed the connection during the SSH handshake"
        )
    if isinstance(cause, OSError):
        return "connection lost", (
            verbatim(cause.strerror) if cause.strerror else phrase("the connection failed")
        )
    if cause is not exc and heard.startswith(b"SSH-") and b"\n" in heard:  # banner, then no deal
        return "protocol error", phrase(
            "the SSH handshake failed after the banner: {error}", error=str(cause)
        )
    return "timeout", phrase("no SSH banner or prompt in time")


def _contexts(exc: BaseException) -> Iterator[BaseException]:
    while exc.__context__ is not None:
        exc = exc.__context__
        yield exc
