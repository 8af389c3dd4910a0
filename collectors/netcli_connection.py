"""One netmiko session to a network device, opened from the target's `cli:` settings.

Kept apart from what is collected so that config backup opens devices the same way.
Every failure to connect becomes a CollectError whose reason the runner reports.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import CollectError, UserError
from core.model import CliSettings, Target
from settings import secrets

if TYPE_CHECKING:
    from netmiko import BaseConnection


def settings(target: Target) -> CliSettings:
    """The `cli:` section with its defaults, built at load (references are resolved, and may
    fail, only at use)."""
    if target.cli is None:
        raise UserError(f"target {target.name}: no `cli:` section to connect with")
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
    than `timeout` (what is left of the caller's deadline) when that is given.
    """
    from netmiko import ConnectHandler
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoTimeoutException,
        ReadTimeout,
    )

    from collectors import ssh_hostkeys
    from collectors.ssh import Endpoint, tcp_connect

    configured = settings(target).timeout
    seconds = max(1.0, configured if timeout is None else min(configured, timeout))
    params = connect_params(target, seconds)
    where = f"{target.address}:{params['port']}"
    # our own TCP connection, as for SSH targets: refused, unreachable and a port that answers
    # but is no SSH server are told apart the same way (the socket keeps the first bytes heard)
    sock = tcp_connect(Endpoint(target.address, params["port"], params["username"]), seconds)
    try:
        connection = ConnectHandler(**params, sock=sock, auto_connect=False)
    except BaseException:
        sock.close()
        raise
    # netmiko would accept any host key: the same trust as SSH targets (strict or tofu)
    connection._build_ssh_client = lambda: ssh_hostkeys.trusting_client(
        settings(target), target.address, params["port"], connection._get_ssh_client_instance()
    )
    try:
        connection._open()  # how netmiko's own dispatcher connects an auto_connect=False session
    except NetmikoAuthenticationException:
        connection.disconnect()
        raise CollectError(
            "auth failed", f"{where}: the device refused user {params['username']!r}"
        ) from None
    except (NetmikoTimeoutException, ReadTimeout, OSError, EOFError) as exc:
        connection.disconnect()
        sock.close()
        reason, what = _why(exc, sock.heard)
        raise CollectError(reason, f"{where}: {what}") from None
    except BaseException:
        connection.disconnect()  # a CollectError from the host key policy, or an interrupt
        sock.close()
        raise
    try:
        if "secret" in params:
            _enable(connection, where)
        yield connection
    except ReadTimeout:
        raise CollectError("timeout", f"{where}: a command got no full answer in time") from None
    except (OSError, EOFError) as exc:
        raise CollectError("connection lost", f"{where}: the session broke off ({exc})") from None
    finally:
        connection.disconnect()


def _enable(connection: BaseConnection, where: str) -> None:
    try:
        connection.enable()
    except ValueError:  # netmiko's way of saying the enable secret was refused
        raise CollectError("auth failed", f"{where}: the enable secret was refused") from None


def _why(exc: BaseException, heard: bytes) -> tuple[str, str]:
    """netmiko reports dropped, garbled and silent alike; the cause underneath and the first
    bytes the device sent tell them apart."""
    from collectors import ssh_hostkeys

    cause = exc.__context__ or exc
    if isinstance(cause, ssh_hostkeys.paramiko.BadHostKeyException):
        return "host key changed", ssh_hostkeys.changed_message(cause)
    banner = "banner" in str(cause)
    if banner and heard and not heard.startswith(b"SSH-"):
        return "unexpected answer", "the port answered, but not as an SSH server"
    if isinstance(cause, socket.timeout | TimeoutError) or "timed out" in str(exc).lower():
        return "timeout", "no answer in time"
    if banner or isinstance(cause, EOFError | ConnectionResetError):
        return "connection lost", "the device closed the connection during the SSH handshake"
    if isinstance(cause, OSError):
        return "connection lost", cause.strerror or "the connection failed"
    return "timeout", "no SSH banner or prompt in time"
