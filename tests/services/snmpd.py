"""A private net-snmp snmpd for the test session: v2c community plus v3 authPriv users."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import free_port, require_program, wait_until


@dataclass(frozen=True)
class V3User:
    name: str
    auth_protocol: str  # inventory spelling (SHA, SHA256)
    auth_key: str
    priv_key: str
    net_snmp_auth: str  # net-snmp spelling (SHA, SHA-256)


@dataclass(frozen=True)
class Snmpd:
    port: int
    community: str
    users: tuple[V3User, ...]
    env: dict[str, str]  # SNMPCONFPATH with `mibs :` so net-snmp tools load no MIB files

    def cli(self, tool: str, *oids: str) -> list[str]:
        """A net-snmp command line (snmpget, snmpbulkwalk, ...) against this agent over v2c."""
        agent = f"127.0.0.1:{self.port}"
        return [tool, "-v2c", "-c", self.community, "-On", "-t", "1", "-r", "1", agent, *oids]

    def run(self, tool: str, *oids: str) -> str:
        done = subprocess.run(
            self.cli(tool, *oids), capture_output=True, text=True, env=self.env, check=True
        )
        return done.stdout


USERS = (
    V3User("opsv3sha", "SHA", "auth-sha-secret-1", "priv-aes-secret-1", "SHA"),
    V3User("opsv3sha256", "SHA256", "auth-sha256-secret-2", "priv-aes-secret-2", "SHA-256"),
)
# a second agent with the first one's user name and other keys, as estates configure one
# user name on every switch with per-device keys (each snmpd has its own engine ID)
TWIN_USERS = (V3User("opsv3sha", "SHA", "twin-auth-secret-3", "twin-priv-secret-3", "SHA"),)


@pytest.fixture(scope="session")
def snmpd() -> Iterator[Snmpd]:
    binary = require_program("snmpd", "/usr/sbin/snmpd")
    snmpget = require_program("snmpget")
    with serve(binary, snmpget) as service:
        yield service


@pytest.fixture(scope="session")
def snmpd_twin() -> Iterator[Snmpd]:
    """Another snmpd: same v3 user name as `snmpd`, different keys and engine ID."""
    binary = require_program("snmpd", "/usr/sbin/snmpd")
    snmpget = require_program("snmpget")
    with serve(binary, snmpget, TWIN_USERS) as service:
        yield service


@contextmanager
def serve(
    binary: str = "/usr/sbin/snmpd",
    snmpget: str = "snmpget",
    users: tuple[V3User, ...] = USERS,
    engine_id: str = "",
) -> Iterator[Snmpd]:
    """snmpd on a free 127.0.0.1 UDP port with its own config and persistent dir; its
    engine ID is random unless `engine_id` (text) is given."""
    home = Path(tempfile.mkdtemp(prefix="opsinspect-snmpd-"))
    port = free_port(socket.SOCK_DGRAM)
    community = "opsinspect-test-community"
    lines = [f"agentAddress udp:127.0.0.1:{port}", f"rocommunity {community} 127.0.0.1"]
    if engine_id:
        lines.append(f"engineID {engine_id}")
    for u in users:
        lines.append(f'createUser {u.name} {u.net_snmp_auth} "{u.auth_key}" AES "{u.priv_key}"')
        lines.append(f"rouser {u.name} priv")
    (home / "snmpd.conf").write_text("\n".join(lines) + "\n")
    (home / "snmp.conf").write_text("mibs :\n")  # Debian ships no IF-MIB: numeric OIDs only
    (home / "persist").mkdir()
    env = {**os.environ, "SNMPCONFPATH": str(home), "SNMP_PERSISTENT_DIR": str(home / "persist")}
    log = open(home / "snmpd.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [binary, "-f", "-Lo", "-p", str(home / "pid"), "-I", "-smux"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    service = Snmpd(port=port, community=community, users=users, env=env)
    probe = service.cli(snmpget, "1.3.6.1.2.1.1.3.0")
    try:
        wait_until(
            lambda: (
                proc.poll() is None
                and subprocess.run(probe, capture_output=True, env=env).returncode == 0
            ),
            20,
            f"snmpd (log: {home / 'snmpd.log'})",
        )
        yield service
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(home, ignore_errors=True)
