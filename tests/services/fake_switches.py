"""A Cisco switch simulated by fake-switches over SSH on 127.0.0.1, once per test session.

Its configure mode keeps changes while it runs, so config-backup tests can change the
running-config between two connections. Credentials are handed out as references
(env:NAME), the way an inventory names them.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.model import CliSettings, Target
from tests.services import free_port, missing, port_open, scan_host_keys, wait_until

LAUNCHER = Path(__file__).with_name("fake_switches_launcher.py")
PASSWORD_ENV = "OPSINSPECT_TEST_FAKE_SWITCH_PASSWORD"
ENABLE_ENV = "OPSINSPECT_TEST_FAKE_SWITCH_ENABLE"


@dataclass(frozen=True)
class FakeSwitch:
    host: str
    port: int
    username: str
    password_env: str
    enable_env: str
    hostname: str
    known_hosts: str
    platform: str = "cisco_ios"

    def target(self, name: str = "fake-cisco", **cli: object) -> Target:
        """A switch target as the inventory would build it; `cli` overrides settings."""
        return Target(
            name=name,
            kind="switch",
            address=self.host,
            platform=self.platform,
            cli=CliSettings(**self.inventory_cli(**cli)),
        )

    def inventory_cli(self, **cli: object) -> dict:
        """An inventory `cli:` section for this switch; `cli` overrides settings."""
        return {
            "port": self.port,
            "username": self.username,
            "password": f"env:{self.password_env}",
            "secret": f"env:{self.enable_env}",
            "timeout": 10,
            "known_hosts": self.known_hosts,
            **cli,
        }


@pytest.fixture(scope="session")
def fake_cisco_switch() -> Iterator[FakeSwitch]:
    if importlib.util.find_spec("fake_switches") is None:
        missing("fake-switches (pip, see scripts/install-services)")
    port = free_port()
    switch = FakeSwitch(
        host="127.0.0.1",
        port=port,
        username="netops",
        password_env=PASSWORD_ENV,
        enable_env=ENABLE_ENV,
        hostname="fake-sw1",
        known_hosts=os.path.join(tempfile.mkdtemp(prefix="opsinspect-fake-switches-"), "known"),
    )
    os.environ[PASSWORD_ENV] = "fs-login-4711"
    os.environ[ENABLE_ENV] = "fs-enable-0815"
    with tempfile.NamedTemporaryFile(prefix="opsinspect-fake-switches-", suffix=".log") as log:
        yield from _serve(switch, log)


def _serve(switch: FakeSwitch, log) -> Iterator[FakeSwitch]:
    env = {
        **os.environ,
        "FAKE_SWITCH_PASSWORD": os.environ[PASSWORD_ENV],
        "FAKE_SWITCH_ENABLE": os.environ[ENABLE_ENV],
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-I",  # isolated: the launcher's own folder holds this module, named fake_switches
            str(LAUNCHER),
            "cisco_generic",
            switch.hostname,
            switch.username,
            str(switch.port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_until(
            lambda: port_open(switch.port) or process.poll() is not None, 30, "fake-switches"
        )
        if process.poll() is not None:
            raise RuntimeError(f"fake-switches exited: {Path(log.name).read_text()[-2000:]}")
        scan_host_keys(switch.host, [switch.port], switch.known_hosts)
        yield switch
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.environ.pop(PASSWORD_ENV, None)
        os.environ.pop(ENABLE_ENV, None)
