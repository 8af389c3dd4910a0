"""Every row of the failure table (core.failures), met for real: one finding per class with the
row's summary prefix and hint, and never an exception's class name or repr in the summary.

Each row is produced against a real endpoint on 127.0.0.1 (sshd, snmpd, fakenos, the tarpit, a
closed port, a TCP responder that is not SSH); only the collector defect is injected.
"""

from __future__ import annotations

import builtins
import inspect as pyinspect
import re
import shlex
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import click
import pytest

import collectors
from cli.main import cli
from core.failures import FAILURES
from core.model import HOST, CliSettings, Finding, PreviousRun, SnmpSettings, SshSettings, Target
from flows.inspect import RunOptions, inspect_target
from settings.inventory import Inventory
from tests.services import free_port
from tests.services.hostile import PASSWORD_ENV
from tests.services.sshd import SshServer, keygen, new_workdir, start_sshd

NO_HISTORY = lambda _name: PreviousRun()  # noqa: E731
TIMEOUT = 5.0


def failure_of(target: Target, timeout: float = TIMEOUT) -> Finding:
    """The one finding saying why the target could not be inspected (no retries)."""
    result = inspect_target(Inventory(), target, NO_HISTORY, timeout, retries=0)
    [finding] = [f for f in result.findings if f.check in ("reachability", "collector")]
    return finding


def ssh_target(server, **ssh) -> Target:
    return Target("srv", address="127.0.0.1", ssh=SshSettings(**server.inventory_ssh(**ssh)))


def snmp_target(snmpd, monkeypatch, **snmp) -> Target:
    user = snmpd.users[0]
    monkeypatch.setenv("TABLE_V3_AUTH", snmp.pop("auth", user.auth_key))
    settings = {
        "port": snmpd.port,
        "version": "3",
        "username": user.name,
        "auth_key": "env:TABLE_V3_AUTH",
        "timeout": 0.5,
        "retries": 0,
        **snmp,
    }
    return Target("sw", kind="router", address="127.0.0.1", snmp=SnmpSettings(**settings))


@pytest.fixture(scope="module")
def not_ssh() -> Iterator[tuple[int, int]]:
    """Two TCP ports that accept and are no SSH server: (answers like a web server, closes at
    once without a word, as a server over its connection limit does)."""
    servers = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    stop = threading.Event()

    def serve(server: socket.socket, answer: bytes) -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection = server.accept()[0]
            except TimeoutError:
                continue
            with connection:
                connection.sendall(answer)

    threads = [
        threading.Thread(target=serve, args=(servers[0], b"HTTP/1.1 400 Bad Request\r\n\r\n")),
        threading.Thread(target=serve, args=(servers[1], b"")),
    ]
    for thread in threads:
        thread.start()
    yield servers[0].getsockname()[1], servers[1].getsockname()[1]
    stop.set()
    for thread in threads:
        thread.join()
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def picky_sshd() -> Iterator[tuple[SshServer, int, SshServer]]:
    """A real sshd with two ports: on the first the account may run no command (as a
    nologin or restricted account), the second speaks only a key exchange paramiko lacks."""
    workdir = new_workdir()
    second = free_port()
    server = start_sshd(
        workdir,
        extra_config=[
            f"Port {second}",
            f"Match LocalPort {second}",
            "    ForceCommand /bin/false",
        ],
    )
    with server.known_hosts.open("a") as known:
        known.write(f"[127.0.0.1]:{second} {server.host_public_key}\n")
    kex_workdir = new_workdir()
    kex = start_sshd(kex_workdir, extra_config=["KexAlgorithms sntrup761x25519-sha512@openssh.com"])
    try:
        yield server, second, kex
    finally:
        server.stop()
        kex.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(kex_workdir, ignore_errors=True)


class Broken:
    """Failure injection: a collector with a defect (no real program can cause one)."""

    name: ClassVar[str] = "broken"
    family: ClassVar[str] = HOST

    def collect(self, target, session):
        return [{}["missing"]]


def produce(reason: str, request, monkeypatch, tmp_path) -> Finding:
    """The finding for one row of the table, produced the way a user meets it."""
    fixture = request.getfixturevalue
    if reason == "refused":
        return failure_of(ssh_target(fixture("sshd_server"), port=free_port()))
    if reason == "unreachable":
        monkeypatch.setenv("TABLE_COMMUNITY", "public")
        snmp = SnmpSettings(community="env:TABLE_COMMUNITY")
        return failure_of(Target("sw", kind="switch", address="no-such-host.invalid", snmp=snmp))
    if reason == "timeout":
        tarpit = fixture("tarpit")
        return failure_of(ssh_target(fixture("sshd_server"), port=tarpit.port), timeout=2)
    if reason == "auth failed":
        return failure_of(snmp_target(fixture("snmpd"), monkeypatch, auth="not-the-auth-key"))
    if reason == "encrypted key":
        key = tmp_path / "id_locked"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "phrase-1", "-f", str(key)])
        return failure_of(ssh_target(fixture("sshd_server"), key_file=str(key)))
    if reason == "host key unknown":
        return failure_of(ssh_target(fixture("sshd_server"), known_hosts=None))
    if reason == "host key changed":
        server = fixture("sshd_server")
        keygen(tmp_path / "impostor")
        public = Path(f"{tmp_path / 'impostor'}.pub").read_text().split()[:2]
        known = tmp_path / "known_hosts"
        known.write_text(f"[127.0.0.1]:{server.port} {' '.join(public)}\n")
        return failure_of(ssh_target(server, known_hosts=str(known)))
    if reason == "v3 mismatch":
        return failure_of(snmp_target(fixture("snmpd"), monkeypatch, username="nobody-here"))
    if reason == "unexpected answer":
        return failure_of(ssh_target(fixture("sshd_server"), port=fixture("not_ssh")[0]))
    if reason == "connection lost":
        return failure_of(ssh_target(fixture("sshd_server"), port=fixture("not_ssh")[1]))
    if reason == "command refused":
        server, second, _ = fixture("picky_sshd")
        return failure_of(ssh_target(server, port=second))
    if reason == "protocol error":
        _, _, kex = fixture("picky_sshd")
        return failure_of(ssh_target(kex))
    if reason == "answer too large":
        monkeypatch.setenv(PASSWORD_ENV, "any")
        endless = fixture("hostile").ssh_section("endless")
        endless_ssh = SshSettings(**endless)
        return failure_of(Target("srv", address="127.0.0.1", ssh=endless_ssh, answer_limit_mb=0.5))
    if reason == "configuration":
        return failure_of(snmp_target(fixture("snmpd"), monkeypatch, auth="short"))
    if reason == "no poller":
        return nobody_in_zone(fixture("redis_server"), tmp_path)
    if reason == "internal error":
        monkeypatch.setitem(collectors.REGISTRY, "broken", Broken)
        return failure_of(Target("t1", address="127.0.0.1", collectors=("broken",)))
    raise AssertionError(f"no test row for {reason!r}: add one")


def nobody_in_zone(redis_server, tmp_path) -> Finding:
    """A target of a zone no worker listens on, dispatched through the real broker."""
    from flows.zones import CeleryZones
    from settings.inventory import load

    path = tmp_path / "inventory.yaml"
    path.write_text(
        f"central: {{broker: '{redis_server.url(63)}', deadline: 1s}}\n"
        "hosts:\n  far: {address: localhost, zone: dc-none}\n"
    )
    inventory = load(path)
    zones = CeleryZones(inventory, inventory.central)
    waiting = zones.publish(inventory.targets, RunOptions(timeout=1), NO_HISTORY)
    [finding] = waiting()["far"].findings
    return finding


def exception_names() -> set[str]:
    """Class names of every exception the transports can raise (and the standard ones)."""
    import netmiko.exceptions
    import paramiko.ssh_exception
    import pysnmp.error
    import pysnmp.proto.errind
    import pysnmp.smi.error

    names = {n for n, v in vars(builtins).items() if isinstance(v, type)}
    names.add("ErrorIndication")
    for module in (
        paramiko.ssh_exception,
        netmiko.exceptions,
        pysnmp.error,
        pysnmp.smi.error,
        pysnmp.proto.errind,
        socket,
    ):
        names |= {n for n, v in pyinspect.getmembers(module, pyinspect.isclass)}
    return {n for n in names if n[0].isupper() and re.search(r"[a-z][A-Z]|Error|Exception", n)}


@pytest.mark.parametrize("reason", list(FAILURES))
def test_each_failure_class_gives_its_summary_and_hint(reason, request, monkeypatch, tmp_path):
    finding = produce(reason, request, monkeypatch, tmp_path)
    row = FAILURES[reason]
    assert str(finding.summary).startswith(f"{reason}: "), str(finding.summary)
    assert (str(finding.hint), finding.status) == (str(row.hint), row.status)
    assert finding.evidence["reason"] == reason
    leaked = {name for name in exception_names() if re.search(rf"\b{name}\b", str(finding.summary))}
    assert not leaked, str(finding.summary)
    assert not re.search(r"\w\(\{|\w\('|<[\w.]+ object at|<class ", str(finding.summary)), (
        str(finding.summary)
    )


def test_commands_named_in_hints_exist_with_their_options():
    """A hint may send the user to an `inspect` command: it and its options must exist (the
    old fallback hint named a `-v` no command has)."""
    hints = [str(row.hint) for row in FAILURES.values()]
    named = [c for hint in hints for c in re.findall(r"`(inspect [^`]+)`", hint)]
    assert named
    for command in named:
        words = shlex.split(command)[1:]
        group: click.Command = cli
        while isinstance(group, click.Group) and words and not words[0].startswith("-"):
            group = group.get_command(click.Context(group), words.pop(0))
            assert group is not None, command
        options = {o for p in group.params for o in getattr(p, "opts", ())}
        assert {w for w in words if w.startswith("-")} <= options, command


def test_a_device_that_refuses_every_command_is_command_refused(fakenos_devices):
    """fakenos' Huawei VRP inventoried as Cisco IOS: `show ...` is refused on every probe."""
    huawei = fakenos_devices.target("huawei")
    as_cisco = replace(huawei, platform="cisco_ios", cli=replace(huawei.cli, timeout=5))
    finding = failure_of(as_cisco, timeout=20)
    assert str(finding.summary).startswith("command refused: the device answered none of: show")
    assert str(finding.hint) == str(FAILURES["command refused"].hint)


def test_network_devices_meet_the_same_table(not_ssh, monkeypatch):
    """netcli connects through the SSH collector's TCP connection: the same classes."""
    monkeypatch.setenv("TABLE_CLI_PASSWORD", "unused-password")
    cli = {"username": "netops", "password": "env:TABLE_CLI_PASSWORD", "timeout": 3}

    def device(port: int) -> Finding:
        settings = CliSettings(**cli, port=port)
        return failure_of(
            Target("sw", kind="switch", address="127.0.0.1", platform="cisco_ios", cli=settings)
        )

    assert str(device(not_ssh[0]).summary).startswith("unexpected answer: ")
    assert str(device(not_ssh[1]).summary).startswith("connection lost: ")
    assert str(device(free_port()).summary).startswith("refused: ")
