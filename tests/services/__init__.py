"""Real test services started once per test session on 127.0.0.1 (see scripts/install-services).

With CI=true a missing program fails the test; elsewhere it skips, naming the install script.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable

import pytest

INSTALL_HINT = "run `bash scripts/install-services` first"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str) -> None:
    """A service that cannot run: a failure in CI, a skip on a developer's machine."""
    message = f"{what} is not available; {INSTALL_HINT}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_program(*names: str) -> str:
    """Absolute path of the first program found, or missing()."""
    for name in names:
        path = shutil.which(name) or (
            name if os.path.isabs(name) and os.access(name, os.X_OK) else None
        )
        if path:
            return path
    missing(" or ".join(names))
    raise AssertionError("unreachable")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not become ready within {timeout:g} s")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def scan_host_keys(host: str, ports: list[int], path: str) -> str:
    """Write the servers' host keys, as OpenSSH's ssh-keyscan reads them, to a known_hosts
    file: simulated devices are then trusted the strict way, like a real estate's."""
    lines: list[str] = []
    for port in ports:
        done = subprocess.run(
            [require_program("ssh-keyscan"), "-p", str(port), "-T", "10", host],
            capture_output=True, text=True, timeout=30,
        )
        if not done.stdout.strip():
            raise RuntimeError(f"ssh-keyscan {host}:{port} found no key: {done.stderr[-500:]}")
        lines.append(done.stdout)
    with open(path, "w", encoding="ascii") as out:
        out.writelines(lines)
    return path
