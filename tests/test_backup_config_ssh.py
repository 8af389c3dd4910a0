"""Config backup over real SSH from a simulated Cisco switch (fake-switches) with netmiko.

The fixture here is private to config backups; when the shared fake-switches fixture of the
netcli collector lands, this module can use that instead.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from backup.config import ConfigRepository, backup_device, semantic_diff
from core.model import Target
from tests.services import free_port, port_open, require_program, wait_until


@pytest.fixture(scope="session")
def fake_cisco_port() -> Iterator[int]:
    program = require_program("fake-switches")
    port = free_port()
    process = subprocess.Popen(
        [
            program,
            "--model",
            "cisco_generic",
            "--hostname",
            "sw1",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: port_open(port), 30, "fake-switches")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def connect(port: int):
    from netmiko import ConnectHandler

    connection = ConnectHandler(
        device_type="cisco_ios",
        host="127.0.0.1",
        port=port,
        username="root",
        password="root",
        secret="",
        fast_cli=True,
    )
    connection.enable()
    return connection


def configure(port: int, *commands: str) -> None:
    with connect(port) as connection:
        # fake-switches knows `exit` but not `end`, so leave config mode ourselves.
        connection.send_config_set([*commands, "exit", "exit"], exit_config_mode=False)


def test_a_change_over_ssh_makes_one_commit_and_a_readable_diff(fake_cisco_port, tmp_path):
    require_program("git")
    target = Target(name="sw1", kind="switch", address="127.0.0.1", platform="cisco_ios")
    repo = ConfigRepository(tmp_path / "configs")
    times = iter(datetime(2026, 11, 22, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(5))

    def backup():
        return backup_device(
            target, lambda _t: connect(fake_cisco_port), repo, clock=lambda: next(times)
        )

    baseline = backup()
    assert baseline.commit is not None
    stored = (repo.path / "sw1.cfg").read_text()
    assert stored.startswith("version 12.1\n") and "Building configuration" not in stored
    assert backup().commit is None  # fetched again, nothing changed: no commit

    configure(fake_cisco_port, "interface FastEthernet0/3", "description uplink to core-2")
    changed = backup()
    assert changed.commit is not None and changed.commit.message.startswith("sw1: ")
    assert len(repo.history("sw1")) == 2
    diff = repo.diff("sw1")
    changed_lines = [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed_lines == ["+ description uplink to core-2"]

    before = repo.show("sw1", repo.history("sw1")[1].rev)
    after = repo.show("sw1")
    semantic = semantic_diff("cisco_ios", before, after)
    assert semantic.changed == ("interface FastEthernet0/3",)
    assert semantic.remediation == ("interface FastEthernet0/3", "  description uplink to core-2")
