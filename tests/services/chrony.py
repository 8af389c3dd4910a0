"""A real chronyd that is synchronised without touching this machine's clock.

Two chronyd processes, both started with `-x` (never adjust the system clock): a server
(`local stratum 8`) on a free 127.0.0.1 UDP port, and a client following it on the default
command socket and port, so `chronyc -n tracking` answers root locally and the sshd fixture's
unprivileged user (over UDP 127.0.0.1:323) alike: a real synchronised time daemon to inspect.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import free_port, missing, wait_until

POLL = "minpoll -2 maxpoll -2"  # every 0.25 s: synchronised within seconds


def _start(conf: Path, text: str) -> subprocess.Popen:
    conf.write_text(text)
    return subprocess.Popen(["chronyd", "-n", "-x", "-f", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def synchronised() -> bool:
    done = subprocess.run(["chronyc", "-n", "tracking"], capture_output=True, text=True,
                          timeout=5, check=False)
    return "Leap status     : Normal" in done.stdout


@pytest.fixture(scope="session")
def chrony_synchronised() -> Iterator[None]:
    if not shutil.which("chronyd") or not shutil.which("chronyc"):
        missing("chrony (apt chrony)")
    if subprocess.run(["pgrep", "-x", "chronyd"], capture_output=True, check=False).returncode == 0:
        pytest.fail("a chronyd already runs here: the fixture needs the default command socket")
    work = Path(tempfile.mkdtemp(prefix="opsinspect-chrony-"))
    port = free_port(socket.SOCK_DGRAM)
    server = _start(work / "server.conf", f"""port {port}
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
bindcmdaddress /
pidfile {work}/server.pid
""")
    client = _start(work / "client.conf", f"""server 127.0.0.1 port {port} iburst {POLL}
port 0
pidfile {work}/client.pid
""")
    try:
        wait_until(synchronised, 30, "chronyd to synchronise with the local server")
        yield
    finally:
        for proc in (client, server):
            proc.terminate()
        for proc in (client, server):
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
