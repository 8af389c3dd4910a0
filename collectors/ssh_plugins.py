"""Monitoring plugins run on an SSH target over the connection the SSH collector already holds:
one exec channel per plugin, its argv quoted for the remote shell, stdout and stderr together,
the output read capped and the channel closed at the plugin's timeout.

A closed channel does not stop a remote process that writes nothing, so where the target has
`timeout` (coreutils, busybox) the plugin runs under it and is killed a second after we stop
waiting; `sh -c` so that any login shell (bash, csh, fish) reads the wrapper the same.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable

from collectors.plugins import OUTPUT_LIMIT, READ_SIZE, Ran, timed_out
from collectors.ssh_paramiko import paramiko
from core.phrases import phrase


def runner(client: paramiko.SSHClient) -> Callable[..., Ran]:
    def run(argv: tuple[str, ...], timeout: float, limit: int = OUTPUT_LIMIT) -> Ran:
        return run_remote(client, argv, timeout, limit)

    return run


def remote_command(argv: tuple[str, ...], timeout: float) -> str:
    command = shlex.join(argv)
    limit = f"{timeout + 1:.1f}"
    wrapper = (
        f"command -v timeout >/dev/null 2>&1 && exec timeout -s KILL {limit} {command}; "
        f"exec {command}"
    )
    return f"exec sh -c {shlex.quote(wrapper)}"


def run_remote(
    client: paramiko.SSHClient, argv: tuple[str, ...], timeout: float, limit: int = OUTPUT_LIMIT
) -> Ran:
    """A remote shell that cannot find the plugin exits 127 (UNKNOWN, with its message)."""
    deadline = time.monotonic() + timeout
    kept = bytearray()
    try:
        channel = client.get_transport().open_session(timeout=timeout)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        return Ran(None, "", phrase("cannot open an SSH channel: {error}", error=str(exc)))
    try:
        channel.set_combine_stderr(True)
        channel.settimeout(timeout)
        channel.exec_command(remote_command(argv, timeout))
        while data := channel.recv(READ_SIZE):
            kept += data[: max(0, limit - len(kept))]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            channel.settimeout(left)
        status = channel.recv_exit_status()
    except TimeoutError:
        return Ran(None, kept.decode("utf-8", "replace"), timed_out(timeout))
    except (paramiko.SSHException, OSError, EOFError) as exc:
        return Ran(None, "", phrase("the SSH session broke off: {error}", error=str(exc)))
    finally:
        channel.close()
    if status == -1:  # the channel closed without an exit status (the connection dropped)
        return Ran(None, kept.decode("utf-8", "replace"), phrase("the SSH session broke off"))
    return Ran(status, kept.decode("utf-8", "replace"))
